package query

import "github.com/alecthomas/participle/v2/lexer"

// EventstatsCmd computes the aggregates like stats, but adds them to every
// row of its group instead of replacing the rows.
type EventstatsCmd struct {
	Pos    lexer.Position
	Aggs   []*Aggregate `parser:"'eventstats':Stage @@ ( ','? @@ )*"`
	By     []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	EndPos lexer.Position
}

func (*EventstatsCmd) command()                   {}
func (c *EventstatsCmd) Position() lexer.Position { return c.Pos }
func (c *EventstatsCmd) String() string           { return "eventstats " + aggsBy(c.Aggs, c.By) }
func (c *EventstatsCmd) check() *posError         { return checkAggs(c.Aggs) }
