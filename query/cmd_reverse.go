package query

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// ReverseCmd puts the rows in the opposite order: `reverse`.
type ReverseCmd struct {
	Pos    lexer.Position
	Name   Name `parser:"@'reverse':Stage"` // lower-case: the stage is the same however written
	EndPos lexer.Position
}

func (*ReverseCmd) command()                   {}
func (c *ReverseCmd) Position() lexer.Position { return c.Pos }
func (c *ReverseCmd) String() string           { return "reverse" }

func (c *ReverseCmd) inputFields(after fieldSet) fieldSet { return after }

func (c *ReverseCmd) operator(p *plan, next operator) (operator, error) {
	return &reverseOp{limit: p.opt.MaxRows, next: next}, nil
}

// reverseOp holds every row (within the bounds of a blocking stage) and
// hands them on last first.
type reverseOp struct {
	rows  rowBuffer
	limit int
	next  operator
}

func (r *reverseOp) push(b *Batch) error { return r.rows.add(b, r.limit, "reverse") }

func (r *reverseOp) finish() error {
	all := r.rows.batch()
	perm := make([]int, all.Len)
	for i := range perm {
		perm[i] = all.Len - 1 - i
	}
	return flush(r.next, all.permute(perm))
}
