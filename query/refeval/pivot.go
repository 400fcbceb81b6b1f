package refeval

import (
	"fmt"
	"math/big"
	"slices"

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
