package query

import (
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// TimechartCmd aggregates per time bucket of Span (and per value of By):
// one row per bucket from the first to the last, every bucket present,
// empty ones with zero counts. With By, each of the Limit most common
// values becomes a column, the rest summed in OTHER.
type TimechartCmd struct {
	Pos      lexer.Position
	Options  []*Option    `parser:"'timechart':Stage @@*"`
	Aggs     []*Aggregate `parser:"@@ ( ','? @@ )*"`
	By       *Field       `parser:"( 'by':Keyword @@ )?"`
	Trailing []*Option    `parser:"@@*"`
	EndPos   lexer.Position

	Span  time.Duration // span=, always > 0
	Limit int           // limit=N, default 10; 0 means no limit
}

func (*TimechartCmd) command()                   {}
func (c *TimechartCmd) Position() lexer.Position { return c.Pos }

func (c *TimechartCmd) String() string {
	s := "timechart "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	s += aggsBy(c.Aggs, nil)
	if c.By != nil {
		s += " by " + c.By.String()
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *TimechartCmd) check() *posError {
	opts, err := checkOptions("timechart", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if err := opts.require("timechart", "span", c.Pos.Offset); err != nil {
		return err
	}
	if c.Span, err = opts.duration("span"); err != nil {
		return err
	}
	if c.Limit, err = opts.int("limit", 10, 0); err != nil {
		return err
	}
	if c.By != nil && len(c.Aggs) > 1 {
		return errorfAt(c.Aggs[1].Pos.Offset, "timechart with by takes one aggregate")
	}
	return checkAggs(c.Aggs)
}
