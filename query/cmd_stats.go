package query

import "github.com/alecthomas/participle/v2/lexer"

// StatsCmd aggregates all rows into one row per combination of the By
// fields (one row in all without By), sorted by the group key.
type StatsCmd struct {
	Pos    lexer.Position
	Aggs   []*Aggregate `parser:"'stats':Stage @@ ( ','? @@ )*"`
	By     []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	EndPos lexer.Position
}

func (*StatsCmd) command()                   {}
func (c *StatsCmd) Position() lexer.Position { return c.Pos }
func (c *StatsCmd) String() string           { return "stats " + aggsBy(c.Aggs, c.By) }
func (c *StatsCmd) check() *posError         { return checkAggs(c.Aggs) }
