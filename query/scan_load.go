package query

import (
	"loghunt/store"
)

// load decodes the rows of a chunk in the time range that match the
// search, with the columns the query needs.
//
// The batch holds copies of what it needs, except with p.borrowRaw: then
// its _raw values view the chunk's reused memory, and the caller calls
// done when nothing views them any more. done is never nil.
func (p *plan) load(c *store.Chunk) (b *Batch, done func(), err error) {
	// Rows need times for time order, or for _time itself.
	rows, err := c.Select(p.filter, p.lo, p.hi, store.SelectOptions{
		Times: p.partial == nil || p.need.has(store.ColTime), Borrow: p.borrowRaw})
	if err != nil {
		return nil, noop, err
	}
	if p.borrowRaw {
		defer func() {
			if err != nil {
				rows.Release()
			}
		}()
		b, err = p.loadRows(rows)
		return b, rows.Release, err
	}
	defer rows.Release()
	b, err = p.loadRows(rows)
	return b, noop, err
}

func noop() {}

// loadRows makes the batch of the selected rows of a chunk.
func (p *plan) loadRows(rows *store.Rows) (*Batch, error) {
	n := rows.Len()
	if n == 0 {
		return &Batch{}, nil
	}
	times := rows.Times()
	lo, _ := rows.Range()
	b := &Batch{Len: n}
	if times != nil && p.partial == nil { // (the order merges streams; an aggregation in the workers needs none)
		b.Order = make([]int64, n)
		for i := range n {
			b.Order[i] = times[lo+rows.Row(i)]
		}
	}
	for _, name := range p.columnsOf(rows.Chunk()) {
		var vals []store.Value
		var err error
		if name == store.ColTime {
			vals = make([]store.Value, n)
			for i := range vals {
				if times != nil {
					vals[i] = store.Time(times[lo+rows.Row(i)])
				}
			}
		} else if vals, err = rows.Values(name); err != nil {
			return nil, err
		}
		b.Fields = append(b.Fields, name)
		b.Cols = append(b.Cols, vals)
		if p.partial != nil && len(p.pushed) == 0 {
			b.dicts = append(b.dicts, rows.SelectedCodes(name))
		}
	}
	return b, nil
}

// columnsOf lists the columns to decode for a chunk: those the query
// needs, or every column of the chunk (with _time first and _raw last)
// when the output shows every field.
func (p *plan) columnsOf(c *store.Chunk) []string {
	if !p.need.all {
		var out []string
		for _, f := range p.need.list() {
			if f == store.ColTime || store.IsBuiltin(f) || c.Column(f) != nil {
				out = append(out, f)
			}
		}
		return out
	}
	out := []string{store.ColTime}
	for _, ci := range c.Cols {
		if ci.Name != store.ColTime && ci.Name != store.ColRaw {
			out = append(out, ci.Name)
		}
	}
	return append(out, "source", "sourcetype", store.ColRaw)
}
