package query

import (
	"loghunt/store"
	"math"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// BinCmd floors a time (or number) field to buckets of Span: times to
// multiples of Span since the Unix epoch (UTC), numbers to multiples of
// Span in seconds.
type BinCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'bin':Stage @@*"`
	Field    *Field    `parser:"@@?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Target string        // the field binned: Field or _time
	Span   time.Duration // span=, always > 0
}

func (*BinCmd) command()                   {}
func (c *BinCmd) Position() lexer.Position { return c.Pos }

func (c *BinCmd) String() string {
	s := "bin"
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	if c.Field != nil {
		s += " " + c.Field.String()
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *BinCmd) check() *posError {
	opts, err := checkOptions("bin", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if err := opts.require("bin", "span", c.EndPos.Offset); err != nil {
		return err
	}
	c.Target = "_time"
	if c.Field != nil {
		c.Target = c.Field.Name
	}
	c.Span, err = opts.duration("span")
	return err
}

func (c *BinCmd) inputFields(after fieldSet) fieldSet { return after.with(c.Target) }

func (c *BinCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply floors the target to a multiple of the span: times since the
// Unix epoch in UTC, numbers in units of the span's seconds. Other values
// become null.
func (c *BinCmd) apply(b *Batch) (*Batch, error) {
	col := b.Column(c.Target)
	span := int64(c.Span)
	// In place: the column belongs to this batch alone.
	for r, v := range col {
		switch v.K {
		case store.KindTime:
			col[r].I = floorDiv(v.I, span) * span
		case store.KindNull:
		default:
			if f, ok := v.Number(); ok {
				s := c.Span.Seconds()
				col[r] = numberValue(math.Floor(f/s) * s)
			} else {
				col[r] = store.Null
			}
		}
	}
	return b, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
