package query

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// EvalCmd computes fields, left to right: a later assignment sees the
// fields set by the earlier ones.
type EvalCmd struct {
	Pos     lexer.Position
	Assigns []*Assignment `parser:"'eval':Stage @@ ( ',' @@ )*"`
	EndPos  lexer.Position
}

// Assignment is `field = expr`.
type Assignment struct {
	Pos    lexer.Position
	Field  Text  `parser:"@(Ident | Field) '='"`
	Expr   *Expr `parser:"@@"`
	EndPos lexer.Position
}

func (*EvalCmd) command()                   {}
func (c *EvalCmd) Position() lexer.Position { return c.Pos }

func (c *EvalCmd) String() string {
	parts := make([]string, len(c.Assigns))
	for i, a := range c.Assigns {
		parts[i] = a.String()
	}
	return "eval " + strings.Join(parts, ", ")
}

func (a *Assignment) String() string {
	return fieldString(string(a.Field), modeExpr) + " = " + a.Expr.String()
}

func (c *EvalCmd) check() *posError {
	for _, a := range c.Assigns {
		if err := checkExpr(a.Expr); err != nil {
			return err
		}
	}
	return nil
}
