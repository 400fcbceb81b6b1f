package query

import (
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"loghunt/store"
)

// String functions. Null in gives null out; other values are used in
// their printed form (store.Value.String). Lengths and positions count
// characters, not bytes.
func init() {
	for name, def := range map[string]funcDef{
		"len":       {1, 1, strict1(func(v store.Value) store.Value { return store.Int(int64(utf8.RuneCountInString(v.String()))) })},
		"lower":     {1, 1, strict1(func(v store.Value) store.Value { return store.Str(strings.ToLower(v.String())) })},
		"upper":     {1, 1, strict1(func(v store.Value) store.Value { return store.Str(strings.ToUpper(v.String())) })},
		"substr":    {2, 3, strict(fnSubstr)},
		"split":     {2, 3, strict(fnSplit)},
		"trim":      {1, 2, strict(trimWith(strings.Trim))},
		"ltrim":     {1, 2, strict(trimWith(strings.TrimLeft))},
		"rtrim":     {1, 2, strict(trimWith(strings.TrimRight))},
		"replace":   {3, 3, buildReplace},
		"match":     {2, 2, buildMatch},
		"cidrmatch": {2, 2, buildCIDRMatch},
		"tostring":  {1, 2, strict(fnToString)},
		"tonumber":  {1, 2, strict(fnToNumber)},
	} {
		funcs[name] = def
	}
}

// strict1 builds a one-argument function that is null on null.
func strict1(f func(store.Value) store.Value) func(*fnBuild) (exprNode, *posError) {
	return strict(func(v []store.Value) store.Value {
		if v[0].IsNull() {
			return store.Null
		}
		return f(v[0])
	})
}

func anyNullValue(vals []store.Value) bool {
	for _, v := range vals {
		if v.IsNull() {
			return true
		}
	}
	return false
}

// substr(s, start[, n]): start is 1-based; a negative start counts from
// the end (-1 is the last character); 0 counts as 1.
func fnSubstr(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	r := []rune(v[0].String())
	start, ok := toExprNum(v[1])
	if !ok {
		return store.Null
	}
	i := int(start.f)
	switch {
	case i < 0:
		i = max(len(r)+i, 0)
	case i > 0:
		i--
	}
	i = min(i, len(r))
	end := len(r)
	if len(v) == 3 {
		n, ok := toExprNum(v[2])
		if !ok || n.f < 0 {
			return store.Null
		}
		end = min(i+int(n.f), len(r))
	}
	return store.Str(string(r[i:end]))
}

// split(s, sep[, n]): loghunt has no multivalue fields, so with n it is
// the n-th part (1-based, negative from the end, null when out of range)
// and without n the parts one per line.
func fnSplit(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	parts := strings.Split(v[0].String(), v[1].String())
	if len(v) == 2 {
		return store.Str(strings.Join(parts, "\n"))
	}
	n, ok := toExprNum(v[2])
	if !ok {
		return store.Null
	}
	i := int(n.f)
	if i < 0 {
		i += len(parts) + 1
	}
	if i < 1 || i > len(parts) {
		return store.Null
	}
	return store.Str(parts[i-1])
}

// trimWith makes trim, ltrim and rtrim: (s[, chars]), whitespace by default.
func trimWith(f func(s, cutset string) string) func([]store.Value) store.Value {
	return func(v []store.Value) store.Value {
		if anyNullValue(v) {
			return store.Null
		}
		cut := " \t\r\n"
		if len(v) == 2 {
			cut = v[1].String()
		}
		return store.Str(f(v[0].String(), cut))
	}
}

// backref matches Splunk-style \1 in a replacement.
var backref = regexp.MustCompile(`\\(\d)`)

// buildReplace is replace(s, regex, replacement); \1 or $1 in the
// replacement is a group.
func buildReplace(fb *fnBuild) (exprNode, *posError) {
	re, err := fb.constRegex(1)
	if err != nil {
		return nil, err
	}
	return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
		if anyNullValue(v) {
			return store.Null
		}
		repl := backref.ReplaceAllString(v[2].String(), "$${$1}")
		return store.Str(re.ReplaceAllString(v[0].String(), repl))
	}}, nil
}

