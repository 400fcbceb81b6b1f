package query

import (
	"strconv"
	"strings"

	"loghunt/store"
)

// Type tests. As everywhere in loghunt, text written as a decimal number
// is a number (a field extracted as "42" is one, as in Splunk), so isnum
// and isstr never both hold; null is none of them.
func init() {
	for name, def := range map[string]funcDef{
		"isnum": {1, 1, strict(func(v []store.Value) store.Value { return store.Bool(isNumValue(v[0])) })},
		"isint": {1, 1, strict(func(v []store.Value) store.Value { return store.Bool(isIntValue(v[0])) })},
		"isstr": {1, 1, strict(func(v []store.Value) store.Value {
			return store.Bool(v[0].K == store.KindString && !isNumValue(v[0]))
		})},
	} {
		funcs[name] = def
	}
}

// isNumValue: ints, floats, times (Unix seconds) and number text; not
// bools, which are true or false.
func isNumValue(v store.Value) bool {
	switch v.K {
	case store.KindInt, store.KindFloat, store.KindTime:
		return true
	case store.KindString:
		_, ok := toExprNum(v)
		return ok
	}
	return false
}

// isIntValue: ints, times on a whole second, and text of a whole number
// without a decimal point or exponent ("42", "-7"; not "4.0" or "1e3").
func isIntValue(v store.Value) bool {
	switch v.K {
	case store.KindInt:
		return true
	case store.KindTime:
		return v.I%1e9 == 0
	case store.KindString:
		_, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64)
		return err == nil
	}
	return false
}
