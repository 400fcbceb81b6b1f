package refeval

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// convert applies Splunk's convert functions, left to right, each
// writing its field's converted value into the as field (else the field
// itself). A null stays null; a value a function cannot convert is kept,
// except by num, which makes it null.
func convert(c *query.ConvertCmd, rows []Row) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		o := r.Clone()
		for _, v := range c.Convs {
			o.Set(v.Output(), convertOne(string(v.Func), c.TimeFormat, o.Get(v.Field.Name)))
		}
		out[i] = o
	}
	return out
}

var (
	commaNumber = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)
	leadingNum  = regexp.MustCompile(`^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)`)
	memSize     = regexp.MustCompile(`^(\d+\.?\d*|\.\d+)([kKmMgG]?)$`)
	clockDur    = regexp.MustCompile(`^(?:(\d+)\+)?(\d+):(\d\d?):(\d\d?(?:\.\d+)?)$`)
)

// numberOf is text written as a number (finite) as a number: an int when
// its text is a whole number that fits, else a float.
func numberOf(s string) (store.Value, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return store.Int(i), true
	}
	if f, ok := textNumber(s); ok && !math.IsInf(f, 0) {
		return store.Float(f), true
	}
	return store.Null, false
}

// autoNumber is auto's reading: a number as it is; text with thousands
// separators without them; other text when it is written as a number.
func autoNumber(v store.Value) (store.Value, bool) {
	switch v.K {
	case store.KindInt, store.KindFloat:
		return v, true
	case store.KindString:
		s := v.S
		if commaNumber.MatchString(s) {
			s = strings.ReplaceAll(s, ",", "")
		}
		return numberOf(s)
	}
	return store.Null, false
}

// seconds is a float of whole seconds as an int when it is whole.
func seconds(f float64) store.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return store.Int(int64(f))
	}
	return store.Float(f)
}

func convertOne(fn, format string, v store.Value) store.Value {
	if v.K == store.KindNull {
		return v
	}
	text := v.String()
	switch fn {
	case "auto":
		if n, ok := autoNumber(v); ok {
			return n
		}
	case "num":
		n, _ := autoNumber(v)
		return n
	case "rmcomma":
		if v.K == store.KindString {
			s := strings.ReplaceAll(v.S, ",", "")
			if n, ok := numberOf(s); ok {
				return n
			}
			return store.Str(s)
		}
	case "rmunit":
		if v.K == store.KindString {
			if m := leadingNum.FindStringSubmatch(v.S); m != nil {
				if n, ok := numberOf(m[1]); ok {
					return n
				}
			}
		}
	case "memk":
		if m := memSize.FindStringSubmatch(text); m != nil {
			if f, err := strconv.ParseFloat(m[1], 64); err == nil {
				switch strings.ToLower(m[2]) {
				case "m":
					f *= 1024
				case "g":
					f *= 1 << 20
				}
				return seconds(f)
			}
		}
	case "dur2sec":
		if m := clockDur.FindStringSubmatch(text); m != nil {
			var total float64
			for i, unit := range []float64{86400, 3600, 60, 1} {
				if m[i+1] != "" {
					f, _ := strconv.ParseFloat(m[i+1], 64)
					total += f * unit
				}
			}
			return seconds(total)
		}
	case "ctime":
		if ns, ok := timeArg(v); ok {
			return store.Str(strftime(unixTime(ns), format))
		}
	case "mktime":
		if v.K == store.KindString {
			if t, ok := strptime(v.S, format); ok {
				ns := t.UnixNano()
				if ns%1e9 == 0 {
					return store.Int(ns / 1e9)
				}
				return store.Float(float64(ns) / 1e9)
			}
		}
	}
	return v
}
