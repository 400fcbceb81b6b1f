package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"loghunt/store"
)

func init() {
	funcs["printf"] = funcDef{1, -1, buildPrintf}
}

// printfSpec is one piece of a printf format: literal text, or a
// conversion with its flags, width and precision (-1 when not given; -2
// for * taken from the arguments).
type printfSpec struct {
	lit         string
	verb        byte // 0 for literal text
	flags       string
	width, prec int
}

// parsePrintf splits a format into its pieces, or says what is wrong and
// at which byte.
func parsePrintf(f string) ([]printfSpec, int, error) {
	var out []printfSpec
	var lit strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			lit.WriteByte(f[i])
			continue
		}
		start := i
		i++
		if i < len(f) && f[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		sp := printfSpec{width: -1, prec: -1}
		for i < len(f) && strings.IndexByte("-+ 0#'", f[i]) >= 0 {
			if strings.IndexByte(sp.flags, f[i]) < 0 {
				sp.flags += string(f[i])
			}
			i++
		}
		sp.width, i = printfNumber(f, i)
		if i < len(f) && f[i] == '.' {
			i++
			sp.prec, i = printfNumber(f, i)
			if sp.prec == -1 {
				sp.prec = 0
			}
		}
		for i < len(f) && strings.IndexByte("hlLjzt", f[i]) >= 0 {
			i++ // C's length modifiers say nothing here: values carry their size
		}
		if i >= len(f) {
			return nil, start, fmt.Errorf("the format ends inside the conversion %q", f[start:])
		}
		if strings.IndexByte("diufFeEgGxXosc", f[i]) < 0 {
			r, _ := utf8.DecodeRuneInString(f[i:])
			return nil, start, fmt.Errorf("printf has no conversion %%%c (it takes %%s %%d %%i %%u %%f %%e %%g %%x %%X %%o %%c %%%%)", r)
		}
		sp.verb = f[i]
		if lit.Len() > 0 {
			out = append(out, printfSpec{lit: lit.String()})
			lit.Reset()
		}
		out = append(out, sp)
	}
	if lit.Len() > 0 {
		out = append(out, printfSpec{lit: lit.String()})
	}
	return out, 0, nil
}

// printfNumber reads a width or precision at i: digits, * (-2) or none (-1).
func printfNumber(f string, i int) (int, int) {
	if i < len(f) && f[i] == '*' {
		return -2, i + 1
	}
	j := i
	for j < len(f) && f[j] >= '0' && f[j] <= '9' && j-i < 4 {
		j++
	}
	if j == i {
		return -1, i
	}
	n, _ := strconv.Atoi(f[i:j])
	return n, j
}

// buildPrintf is printf(format, args...): a literal format is checked
// here, with the column of the bad conversion.
func buildPrintf(fb *fnBuild) (exprNode, *posError) {
	if f, ok := fb.constString(0); ok {
		specs, at, err := parsePrintf(f)
		if err != nil {
			return nil, errorfAt(fb.call.Args[0].Pos.Offset+1+at, "%v", err)
		}
		return &strictNode{args: fb.args, f: func(v []store.Value) store.Value { return runPrintf(specs, v[1:]) }}, nil
	}
	return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
		if v[0].IsNull() {
			return store.Null
		}
		specs, _, err := parsePrintf(v[0].String())
		if err != nil {
			return store.Null
		}
		return runPrintf(specs, v[1:])
	}}, nil
}

// runPrintf formats args as C's printf does. It is null when an argument
// it takes is null or missing, or a number conversion gets text that is
// not a number.
func runPrintf(specs []printfSpec, args []store.Value) store.Value {
	var b strings.Builder
	next := func() (store.Value, bool) {
		if len(args) == 0 || args[0].IsNull() {
			return store.Null, false
		}
		v := args[0]
		args = args[1:]
		return v, true
	}
	for _, sp := range specs {
		if sp.verb == 0 {
			b.WriteString(sp.lit)
			continue
		}
		if sp.width == -2 || sp.prec == -2 {
			for _, p := range []*int{&sp.width, &sp.prec} {
				if *p != -2 {
					continue
				}
				v, ok := next()
				n, isNum := toExprNum(v)
				if !ok || !isNum {
					return store.Null
				}
				*p = int(max(min(n.f, 1000), -1000))
				if p == &sp.width && *p < 0 {
					sp.flags, *p = sp.flags+"-", -*p
				}
				if p == &sp.prec && *p < 0 {
					*p = -1
				}
			}
		}
		v, ok := next()
		if !ok {
			return store.Null
		}
		s, ok := printfOne(sp, v)
		if !ok {
			return store.Null
		}
		b.WriteString(s)
	}
	return store.Str(b.String())
}

