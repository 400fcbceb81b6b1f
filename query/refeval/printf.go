package refeval

import (
	"math"
	"strconv"
	"strings"

	"loghunt/store"
)

// refPrintf formats the conversions the generator writes (%s %d %f %x %%
// with -, 0 and ' (thousands) flags, a width and a precision), as C's printf: null when
// an argument is missing or null, or a number conversion gets text that is
// not a number.
func refPrintf(format string, args []store.Value) store.Value {
	var out strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			out.WriteByte(format[i])
			continue
		}
		i++
		if format[i] == '%' {
			out.WriteByte('%')
			continue
		}
		left, zero, group := false, false, false
		for ; format[i] == '-' || format[i] == '0' || format[i] == '\''; i++ {
			left = left || format[i] == '-'
			zero = zero || format[i] == '0'
			group = group || format[i] == '\''
		}
		width, prec := 0, -1
		for ; format[i] >= '0' && format[i] <= '9'; i++ {
			width = width*10 + int(format[i]-'0')
		}
		if format[i] == '.' {
			prec = 0
			for i++; format[i] >= '0' && format[i] <= '9'; i++ {
				prec = prec*10 + int(format[i]-'0')
			}
		}
		if len(args) == 0 || args[0].K == store.KindNull {
			return store.Null
		}
		v := args[0]
		args = args[1:]
		var s string
		switch format[i] {
		case 's':
			s = v.String()
			zero = false
		case 'd', 'x', 'f':
			var n num
			ok := true
			if v.K == store.KindTime {
				n = num{f: float64(v.I) / 1e9, isInt: v.I%1e9 == 0, i: v.I / 1e9}
			} else {
				n, ok = arithNum(v)
			}
			if !ok {
				return store.Null
			}
			whole := n.i
			if !n.isInt {
				whole = int64(math.Max(math.Min(n.f, 9.2e18), -9.2e18))
			}
			switch format[i] {
			case 'd':
				s = strconv.FormatInt(whole, 10)
			case 'x':
				s = strconv.FormatUint(uint64(whole), 16)
			default:
				if math.IsInf(n.f, 0) || math.IsNaN(n.f) {
					return store.Null
				}
				if prec < 0 {
					prec = 6
				}
				s = strconv.FormatFloat(n.f, 'f', prec, 64)
			}
		}
		if group && (format[i] == 'd' || format[i] == 'f') {
			s, zero = groupDigits(s), false // grouped numbers pad with spaces
		}
		pad := width - len([]rune(s))
		switch {
		case pad <= 0:
		case left:
			s += strings.Repeat(" ", pad)
		case zero && strings.HasPrefix(s, "-"):
			s = "-" + strings.Repeat("0", pad) + s[1:]
		case zero:
			s = strings.Repeat("0", pad) + s
		default:
			s = strings.Repeat(" ", pad) + s
		}
		out.WriteString(s)
	}
	return store.Str(out.String())
}

// groupDigits puts commas between the thousands of a number's whole part.
func groupDigits(s string) string {
	sign, digits, frac := "", s, ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	if dot := strings.IndexByte(digits, '.'); dot >= 0 {
		digits, frac = digits[:dot], digits[dot:]
	}
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + "," + digits[i:]
	}
	return sign + digits + frac
}
