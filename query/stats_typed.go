package query

import (
	"math"

	"loghunt/store"
)

// typedAgg aggregates a chunk straight from its stored columns, without
// making a Value per row, for the commonest shape of a hunting question:
//
//	search [| bin _time span=S] | stats count, count(f), sum(f), avg(f), min(f), max(f) [by _time | by f]
//
// where the aggregated fields are stored as ints and a by field other
// than _time is dictionary-encoded. A chunk stored otherwise (a field
// with text in it, say) goes the general way; both give the same groups
// and states, so the tables merge as usual.
type typedAgg struct {
	op     *statsOp
	span   int64  // bin span in ns; 0 when _time is not binned
	byTime bool   // by _time
	by     string // by this (non-builtin) field; "" for none
	specs  []aggSpec
}

// newTypedAgg returns the typed path of p's aggregation, or nil when the
// query is not of that shape.
func newTypedAgg(p *plan) *typedAgg {
	op, ok := p.partial.(*statsOp)
	if !ok || op.table.keepNull {
		return nil
	}
	t := &typedAgg{op: op, specs: op.table.specs}
	switch len(p.pushed) {
	case 0:
	case 1:
		bin, ok := p.pushed[0].(*BinCmd)
		if !ok || bin.Target != store.ColTime {
			return nil
		}
		t.span = int64(bin.Span)
	default:
		return nil
	}
	switch by := op.table.by; {
	case len(by) == 0:
	case len(by) == 1 && by[0] == store.ColTime:
		t.byTime = true
	case len(by) == 1 && !store.IsBuiltin(by[0]) && t.span == 0:
		t.by = by[0]
	default:
		return nil
	}
	for _, s := range t.specs {
		switch s.fn {
		case "count", "sum", "avg", "mean", "min", "max":
		default:
			return nil
		}
		if s.field != "" && (store.IsBuiltin(s.field) || s.field == t.by) {
			return nil
		}
	}
	return t
}

// intCol is an aggregated field of one chunk's time range: its values,
// and which rows are null (nil when none is).
type intCol struct {
	vals  []int64
	nulls []bool
}

// slots accumulate the rows of a chunk's groups: slot i holds rows[i]
// and aggs[i*len(cols):][:len(cols)].
type slots struct {
	cols []*intCol
	rows []int64
	aggs []slotAgg
}

type slotAgg struct {
	n        int64 // non-null values
	sum      int64 // (cannot overflow: see fitsSums)
	min, max int64
}

func newSlots(cols []*intCol, n int) *slots {
	s := &slots{rows: make([]int64, n)}
	for _, c := range cols {
		if c != nil {
			s.cols = cols // counts of rows alone need no aggs
			s.aggs = make([]slotAgg, n*len(cols))
			break
		}
	}
	return s
}

// add adds row r to slot i.
func (s *slots) add(i, r int) {
	s.rows[i]++
	if s.cols == nil {
		return
	}
	aggs := s.aggs[i*len(s.cols) : (i+1)*len(s.cols)]
	for j, c := range s.cols {
		if c == nil || (c.nulls != nil && c.nulls[r]) {
			continue
		}
		v, a := c.vals[r], &aggs[j]
		if a.n == 0 {
			a.min, a.max = v, v
		} else {
			a.min, a.max = min(a.min, v), max(a.max, v)
		}
		a.n++
		a.sum += v
	}
}

// reset empties slot i.
func (s *slots) reset(i int) {
	s.rows[i] = 0
	clear(s.aggs[i*len(s.cols) : (i+1)*len(s.cols)])
}

// chunk aggregates the selected rows of c into a worker's table. It
// returns false, having changed nothing, when c does not fit the path.
func (t *typedAgg) chunk(p *plan, c *store.Chunk) (bool, error) {
	// Dictionaries go into reused memory: groups copy their keys.
	rows, err := c.Select(p.filter, p.lo, p.hi, store.SelectOptions{Times: t.byTime, Reuse: true})
	if err != nil {
		return false, err
	}
	defer rows.Release()
	lo, hi := rows.Range()
	if hi <= lo {
		return true, nil
	}
	cols := make([]*intCol, len(t.specs))
	for i, s := range t.specs {
		if s.field == "" {
			continue
		}
		if (s.fn == "sum" || s.fn == "avg" || s.fn == "mean") && !fitsSums(c, s.field, hi-lo) {
			return false, nil
		}
		col, ok, err := t.intColumn(rows, s.field)
		if !ok || err != nil {
			return false, err
		}
		cols[i] = col
	}
	var dict *store.Dict
	if t.by != "" {
		if c.Column(t.by) == nil {
			return true, nil // every row's by value is null: no group
		}
		if dict, err = rows.Dict(t.by); dict == nil || err != nil {
			return false, err
		}
	}
	n := rows.Len()
	return true, t.op.withTable(func(g *groupTable) error {
		if err := t.groups(g, rows, n, cols, dict); err != nil {
			return err
		}
		return g.budget.err(g.by)
	})
}

