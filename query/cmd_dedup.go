package query

import "github.com/alecthomas/participle/v2/lexer"

// DedupCmd keeps the first row of each combination of the fields (rows
// where any of them is null are kept).
type DedupCmd struct {
	Pos    lexer.Position
	Fields []*Field `parser:"'dedup':Stage @@ ( ','? @@ )*"`
	EndPos lexer.Position
}

func (*DedupCmd) command()                   {}
func (c *DedupCmd) Position() lexer.Position { return c.Pos }
func (c *DedupCmd) String() string           { return "dedup " + fieldList(c.Fields) }
