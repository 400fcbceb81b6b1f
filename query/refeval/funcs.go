package refeval

import (
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"loghunt/query"
	"loghunt/store"
)

// call evaluates a function call, by the functions' .help entries.
func (ev *evaluator) call(c *query.Call, r Row) store.Value {
	name := string(c.Name)
	// The conditionals look at their arguments one by one.
	switch name {
	case "if":
		if truthy(ev.expr(c.Args[0], r)) {
			return ev.expr(c.Args[1], r)
		}
		return ev.expr(c.Args[2], r)
	case "case":
		for i := 0; i+1 < len(c.Args); i += 2 {
			if truthy(ev.expr(c.Args[i], r)) {
				return ev.expr(c.Args[i+1], r)
			}
		}
		return store.Null
	case "coalesce":
		for _, a := range c.Args {
			if v := ev.expr(a, r); v.K != store.KindNull {
				return v
			}
		}
		return store.Null
	case "now":
		return store.Time(ev.now.UnixNano())
	case "mvfilter":
		return ev.mvfilter(c, r)
	}
	args := make([]store.Value, len(c.Args))
	anyNull := false
	for i, a := range c.Args {
		args[i] = ev.expr(a, r)
		anyNull = anyNull || args[i].K == store.KindNull
	}
	switch name {
	case "isnull":
		return store.Bool(args[0].K == store.KindNull)
	case "isnotnull":
		return store.Bool(args[0].K != store.KindNull)
	case "typeof":
		return store.Str([]string{"null", "string", "int", "float", "bool", "time"}[args[0].K])
	case "min", "max":
		best := store.Null
		for _, v := range args {
			if v.K == store.KindNull {
				continue
			}
			c, _ := compare(v, best)
			if best.K == store.KindNull || name == "min" && c < 0 || name == "max" && c > 0 {
				best = v
			}
		}
		return best
	case "isnum", "isint", "isstr":
		return typeTest(name, args[0])
	}
	if anyNull {
		return store.Null // every other function is null on a null argument
	}
	if v, ok := huntCall(name, args); ok {
		return v
	}
	if v, ok := mvCall(name, args); ok {
		return v
	}
	if name == "printf" {
		return refPrintf(args[0].String(), args[1:])
	}
	switch name {
	case "len":
		return store.Int(int64(utf8.RuneCountInString(args[0].String())))
	case "lower":
		return store.Str(strings.ToLower(args[0].String()))
	case "upper":
		return store.Str(strings.ToUpper(args[0].String()))
	case "substr":
		return substr(args)
	case "split":
		return split(args)
	case "trim", "ltrim", "rtrim":
		cut := " \t\r\n"
		if len(args) == 2 {
			cut = args[1].String()
		}
		s := args[0].String()
		if name != "rtrim" {
			s = strings.TrimLeft(s, cut)
		}
		if name != "ltrim" {
			s = strings.TrimRight(s, cut)
		}
		return store.Str(s)
	case "replace":
		re := cachedRegex("r"+args[1].String(), args[1].String())
		repl := backref.ReplaceAllString(args[2].String(), "$${$1}")
		return store.Str(re.ReplaceAllString(args[0].String(), repl))
	case "match":
		return store.Bool(cachedRegex("r"+args[1].String(), args[1].String()).MatchString(args[0].String()))
	case "cidrmatch":
		p, err := netip.ParsePrefix(args[0].String())
		if err != nil {
			return store.Bool(false)
		}
		a, err := netip.ParseAddr(args[1].String())
		if err != nil {
			return store.Bool(false)
		}
		return store.Bool(p.Masked().Contains(a.Unmap()))
	case "tostring":
		return tostring(args)
	case "tonumber":
		return tonumber(args)
	case "round":
		return round(args)
	case "floor", "ceil":
		n, ok := arithNum(args[0])
		if !ok {
			return store.Null
		}
		if n.isInt {
			return store.Int(n.i)
		}
		f := math.Floor(n.f)
		if name == "ceil" {
			f = math.Ceil(n.f)
		}
		return intIfFits(f)
	case "abs":
		n, ok := arithNum(args[0])
		switch {
		case !ok:
			return store.Null
		case n.isInt && n.i == math.MinInt64:
			return store.Float(-float64(n.i))
		case n.isInt && n.i < 0:
			return store.Int(-n.i)
		case n.isInt:
			return store.Int(n.i)
		}
		return finite(math.Abs(n.f))
	case "ln", "log10", "exp", "sqrt":
		n, ok := arithNum(args[0])
		if !ok {
			return store.Null
		}
		f := map[string]func(float64) float64{"ln": math.Log, "log10": math.Log10, "exp": math.Exp, "sqrt": math.Sqrt}[name]
		return finite(f(n.f))
	case "pow":
		x, okx := arithNum(args[0])
		y, oky := arithNum(args[1])
		if !okx || !oky {
			return store.Null
		}
		return finite(math.Pow(x.f, y.f))
	case "strftime":
		ns, ok := timeArg(args[0])
		if !ok {
			return store.Null
		}
		return store.Str(strftime(unixTime(ns), args[1].String()))
	case "strptime":
		t, ok := strptime(args[0].String(), args[1].String())
		if !ok {
			return store.Null
		}
		return store.Time(t.UnixNano())
	case "relative_time":
		ns, ok := timeArg(args[0])
		if !ok {
			return store.Null
		}
		t, err := parseTime(args[1].String(), unixTime(ns))
		if err != nil {
			return store.Null
		}
		return store.Time(t.UnixNano())
	}
	panic("BUG: refeval has no function " + name)
}

// backref is \N in a replacement: group N.
var backref = regexp.MustCompile(`\\(\d)`)

