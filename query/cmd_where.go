package query

import "github.com/alecthomas/participle/v2/lexer"

// WhereCmd keeps the rows where Expr is true (null counts as false).
type WhereCmd struct {
	Pos    lexer.Position
	Expr   *Expr `parser:"'where':Stage @@"`
	EndPos lexer.Position
}

func (*WhereCmd) command()                   {}
func (c *WhereCmd) Position() lexer.Position { return c.Pos }
func (c *WhereCmd) String() string           { return "where " + c.Expr.String() }
func (c *WhereCmd) check() *posError         { return checkExpr(c.Expr) }
