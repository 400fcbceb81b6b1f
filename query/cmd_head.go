package query

import (
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"
)

// HeadCmd keeps the first N rows (default 10).
type HeadCmd struct {
	Pos    lexer.Position
	Count  *NumberLit `parser:"'head':Stage @@?"`
	EndPos lexer.Position

	N int // the number of rows
}

func (*HeadCmd) command()                   {}
func (c *HeadCmd) Position() lexer.Position { return c.Pos }
func (c *HeadCmd) String() string           { return countString("head", c.Count) }

func (c *HeadCmd) check() (err *posError) {
	c.N, err = checkCount("head", c.Count)
	return err
}

func countString(stage string, count *NumberLit) string {
	if count == nil {
		return stage
	}
	return stage + " " + count.Text
}

// checkCount returns the row count of head, tail, top or rare: default 10.
func checkCount(stage string, count *NumberLit) (int, *posError) {
	if count == nil {
		return 10, nil
	}
	n, err := strconv.Atoi(count.Text)
	if err != nil || n < 0 {
		return 0, errorfAt(count.Pos.Offset, "%s takes a whole number, not %s", stage, count.Text)
	}
	return n, nil
}

func (c *HeadCmd) inputFields(after fieldSet) fieldSet { return after }

func (c *HeadCmd) operator(p *plan, next operator) (operator, error) {
	return &headOp{left: c.N, next: next}, nil
}

// headOp passes the first N rows, then asks the scan to stop.
type headOp struct {
	left int
	next operator
	done bool
}

func (h *headOp) push(b *Batch) error {
	if h.left <= 0 {
		return errStop
	}
	if b.Len > h.left {
		b = b.Slice(0, h.left)
	}
	h.left -= b.Len
	if err := h.next.push(b); err != nil {
		return err
	}
	if h.left <= 0 {
		return errStop
	}
	return nil
}

func (h *headOp) finish() error { return h.next.finish() }
