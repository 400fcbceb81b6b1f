package query

import (
	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// MaxLag bounds p= of delta and autoregress: the rows each keeps.
const MaxLag = 10_000

// DeltaCmd adds the difference between a field's value and its value p
// numeric rows back: `delta f [as g] [p=N]`.
type DeltaCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'delta':Stage @@*"`
	Field    *Field    `parser:"@@"`
	As       *Field    `parser:"( 'as':Keyword @@ )?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Out string // the new field: g, or delta(f)
	P   int
}

func (*DeltaCmd) command()                   {}
func (c *DeltaCmd) Position() lexer.Position { return c.Pos }

func (c *DeltaCmd) String() string {
	s := "delta"
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	s += " " + c.Field.String()
	if c.As != nil {
		s += " as " + c.As.String()
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *DeltaCmd) check() *posError {
	opts, err := checkOptions("delta", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if c.P, err = opts.int("p", 1, 1); err != nil {
		return err
	}
	if c.P > MaxLag {
		return errorfAt(opts["p"].valueOffset(), "p must be at most %d, not %d", MaxLag, c.P)
	}
	c.Out = "delta(" + c.Field.Name + ")"
	if c.As != nil {
		c.Out = c.As.Name
	}
	return nil
}

func (c *DeltaCmd) inputFields(after fieldSet) fieldSet {
	return after.without(c.Out).with(c.Field.Name)
}

func (c *DeltaCmd) operator(p *plan, next operator) (operator, error) {
	return &deltaOp{c: c, next: next}, nil
}

// deltaOp keeps the last P numeric values of the field. A row whose field
// is not a number (or a time) gets no delta and is not counted back, as
// in Splunk; the first P numeric rows get none either.
type deltaOp struct {
	c    *DeltaCmd
	last []store.Value // a ring of the last P numeric values
	seen int
	next operator
}

func (d *deltaOp) push(b *Batch) error {
	if d.last == nil {
		d.last = make([]store.Value, d.c.P)
	}
	src := b.Column(d.c.Field.Name)
	out := make([]store.Value, b.Len)
	for r, v := range src {
		if !isDeltaValue(v) {
			continue
		}
		slot := d.seen % d.c.P
		if d.seen >= d.c.P {
			out[r] = arithValues('-', v, d.last[slot])
		}
		d.last[slot] = v
		d.seen++
	}
	setColumn(b, d.c.Out, out)
	return d.next.push(b)
}

func (d *deltaOp) finish() error { return d.next.finish() }

// isDeltaValue: numbers, number text and times.
func isDeltaValue(v store.Value) bool {
	if v.K == store.KindTime {
		return true
	}
	_, ok := toExprNum(v)
	return ok && v.K != store.KindBool
}

// setColumn sets column name of b to col, replacing one of that name; the
// list of names becomes b's own (the pieces of a batch share theirs).
func setColumn(b *Batch, name string, col []store.Value) {
	if at := b.Col(name); at >= 0 {
		b.Cols[at] = col
		return
	}
	b.Fields = append(b.Fields[:len(b.Fields):len(b.Fields)], name)
	b.Cols = append(b.Cols, col)
}
