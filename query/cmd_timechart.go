package query

import (
	"cmp"
	"fmt"
	"loghunt/store"
	"math"
	"slices"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// TimechartCmd aggregates per time bucket of Span (and per value of By):
// one row per bucket from the first to the last, every bucket present,
// empty ones with zero counts. With By, each of the Limit most common
// values becomes a column, the rest summed in OTHER.
type TimechartCmd struct {
	Pos      lexer.Position
	Options  []*Option    `parser:"'timechart':Stage @@*"`
	Aggs     []*Aggregate `parser:"@@ ( ','? @@ )*"`
	By       *Field       `parser:"( 'by':Keyword @@ )?"`
	Trailing []*Option    `parser:"@@*"`
	EndPos   lexer.Position

	Span  time.Duration // span=, always > 0
	Limit int           // limit=N, default 10; 0 means no limit
}

func (*TimechartCmd) command()                   {}
func (c *TimechartCmd) Position() lexer.Position { return c.Pos }

func (c *TimechartCmd) String() string {
	s := "timechart "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	s += aggsBy(c.Aggs, nil)
	if c.By != nil {
		s += " by " + c.By.String()
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *TimechartCmd) check() *posError {
	opts, err := checkOptions("timechart", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if err := opts.require("timechart", "span", c.Pos.Offset); err != nil {
		return err
	}
	if c.Span, err = opts.duration("span"); err != nil {
		return err
	}
	if c.Limit, err = opts.int("limit", 10, 0); err != nil {
		return err
	}
	if c.By != nil && len(c.Aggs) > 1 {
		return errorfAt(c.Aggs[1].Pos.Offset, "timechart with by takes one aggregate")
	}
	return checkAggsOf("timechart", c.Aggs)
}

func (c *TimechartCmd) inputFields(fieldSet) fieldSet {
	need := fieldsOf(store.ColTime).with(aggFields(aggSpecs(c.Aggs))...)
	if c.By != nil {
		need = need.with(c.By.Name)
	}
	return need
}

func (c *TimechartCmd) newOp(p *plan, next operator) *timechartOp {
	keys := []string{bucketField}
	if c.By != nil {
		keys = append(keys, c.By.Name)
	}
	t := &timechartOp{statsOp: statsOp{table: newGroupTable(aggSpecs(c.Aggs), keys, p.opt), next: next},
		span: int64(c.Span), limit: c.Limit, hasBy: c.By != nil, scale: make([]float64, len(c.Aggs))}
	for i, a := range c.Aggs {
		if unit, per := PerUnits[a.Kind]; per {
			t.scale[i] = float64(unit)
		}
	}
	t.table.keepNull = true // a by value that is null is the NULL series
	return t
}

func (c *TimechartCmd) operator(p *plan, next operator) (operator, error) {
	return c.newOp(p, next), nil
}

func (c *TimechartCmd) partialAggregator(p *plan, next operator) (partialAggregator, operator, error) {
	op := c.newOp(p, next)
	op.spare = spareTables()
	return op, op, nil
}

// timechartOp aggregates rows per time bucket (and by value), then emits
// one row per bucket from the first to the last, empty buckets as zero.
// With by, each of the limit most common values (by the first aggregate's
// total) gets a column, the rest are summed into OTHER.
type timechartOp struct {
	statsOp
	span  int64
	limit int
	hasBy bool
	scale []float64 // per aggregate: the unit of per_second... in ns, else 0
}

func (t *timechartOp) bucketed(b *Batch) *Batch {
	out := *b
	out.Fields = slices.Clone(b.Fields)
	out.Cols = slices.Clone(b.Cols)
	tc := out.Col(store.ColTime)
	if tc < 0 {
		return &out
	}
	col := make([]store.Value, b.Len)
	for r, v := range b.Cols[tc] {
		if v.K == store.KindTime {
			col[r] = store.Time(floorDiv(v.I, t.span) * t.span)
		}
	}
	// Aggregates such as earliest() still see the event's own time: the
	// bucket goes in a column of its own.
	out.Fields = append(out.Fields, bucketField)
	out.Cols = append(out.Cols, col)
	return &out
}

const bucketField = "\x00bucket"

func (t *timechartOp) push(b *Batch) error { return t.statsOp.push(t.bucketed(b)) }

func (t *timechartOp) aggregate(b *Batch) (any, error) { return t.statsOp.aggregate(t.bucketed(b)) }

func (t *timechartOp) finish() error {
	if err := t.mergeSpare(); err != nil {
		return err
	}
	// In key order, not in the order the workers' chunks came in: the
	// series totals and the buckets are then added up the same way in
	// every run.
	groups := t.table.sorted()
	if len(groups) == 0 || (len(groups) == 1 && groups[0].key == nil) {
		return t.next.finish()
	}
	// A row without a time (one append or appendpipe added) is in no
	// bucket: its by value is no series either.
	groups = slices.DeleteFunc(groups, func(g *group) bool { return g.key != nil && g.key[0].K != store.KindTime })
	series, colOf := t.series(groups)
	nAgg := len(t.table.specs)
	// The buckets to fill, every one from the first to the last: bounded
	// like the groups of an aggregation, and their cells like its memory,
	// before any is made (a timechart by many series over many buckets
	// took gigabytes before it was refused).
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, g := range groups {
		if g.key[0].K == store.KindTime {
			lo, hi = min(lo, g.key[0].I), max(hi, g.key[0].I)
		}
	}
	if lo > hi {
		return t.next.finish()
	}
	out := &Batch{Fields: []string{store.ColTime}}
	for _, name := range series {
		for _, s := range t.table.specs {
			f := name
			if !t.hasBy {
				f = s.out
			} else if nAgg > 1 {
				f = s.out + ": " + name
			}
			out.Fields = append(out.Fields, f)
		}
	}
	nBuckets := (hi-lo)/t.span + 1
	if nBuckets > int64(t.table.maxGroups) {
		return fmt.Errorf("%w: timechart would have more than %d buckets; use a larger span", ErrLimit, t.table.maxGroups)
	}
	if cells := nBuckets * int64(len(out.Fields)); cells*valueBytes > t.table.budget.limit {
		return fmt.Errorf("%w: timechart would have %d buckets of %d columns, more than %d MB; use a larger span or a smaller limit=",
			ErrLimit, nBuckets, len(out.Fields), max(t.table.budget.limit>>20, 1))
	}
	buckets := map[int64][]aggState{}
	for _, g := range groups {
		if g.key[0].K != store.KindTime {
			continue
		}
		ts := g.key[0].I
		row := buckets[ts]
		if row == nil {
			row = make([]aggState, len(series)*nAgg)
			buckets[ts] = row
		}
		col := 0
		if t.hasBy {
			col = colOf(g.key[1])
		}
		for i, st := range g.states {
			slot := &row[col*nAgg+i]
			if *slot == nil {
				s := t.table.specs[i]
				*slot = newAggState(s.fn, s.perc, s.field != "")
			}
			mergeAgg(*slot, st)
		}
	}
	out.Cols = make([][]store.Value, len(out.Fields))
	for ts := lo; ts <= hi; ts += t.span {
		out.Cols[0] = append(out.Cols[0], store.Time(ts))
		row := buckets[ts]
		for i := 1; i < len(out.Fields); i++ {
			v := store.Int(0)
			if row != nil && row[i-1] != nil {
				if r := row[i-1].result(); r.K != store.KindNull {
					v = r
				}
			}
			if sc := t.scale[(i-1)%nAgg]; sc != 0 {
				f, _ := number(v)
				v = numberValue(f * sc / float64(t.span)) // sum * unit / span
			}
			out.Cols[i] = append(out.Cols[i], v)
		}
		out.Len++
		if out.Len > t.table.maxGroups {
			return fmt.Errorf("%w: timechart would have more than %d buckets; use a larger span", ErrLimit, t.table.maxGroups)
		}
	}
	return flush(t.next, out)
}

// series names the columns: one per by value kept (and OTHER), or one.
func (t *timechartOp) series(groups []*group) ([]string, func(store.Value) int) {
	if !t.hasBy {
		return []string{""}, func(store.Value) int { return 0 }
	}
	totals := map[store.Value]float64{}
	for _, g := range groups {
		f, _ := number(g.states[0].result())
		totals[normKey(g.key[1])] += f
	}
	vals := make([]store.Value, 0, len(totals))
	for v := range totals {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b store.Value) int {
		if c := cmp.Compare(totals[b], totals[a]); c != 0 {
			return c
		}
		return compareTotal(a, b)
	})
	other := t.limit > 0 && len(vals) > t.limit
	if other {
		vals = vals[:t.limit]
	}
	index := map[store.Value]int{}
	var names []string
	for i, v := range vals {
		index[v] = i
		name := v.String()
		if v.K == store.KindNull {
			name = "NULL"
		}
		names = append(names, name)
	}
	if other {
		names = append(names, "OTHER")
	}
	return names, func(v store.Value) int {
		if i, ok := index[normKey(v)]; ok {
			return i
		}
		return len(vals)
	}
}
