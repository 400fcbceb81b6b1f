package query

import (
	"strconv"
	"strings"
	"time"

	"loghunt/store"
)

// EvalEnv is what expressions see of the world: now() returns Now.
type EvalEnv struct {
	Now time.Time
}

// Compiled is a checked expression, ready to be bound to batches.
type Compiled struct {
	root   exprNode
	fields []string
}

// evalFn evaluates an expression at one row of the bound batch.
type evalFn func(row int) store.Value

// exprNode is a compiled expression node: bind resolves its fields against a
// batch's columns, once per batch.
type exprNode interface {
	bind(b *Batch) evalFn
}

// CompileExpr checks e (function names and arity, regexes, CIDRs, time
// specs) and compiles it. A nil env means the zero time for now(). Errors
// are *Error with the position of the offending node (without the query
// text, which Parse has already checked).
func CompileExpr(e *Expr, env *EvalEnv) (*Compiled, error) {
	c, perr := compileExpr(e, env)
	if perr != nil {
		return nil, &Error{Line: perr.line, Col: perr.col, Msg: perr.msg}
	}
	return c, nil
}

func compileExpr(e *Expr, env *EvalEnv) (*Compiled, *posError) {
	if env == nil {
		env = &EvalEnv{}
	}
	k := &compiler{env: env, seen: map[string]bool{}}
	root, err := k.expr(e)
	if err != nil {
		return nil, err
	}
	return &Compiled{root: root, fields: k.fields}, nil
}

// checkExpr is the check Parse runs on where and eval expressions.
func checkExpr(e *Expr) *posError {
	_, err := compileExpr(e, nil)
	return err
}

// Bind resolves the expression's fields to b's columns and returns a
// function that evaluates it at a row of b. Bind again for every batch:
// the function reads b's columns as they were when bound.
func (c *Compiled) Bind(b *Batch) func(row int) store.Value {
	return c.root.bind(b)
}

// Fields returns the fields the expression reads, in order of appearance.
func (c *Compiled) Fields() []string { return c.fields }

// compiler holds the state of one compilation.
type compiler struct {
	env    *EvalEnv
	fields []string
	seen   map[string]bool
}

func (k *compiler) expr(e *Expr) (exprNode, *posError) {
	return k.list(len(e.Or), opOr, func(i int) (exprNode, *posError) { return k.and(e.Or[i]) })
}

func (k *compiler) and(e *AndExpr) (exprNode, *posError) {
	return k.list(len(e.And), opAnd, func(i int) (exprNode, *posError) { return k.not(e.And[i]) })
}

// list compiles n operands joined by a logical operator.
func (k *compiler) list(n int, op byte, arg func(int) (exprNode, *posError)) (exprNode, *posError) {
	args := make([]exprNode, n)
	for i := range args {
		a, err := arg(i)
		if err != nil {
			return nil, err
		}
		args[i] = a
	}
	if n == 1 {
		return args[0], nil
	}
	return &logicNode{op: op, args: args}, nil
}

func (k *compiler) not(e *NotExpr) (exprNode, *posError) {
	if e.Not != nil {
		a, err := k.not(e.Not)
		if err != nil {
			return nil, err
		}
		return &notNode{a}, nil
	}
	return k.cmp(e.Cmp)
}

func (k *compiler) cmp(e *CmpExpr) (exprNode, *posError) {
	left, err := k.add(e.Left)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Right != nil:
		right, err := k.add(e.Right)
		if err != nil {
			return nil, err
		}
		return &cmpNode{op: e.Op, l: left, r: right}, nil
	case e.Like != nil:
		pat, err := k.add(e.Like)
		if err != nil {
			return nil, err
		}
		return negate(e.Negate, newLikeNode(left, pat)), nil
	case e.In != nil:
		n := &inNode{x: left}
		for _, a := range e.In {
			c, err := k.expr(a)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, c)
		}
		return negate(e.Negate, n), nil
	}
	return left, nil
}

func negate(neg bool, n exprNode) exprNode {
	if neg {
		return &notNode{n}
	}
	return n
}

func (k *compiler) add(e *AddExpr) (exprNode, *posError) {
	n, err := k.mul(e.Left)
	for _, op := range e.Rest {
		if err != nil {
			return nil, err
		}
		var r exprNode
		r, err = k.mul(op.Right)
		n = &arithNode{op: op.Op[0], l: n, r: r}
	}
	return n, err
}

func (k *compiler) mul(e *MulExpr) (exprNode, *posError) {
	n, err := k.unary(e.Left)
	for _, op := range e.Rest {
		if err != nil {
			return nil, err
		}
		var r exprNode
		r, err = k.unary(op.Right)
		n = &arithNode{op: op.Op[0], l: n, r: r}
	}
	return n, err
}

func (k *compiler) unary(e *Unary) (exprNode, *posError) {
	if e.Neg != nil {
		a, err := k.unary(e.Neg)
		if err != nil {
			return nil, err
		}
		if c, ok := a.(constNode); ok {
			return constNode{negValue(c.v)}, nil
		}
		return &negNode{a}, nil
	}
	return k.primary(e.Primary)
}

func (k *compiler) primary(e *Primary) (exprNode, *posError) {
	switch {
	case e.Number != nil:
		return constNode{numberLiteral(*e.Number)}, nil
	case e.Duration != nil:
		d, err := ParseDuration(*e.Duration)
		if err != nil {
			return nil, errorAtPos(e.Pos, "%v", err)
		}
		return constNode{durationSeconds(d)}, nil
	case e.Str != nil:
		return constNode{store.Str(string(*e.Str))}, nil
	case e.Literal != nil:
		switch *e.Literal {
		case "true":
			return constNode{store.Bool(true)}, nil
		case "false":
			return constNode{store.Bool(false)}, nil
		}
		return constNode{store.Null}, nil
	case e.Call != nil:
		return k.call(e.Call)
	case e.Field != nil:
		name := string(*e.Field)
		if !k.seen[name] {
			k.seen[name] = true
			k.fields = append(k.fields, name)
		}
		return fieldNode{name}, nil
	}
	return k.expr(e.Group)
}

// numberLiteral is an int when the literal is a whole number that fits.
func numberLiteral(s string) store.Value {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return store.Int(i)
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return store.Float(f)
}

// durationSeconds is d in seconds: an int when whole.
func durationSeconds(d time.Duration) store.Value {
	if d%time.Second == 0 {
		return store.Int(int64(d / time.Second))
	}
	return store.Float(d.Seconds())
}
