package query

import (
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// StreamstatsCmd adds running aggregates to each row, in time order
// (oldest first), per group of the By fields, over the last Window rows
// and/or the rows within TimeWindow of the current one (the current row
// included).
type StreamstatsCmd struct {
	Pos     lexer.Position
	Options []*Option    `parser:"'streamstats':Stage @@*"`
	Aggs    []*Aggregate `parser:"@@ ( ','? @@ )*"`
	By      []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	EndPos  lexer.Position

	Window     int           // window=N: the last N rows; 0 for all rows so far
	TimeWindow time.Duration // time_window=DUR: 0 for no time limit
}

func (*StreamstatsCmd) command()                   {}
func (c *StreamstatsCmd) Position() lexer.Position { return c.Pos }

func (c *StreamstatsCmd) String() string {
	s := "streamstats "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	return s + aggsBy(c.Aggs, c.By)
}

func (c *StreamstatsCmd) check() *posError {
	opts, err := checkOptions("streamstats", c.Options)
	if err != nil {
		return err
	}
	if c.Window, err = opts.int("window", 0, 0); err != nil {
		return err
	}
	if c.TimeWindow, err = opts.duration("time_window"); err != nil {
		return err
	}
	return checkAggs(c.Aggs)
}
