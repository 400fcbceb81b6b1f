package query

import (
	"context"
	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// EventstatsCmd computes the aggregates like stats, but adds them to every
// row of its group instead of replacing the rows.
type EventstatsCmd struct {
	Pos    lexer.Position
	Aggs   []*Aggregate `parser:"'eventstats':Stage @@ ( ','? @@ )*"`
	By     []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	EndPos lexer.Position
}

func (*EventstatsCmd) command()                   {}
func (c *EventstatsCmd) Position() lexer.Position { return c.Pos }
func (c *EventstatsCmd) String() string           { return "eventstats " + aggsBy(c.Aggs, c.By) }
func (c *EventstatsCmd) check() *posError         { return checkAggs(c.Aggs) }

func (c *EventstatsCmd) inputFields(after fieldSet) fieldSet {
	specs := aggSpecs(c.Aggs)
	for _, s := range specs {
		if len(c.By) == 0 {
			after = after.without(s.out) // every row gets it
		}
	}
	return after.with(FieldNames(c.By)...).with(aggFields(specs)...)
}

func (c *EventstatsCmd) operator(p *plan, next operator) (operator, error) {
	return &eventstatsOp{ctx: p.ctx, table: newGroupTable(aggSpecs(c.Aggs), FieldNames(c.By), p.opt),
		next: next, max: p.opt.MaxRows}, nil
}

// eventstatsOp aggregates like stats, then adds each row's group results
// to the row, keeping every row in its order.
type eventstatsOp struct {
	ctx   context.Context // the run's: finish checks it
	table *groupTable
	rows  rowBuffer
	next  operator
	max   int
}

func (e *eventstatsOp) push(b *Batch) error {
	if err := e.table.add(b); err != nil {
		return err
	}
	return e.rows.add(b, e.max, "eventstats")
}

func (e *eventstatsOp) finish() error {
	all := e.rows.batch()
	byCols := make([][]store.Value, len(e.table.by))
	for i, f := range e.table.by {
		byCols[i] = all.Column(f)
	}
	outs := make([][]store.Value, len(e.table.specs))
	for i := range outs {
		outs[i] = make([]store.Value, all.Len)
	}
	key := make([]store.Value, len(byCols))
	grouped := make([]bool, all.Len)
	// Each group's results, made once: a percentile sorts its values, and
	// values() joins them.
	results := map[*group][]store.Value{}
	for r := 0; r < all.Len; r++ {
		if r%4096 == 0 && e.ctx.Err() != nil {
			return e.ctx.Err()
		}
		null := false
		for i, c := range byCols {
			key[i] = c[r]
			null = null || c[r].K == store.KindNull
		}
		if null {
			continue // no group: the row keeps what it has
		}
		g, err := e.table.lookup(key)
		if err != nil {
			return err
		}
		grouped[r] = true
		res, ok := results[g]
		if !ok {
			res = make([]store.Value, len(g.states))
			for i, st := range g.states {
				res[i] = st.result()
			}
			results[g] = res
		}
		for i, v := range res {
			outs[i][r] = v
		}
	}
	for i, s := range e.table.specs {
		col := all.Column(s.out)
		for r, ok := range grouped {
			if ok {
				col[r] = outs[i][r]
			}
		}
	}
	return flush(e.next, all)
}
