package query

import (
	"cmp"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"loghunt/store"
)

// Value semantics of expressions (Splunk's, with SQL's three-valued logic):
//
//   - Arithmetic with null is null; so is arithmetic on a value that is not
//     a number. Numbers are ints, floats, bools and strings that parse as
//     numbers. int op int stays int (/ gives a float unless exact, and so does a result past the int64 range); x/0 and
//     x%0 are null.
//   - `+` adds when both sides are numbers, else joins the two values as
//     strings when either is a string ("a" + 1 is "a1").
//   - Times: time ± seconds is a time, time − time is seconds.
//   - Comparisons with null are null. Two strings compare as strings, by
//     bytes (case-sensitive), even when they look like numbers; a number
//     and a string that parses as a number compare as numbers, and so do
//     two numbers; two times compare as instants, a time and a number as
//     Unix seconds; anything else compares as printed strings. (Arithmetic
//     is looser: "3" + "4" is 7, since both parse as numbers.)
//   - AND, OR and NOT: null is unknown (false AND null is false, true OR
//     null is true, NOT null is null). where keeps only true rows.

const (
	opAnd = '&'
	opOr  = '|'
)

type constNode struct{ v store.Value }

func (n constNode) bind(*Batch) evalFn {
	v := n.v
	return func(int) store.Value { return v }
}

type fieldNode struct{ name string }

func (n fieldNode) bind(b *Batch) evalFn {
	i := b.Col(n.name)
	if i < 0 {
		return func(int) store.Value { return store.Null }
	}
	col := b.Cols[i]
	return func(r int) store.Value { return col[r] }
}

type logicNode struct {
	op   byte
	args []exprNode
}

func (n *logicNode) bind(b *Batch) evalFn {
	fns := make([]evalFn, len(n.args))
	for i, a := range n.args {
		fns[i] = a.bind(b)
	}
	short := n.op == opOr // the value that decides: true for OR, false for AND
	return func(r int) store.Value {
		unknown := false
		for _, f := range fns {
			v := f(r)
			if v.IsNull() {
				unknown = true
			} else if v.Truthy() == short {
				return store.Bool(short)
			}
		}
		if unknown {
			return store.Null
		}
		return store.Bool(!short)
	}
}

type notNode struct{ x exprNode }

func (n *notNode) bind(b *Batch) evalFn {
	x := n.x.bind(b)
	return func(r int) store.Value {
		v := x(r)
		if v.IsNull() {
			return v
		}
		return store.Bool(!v.Truthy())
	}
}

type cmpNode struct {
	op   string
	l, r exprNode
}

func (n *cmpNode) bind(b *Batch) evalFn {
	l, r := n.l.bind(b), n.r.bind(b)
	var test func(c int) bool
	switch n.op {
	case "=", "==":
		test = func(c int) bool { return c == 0 }
	case "!=":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	default:
		test = func(c int) bool { return c >= 0 }
	}
	return func(row int) store.Value {
		c, ok := exprCompare(l(row), r(row))
		if !ok {
			return store.Null
		}
		return store.Bool(test(c))
	}
}

type inNode struct {
	x    exprNode
	list []exprNode
}

func (n *inNode) bind(b *Batch) evalFn {
	x := n.x.bind(b)
	list := make([]evalFn, len(n.list))
	for i, a := range n.list {
		list[i] = a.bind(b)
	}
	return func(r int) store.Value {
		v := x(r)
		if v.IsNull() {
			return v
		}
		for _, f := range list {
			if c, ok := exprCompare(v, f(r)); ok && c == 0 {
				return store.Bool(true)
			}
		}
		return store.Bool(false)
	}
}

type negNode struct{ x exprNode }

func (n *negNode) bind(b *Batch) evalFn {
	x := n.x.bind(b)
	return func(r int) store.Value { return negValue(x(r)) }
}

func negValue(v store.Value) store.Value {
	switch v.K {
	case store.KindInt:
		if v.I == math.MinInt64 {
			return store.Float(-float64(v.I))
		}
		return store.Int(-v.I)
	case store.KindFloat:
		return store.Float(-v.F)
	}
	if f, ok := v.Number(); ok && v.K != store.KindTime {
		return floatOrNull(-f)
	}
	return store.Null
}

type arithNode struct {
	op   byte
	l, r exprNode
}

func (n *arithNode) bind(b *Batch) evalFn {
	l, r, op := n.l.bind(b), n.r.bind(b), n.op
	return func(row int) store.Value { return arithValues(op, l(row), r(row)) }
}

// number is a value seen as a number: an int when isInt.
type exprNum struct {
	i     int64
	f     float64
	isInt bool
}

// toExprNum converts v; times are not numbers here (see arith).
func toExprNum(v store.Value) (exprNum, bool) {
	switch v.K {
	case store.KindInt, store.KindBool:
		return exprNum{i: v.I, f: float64(v.I), isInt: true}, true
	case store.KindFloat:
		return exprNum{f: v.F}, true
	case store.KindString:
		s := strings.TrimSpace(v.S)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return exprNum{i: i, f: float64(i), isInt: true}, true
		}
		if f, ok := store.ParseNumber(s); ok { // not "nan", "inf" or "0x1f"
			return exprNum{f: f}, true
		}
	}
	return exprNum{}, false
}

