package query

import (
	"loghunt/store"
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

func (c *EvalCmd) inputFields(after fieldSet) fieldSet {
	// Later assignments may read earlier ones: walk back.
	need := after
	for i := len(c.Assigns) - 1; i >= 0; i-- {
		a := c.Assigns[i]
		e, _ := CompileExpr(a.Expr, nil)
		need = need.without(string(a.Field)).with(e.Fields()...)
	}
	return need
}

func (c *EvalCmd) rowStage(p *plan) (rowStage, error) {
	s := &evalStage{}
	for _, a := range c.Assigns {
		e, err := CompileExpr(a.Expr, p.env)
		if err != nil {
			return nil, err
		}
		s.fields = append(s.fields, string(a.Field))
		s.exprs = append(s.exprs, e)
	}
	return s, nil
}

// evalStage sets fields to computed values, one assignment after another.
type evalStage struct {
	fields []string
	exprs  []*Compiled
}

func (s *evalStage) apply(b *Batch) (*Batch, error) {
	for i, e := range s.exprs {
		eval := e.Bind(b)
		out := make([]store.Value, b.Len)
		for r := range out {
			out[r] = eval(r)
		}
		if c := b.Col(s.fields[i]); c >= 0 {
			b.Cols[c] = out
		} else {
			b.Fields = append(b.Fields, s.fields[i])
			b.Cols = append(b.Cols, out)
		}
	}
	return b, nil
}
