package store

import "strconv"

// ParseNumber returns the number text s is written as, and whether it is
// one: an optional sign, decimal digits with an optional fraction (".5"
// and "5." too) and an optional exponent ("1e3", "2.5E-4"). Everything
// else is text, however strconv would read it: "nan", "inf", "infinity"
// (a user may be called nan), hexadecimal ("0x1f", as in Splunk, where
// only tonumber(s, 16) reads it), digits with underscores ("1_000"), text
// with spaces, and a number too large for a float64 ("1e999"). This is
// the one rule for text everywhere it may be a number: comparisons, sort,
// aggregates and eval arithmetic.
func ParseNumber(s string) (float64, bool) {
	if !isNumberText(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil // err: out of range
}

// isNumberText reports whether s is written as ParseNumber's decimal
// number. It is fast on text that is not, which comparisons and sorts of
// words and addresses meet all the time.
func isNumberText(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == exp {
			return false
		}
	}
	return i == len(s)
}