// buildMatch is match(s, regex): whether the regex matches somewhere in s.
func buildMatch(fb *fnBuild) (exprNode, *posError) {
	re, err := fb.constRegex(1)
	if err != nil {
		return nil, err
	}
	return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
		if v[0].IsNull() {
			return store.Null
		}
		return store.Bool(re.MatchString(v[0].String()))
	}}, nil
}

// buildCIDRMatch is cidrmatch(cidr, ip): a literal CIDR is checked here.
func buildCIDRMatch(fb *fnBuild) (exprNode, *posError) {
	if s, ok := fb.constString(0); ok {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, errorAtPos(fb.call.Args[0].Pos, "bad CIDR %q", s)
		}
		p = p.Masked()
		return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
			return cidrContains(p, v[1])
		}}, nil
	}
	return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
		if v[0].IsNull() || v[1].IsNull() {
			return store.Null // as with a literal CIDR, whatever this one is
		}
		p, err := netip.ParsePrefix(v[0].String())
		if err != nil {
			return store.Bool(false)
		}
		return cidrContains(p.Masked(), v[1])
	}}, nil
}

func cidrContains(p netip.Prefix, ip store.Value) store.Value {
	if ip.IsNull() {
		return store.Null
	}
	a, err := netip.ParseAddr(ip.String())
	if err != nil {
		return store.Bool(false)
	}
	return store.Bool(p.Contains(a.Unmap()))
}

// tostring(x[, fmt]): fmt "hex" (integers), "commas" (thousands
// separators, 2 decimals for fractions) or "duration" (seconds as
// [D+]HH:MM:SS).
func fnToString(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	if len(v) == 1 {
		return store.Str(v[0].String())
	}
	n, ok := toExprNum(v[0])
	if !ok {
		return store.Str(v[0].String())
	}
	// The whole part, exactly for an int (a float holds 53 bits of it);
	// a float past the int64 range has none to format.
	whole := n.i
	if !n.isInt {
		if !(math.Abs(n.f) < 9.2e18) {
			return store.Null
		}
		whole = int64(n.f)
	}
	switch strings.ToLower(v[1].String()) {
	case "hex":
		return store.Str("0x" + strconv.FormatInt(whole, 16))
	case "commas":
		return store.Str(formatCommas(n, whole))
	case "duration":
		return store.Str(formatHMS(whole))
	}
	return store.Null
}

func formatCommas(n exprNum, whole int64) string {
	s := strconv.FormatInt(whole, 10)
	frac := ""
	if !n.isInt && n.f != float64(int64(n.f)) {
		f := strconv.FormatFloat(n.f, 'f', 2, 64)
		s, frac = f[:strings.IndexByte(f, '.')], f[strings.IndexByte(f, '.'):]
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String() + frac
}

func formatHMS(secs int64) string {
	sign, sec := "", uint64(secs)
	if secs < 0 {
		sign, sec = "-", -uint64(secs) // the smallest int's magnitude too
	}
	d, h, m, s := sec/86400, sec/3600%24, sec/60%60, sec%60
	hms := strconv.FormatUint(100+h, 10)[1:] + ":" + strconv.FormatUint(100+m, 10)[1:] + ":" + strconv.FormatUint(100+s, 10)[1:]
	if d > 0 {
		return sign + strconv.FormatUint(d, 10) + "+" + hms
	}
	return sign + hms
}

// tonumber(s[, base]): an int when s is whole in base (2 to 36, default
// 10; "0x" allowed with base 16), else a float; null when s is not a number.
func fnToNumber(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	s := strings.TrimSpace(v[0].String())
	base := 10
	if len(v) == 2 {
		b, ok := toExprNum(v[1])
		if !ok || !b.isInt || b.i < 2 || b.i > 36 {
			return store.Null
		}
		base = int(b.i)
	}
	if base == 16 {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	}
	if i, err := strconv.ParseInt(s, base, 64); err == nil {
		return store.Int(i)
	}
	if base != 10 {
		return store.Null
	}
	f, ok := store.ParseNumber(s) // decimal number text: not "nan", "inf" or "1_000"
	if !ok {
		return store.Null
	}
	return floatOrNull(f)
}
