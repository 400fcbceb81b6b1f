package query

import "github.com/alecthomas/participle/v2/lexer"

// StatsCmd aggregates all rows into one row per combination of the By
// fields (one row in all without By), sorted by the group key.
type StatsCmd struct {
	Pos    lexer.Position
	Aggs   []*Aggregate `parser:"'stats':Stage @@ ( ','? @@ )*"`
	By     []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	EndPos lexer.Position
}

func (*StatsCmd) command()                   {}
func (c *StatsCmd) Position() lexer.Position { return c.Pos }
func (c *StatsCmd) String() string           { return "stats " + aggsBy(c.Aggs, c.By) }
func (c *StatsCmd) check() *posError         { return checkAggs(c.Aggs) }

func (c *StatsCmd) inputFields(fieldSet) fieldSet {
	return fieldsOf(FieldNames(c.By)...).with(aggFields(aggSpecs(c.Aggs))...)
}

func (c *StatsCmd) operator(p *plan, next operator) (operator, error) {
	return &statsOp{table: newGroupTable(aggSpecs(c.Aggs), FieldNames(c.By), p.opt.MaxGroups), next: next}, nil
}

func (c *StatsCmd) partialAggregator(p *plan, next operator) (partialAggregator, operator, error) {
	op := &statsOp{table: newGroupTable(aggSpecs(c.Aggs), FieldNames(c.By), p.opt.MaxGroups), next: next}
	return op, op, nil
}

// statsOp aggregates every row, then emits one row per group sorted by
// the group's by-values.
type statsOp struct {
	table *groupTable
	next  operator
}

func (s *statsOp) push(b *Batch) error { return s.table.add(b) }

// aggregate folds one chunk's rows into a new table (in a scan worker).
func (s *statsOp) aggregate(b *Batch) (any, error) {
	t := newGroupTable(s.table.specs, s.table.by, s.table.maxGroups)
	t.keepNull = s.table.keepNull
	return t, t.add(b)
}

func (s *statsOp) mergePartial(state any) error { return s.table.merge(state.(*groupTable)) }

func (s *statsOp) finish() error {
	return flush(s.next, s.table.batch(s.table.sorted()))
}
