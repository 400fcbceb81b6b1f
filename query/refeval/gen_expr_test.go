package refeval

import (
	"strconv"
	"strings"

	"loghunt/store"
)

// expr makes an expression for where and eval.
func (g *gen) expr(s schema, depth int) string {
	if depth <= 0 {
		return g.atom(s)
	}
	switch g.pick(14) {
	case 0, 1:
		return g.atom(s)
	case 2, 3:
		return g.operand(s, depth) + " " + pickOf(g, []string{"+", "-", "*", "/", "%", "+"}) + " " + g.operand(s, depth)
	case 4, 5:
		return g.operand(s, depth) + " " + pickOf(g, []string{"=", "==", "!=", "<", "<=", ">", ">="}) + " " + g.operand(s, depth)
	case 6:
		return g.operand(s, depth) + pickOf(g, []string{" AND ", " OR ", " and ", " or "}) + g.operand(s, depth)
	case 7:
		return "NOT " + g.operand(s, depth)
	case 8:
		not := ""
		if g.chance(0.3) {
			not = "NOT "
		}
		return g.operand(s, depth) + " " + not + "LIKE " + quote(pickOf(g, []string{"%a%", "r%", "%t", "_o%", "%", "", "10", "%.%", `%\%%`, "A%", "%1%"}))
	case 9:
		var list []string
		for n := 1 + g.pick(3); n > 0; n-- {
			list = append(list, g.atom(s))
		}
		not := ""
		if g.chance(0.3) {
			not = "NOT "
		}
		return g.operand(s, depth) + " " + not + "IN (" + strings.Join(list, ", ") + ")"
	case 10:
		return "-" + g.operand(s, depth)
	}
	return g.call(s, depth-1)
}

// operand is an atom or a parenthesized expression.
func (g *gen) operand(s schema, depth int) string {
	if g.chance(0.5) {
		return g.atom(s)
	}
	if g.chance(0.5) {
		return g.call(s, depth-1)
	}
	return "(" + g.expr(s, depth-1) + ")"
}

func (g *gen) atom(s schema) string {
	switch g.pick(10) {
	case 0, 1, 2, 3:
		return exprField(g.field(s))
	case 4:
		return pickOf(g, []string{"0", "1", "2", "3", "-1", "10", "100", "7", "1000000", "9223372036854775807", "4611686018427387904", "12"})
	case 5:
		return pickOf(g, []string{"0.5", "1.5", "2.25", "1e3", "3.0", "0.1", "1e-3", "123.456"})
	case 6:
		return pickOf(g, []string{"true", "false", "null", "5m", "1h", "30s", "500ms", "1d"})
	}
	v := g.value(g.field(s))
	if g.chance(0.3) {
		v = store.Str(pickOf(g, []string{"nan", "inf", "", "10", "007", " 5 ", "1e3", "root", "a", "x y", "true", "0x1f", "-2.5"}))
	}
	switch v.K {
	case store.KindInt:
		if v.I >= 0 {
			return strconv.FormatInt(v.I, 10)
		}
	case store.KindFloat:
		if v.F >= 0 && v.F < 1e15 && v.F > 1e-6 {
			return strconv.FormatFloat(v.F, 'f', -1, 64)
		}
	}
	return quote(v.String())
}

var (
	regexLits = []string{`\d+`, `^r`, `(?i)fail`, `\.`, `[aeiou]`, `x$`, `^$`, `(\w+)@(\w+)`, `\s`, `(\d+)`}
	timeFmts  = []string{"%Y-%m-%d", "%F %T", "%H:%M:%S", "%s", "%Y-%m-%dT%H:%M:%S%z", "%d %b %Y", "%j %a %A %B %e",
		"%I %p %u %w", "%3N %6N %N %f", "%D %R %y %Z %:z %%", "%Y%m%d%H%M%S", "%q"}
	ptimeFmts = []string{"%Y-%m-%d", "%F %T", "%H:%M:%S", "%s", "%Y-%m-%dT%H:%M:%S%z", "%d %b %Y", "%Y%m%d %H%M%S"}
	relSpecs  = []string{"-1d", "@d", "-1d@d", "+8h", "@w1", "-15m", "@h", "now", "-1mon", "@y", "+1y", "@mon", "-2w@w"}
	cidrs     = []string{"10.0.0.0/8", "192.168.0.0/16", "10.1.2.0/24", "2001:db8::/32", "0.0.0.0/0", "8.8.8.8/32", "172.16.0.0/12"}
)

