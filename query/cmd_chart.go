package query

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// ChartCmd aggregates into a table: `chart AGG... [over X] [by Y]` (or
// `by X, Y`) makes one row per value of X, sorted as stats sorts groups,
// and one column per value of Y (the limit values with the largest total
// of the first aggregate, the rest summed in OTHER when useother is
// true; rows without Y in NULL when usenull is true). Without Y it is
// `stats AGG... by X`.
type ChartCmd struct {
	Pos      lexer.Position
	Options  []*Option    `parser:"'chart':Stage @@*"`
	Aggs     []*Aggregate `parser:"@@ ( ','? @@ )*"`
	Over     *OverClause  `parser:"@@?"`
	By       []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	Trailing []*Option    `parser:"@@*"`
	EndPos   lexer.Position

	Limit    int  // limit=N, default 10; 0 means every value
	UseOther bool // useother=, default true
	UseNull  bool // usenull=, default true
}

// OverClause is chart's `over FIELD`. The word over is not reserved: it
// is recognized here only, and an aggregate is never named over.
type OverClause struct {
	Pos   lexer.Position
	Field Field
}

// Parse implements participle.Parseable.
func (o *OverClause) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type != tokIdent || !strings.EqualFold(t.Value, "over") {
		return participle.NextMatch
	}
	cp := lex.MakeCheckpoint()
	lex.Next()
	if err := o.Field.Parse(lex); err != nil {
		lex.LoadCheckpoint(cp)
		return participle.Errorf(lex.Peek().Pos, "expected a field name after 'over'")
	}
	o.Pos = t.Pos
	return nil
}

func (*ChartCmd) command()                   {}
func (c *ChartCmd) Position() lexer.Position { return c.Pos }

