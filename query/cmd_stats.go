package query

import (
	"runtime"

	"github.com/alecthomas/participle/v2/lexer"
)

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
func (c *StatsCmd) check() *posError         { return checkAggsByOf("stats", c.Aggs, c.By) }

func (c *StatsCmd) inputFields(fieldSet) fieldSet {
	return fieldsOf(FieldNames(c.By)...).with(aggFields(aggSpecs(c.Aggs))...)
}

func (c *StatsCmd) operator(p *plan, next operator) (operator, error) {
	return &statsOp{table: newGroupTable(aggSpecs(c.Aggs), FieldNames(c.By), p.opt), next: next, lo: p.lo, hi: p.hi}, nil
}

func (c *StatsCmd) partialAggregator(p *plan, next operator) (partialAggregator, operator, error) {
	op := &statsOp{table: newGroupTable(aggSpecs(c.Aggs), FieldNames(c.By), p.opt), next: next,
		spare: spareTables(), lo: p.lo, hi: p.hi}
	return op, op, nil
}

// statsOp aggregates every row, then emits one row per group sorted by
// the group's by-values. In the scan workers each worker folds chunks
// into a table of its own (taken from spare); finish merges them.
type statsOp struct {
	table *groupTable
	next  operator
	spare chan *groupTable
	// lo, hi are the search's time range (math.MinInt64, math.MaxInt64
	// where it has no bound): a sparkline's buckets span it.
	lo, hi int64
}

func (s *statsOp) push(b *Batch) error { return s.table.add(b) }

// aggregate folds one chunk's rows into a worker's table (in a scan
// worker). It hands nothing on: the tables are merged at the end.
func (s *statsOp) aggregate(b *Batch) (any, error) {
	return nil, s.withTable(func(t *groupTable) error { return t.add(b) })
}

// keepsNoRowText reports whether the aggregates keep only numbers: group
// keys are copies, but dc, min, max, values, first and last keep values.
func (s *statsOp) keepsNoRowText() bool {
	for _, sp := range s.table.specs {
		switch sp.fn {
		case "count", "sum", "avg", "mean", "range", "stdev", "var", "stdevp", "varp", "median", "perc":
		default:
			return false
		}
	}
	return true
}

// withTable runs fn on a worker's table.
func (s *statsOp) withTable(fn func(t *groupTable) error) error {
	var t *groupTable
	select {
	case t = <-s.spare:
	default:
		t = s.table.spare()
	}
	err := fn(t)
	s.spare <- t // never blocks: it holds a table per worker
	return err
}

func (s *statsOp) mergePartial(any) error { return nil }

// mergeSpare folds the workers' tables into the main one.
func (s *statsOp) mergeSpare() error {
	for {
		select {
		case t := <-s.spare:
			if s.table.n == 0 {
				s.table = t // the first worker's table becomes the main one
				continue
			}
			if err := s.table.merge(t); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (s *statsOp) finish() error {
	tables := []*groupTable{s.table}
	for len(s.spare) > 0 {
		tables = append(tables, <-s.spare)
	}
	groups, err := sortedUnion(tables)
	if err != nil {
		return err
	}
	if err := setSparkRanges(s.table.specs, groups, s.lo, s.hi); err != nil {
		return err
	}
	return flush(s.next, s.table.batch(groups))
}

// spareTables holds the workers' aggregation tables: one per worker at
// most, so returning a table never blocks.
func spareTables() chan *groupTable { return make(chan *groupTable, runtime.GOMAXPROCS(0)+1) }
