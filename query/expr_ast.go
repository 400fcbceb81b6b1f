package query

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// The expression grammar of where and eval, loosest binding first:
// OR, AND, NOT, comparison (= == != < <= > >= LIKE IN, not chained),
// + and -, * / and %, unary minus. Fields are bare identifiers (letters,
// digits, `_`, `.`) or `backquoted`; "..." and '...' are strings.
// Durations such as 5m are numbers of seconds. Compile with CompileExpr.

// Expr is `A OR B ...`, the root of every expression.
type Expr struct {
	Pos    lexer.Position
	Or     []*AndExpr `parser:"@@ ( 'OR':Keyword @@ )*"`
	EndPos lexer.Position
}

// AndExpr is `A AND B ...`.
type AndExpr struct {
	Pos    lexer.Position
	And    []*NotExpr `parser:"@@ ( 'AND':Keyword @@ )*"`
	EndPos lexer.Position
}

// NotExpr is `NOT A` or a comparison.
type NotExpr struct {
	Pos    lexer.Position
	Not    *NotExpr `parser:"  'NOT':Keyword @@"`
	Cmp    *CmpExpr `parser:"| @@"`
	EndPos lexer.Position
}

// CmpExpr is `A`, `A op B`, `A [NOT] LIKE B` or `A [NOT] IN (B, ...)`.
type CmpExpr struct {
	Pos    lexer.Position
	Left   *AddExpr `parser:"@@"`
	Op     string   `parser:"( @('==' | '=' | '!=' | '<=' | '>=' | '<' | '>')"`
	Right  *AddExpr `parser:"  @@"`
	Negate bool     `parser:"| @'NOT':Keyword?"`
	Like   *AddExpr `parser:"  ( 'LIKE':Keyword @@"`
	In     []*Expr  `parser:"  | 'IN':Keyword '(' @@ ( ',' @@ )* ')' ) )?"`
	EndPos lexer.Position
}

// AddExpr is `A + B - C ...`.
type AddExpr struct {
	Pos    lexer.Position
	Left   *MulExpr `parser:"@@"`
	Rest   []*AddOp `parser:"@@*"`
	EndPos lexer.Position
}

// AddOp is one `+ B` or `- B` of an AddExpr.
type AddOp struct {
	Pos    lexer.Position
	Op     string   `parser:"@('+' | '-')"`
	Right  *MulExpr `parser:"@@"`
	EndPos lexer.Position
}

// MulExpr is `A * B / C % D ...`.
type MulExpr struct {
	Pos    lexer.Position
	Left   *Unary   `parser:"@@"`
	Rest   []*MulOp `parser:"@@*"`
	EndPos lexer.Position
}

// MulOp is one `* B`, `/ B` or `% B` of a MulExpr.
type MulOp struct {
	Pos    lexer.Position
	Op     string `parser:"@('*' | '/' | '%')"`
	Right  *Unary `parser:"@@"`
	EndPos lexer.Position
}

// Unary is `-A` or a primary.
type Unary struct {
	Pos     lexer.Position
	Neg     *Unary   `parser:"  '-' @@"`
	Primary *Primary `parser:"| @@"`
	EndPos  lexer.Position
}

// Primary is a literal, a function call, a field or a parenthesized
// expression. Exactly one field is set.
type Primary struct {
	Pos      lexer.Position
	Number   *string `parser:"  @Number"`
	Duration *string `parser:"| @Duration"`
	Str      *Text   `parser:"| @String"`
	Literal  *Name   `parser:"| @('true':Keyword | 'false':Keyword | 'null':Keyword)"`
	Call     *Call   `parser:"| @@"`
	Field    *Text   `parser:"| @(Ident | Field)"`
	Group    *Expr   `parser:"| '(' @@ ')'"`
	EndPos   lexer.Position
}

// Call is a function call `name(args...)`; Name is lower-case.
type Call struct {
	Pos    lexer.Position
	Name   Name    `parser:"@Ident '('"`
	Args   []*Expr `parser:"( @@ ( ',' @@ )* )? ')'"`
	EndPos lexer.Position
}

func (e *Expr) String() string {
	parts := make([]string, len(e.Or))
	for i, a := range e.Or {
		parts[i] = a.String()
	}
	return strings.Join(parts, " OR ")
}

func (e *AndExpr) String() string {
	parts := make([]string, len(e.And))
	for i, a := range e.And {
		parts[i] = a.String()
	}
	return strings.Join(parts, " AND ")
}

func (e *NotExpr) String() string {
	if e.Not != nil {
		return "NOT " + e.Not.String()
	}
	return e.Cmp.String()
}

func (e *CmpExpr) String() string {
	s := e.Left.String()
	not := ""
	if e.Negate {
		not = "NOT "
	}
	switch {
	case e.Right != nil:
		return s + " " + e.Op + " " + e.Right.String()
	case e.Like != nil:
		return s + " " + not + "LIKE " + e.Like.String()
	case e.In != nil:
		return s + " " + not + "IN (" + exprList(e.In) + ")"
	}
	return s
}

func (e *AddExpr) String() string {
	var b strings.Builder
	b.WriteString(e.Left.String())
	for _, op := range e.Rest {
		b.WriteString(" " + op.Op + " " + op.Right.String())
	}
	return b.String()
}

func (e *MulExpr) String() string {
	var b strings.Builder
	b.WriteString(e.Left.String())
	for _, op := range e.Rest {
		b.WriteString(" " + op.Op + " " + op.Right.String())
	}
	return b.String()
}

func (e *Unary) String() string {
	if e.Neg != nil {
		return "-" + e.Neg.String()
	}
	return e.Primary.String()
}

func (e *Primary) String() string {
	switch {
	case e.Number != nil:
		return *e.Number
	case e.Duration != nil:
		return *e.Duration
	case e.Str != nil:
		return quoteText(string(*e.Str))
	case e.Literal != nil:
		return string(*e.Literal)
	case e.Call != nil:
		return e.Call.String()
	case e.Field != nil:
		return fieldString(string(*e.Field), modeExpr)
	case e.Group != nil:
		return "(" + e.Group.String() + ")"
	}
	return ""
}

func (c *Call) String() string { return string(c.Name) + "(" + exprList(c.Args) + ")" }

func exprList(es []*Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
