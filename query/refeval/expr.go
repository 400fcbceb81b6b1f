package refeval

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// Expressions (where, eval), by SPEC §3 and the engine's documented rules:
//
//   - null in arithmetic or a comparison gives null; AND, OR and NOT are
//     three-valued (false AND null is false, true OR null is true);
//   - numbers are ints, floats, bools and number text; int op int stays
//     an int (a / that is not exact, or that overflows, gives a float);
//     x/0 and x%0 are null, and so is a result that is not finite;
//   - `+` of two numbers adds, else joins the printed values when either
//     is text;
//   - time ± seconds is a time, time − time is seconds;
//   - two texts compare as text, a number and number text as numbers, a
//     time and a number as Unix seconds, anything else as printed text.

func (ev *evaluator) expr(e *query.Expr, r Row) store.Value {
	if len(e.Or) == 1 {
		return ev.and(e.Or[0], r)
	}
	unknown := false
	for _, a := range e.Or {
		v := ev.and(a, r)
		if v.K == store.KindNull {
			unknown = true
		} else if truthy(v) {
			return store.Bool(true)
		}
	}
	if unknown {
		return store.Null
	}
	return store.Bool(false)
}

func (ev *evaluator) and(e *query.AndExpr, r Row) store.Value {
	if len(e.And) == 1 {
		return ev.not(e.And[0], r)
	}
	unknown := false
	for _, a := range e.And {
		v := ev.not(a, r)
		if v.K == store.KindNull {
			unknown = true
		} else if !truthy(v) {
			return store.Bool(false)
		}
	}
	if unknown {
		return store.Null
	}
	return store.Bool(true)
}

func not(v store.Value) store.Value {
	if v.K == store.KindNull {
		return v
	}
	return store.Bool(!truthy(v))
}

func (ev *evaluator) not(e *query.NotExpr, r Row) store.Value {
	if e.Not != nil {
		return not(ev.not(e.Not, r))
	}
	return ev.cmp(e.Cmp, r)
}

func (ev *evaluator) cmp(e *query.CmpExpr, r Row) store.Value {
	left := ev.add(e.Left, r)
	switch {
	case e.Right != nil:
		right := ev.add(e.Right, r)
		c, ok := compare(left, right)
		if !ok {
			return store.Null
		}
		switch e.Op {
		case "=", "==":
			return store.Bool(c == 0)
		case "!=":
			return store.Bool(c != 0)
		case "<":
			return store.Bool(c < 0)
		case "<=":
			return store.Bool(c <= 0)
		case ">":
			return store.Bool(c > 0)
		}
		return store.Bool(c >= 0)
	case e.Like != nil:
		pat := ev.add(e.Like, r)
		if left.K == store.KindNull || pat.K == store.KindNull {
			return store.Null
		}
		v := store.Bool(likeRegex(pat.String()).MatchString(left.String()))
		if e.Negate {
			return not(v)
		}
		return v
	case e.In != nil:
		if left.K == store.KindNull {
			return store.Null
		}
		found := false
		for _, x := range e.In {
			if c, ok := compare(left, ev.expr(x, r)); ok && c == 0 {
				found = true
			}
		}
		if e.Negate {
			found = !found
		}
		return store.Bool(found)
	}
	return left
}