func (c *ChartCmd) String() string {
	s := "chart "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	s += aggsBy(c.Aggs, nil)
	if c.Over != nil {
		s += " over " + c.Over.Field.String()
	}
	if len(c.By) > 0 {
		s += " by " + fieldList(c.By)
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

// RowField is the field of the rows (over X, or the first by field), or
// "" for one row in all.
func (c *ChartCmd) RowField() string {
	if c.Over != nil {
		return c.Over.Field.Name
	}
	if len(c.By) > 0 {
		return c.By[0].Name
	}
	return ""
}

// ColumnField is the field whose values are the columns, or "".
func (c *ChartCmd) ColumnField() string {
	switch {
	case c.Over != nil && len(c.By) > 0:
		return c.By[0].Name
	case c.Over == nil && len(c.By) > 1:
		return c.By[1].Name
	}
	return ""
}

func (c *ChartCmd) check() *posError {
	opts, err := checkOptions("chart", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if c.Limit, err = opts.int("limit", 10, 0); err != nil {
		return err
	}
	if c.UseOther, err = opts.boolean("useother", true); err != nil {
		return err
	}
	if c.UseNull, err = opts.boolean("usenull", true); err != nil {
		return err
	}
	split := 1
	if c.Over != nil {
		split = 0
	}
	if len(c.By) > split+1 {
		return errorfAt(c.By[split+1].Pos.Offset, "chart splits by at most two fields: over X by Y, or by X, Y")
	}
	if x, y := c.RowField(), c.ColumnField(); y != "" && x == y {
		return errorfAt(c.By[len(c.By)-1].Pos.Offset, "chart's rows and columns are both %s; name two fields", y)
	}
	var rows []*Field
	if x := c.RowField(); x != "" {
		rows = []*Field{{Name: x}}
	}
	return checkAggsBy(c.Aggs, rows)
}

func (c *ChartCmd) keys() []string {
	var keys []string
	if x := c.RowField(); x != "" {
		keys = append(keys, x)
	}
	if y := c.ColumnField(); y != "" {
		keys = append(keys, y)
	}
	return keys
}

func (c *ChartCmd) inputFields(fieldSet) fieldSet {
	return fieldsOf(c.keys()...).with(aggFields(aggSpecs(c.Aggs))...)
}

func (c *ChartCmd) newOp(p *plan, next operator) *chartOp {
	op := &chartOp{statsOp: statsOp{table: newGroupTable(aggSpecs(c.Aggs), c.keys(), p.opt), next: next},
		pivot: c.ColumnField() != "", limit: c.Limit, useOther: c.UseOther, useNull: c.UseNull}
	// A null column value is the NULL column; a null row value is dropped
	// at the end, as stats drops it.
	op.table.keepNull = op.pivot
	return op
}

func (c *ChartCmd) operator(p *plan, next operator) (operator, error) {
	return c.newOp(p, next), nil
}

func (c *ChartCmd) partialAggregator(p *plan, next operator) (partialAggregator, operator, error) {
	op := c.newOp(p, next)
	op.spare = spareTables()
	return op, op, nil
}

// chartOp aggregates by (X, Y), then pivots: one row per X, one column
// per Y kept.
type chartOp struct {
	statsOp
	pivot    bool
	limit    int
	useOther bool
	useNull  bool
}

func (t *chartOp) finish() error {
	if !t.pivot {
		return t.statsOp.finish()
	}
	if err := t.mergeSpare(); err != nil {
		return err
	}
	var groups []*group
	for _, g := range t.table.sorted() {
		if g.key[0].K == store.KindNull || !t.useNull && g.key[1].K == store.KindNull {
			continue
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return t.next.finish()
	}
	names, colOf := (&timechartOp{limit: t.limit, hasBy: true}).series(groups)
	kept := len(names)
	if len(names) > 0 && names[len(names)-1] == "OTHER" && t.limit > 0 && len(names) == t.limit+1 {
		kept = t.limit // the last name is the OTHER column
		if !t.useOther {
			names = names[:kept]
		}
	}
	nAgg := len(t.table.specs)
	out := &Batch{Fields: []string{t.table.by[0]}}
	for _, name := range names {
		for _, s := range t.table.specs {
			f := name
			if nAgg > 1 {
				f = s.out + ": " + name
			}
			out.Fields = append(out.Fields, f)
		}
	}
	// The rows: the distinct X values, in the groups' (sorted) order.
	rowOf := map[store.Value]int{}
	var shows []store.Value
	for _, g := range groups {
		if _, ok := rowOf[g.key[0]]; !ok {
			rowOf[g.key[0]] = len(shows)
			shows = append(shows, g.show[0])
		}
	}
	if cells := int64(len(shows)) * int64(len(out.Fields)); cells*valueBytes > t.table.budget.limit {
		return fmt.Errorf("%w: chart would have %d rows of %d columns, more than %d MB; use a smaller limit= or fewer rows",
			ErrLimit, len(shows), len(out.Fields), max(t.table.budget.limit>>20, 1))
	}
	states := make([][]aggState, len(shows))
	for _, g := range groups {
		col := colOf(g.key[1])
		if col >= len(names) {
			continue // past the limit, without OTHER
		}
		r := rowOf[g.key[0]]
		if states[r] == nil {
			states[r] = make([]aggState, len(names)*nAgg)
		}
		for i, st := range g.states {
			slot := &states[r][col*nAgg+i]
			if *slot == nil {
				s := t.table.specs[i]
				*slot = newAggState(s.fn, s.perc, s.field != "")
			}
			mergeAgg(*slot, st)
		}
	}
	out.Len = len(shows)
	out.Cols = make([][]store.Value, len(out.Fields))
	out.Cols[0] = shows
	for i := 1; i < len(out.Fields); i++ {
		col := make([]store.Value, len(shows))
		for r := range shows {
			// A cell without rows is empty, as in Splunk's chart.
			if states[r] != nil && states[r][i-1] != nil {
				col[r] = states[r][i-1].result()
			}
		}
		out.Cols[i] = col
	}
	return flush(t.next, out)
}
