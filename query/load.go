package query

import (
	"sort"

	"loghunt/store"
)

// builtinFields are the fields every event has besides its format's.
var builtinFields = []string{store.ColTime, "source", "sourcetype"}

// prune skips a chunk by its header: a positive field comparison on a
// field the chunk does not have, or a numeric one outside its range.
func (p *plan) prune(c *store.Chunk) bool {
	return p.term == nil || mayMatchChunk(p.term, c)
}

func mayMatchChunk(t *Term, c *store.Chunk) bool {
	switch t.Kind {
	case TermAnd:
		for _, a := range t.Args {
			if !mayMatchChunk(a, c) {
				return false
			}
		}
		return true
	case TermOr:
		for _, a := range t.Args {
			if mayMatchChunk(a, c) {
				return true
			}
		}
		return false
	case TermCompare:
		if t.Op == "!=" || isBuiltin(t.Field) {
			return true
		}
		ci := c.Column(t.Field)
		if ci == nil {
			return false // null never equals or compares
		}
		if !ci.HasRange || !t.isNum || t.Wildcard {
			return true
		}
		switch t.Op {
		case "=":
			return t.num >= ci.Min && t.num <= ci.Max
		case "<":
			return ci.Min < t.num
		case "<=":
			return ci.Min <= t.num
		case ">":
			return ci.Max > t.num
		case ">=":
			return ci.Max >= t.num
		}
	case TermIn:
		return isBuiltin(t.Field) || c.Column(t.Field) != nil
	}
	return true
}

func isBuiltin(f string) bool {
	return f == store.ColTime || f == store.ColRaw || f == "source" || f == "sourcetype"
}

// load decodes the rows of a chunk in the time range that match the
// search, with the columns the query needs.
func (p *plan) load(c *store.Chunk) (*Batch, error) {
	times, err := c.Times()
	if err != nil {
		return nil, err
	}
	lo := sort.Search(len(times), func(i int) bool { return times[i] >= p.lo })
	hi := sort.Search(len(times), func(i int) bool { return times[i] > p.hi })
	if lo >= hi {
		return &Batch{}, nil
	}
	cols := map[string][]store.Value{}
	column := func(name string) ([]store.Value, error) {
		if v, ok := cols[name]; ok {
			return v, nil
		}
		v, err := c.Values(name)
		if err == nil {
			cols[name] = v[lo:hi]
			v = v[lo:hi]
		}
		return v, err
	}
	var sel []int // selected rows, relative to lo; nil means all
	if p.term != nil {
		sel, err = p.filter(column, hi-lo)
		if err != nil {
			return nil, err
		}
	}
	n := hi - lo
	if sel != nil {
		n = len(sel)
	}
	b := &Batch{Len: n, Order: make([]int64, n)}
	for i := range n {
		b.Order[i] = times[lo+rowAt(sel, i)]
	}
	for _, name := range p.columnsOf(c) {
		var vals []store.Value
		if name == store.ColTime {
			vals = make([]store.Value, n)
			for i, t := range b.Order {
				vals[i] = store.Time(t)
			}
		} else {
			all, err := column(name)
			if err != nil {
				return nil, err
			}
			vals = gather(all, sel)
		}
		b.Fields = append(b.Fields, name)
		b.Cols = append(b.Cols, vals)
	}
	return b, nil
}

func rowAt(sel []int, i int) int {
	if sel == nil {
		return i
	}
	return sel[i]
}

func gather(all []store.Value, sel []int) []store.Value {
	if sel == nil {
		return all
	}
	out := make([]store.Value, len(sel))
	for i, r := range sel {
		out[i] = all[r]
	}
	return out
}

// columnsOf lists the columns to decode for a chunk: those the query
// needs, or every column of the chunk (with _time first and _raw last)
// when the output shows every field.
func (p *plan) columnsOf(c *store.Chunk) []string {
	if !p.need.all {
		var out []string
		for _, f := range p.need.list() {
			if f == store.ColTime || isBuiltin(f) || c.Column(f) != nil {
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

// filter returns the rows (relative to the range start) that match the
// search term.
func (p *plan) filter(column func(string) ([]store.Value, error), n int) ([]int, error) {
	var raws []store.Value
	if usesRaw(p.term) {
		var err error
		if raws, err = column(store.ColRaw); err != nil {
			return nil, err
		}
	}
	fields := map[string][]store.Value{}
	for _, f := range searchFields(p.term) {
		v, err := column(f)
		if err != nil {
			return nil, err
		}
		fields[f] = v
	}
	row := 0
	get := func(f string) store.Value {
		if v, ok := fields[f]; ok {
			return v[row]
		}
		return store.Null
	}
	sel := make([]int, 0, n)
	for row = 0; row < n; row++ {
		raw := ""
		if raws != nil {
			raw = raws[row].S
		}
		if p.term.Match(raw, get) {
			sel = append(sel, row)
		}
	}
	return sel, nil
}

func usesRaw(t *Term) bool {
	if t.Kind == TermWord || t.Kind == TermPhrase {
		return true
	}
	for _, a := range t.Args {
		if usesRaw(a) {
			return true
		}
	}
	return false
}