// floatOrNull is f as a value: null when not finite.
func floatOrNull(f float64) store.Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return store.Null
	}
	return store.Float(f)
}

// arith applies + - * / % to a and b.
func arithValues(op byte, a, b store.Value) store.Value {
	if a.IsNull() || b.IsNull() {
		return store.Null
	}
	if a.K == store.KindTime || b.K == store.KindTime {
		return timeArith(op, a, b)
	}
	x, okx := toExprNum(a)
	y, oky := toExprNum(b)
	if !okx || !oky {
		if op == '+' && (a.K == store.KindString || b.K == store.KindString) {
			return store.Str(a.String() + b.String())
		}
		return store.Null
	}
	if x.isInt && y.isInt {
		return intArith(op, x.i, y.i)
	}
	switch op {
	case '+':
		return floatOrNull(x.f + y.f)
	case '-':
		return floatOrNull(x.f - y.f)
	case '*':
		return floatOrNull(x.f * y.f)
	case '/':
		if y.f == 0 {
			return store.Null
		}
		return floatOrNull(x.f / y.f)
	}
	if y.f == 0 {
		return store.Null
	}
	return floatOrNull(math.Mod(x.f, y.f))
}

func intArith(op byte, x, y int64) store.Value {
	switch op {
	case '+':
		if s, ok := addInt64(x, y); ok {
			return store.Int(s)
		}
		return floatOrNull(float64(x) + float64(y)) // past an int64: on in floats, as Splunk's numbers are
	case '-':
		if y == math.MinInt64 {
			if x < 0 {
				return store.Int(x - y) // x + 2^63 fits
			}
		} else if s, ok := addInt64(x, -y); ok {
			return store.Int(s)
		}
		return floatOrNull(float64(x) - float64(y))
	case '*':
		// |x| and |y| as unsigned (the smallest int's too), multiplied
		// with the carry: an int when it fits.
		hi, lo := bits.Mul64(uint64(absInt64(x)), uint64(absInt64(y)))
		switch neg := (x < 0) != (y < 0); {
		case hi == 0 && !neg && lo <= math.MaxInt64:
			return store.Int(int64(lo))
		case hi == 0 && neg && lo <= 1<<63:
			return store.Int(-int64(lo))
		}
		return floatOrNull(float64(x) * float64(y))
	}
	if y == 0 {
		return store.Null
	}
	if y == -1 { // x / -1 and x % -1 overflow for the smallest int
		if op == '%' {
			return store.Int(0)
		}
		if x == math.MinInt64 {
			return store.Float(-float64(x))
		}
		return store.Int(-x)
	}
	if op == '%' {
		return store.Int(x % y)
	}
	if x%y == 0 {
		return store.Int(x / y)
	}
	return store.Float(float64(x) / float64(y))
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// timeArith: time ± seconds is a time, time − time is seconds.
func timeArith(op byte, a, b store.Value) store.Value {
	if a.K == store.KindTime && b.K == store.KindTime {
		if op != '-' {
			return store.Null
		}
		return secondsValue(a.I - b.I)
	}
	t, other := a, b
	if b.K == store.KindTime {
		if op != '+' {
			return store.Null
		}
		t, other = b, a
	}
	n, ok := toExprNum(other)
	if !ok || op != '+' && op != '-' {
		return store.Null
	}
	// Seconds within ±9.2e9 (the range of times), added without
	// wrapping around: else no time.
	if n.isInt && (n.i > 9.2e9 || n.i < -9.2e9) || !n.isInt && !(math.Abs(n.f) <= 9.2e9) {
		return store.Null
	}
	ns := int64(math.Round(n.f * 1e9))
	if n.isInt {
		ns = n.i * 1e9
	}
	if op == '-' {
		ns = -ns
	}
	sum, ok := addInt64(t.I, ns)
	if !ok {
		return store.Null
	}
	return store.Time(sum)
}

// secondsValue is a nanosecond difference in seconds: an int when whole.
func secondsValue(ns int64) store.Value {
	if ns%1e9 == 0 {
		return store.Int(ns / 1e9)
	}
	return store.Float(float64(ns) / 1e9)
}

// exprCompare orders a and b; ok is false when either is null.
func exprCompare(a, b store.Value) (c int, ok bool) {
	if a.IsNull() || b.IsNull() {
		return 0, false
	}
	if a.K == store.KindString && b.K == store.KindString {
		return strings.Compare(a.S, b.S), true
	}
	if a.K == store.KindTime && b.K == store.KindTime {
		return cmp.Compare(a.I, b.I), true
	}
	if a.K == store.KindTime || b.K == store.KindTime {
		x, okx := a.Number()
		y, oky := b.Number()
		if okx && oky {
			return compareFloat64(x, y), true
		}
		return strings.Compare(a.String(), b.String()), true
	}
	x, okx := toExprNum(a)
	y, oky := toExprNum(b)
	switch {
	case okx && oky && x.isInt && y.isInt:
		return cmp.Compare(x.i, y.i), true
	case okx && oky:
		return compareFloat64(x.f, y.f), true
	}
	return strings.Compare(a.String(), b.String()), true
}

func compareFloat64(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
