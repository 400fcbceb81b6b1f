package query

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// AutoregressCmd copies a field's values of earlier rows into each row:
// `autoregress f [as g] [p=N | p=M-N]`.
type AutoregressCmd struct {
	Pos    lexer.Position
	Field  *Field    `parser:"'autoregress':Stage @@"`
	As     *Field    `parser:"( 'as':Keyword @@ )?"`
	Lag    *LagRange `parser:"@@?"`
	EndPos lexer.Position

	Lo, Hi int      // the rows back, from Lo to Hi (1 and 1 by default)
	Outs   []string // the field for each lag from Lo
}

// LagRange is `p=N` or `p=M-N`.
type LagRange struct {
	Pos    lexer.Position
	Name   string     `parser:"@Ident '='"`
	Lo     *NumberLit `parser:"@@"`
	Hi     *NumberLit `parser:"( '-' @@ )?"`
	EndPos lexer.Position
}

func (*AutoregressCmd) command()                   {}
func (c *AutoregressCmd) Position() lexer.Position { return c.Pos }

func (c *AutoregressCmd) String() string {
	s := "autoregress " + c.Field.String()
	if c.As != nil {
		s += " as " + c.As.String()
	}
	if c.Lag != nil {
		s += " " + c.Lag.Name + "=" + c.Lag.Lo.Text
		if c.Lag.Hi != nil {
			s += "-" + c.Lag.Hi.Text
		}
	}
	return s
}

func (c *AutoregressCmd) check() *posError {
	c.Lo, c.Hi = 1, 1
	if l := c.Lag; l != nil {
		if !strings.EqualFold(l.Name, "p") {
			return errorfAt(l.Pos.Offset, "unknown option %q for autoregress (it takes p=N or p=M-N)", l.Name)
		}
		lag := func(n *NumberLit) (int, *posError) {
			v, err := strconv.Atoi(n.Text)
			if err != nil || v < 1 || v > MaxLag {
				return 0, errorfAt(n.Pos.Offset, "p must be a whole number from 1 to %d, not %s", MaxLag, n.Text)
			}
			return v, nil
		}
		var err *posError
		if c.Lo, err = lag(l.Lo); err != nil {
			return err
		}
		c.Hi = c.Lo
		if l.Hi != nil {
			if c.Hi, err = lag(l.Hi); err != nil {
				return err
			}
			if c.Hi < c.Lo {
				return errorfAt(l.Hi.Pos.Offset, "p=%d-%d: the range must go from the smaller to the larger", c.Lo, c.Hi)
			}
		}
	}
	if c.As != nil && c.Hi != c.Lo {
		return errorfAt(c.As.Pos.Offset, "as names one field: a range p=%d-%d makes %s_p%d to %s_p%d", c.Lo, c.Hi, c.Field.Name, c.Lo, c.Field.Name, c.Hi)
	}
	c.Outs = nil
	for p := c.Lo; p <= c.Hi; p++ {
		c.Outs = append(c.Outs, c.Field.Name+"_p"+strconv.Itoa(p))
	}
	if c.As != nil {
		c.Outs = []string{c.As.Name}
	}
	return nil
}

func (c *AutoregressCmd) inputFields(after fieldSet) fieldSet {
	return after.without(c.Outs...).with(c.Field.Name)
}

func (c *AutoregressCmd) operator(p *plan, next operator) (operator, error) {
	return &autoregressOp{c: c, last: make([]store.Value, c.Hi), next: next}, nil
}

// autoregressOp keeps the field's values of the last Hi rows (null
// included: every row counts, as in Splunk).
type autoregressOp struct {
	c    *AutoregressCmd
	last []store.Value // a ring: the value of row i at i % Hi
	seen int
	next operator
}

func (a *autoregressOp) push(b *Batch) error {
	src := b.Column(a.c.Field.Name)
	outs := make([][]store.Value, len(a.c.Outs))
	for i := range outs {
		outs[i] = make([]store.Value, b.Len)
	}
	h := a.c.Hi
	for r, v := range src {
		for i := range outs {
			if back := a.c.Lo + i; a.seen >= back {
				outs[i][r] = a.last[(a.seen-back)%h]
			}
		}
		a.last[a.seen%h] = v
		a.seen++
	}
	for i, name := range a.c.Outs {
		setColumn(b, name, outs[i])
	}
	return a.next.push(b)
}

func (a *autoregressOp) finish() error { return a.next.finish() }