// groups folds the n selected rows into g by their group.
func (t *typedAgg) groups(g *groupTable, rows *store.Rows, n int, cols []*intCol, dict *store.Dict) error {
	switch {
	case dict != nil:
		s := newSlots(cols, dict.Len()+1)
		for i := range n {
			r := rows.Row(i)
			s.add(int(dict.Code(r)), r)
		}
		for code := 1; code < len(s.rows); code++ { // code 0: a null by-value, left out
			if s.rows[code] > 0 {
				if err := t.fold(g, dict.Value(uint16(code)), s, code); err != nil {
					return err
				}
			}
		}
	case t.byTime:
		// Times are sorted in a chunk, so a bucket is one run of rows.
		times := rows.Times()
		lo, _ := rows.Range()
		s := newSlots(cols, 1)
		var key int64
		for i := range n {
			r := rows.Row(i)
			k := times[lo+r]
			if t.span > 0 {
				k = floorDiv(k, t.span) * t.span
			}
			if k != key && s.rows[0] > 0 {
				if err := t.fold(g, store.Time(key), s, 0); err != nil {
					return err
				}
				s.reset(0)
			}
			key = k
			s.add(0, r)
		}
		if s.rows[0] > 0 {
			return t.fold(g, store.Time(key), s, 0)
		}
	default:
		s := newSlots(cols, 1)
		for i := range n {
			s.add(0, rows.Row(i))
		}
		return t.fold(g, store.Null, s, 0)
	}
	return nil
}

// intColumn reads an aggregated field of the rows' range as ints: a
// column stored as ints, or a dictionary of ints. ok is false otherwise.
func (t *typedAgg) intColumn(rows *store.Rows, name string) (*intCol, bool, error) {
	c := rows.Chunk()
	lo, hi := rows.Range()
	if c.Column(name) == nil {
		// Every row null: counts and sums of nothing.
		return &intCol{vals: make([]int64, hi-lo), nulls: trues(hi - lo)}, true, nil
	}
	vals, nulls, ok, err := rows.Ints(name)
	if err != nil {
		return nil, false, err
	}
	if ok {
		return &intCol{vals: vals, nulls: nulls}, true, nil
	}
	d, err := rows.Dict(name)
	if d == nil || err != nil {
		return nil, false, err
	}
	ints := make([]int64, d.Len()+1)
	for c := 1; c <= d.Len(); c++ {
		v := d.Value(uint16(c))
		if v.K != store.KindInt {
			return nil, false, nil
		}
		ints[c] = v.I
	}
	col := &intCol{vals: make([]int64, d.Rows())}
	for r := range col.vals {
		code := d.Code(r)
		col.vals[r] = ints[code]
		if code == 0 {
			if col.nulls == nil {
				col.nulls = make([]bool, d.Rows())
			}
			col.nulls[r] = true
		}
	}
	return col, true, nil
}

// fitsSums reports whether no sum of up to n values of the field's chunk
// column can overflow an int64, as the slots add them: by the column's
// range (a column without one goes the general way, which checks).
func fitsSums(c *store.Chunk, name string, n int) bool {
	ci := c.Column(name)
	if ci == nil {
		return true
	}
	return ci.HasRange && max(math.Abs(ci.Min), math.Abs(ci.Max))*float64(n) < 1<<62
}

func trues(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

// fold adds a slot to its group, as if its rows had been added one by
// one.
func (t *typedAgg) fold(g *groupTable, key store.Value, s *slots, i int) error {
	var one [1]store.Value // lookup copies what it keeps
	var vals []store.Value
	if t.byTime || t.by != "" {
		one[0] = key
		vals = one[:]
	}
	gr, err := g.lookup(vals)
	if err != nil {
		return err
	}
	aggs := s.aggs[i*len(s.cols) : (i+1)*len(s.cols)]
	for j, st := range gr.states {
		var a slotAgg
		if aggs != nil {
			a = aggs[j]
		}
		switch st := st.(type) {
		case *countAgg:
			if st.all {
				st.n += s.rows[i]
			} else {
				st.n += a.n
			}
		case *sumAgg:
			if a.n > 0 {
				st.addInts(a.sum, int(a.n))
			}
		case *avgAgg:
			st.sum.addInt(a.sum) // exact, as avgAgg adds each int
			st.n += int(a.n)
		case *minMaxAgg:
			if a.n > 0 {
				v := a.min
				if st.max {
					v = a.max
				}
				st.add(store.Int(v), 0)
			}
		default:
			panic("BUG: typed aggregation of " + t.specs[j].fn)
		}
	}
	return nil
}
