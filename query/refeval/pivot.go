package refeval

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// pivotStage evaluates the table-shaping stages (chart, xyseries,
// untable, addtotals, convert); ok is false for other stages.
func (ev *evaluator) pivotStage(st query.Command, rows []Row) (out []Row, ok bool, err error) {
	switch c := st.(type) {
	case *query.ChartCmd:
		out, err = chart(c, rows)
		return out, true, err
	case *query.XyseriesCmd:
		out, err = xyseries(c, rows)
		return out, true, err
	case *query.UntableCmd:
		return untable(c, rows), true, nil
	case *query.AddtotalsCmd:
		return addtotals(c, rows), true, nil
	case *query.ConvertCmd:
		return convert(c, rows), true, nil
	}
	return nil, false, nil
}

// maxPivotCells bounds the cells refeval's pivots fill.
const maxPivotCells = 2_000_000

// chart makes one row per value of the row field (as stats by it groups
// and orders them) and, with a column field, one column per series: a
// value of the column field, NULL for rows without one (unless
// usenull=false, which leaves those rows out). The limit series with the
// largest sum of the first aggregate's cells come first, ties to the
// smaller value, the others aggregated together as OTHER (or left out
// with useother=false). A cell without rows is null.
func chart(c *query.ChartCmd, rows []Row) ([]Row, error) {
	x, y := c.RowField(), c.ColumnField()
	if y == "" {
		var by []string
		if x != "" {
			by = []string{x}
		}
		return stats(c.Aggs, by, rows), nil
	}
	type series struct {
		name  string
		value store.Value // for ranking ties; null for NULL
		total *big.Rat
	}
	byKey := map[string]*series{}
	var order []*series
	keyOf := func(r Row) (string, *series) {
		v := r.Get(y)
		key, name := "\x00null", "NULL"
		if v.K != store.KindNull {
			key, name = "v"+v.String(), v.String()
		}
		s := byKey[key]
		if s == nil {
			s = &series{name: name, value: v, total: new(big.Rat)}
			byKey[key] = s
			order = append(order, s)
		} else if v.K != store.KindNull && totalOrder(v, s.value) < 0 {
			s.value = v
		}
		return key, s
	}
	if !c.UseNull {
		rows = filter(rows, func(r Row) bool { return r.Get(y).K != store.KindNull })
	}
	groups := groupRows([]string{x}, rows)
	cellRows := make([]map[*series][]Row, len(groups))
	for i, g := range groups {
		cellRows[i] = map[*series][]Row{}
		for _, r := range g.rows {
			_, s := keyOf(r)
			cellRows[i][s] = append(cellRows[i][s], r)
		}
	}
	for i := range groups {
		for s, rs := range cellRows[i] {
			if f, ok := asFloat(aggregate(c.Aggs[0], samplesOf(c.Aggs[0], rs))); ok {
				s.total.Add(s.total, ratOf(f))
			}
		}
	}
	cols := slices.Clone(order)
	slices.SortFunc(cols, func(a, b *series) int {
		if c := b.total.Cmp(a.total); c != 0 {
			return c
		}
		return totalOrder(denoted(a.value), denoted(b.value))
	})
	var other []*series
	if c.Limit > 0 && len(cols) > c.Limit {
		cols, other = cols[:c.Limit], cols[c.Limit:]
		if !c.UseOther {
			other = nil
		}
	}
	if len(groups)*(len(cols)+1)*len(c.Aggs) > maxPivotCells {
		return nil, fmt.Errorf("%w: chart of %d rows and %d columns", ErrLimit, len(groups), len(cols)+1)
	}
	var out []Row
	for i, g := range groups {
		r := Row{}
		r.Set(x, g.key[0])
		cell := func(name string, rs []Row) {
			for _, a := range c.Aggs {
				col := name
				if len(c.Aggs) > 1 {
					col = a.OutputName() + ": " + name
				}
				if len(rs) > 0 {
					r.Set(col, aggregate(a, samplesOf(a, rs)))
				}
			}
		}
		for _, s := range cols {
			cell(s.name, cellRows[i][s])
		}
		if len(other) > 0 {
			var rs []Row // in row order
			for _, row := range g.rows {
				if _, s := keyOf(row); slices.Contains(other, s) {
					rs = append(rs, row)
				}
			}
			cell("OTHER", rs)
		}
		out = append(out, r)
	}
	return out, nil
}