// likeRegex is the regex of a LIKE pattern: % any run of characters, _
// one character, a backslash makes the next character literal; the whole
// value, case-sensitive.
func likeRegex(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; {
		case c == '%':
			b.WriteString(`.*`)
		case c == '_':
			b.WriteString(`.`)
		case c == '\\' && i+1 < len(rs):
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	return cachedRegex("l"+p, b.String())
}

// compare orders two values for a comparison; false when either is null.
func compare(a, b store.Value) (int, bool) {
	if a.K == store.KindNull || b.K == store.KindNull {
		return 0, false
	}
	switch {
	case a.K == store.KindString && b.K == store.KindString:
		return strings.Compare(a.S, b.S), true
	case a.K == store.KindTime && b.K == store.KindTime:
		return cmp3(a.I, b.I), true
	case a.K == store.KindTime || b.K == store.KindTime:
		x, okx := asFloat(a)
		y, oky := asFloat(b)
		if okx && oky {
			return cmp3(x, y), true
		}
		return strings.Compare(a.String(), b.String()), true
	}
	x, okx := arithNum(a)
	y, oky := arithNum(b)
	switch {
	case okx && oky && x.isInt && y.isInt:
		return cmp3(x.i, y.i), true
	case okx && oky:
		return cmp3(x.f, y.f), true
	}
	return strings.Compare(a.String(), b.String()), true
}

func (ev *evaluator) add(e *query.AddExpr, r Row) store.Value {
	v := ev.mul(e.Left, r)
	for _, op := range e.Rest {
		v = arith(op.Op[0], v, ev.mul(op.Right, r))
	}
	return v
}

func (ev *evaluator) mul(e *query.MulExpr, r Row) store.Value {
	v := ev.unary(e.Left, r)
	for _, op := range e.Rest {
		v = arith(op.Op[0], v, ev.unary(op.Right, r))
	}
	return v
}

func (ev *evaluator) unary(e *query.Unary, r Row) store.Value {
	if e.Neg == nil {
		return ev.primary(e.Primary, r)
	}
	v := ev.unary(e.Neg, r)
	switch v.K {
	case store.KindInt:
		if v.I == math.MinInt64 {
			return store.Float(-float64(v.I))
		}
		return store.Int(-v.I)
	case store.KindFloat:
		return store.Float(-v.F)
	case store.KindBool, store.KindString:
		if f, ok := asFloat(v); ok {
			return finite(-f)
		}
	}
	return store.Null
}

func (ev *evaluator) primary(e *query.Primary, r Row) store.Value {
	switch {
	case e.Number != nil:
		s := *e.Number
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return store.Int(i)
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return store.Float(f)
	case e.Duration != nil:
		d, err := query.ParseDuration(*e.Duration)
		if err != nil {
			panic("BUG: a checked duration does not parse: " + err.Error())
		}
		if d%time.Second == 0 {
			return store.Int(int64(d / time.Second))
		}
		return store.Float(d.Seconds())
	case e.Str != nil:
		return store.Str(string(*e.Str))
	case e.Literal != nil:
		switch *e.Literal {
		case "true":
			return store.Bool(true)
		case "false":
			return store.Bool(false)
		}
		return store.Null
	case e.Call != nil:
		return ev.call(e.Call, r)
	case e.Field != nil:
		return r.Get(string(*e.Field))
	}
	return ev.expr(e.Group, r)
}

// arith applies + - * / % to a and b.
func arith(op byte, a, b store.Value) store.Value {
	if a.K == store.KindNull || b.K == store.KindNull {
		return store.Null
	}
	if a.K == store.KindTime || b.K == store.KindTime {
		return timeArith(op, a, b)
	}
	x, okx := arithNum(a)
	y, oky := arithNum(b)
	if !okx || !oky {
		if op == '+' && (a.K == store.KindString || b.K == store.KindString) {
			return store.Str(a.String() + b.String())
		}
		return store.Null
	}
	if x.isInt && y.isInt {
		if v, ok := intArith(op, x.i, y.i); ok {
			return v
		}
	}
	switch op {
	case '+':
		return finite(x.f + y.f)
	case '-':
		return finite(x.f - y.f)
	case '*':
		return finite(x.f * y.f)
	case '/':
		if y.f == 0 {
			return store.Null
		}
		return finite(x.f / y.f)
	}
	if y.f == 0 {
		return store.Null
	}
	return finite(math.Mod(x.f, y.f))
}

// intArith is int op int when the result is an int that fits; ok is
// false when it does not fit (the float result is then the answer).
func intArith(op byte, x, y int64) (store.Value, bool) {
	bx, by, z := big.NewInt(x), big.NewInt(y), new(big.Int)
	switch op {
	case '+':
		z.Add(bx, by)
	case '-':
		z.Sub(bx, by)
	case '*':
		z.Mul(bx, by)
	case '%':
		if y == 0 {
			return store.Null, true
		}
		z.Rem(bx, by) // truncated, as Go's %
	default:
		if y == 0 {
			return store.Null, true
		}
		if new(big.Int).Rem(bx, by).Sign() != 0 {
			return store.Float(float64(x) / float64(y)), true
		}
		z.Quo(bx, by)
	}
	if !z.IsInt64() {
		return store.Null, false
	}
	return store.Int(z.Int64()), true
}

// timeArith: time ± seconds is a time, seconds + time too, and time −
// time is seconds (an int when whole); nothing else.
func timeArith(op byte, a, b store.Value) store.Value {
	if a.K == store.KindTime && b.K == store.KindTime {
		if op != '-' {
			return store.Null
		}
		d := a.I - b.I
		if d%1e9 == 0 {
			return store.Int(d / 1e9)
		}
		return store.Float(float64(d) / 1e9)
	}
	t, other := a, b
	if b.K == store.KindTime {
		if op != '+' {
			return store.Null
		}
		t, other = b, a
	}
	if op != '+' && op != '-' {
		return store.Null
	}
	n, ok := arithNum(other)
	if !ok {
		return store.Null
	}
	// Seconds within the range of times, and a sum that stays in it.
	ns := new(big.Int)
	switch {
	case n.isInt && n.i <= 9.2e9 && n.i >= -9.2e9:
		ns.SetInt64(n.i * 1e9)
	case !n.isInt && math.Abs(n.f) <= 9.2e9:
		ns.SetInt64(int64(math.Round(n.f * 1e9)))
	default:
		return store.Null
	}
	if op == '-' {
		ns.Neg(ns)
	}
	sum := ns.Add(ns, big.NewInt(t.I))
	if !sum.IsInt64() {
		return store.Null
	}
	return store.Time(sum.Int64())
}