func (g *gen) call(s schema, depth int) string {
	a := func() string { return g.expr(s, depth) }
	f := func() string { return exprField(g.field(s)) }
	t := func() string {
		if s.hasTime && g.chance(0.6) {
			return "_time"
		}
		return pickOf(g, []string{f(), "1700000000", "1700000000.5", "now()", `"1700000100"`, "when"})
	}
	switch g.pick(37) {
	case 0:
		return "if(" + a() + ", " + a() + ", " + a() + ")"
	case 1:
		n := 1 + g.pick(2)
		var args []string
		for i := 0; i < n; i++ {
			args = append(args, a(), a())
		}
		if g.chance(0.5) {
			args = append(args, "true", a())
		}
		return "case(" + strings.Join(args, ", ") + ")"
	case 2:
		return "coalesce(" + f() + ", " + a() + ")"
	case 3:
		return pickOf(g, []string{"isnull", "isnotnull", "typeof"}) + "(" + a() + ")"
	case 4:
		return pickOf(g, []string{"len", "lower", "upper"}) + "(" + a() + ")"
	case 5:
		args := f() + ", " + pickOf(g, []string{"1", "2", "0", "-1", "-3", "5", "1.5"})
		if g.chance(0.6) {
			args += ", " + pickOf(g, []string{"0", "1", "3", "100", "-1"})
		}
		return "substr(" + args + ")"
	case 6:
		return "replace(" + a() + ", " + quote(pickOf(g, regexLits)) + ", " + quote(pickOf(g, []string{"x", `\1`, "$1", "", "<$0>"})) + ")"
	case 7:
		args := f() + ", " + quote(pickOf(g, []string{" ", ".", "/", ":", "=", "", "a"}))
		if g.chance(0.7) {
			args += ", " + pickOf(g, []string{"1", "2", "-1", "0", "5", "-2"})
		}
		return "split(" + args + ")"
	case 8:
		fn := pickOf(g, []string{"trim", "ltrim", "rtrim"})
		if g.chance(0.5) {
			return fn + "(" + a() + ")"
		}
		return fn + "(" + a() + ", " + quote(pickOf(g, []string{"/", "0", "ab", " x", "."})) + ")"
	case 9:
		return "match(" + a() + ", " + quote(pickOf(g, regexLits)) + ")"
	case 10, 11:
		cidr := quote(pickOf(g, cidrs))
		if g.chance(0.2) {
			cidr = f()
		}
		return "cidrmatch(" + cidr + ", " + pickOf(g, []string{"ip", f(), `"10.1.2.3"`, "src_ip", "clientip", "id.orig_h"}) + ")"
	case 12:
		if g.chance(0.4) {
			return "tostring(" + a() + ")"
		}
		return "tostring(" + a() + ", " + quote(pickOf(g, []string{"hex", "commas", "duration", "HEX", "other"})) + ")"
	case 13:
		if g.chance(0.6) {
			return "tonumber(" + a() + ")"
		}
		return "tonumber(" + a() + ", " + pickOf(g, []string{"16", "2", "8", "36", "10", "1", "37"}) + ")"
	case 14:
		if g.chance(0.5) {
			return "round(" + a() + ")"
		}
		return "round(" + a() + ", " + pickOf(g, []string{"0", "1", "2", "-1", "3"}) + ")"
	case 15:
		return pickOf(g, []string{"floor", "ceil", "abs"}) + "(" + a() + ")"
	case 16:
		return pickOf(g, []string{"ln", "log10", "exp", "sqrt"}) + "(" + a() + ")"
	case 17:
		return "pow(" + a() + ", " + pickOf(g, []string{"2", "0.5", "-1", "10", "0"}) + ")"
	case 18:
		fn := pickOf(g, []string{"min", "max"})
		args := []string{a()}
		for n := g.pick(3); n > 0; n-- {
			args = append(args, a())
		}
		return fn + "(" + strings.Join(args, ", ") + ")"
	case 19:
		return "now()"
	case 20, 21:
		return "strftime(" + t() + ", " + quote(pickOf(g, timeFmts)) + ")"
	case 22:
		fm := pickOf(g, ptimeFmts)
		if g.chance(0.6) {
			return "strptime(strftime(" + t() + ", " + quote(fm) + "), " + quote(fm) + ")"
		}
		return "strptime(" + a() + ", " + quote(fm) + ")"
	case 23:
		return "relative_time(" + t() + ", " + quote(pickOf(g, relSpecs)) + ")"
	case 24:
		return "isnull(" + f() + ")"
	case 25:
		return "len(" + f() + ")"
	case 26:
		return "typeof(" + f() + ")"
	case 27:
		return f() + " - " + t()
	case 28:
		return "_time + " + pickOf(g, []string{"60", "1.5", "-3600", "5m", `"10"`})
	case 29:
		return pickOf(g, []string{"md5", "sha1", "sha256", "base64encode", "urldecode", "entropy"}) + "(" + a() + ")"
	case 30:
		if g.chance(0.5) {
			return "base64decode(base64encode(" + a() + "))"
		}
		return "base64decode(" + pickOf(g, []string{f(), `"Zm9vYg"`, `"Zm9v=YmFy"`, `" Zg== "`, `"-_8"`, `"a"`}) + ")"
	case 31:
		return pickOf(g, []string{"isnum", "isint", "isstr"}) + "(" + a() + ")"
	case 32:
		mask := quote(pickOf(g, []string{"255.255.255.0", "255.255.0.0", "255.0.255.0", "0.0.0.0", "ffff:ffff::"}))
		return "ipmask(" + mask + ", " + pickOf(g, []string{"ip", f(), `"10.1.2.3"`, "src_ip", "clientip", "id_orig_h", "id.orig_h"}) + ")"
	case 33:
		doc := pickOf(g, []string{"_raw", f(), `"{\"a\":{\"b\":[1,{\"c\":\"x\"}]},\"d\":2.5}"`})
		if g.chance(0.2) {
			return "json_keys(" + doc + ")"
		}
		if g.chance(0.2) {
			return "json_extract(" + doc + ", " + quote(pickOf(g, []string{"uid", "a.b{0}", "d"})) + ", " + quote(pickOf(g, []string{"proto", "id_orig_h", "nosuch", "d"})) + ")"
		}
		return "json_extract(" + doc + ", " + quote(pickOf(g, []string{"uid", "id_orig_h", "a", "a.b{1}.c", "a.b{1}", "answers{0}", "query", "TTLs{0}", "nosuch", "d"})) + ")"
	case 34:
		mv := pickOf(g, []string{"split(" + f() + ", " + quote(pickOf(g, []string{" ", ".", "/", ":", "", "a"})) + ")", a(), f()})
		switch g.pick(4) {
		case 0:
			return "mvcount(" + mv + ")"
		case 1:
			return "mvjoin(" + mv + ", " + quote(pickOf(g, []string{",", "", " | "})) + ")"
		case 2:
			return "mvdedup(" + mv + ")"
		}
		idx := pickOf(g, []string{"0", "1", "-1", "2", "-3", "9", "1.5", `"1"`, "true"})
		if g.chance(0.5) {
			idx += ", " + pickOf(g, []string{"0", "1", "-1", "3", "99", "-9"})
		}
		return "mvindex(" + mv + ", " + idx + ")"
	case 36:
		fm := pickOf(g, []string{"%s", "%d", "%5d", "%-6s|", "%05d", "%.2f", "%x", "%d%%", "[%s] %d", "%8.3f", "%-4d|%s", "%f"})
		args := []string{quote(fm)}
		for n := strings.Count(fm, "%") - 2*strings.Count(fm, "%%"); n > 0; n-- {
			args = append(args, a())
		}
		if g.chance(0.1) {
			args = args[:len(args)-1] // an argument missing
		}
		return "printf(" + strings.Join(args, ", ") + ")"
	case 35:
		x := f()
		return "mvfilter(" + pickOf(g, []string{"match(" + x + ", " + quote(pickOf(g, regexLits)) + ")", x + ` != "a"`, "len(" + x + ") > 3", x + " > 10", "isnum(" + x + ")"}) + ")"
	}
	return f() + " " + pickOf(g, []string{"+", "*", "-", "/"}) + " " + pickOf(g, []string{"1", "2", "0", "-1", "1.5", `"1"`, `"a"`})
}
