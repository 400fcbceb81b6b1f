package query

import (
	"fmt"
	"regexp"
	"sort"

	"loghunt/store"
)

// funcDef is one function of the expression library.
type funcDef struct {
	min, max int // number of arguments; max < 0 for any number
	build    func(fb *fnBuild) (exprNode, *posError)
}

// fnBuild is a call being compiled.
type fnBuild struct {
	call *Call
	args []exprNode
	env  *EvalEnv
}

// funcs is the function library, filled by the funcs_*.go files.
var funcs = map[string]funcDef{
	"if":        {3, 3, func(fb *fnBuild) (exprNode, *posError) { return &ifNode{fb.args}, nil }},
	"case":      {2, -1, buildCase},
	"coalesce":  {1, -1, func(fb *fnBuild) (exprNode, *posError) { return &coalesceNode{fb.args}, nil }},
	"isnull":    {1, 1, strict(func(v []store.Value) store.Value { return store.Bool(v[0].IsNull()) })},
	"isnotnull": {1, 1, strict(func(v []store.Value) store.Value { return store.Bool(!v[0].IsNull()) })},
	"typeof":    {1, 1, strict(func(v []store.Value) store.Value { return store.Str(v[0].K.String()) })},
}

// FunctionNames returns the names of the expression functions, sorted.
func FunctionNames() []string {
	names := make([]string, 0, len(funcs))
	for n := range funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// call compiles a function call: the name and number of arguments are
// checked here, constant arguments by the function's build.
func (k *compiler) call(c *Call) (exprNode, *posError) {
	name := string(c.Name)
	def, ok := funcs[name]
	if !ok {
		if _, agg := aggregateKinds[name]; agg {
			return nil, errorAtPos(c.Pos, "%s is an aggregate: use it in stats, not in an expression", name)
		}
		return nil, errorAtPos(c.Pos, "unknown function %q%s", name, didYouMean(name, FunctionNames()))
	}
	n := len(c.Args)
	if n < def.min || def.max >= 0 && n > def.max {
		return nil, errorAtPos(c.Pos, "%s takes %s, got %d", name, arity(def), n)
	}
	fb := &fnBuild{call: c, env: k.env, args: make([]exprNode, n)}
	for i, a := range c.Args {
		an, err := k.expr(a)
		if err != nil {
			return nil, err
		}
		fb.args[i] = an
	}
	return def.build(fb)
}

func arity(d funcDef) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case d.max < 0:
		return "at least " + plural(d.min)
	case d.min == d.max:
		return plural(d.min)
	}
	return fmt.Sprintf("%d to %d arguments", d.min, d.max)
}

// constString returns argument i when it is a string literal.
func (fb *fnBuild) constString(i int) (string, bool) {
	if i >= len(fb.args) {
		return "", false
	}
	c, ok := fb.args[i].(constNode)
	if !ok || c.v.K != store.KindString {
		return "", false
	}
	return c.v.S, true
}

// constRegex compiles argument i, which must be a string literal.
func (fb *fnBuild) constRegex(i int) (*regexp.Regexp, *posError) {
	pat, ok := fb.constString(i)
	pos := fb.call.Args[i].Pos
	if !ok {
		return nil, errorAtPos(pos, "the regex of %s must be a quoted string", fb.call.Name)
	}
	re, err := compileRegex(pat)
	if err != nil {
		return nil, errorAtPos(pos, "bad regex: %v", err)
	}
	return re, nil
}

// MaxRegexLen bounds the length of a regex in rex, match and replace.
const MaxRegexLen = 8 << 10

// compileRegex compiles a user's regex (Go RE2 syntax, which also reads
// (?<name>...)) within MaxRegexLen.
func compileRegex(pat string) (*regexp.Regexp, error) {
	if len(pat) > MaxRegexLen {
		return nil, fmt.Errorf("regex is longer than %d bytes", MaxRegexLen)
	}
	return regexp.Compile(pat)
}

// strictNode calls f with the values of all its arguments.
type strictNode struct {
	f    func(vals []store.Value) store.Value
	args []exprNode
}

// strict builds a function that sees all argument values (and handles
// null itself).
func strict(f func(vals []store.Value) store.Value) func(fb *fnBuild) (exprNode, *posError) {
	return func(fb *fnBuild) (exprNode, *posError) { return &strictNode{f: f, args: fb.args}, nil }
}

// bind returns a function that reuses one argument buffer: a bound
// function is not safe for concurrent use.
func (n *strictNode) bind(b *Batch) evalFn {
	fns := bindExprs(n.args, b)
	vals := make([]store.Value, len(fns))
	f := n.f
	return func(r int) store.Value {
		for i, fn := range fns {
			vals[i] = fn(r)
		}
		return f(vals)
	}
}

func bindExprs(args []exprNode, b *Batch) []evalFn {
	fns := make([]evalFn, len(args))
	for i, a := range args {
		fns[i] = a.bind(b)
	}
	return fns
}

// ifNode is if(cond, then, else): null counts as false.
type ifNode struct{ args []exprNode }

func (n *ifNode) bind(b *Batch) evalFn {
	fns := bindExprs(n.args, b)
	return func(r int) store.Value {
		if fns[0](r).Truthy() {
			return fns[1](r)
		}
		return fns[2](r)
	}
}

// caseNode is case(c1, v1, c2, v2, ...): the value of the first true
// condition, else null.
type caseNode struct{ args []exprNode }

func buildCase(fb *fnBuild) (exprNode, *posError) {
	if len(fb.args)%2 != 0 {
		return nil, errorAtPos(fb.call.Pos, "case takes pairs of condition and value, got %d arguments", len(fb.args))
	}
	return &caseNode{fb.args}, nil
}

func (n *caseNode) bind(b *Batch) evalFn {
	fns := bindExprs(n.args, b)
	return func(r int) store.Value {
		for i := 0; i < len(fns); i += 2 {
			if fns[i](r).Truthy() {
				return fns[i+1](r)
			}
		}
		return store.Null
	}
}

// coalesceNode is the first argument that is not null.
type coalesceNode struct{ args []exprNode }

func (n *coalesceNode) bind(b *Batch) evalFn {
	fns := bindExprs(n.args, b)
	return func(r int) store.Value {
		for _, f := range fns {
			if v := f(r); !v.IsNull() {
				return v
			}
		}
		return store.Null
	}
}
