package query

import "github.com/alecthomas/participle/v2/lexer"

// TailCmd keeps the last N rows (default 10), in their order.
type TailCmd struct {
	Pos    lexer.Position
	Count  *NumberLit `parser:"'tail':Stage @@?"`
	EndPos lexer.Position

	N int // the number of rows
}

func (*TailCmd) command()                   {}
func (c *TailCmd) Position() lexer.Position { return c.Pos }
func (c *TailCmd) String() string           { return countString("tail", c.Count) }

func (c *TailCmd) check() (err *posError) {
	c.N, err = checkCount("tail", c.Count)
	return err
}
