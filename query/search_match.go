package query

import (
	"strings"

	"loghunt/store"
)

// MatchValue reports whether a field value satisfies a TermCompare or
// TermIn. A null value (a missing field) never matches, not even `!=`.
// `=` and `!=`: with '*' a case-insensitive wildcard match of the printed
// value; else equal as numbers when both are numbers, else equal as
// strings ignoring ASCII case. `<` `<=` `>` `>=`: as numbers when both are
// numbers, else as strings (by bytes).
func (t *Term) MatchValue(v store.Value) bool {
	if v.IsNull() {
		return false
	}
	switch {
	case t.Kind == TermIn:
		for _, want := range t.Values {
			n, isNum := parseNum(want)
			if valueEquals(want, n, isNum, v) {
				return true
			}
		}
		return false
	case t.Op == "=":
		return valueEquals(t.Value, t.num, t.isNum, v)
	case t.Op == "!=":
		return !valueEquals(t.Value, t.num, t.isNum, v)
	}
	c := 0
	if f, ok := v.Number(); ok && t.isNum {
		c = compareFloat64(f, t.num)
	} else {
		c = strings.Compare(v.String(), t.Value)
	}
	switch t.Op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func valueEquals(want string, num float64, isNum bool, v store.Value) bool {
	if strings.IndexByte(want, '*') >= 0 {
		return store.MatchWildcard(want, v.String())
	}
	if isNum {
		if f, ok := v.Number(); ok {
			return f == num
		}
	}
	return store.EqualFoldASCII(v.String(), want) // as words, phrases and wildcards match: ASCII case only
}
