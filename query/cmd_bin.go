package query

import (
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
