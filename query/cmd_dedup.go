package query

import (
	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// DedupCmd keeps the first row of each combination of the fields (rows
// where any of them is null are dropped, as Splunk's default keepempty=false).
type DedupCmd struct {
	Pos    lexer.Position
	Fields []*Field `parser:"'dedup':Stage @@ ( ','? @@ )*"`
	EndPos lexer.Position
}

func (*DedupCmd) command()                   {}
func (c *DedupCmd) Position() lexer.Position { return c.Pos }
func (c *DedupCmd) String() string           { return "dedup " + fieldList(c.Fields) }

func (c *DedupCmd) inputFields(after fieldSet) fieldSet { return after.with(FieldNames(c.Fields)...) }

func (c *DedupCmd) operator(p *plan, next operator) (operator, error) {
	return &dedupOp{table: newGroupTable(nil, FieldNames(c.Fields), p.opt), next: next}, nil
}

// dedupOp keeps the first row (in time order) of each combination of the
// fields' values; rows where one of the fields is null are dropped.
type dedupOp struct {
	table *groupTable
	next  operator
}

func (d *dedupOp) push(b *Batch) error {
	cols := make([][]store.Value, len(d.table.by))
	for i, f := range d.table.by {
		cols[i] = b.Column(f)
	}
	keep := make([]bool, b.Len)
	key := make([]store.Value, len(cols))
	for r := range keep {
		null := false
		for i, c := range cols {
			key[i] = c[r]
			null = null || c[r].K == store.KindNull
		}
		if null {
			continue // as in Splunk, rows without the fields are dropped
		}
		before := d.table.n
		if _, err := d.table.lookup(key); err != nil {
			return err
		}
		keep[r] = d.table.n > before
	}
	b.Select(keep)
	return d.next.push(b)
}

func (d *dedupOp) finish() error { return d.next.finish() }
