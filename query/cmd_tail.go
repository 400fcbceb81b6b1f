package query

import (
	"errors"

	"github.com/alecthomas/participle/v2/lexer"
)

// TailCmd keeps the last N rows (default 10), in their order.
type TailCmd struct {
	Pos    lexer.Position
	Count  *NumberLit `parser:"'tail':Stage @@?"`
	EndPos lexer.Position

	N int // the number of rows
}

func (*TailCmd) command()                   {}
func (c *TailCmd) Position() lexer.Position { return c.Pos }
func (c *TailCmd) String() string           { return countString("tail", c.Count) }

func (c *TailCmd) check() (err *posError) {
	c.N, err = checkCount("tail", c.Count)
	return err
}

func (c *TailCmd) inputFields(after fieldSet) fieldSet { return after }

func (c *TailCmd) operator(p *plan, next operator) (operator, error) {
	return &tailOp{n: c.N, next: next}, nil
}

// tailOp keeps the last N rows (whole batches, trimmed as they come).
type tailOp struct {
	n     int
	held  []*Batch
	count int
	next  operator
}

func (t *tailOp) push(b *Batch) error {
	t.held = append(t.held, b)
	t.count += b.Len
	for len(t.held) > 0 && t.count-t.held[0].Len >= t.n {
		t.count -= t.held[0].Len
		t.held = t.held[1:]
	}
	return nil
}

func (t *tailOp) finish() error {
	skip := t.count - t.n
	for _, b := range t.held {
		if skip >= b.Len {
			skip -= b.Len
			continue
		}
		err := t.next.push(b.Slice(max(skip, 0), b.Len))
		if errors.Is(err, errStop) {
			break
		}
		if err != nil {
			return err
		}
		skip = 0
	}
	return t.next.finish()
}
