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

func (c *WhereCmd) inputFields(after fieldSet) fieldSet {
	e, _ := CompileExpr(c.Expr, nil)
	return after.with(e.Fields()...)
}

func (c *WhereCmd) rowStage(p *plan) (rowStage, error) {
	e, err := CompileExpr(c.Expr, p.env)
	if err != nil {
		return nil, err
	}
	return &whereStage{e}, nil
}

// whereStage keeps the rows where the expression is true (null is false).
type whereStage struct{ expr *Compiled }

func (w *whereStage) apply(b *Batch) (*Batch, error) {
	eval := w.expr.Bind(b)
	keep := make([]bool, b.Len)
	for r := range keep {
		keep[r] = eval(r).Truthy()
	}
	b.Select(keep)
	return b, nil
}
