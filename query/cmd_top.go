package query

import (
	"cmp"
	"math"
	"slices"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// TopCmd lists the most common combinations of Fields (per By group),
// with `count` and `percent` (of the group's rows) columns, the Limit
// most common first.
type TopCmd struct {
	Pos      lexer.Position
	Count    *NumberLit `parser:"'top':Stage @@?"`
	Options  []*Option  `parser:"@@*"`
	Fields   []*Field   `parser:"@@ ( ','? @@ )*"`
	By       []*Field   `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	Trailing []*Option  `parser:"@@*"`
	EndPos   lexer.Position

	Limit int // N or limit=N, default 10; 0 for every value
}

func (*TopCmd) command()                   {}
func (c *TopCmd) Position() lexer.Position { return c.Pos }

func (c *TopCmd) String() string {
	return topString("top", c.Count, c.Options, c.Fields, c.By, c.Trailing)
}

func (c *TopCmd) check() (err *posError) {
	c.Limit, err = checkTop("top", c.Count, c.Options, c.Trailing)
	return err
}

func topString(stage string, count *NumberLit, opts []*Option, fields, by []*Field, trailing []*Option) string {
	s := countString(stage, count)
	if len(opts) > 0 {
		s += " " + optionList(opts)
	}
	s += " " + fieldList(fields)
	if len(by) > 0 {
		s += " by " + fieldList(by)
	}
	if len(trailing) > 0 {
		s += " " + optionList(trailing)
	}
	return s
}

// checkTop returns the limit of top or rare.
func checkTop(stage string, count *NumberLit, opts, trailing []*Option) (int, *posError) {
	set, err := checkOptions(stage, opts, trailing)
	if err != nil {
		return 0, err
	}
	if count != nil && set["limit"] != nil {
		return 0, errorfAt(set["limit"].Pos.Offset, "give either a count or limit=, not both")
	}
	if count != nil {
		return checkCount(stage, count)
	}
	return set.int("limit", 10, 0)
}

func (c *TopCmd) inputFields(fieldSet) fieldSet { return topInputs(c.Fields, c.By) }

func (c *TopCmd) operator(p *plan, next operator) (operator, error) {
	return newTopOp(p, c.Fields, c.By, c.Limit, false, next), nil
}

func (c *TopCmd) partialAggregator(p *plan, next operator) (partialAggregator, operator, error) {
	op := newTopOp(p, c.Fields, c.By, c.Limit, false, next)
	op.spare = spareTables()
	return op, op, nil
}

func topInputs(fields, by []*Field) fieldSet {
	return fieldsOf(FieldNames(fields)...).with(FieldNames(by)...)
}

// topOp counts the combinations of fields (per by group) and emits the
// most (top) or least (rare) common, with count and percent of the
// group's rows. Ties go to the smaller value.
type topOp struct {
	statsOp
	fields, by []string
	limit      int
	rare       bool
}

func newTopOp(p *plan, fieldList, byList []*Field, limit int, rare bool, next operator) *topOp {
	fields, by := FieldNames(fieldList), FieldNames(byList)
	keys := append(slices.Clone(by), fields...)
	return &topOp{statsOp: statsOp{table: newGroupTable([]aggSpec{{fn: "count", out: "count"}}, keys, p.opt), next: next},
		fields: fields, by: by, limit: limit, rare: rare}
}

func (t *topOp) finish() error {
	if err := t.mergeSpare(); err != nil {
		return err
	}
	groups := t.table.sorted()
	nb := len(t.by)
	// Total rows per by group, for percent.
	totals := map[string]int64{}
	keyOf := func(g *group) string { return string(appendKeys(nil, g.key[:nb])) }
	for _, g := range groups {
		totals[keyOf(g)] += g.states[0].result().I
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if c := compareKeys(a.key[:nb], b.key[:nb]); c != 0 {
			return c
		}
		ca, cb := a.states[0].result().I, b.states[0].result().I
		if t.rare {
			return cmp.Compare(ca, cb)
		}
		return cmp.Compare(cb, ca)
	})
	var keep []*group
	seen := map[string]int{}
	for _, g := range groups {
		k := keyOf(g)
		if t.limit > 0 && seen[k] >= t.limit {
			continue
		}
		seen[k]++
		keep = append(keep, g)
	}
	out := t.table.batch(keep)
	pct := make([]store.Value, len(keep))
	for i, g := range keep {
		pct[i] = store.Float(math.Round(10000*float64(g.states[0].result().I)/float64(totals[keyOf(g)])) / 100)
	}
	out.Fields = append(out.Fields, "percent")
	out.Cols = append(out.Cols, pct)
	return flush(t.next, out)
}

func appendKeys(b []byte, vals []store.Value) []byte {
	for _, v := range vals {
		b = appendKey(b, normKey(v))
	}
	return b
}