// printfOne formats one value.
func printfOne(sp printfSpec, v store.Value) (string, bool) {
	thousands := strings.IndexByte(sp.flags, '\'') >= 0
	flags := strings.ReplaceAll(sp.flags, "'", "")
	verb := sp.verb
	var arg any
	switch verb {
	case 's':
		arg = v.String()
	case 'c':
		if n, ok := toExprNum(v); ok && v.K != store.KindString {
			arg, verb = rune(n.i), 'c'
			if !n.isInt {
				arg = rune(int64(n.f))
			}
		} else {
			r, _ := utf8.DecodeRuneInString(v.String())
			arg = r
		}
	default:
		n, ok := printfNum(v)
		if !ok {
			return "", false
		}
		switch verb {
		case 'd', 'i':
			verb, arg = 'd', n.int()
		case 'u', 'x', 'X', 'o':
			u := uint64(n.int())
			if verb == 'u' {
				verb = 'd'
			}
			flags = strings.NewReplacer("+", "", " ", "").Replace(flags) // signs are for signed conversions
			if u == 0 && verb != 'o' {
				flags = strings.ReplaceAll(flags, "#", "") // C writes 0, not 0x0
			}
			arg = u
		default:
			if math.IsInf(n.f, 0) || math.IsNaN(n.f) {
				return "", false
			}
			if verb == 'F' {
				verb = 'f'
			}
			if (verb == 'g' || verb == 'G') && sp.prec < 0 {
				sp.prec = 6 // C's default; Go's %g alone is the shortest form
			}
			arg = n.f
		}
	}
	if verb == 's' || verb == 'c' {
		flags = strings.NewReplacer("0", "", "+", "", " ", "", "#", "").Replace(flags)
	}
	spec := "%" + flags
	if thousands {
		spec = "%" + strings.NewReplacer("0", "", "-", "").Replace(flags)
	} else if sp.width >= 0 {
		spec += strconv.Itoa(sp.width)
	}
	if sp.prec >= 0 {
		spec += "." + strconv.Itoa(sp.prec)
	}
	out := fmt.Sprintf(spec+string(verb), arg)
	if sp.prec == 0 && (arg == int64(0) || arg == uint64(0)) {
		out = zeroNoDigits(flags, verb, sp.width)
	}
	if thousands && (verb == 'd' || verb == 'f') {
		out = groupThousands(out)
	}
	if thousands && sp.width > utf8.RuneCountInString(out) {
		pad := strings.Repeat(" ", sp.width-utf8.RuneCountInString(out))
		if strings.IndexByte(flags, '-') >= 0 {
			out += pad
		} else {
			out = pad + out
		}
	}
	return out, true
}

// printfArg is a value as printf's number conversions take it: ints
// stay exact, times are Unix seconds.
type printfArg struct{ exprNum }

func (n printfArg) int() int64 {
	if n.isInt {
		return n.i
	}
	switch {
	case n.f >= 9.2e18:
		return math.MaxInt64
	case n.f <= -9.2e18:
		return math.MinInt64
	}
	return int64(n.f) // toward zero
}

func printfNum(v store.Value) (printfArg, bool) {
	if v.K == store.KindTime {
		if v.I%1e9 == 0 {
			return printfArg{exprNum{i: v.I / 1e9, f: float64(v.I / 1e9), isInt: true}}, true
		}
		return printfArg{exprNum{f: float64(v.I) / 1e9}}, true
	}
	n, ok := toExprNum(v)
	return printfArg{n}, ok
}

// groupThousands puts commas between the groups of three digits of the
// first run of digits in s (the whole part of a number).
func groupThousands(s string) string {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	digits := s[i:j]
	var b strings.Builder
	for k := range len(digits) {
		if k > 0 && (len(digits)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[k])
	}
	return s[:i] + b.String() + s[j:]
}

// zeroNoDigits is C's 0 with precision 0: no digits, but the sign flag's
// character and #o's 0 are written, then padded to the width.
func zeroNoDigits(flags string, verb byte, width int) string {
	out := ""
	switch {
	case verb == 'd' && strings.IndexByte(flags, '+') >= 0:
		out = "+"
	case verb == 'd' && strings.IndexByte(flags, ' ') >= 0:
		out = " "
	case verb == 'o' && strings.IndexByte(flags, '#') >= 0:
		out = "0"
	}
	if pad := width - len(out); pad > 0 {
		if strings.IndexByte(flags, '-') >= 0 {
			return out + strings.Repeat(" ", pad)
		}
		return strings.Repeat(" ", pad) + out
	}
	return out
}