// xyseries makes a row per text of X (rows without X left out), in order
// of first appearance, holding the first value of that text, and a cell
// per value i and text of Y (in order of first appearance) holding V_i of
// the last row of that X and Y that has one. Columns are named by the
// text of Y, or "V: y" with several V, by V then y; a name taken by X or
// an earlier column is not used again.
func xyseries(c *query.XyseriesCmd, rows []Row) ([]Row, error) {
	type line struct {
		x     store.Value
		cells map[[2]string]store.Value // by V's index and Y's text
	}
	byX := map[string]*line{}
	var lines []*line
	var ys []string
	seenY := map[string]bool{}
	for _, r := range rows {
		xv := r.Get(c.X.Name)
		if xv.K == store.KindNull {
			continue
		}
		l := byX[xv.String()]
		if l == nil {
			l = &line{x: xv, cells: map[[2]string]store.Value{}}
			byX[xv.String()] = l
			lines = append(lines, l)
		}
		yv := r.Get(c.Y.Name)
		if yv.K == store.KindNull {
			continue
		}
		if !seenY[yv.String()] {
			seenY[yv.String()] = true
			ys = append(ys, yv.String())
		}
		for i, v := range c.Values {
			if val := r.Get(v.Name); val.K != store.KindNull {
				l.cells[[2]string{fmt.Sprint(i), yv.String()}] = val
			}
		}
	}
	if len(lines)*(len(ys)*len(c.Values)+1) > maxPivotCells {
		return nil, fmt.Errorf("%w: xyseries of %d rows and %d columns", ErrLimit, len(lines), len(ys)*len(c.Values))
	}
	type column struct{ name, key, y string }
	var cols []column
	taken := map[string]bool{c.X.Name: true}
	for i, v := range c.Values {
		for _, y := range ys {
			name := y
			if len(c.Values) > 1 {
				name = v.Name + ": " + y
			}
			if !taken[name] {
				taken[name] = true
				cols = append(cols, column{name, fmt.Sprint(i), y})
			}
		}
	}
	var out []Row
	for _, l := range lines {
		r := Row{}
		r.Set(c.X.Name, l.x)
		for _, col := range cols {
			r.Set(col.name, l.cells[[2]string{col.key, col.y}])
		}
		out = append(out, r)
	}
	return out, nil
}

// untable makes of each row one row per field but X that it has (a null
// field is not had), in the order of the fields' names: X, the name in
// NAME, the value in VALUE.
func untable(c *query.UntableCmd, rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		var names []string
		for f := range r {
			if f != c.X.Name {
				names = append(names, f)
			}
		}
		slices.Sort(names)
		for _, f := range names {
			o := Row{}
			o.Set(c.X.Name, r.Get(c.X.Name))
			o.Set(c.Name.Name, store.Str(f))
			o.Set(c.Value.Name, r[f])
			out = append(out, o)
		}
	}
	return out
}

// totalNumber is a value addtotals adds: an int, a float, or text of the
// shape of a decimal number (not booleans or times).
func totalNumber(v store.Value) (*big.Rat, bool, bool) {
	switch v.K {
	case store.KindInt:
		return new(big.Rat).SetInt64(v.I), true, true
	case store.KindFloat:
		if math.IsInf(v.F, 0) || math.IsNaN(v.F) {
			return nil, false, true // added as a float (see total)
		}
		return ratOf(v.F), false, true
	case store.KindString:
		if f, ok := textNumber(v.S); ok {
			return ratOf(f), false, true
		}
	}
	return nil, false, false
}

// addtotals gives each row (with row=true) the exact sum of the numbers
// of its summed fields (the listed ones, else every field not starting
// with _, never the total's own field), an int while all are ints and it
// fits; with col=true it appends a row of each summed field's (and the
// total's) sum over the rows that have a number there, labelled.
func addtotals(c *query.AddtotalsCmd, rows []Row) []Row {
	summed := func(f string) bool {
		if f == c.FieldName {
			return false
		}
		if len(c.Fields) == 0 {
			return !strings.HasPrefix(f, "_")
		}
		return slices.Contains(query.FieldNames(c.Fields), f)
	}
	type total struct {
		sum     *big.Rat
		special float64 // the infinities and NaNs, which no Rat holds
		allInt  bool
		n       int
	}
	add := func(t *total, v store.Value) {
		r, isInt, ok := totalNumber(v)
		if !ok {
			return
		}
		if t.n == 0 {
			t.sum, t.allInt = new(big.Rat), true
		}
		if r == nil {
			t.special += v.F
		} else {
			t.sum.Add(t.sum, r)
		}
		t.allInt = t.allInt && isInt
		t.n++
	}
	result := func(t *total) store.Value {
		if t.n == 0 {
			return store.Null
		}
		if t.allInt && t.sum.IsInt() && t.sum.Num().IsInt64() {
			return store.Int(t.sum.Num().Int64())
		}
		f, _ := t.sum.Float64()
		return store.Float(f + t.special)
	}
	out := make([]Row, len(rows))
	cols := map[string]*total{}
	for i, r := range rows {
		o := r.Clone()
		if c.Row {
			var t total
			for f, v := range r {
				if summed(f) {
					add(&t, v)
				}
			}
			o.Set(c.FieldName, result(&t))
		}
		for f, v := range o {
			if summed(f) || c.Row && f == c.FieldName {
				if cols[f] == nil {
					cols[f] = &total{}
				}
				add(cols[f], v)
			}
		}
		out[i] = o
	}
	if c.Col && len(rows) > 0 {
		r := Row{}
		for f, t := range cols {
			r.Set(f, result(t))
		}
		if c.LabelField != "" {
			r.Set(c.LabelField, store.Str(c.Label))
		}
		out = append(out, r)
	}
	return out
}