// intIfFits is a whole float as an int when it fits in one.
func intIfFits(f float64) store.Value {
	if f >= -9.2e18 && f <= 9.2e18 {
		return store.Int(int64(f))
	}
	return finite(f)
}

// timeArg is a time argument as Unix ns: a time, or a number of Unix
// seconds within the range of times.
func timeArg(v store.Value) (int64, bool) {
	if v.K == store.KindTime {
		return v.I, true
	}
	n, ok := arithNum(v)
	switch {
	case !ok:
		return 0, false
	case n.isInt:
		if n.i > 9.2e9 || n.i < -9.2e9 {
			return 0, false
		}
		return n.i * 1e9, true
	case math.IsNaN(n.f) || math.Abs(n.f) > 9.2e9:
		return 0, false
	}
	return int64(math.Round(n.f * 1e9)), true
}

// substr(s, start[, n]): n characters from start, 1-based; a negative
// start counts from the end, 0 is the first character.
func substr(args []store.Value) store.Value {
	rs := []rune(args[0].String())
	st, ok := arithNum(args[1])
	if !ok {
		return store.Null
	}
	start := int(st.f)
	if st.isInt {
		start = int(max(min(st.i, 1<<40), -1<<40))
	}
	switch {
	case start < 0:
		start = max(len(rs)+start, 0)
	case start > 0:
		start--
	}
	start = min(start, len(rs))
	end := len(rs)
	if len(args) == 3 {
		n, ok := arithNum(args[2])
		if !ok || n.f < 0 {
			return store.Null
		}
		end = min(start+int(min(n.f, 1<<40)), len(rs))
	}
	return store.Str(string(rs[start:end]))
}

// split(s, sep[, n]): the n-th part (1-based, negative from the end, null
// out of range); without n every part, one per line.
func split(args []store.Value) store.Value {
	parts := strings.Split(args[0].String(), args[1].String())
	if len(args) == 2 {
		return store.Str(strings.Join(parts, "\n"))
	}
	n, ok := arithNum(args[2])
	if !ok {
		return store.Null
	}
	i := int(max(min(n.f, 1<<40), -1<<40))
	if i < 0 {
		i += len(parts) + 1
	}
	if i < 1 || i > len(parts) {
		return store.Null
	}
	return store.Str(parts[i-1])
}

// tostring(x[, "hex"|"commas"|"duration"]).
func tostring(args []store.Value) store.Value {
	if len(args) == 1 {
		return store.Str(args[0].String())
	}
	n, ok := arithNum(args[0])
	if !ok {
		return store.Str(args[0].String())
	}
	whole := n.i
	if !n.isInt {
		if !(math.Abs(n.f) < 9.2e18) {
			return store.Null // no whole part an int64 holds
		}
		whole = int64(n.f)
	}
	switch strings.ToLower(args[1].String()) {
	case "hex":
		return store.Str("0x" + strconv.FormatInt(whole, 16))
	case "commas":
		return store.Str(commas(n, whole))
	case "duration":
		sign, s := "", new(big.Int).SetInt64(whole)
		if whole < 0 {
			sign = "-"
			s.Neg(s)
		}
		n := func(div, mod int64) int64 {
			q := new(big.Int).Quo(s, big.NewInt(div))
			if mod > 0 {
				q.Rem(q, big.NewInt(mod))
			}
			return q.Int64()
		}
		hms := two(n(3600, 24)) + ":" + two(n(60, 60)) + ":" + two(n(1, 60))
		if d := n(86400, 0); d > 0 {
			return store.Str(sign + strconv.FormatInt(d, 10) + "+" + hms)
		}
		return store.Str(sign + hms)
	}
	return store.Null
}

func two(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// commas groups the digits of the whole part by three; a fraction gets
// two decimals.
func commas(n num, whole int64) string {
	digits, frac := strconv.FormatInt(whole, 10), ""
	if !n.isInt && n.f != math.Trunc(n.f) {
		f := strconv.FormatFloat(n.f, 'f', 2, 64)
		dot := strings.IndexByte(f, '.')
		digits, frac = f[:dot], f[dot:]
	}
	sign := ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	var groups []string
	for len(digits) > 3 {
		groups = append([]string{digits[len(digits)-3:]}, groups...)
		digits = digits[:len(digits)-3]
	}
	groups = append([]string{digits}, groups...)
	return sign + strings.Join(groups, ",") + frac
}

// tonumber(s[, base]): decimal number text, or digits in base 2..36 ("0x"
// allowed in base 16); an int when whole.
func tonumber(args []store.Value) store.Value {
	s := strings.TrimSpace(args[0].String())
	base := int64(10)
	if len(args) == 2 {
		b, ok := arithNum(args[1])
		if !ok || !b.isInt || b.i < 2 || b.i > 36 {
			return store.Null
		}
		base = b.i
	}
	if base == 16 {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	}
	if i, err := strconv.ParseInt(s, int(base), 64); err == nil {
		return store.Int(i)
	}
	if base != 10 {
		return store.Null
	}
	if f, ok := textNumber(s); ok {
		return finite(f)
	}
	return store.Null
}

// round(x[, n]): half away from zero to n decimals.
func round(args []store.Value) store.Value {
	x, ok := arithNum(args[0])
	if !ok {
		return store.Null
	}
	digits := int64(0)
	if len(args) == 2 {
		d, ok := arithNum(args[1])
		if !ok {
			return store.Null
		}
		digits = int64(d.f)
	}
	if x.isInt && digits >= 0 {
		return store.Int(x.i)
	}
	if digits == 0 {
		return intIfFits(math.Round(x.f))
	}
	p := math.Pow(10, float64(digits))
	return finite(math.Round(x.f*p) / p)
}
