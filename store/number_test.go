package store

import (
	"math"
	"testing"
)

// TestParseNumber: only decimal number text is a number; what strconv
// also reads (nan, inf, hex, underscores) is text.
func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		s    string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"12", 12, true}, {"-5", -5, true}, {"+7", 7, true}, {"007", 7, true},
		{"1.5", 1.5, true}, {".5", 0.5, true}, {"5.", 5, true}, {"-.25", -0.25, true},
		{"1e3", 1000, true}, {"2.5E-2", 0.025, true}, {"1e+2", 100, true},
		{"nan", 0, false}, {"NaN", 0, false}, {"inf", 0, false}, {"-Inf", 0, false},
		{"infinity", 0, false}, {"+Infinity", 0, false}, {"0x1f", 0, false}, {"0x1p4", 0, false},
		{"0X1F", 0, false}, {"1_000", 0, false}, {"0b101", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"", 0, false}, {"-", 0, false}, {".", 0, false}, {"e5", 0, false}, {"1e", 0, false},
		{"1e+", 0, false}, {"1.2.3", 0, false}, {"10.0.0.1", 0, false}, {"1e999", 0, false},
		{"12abc", 0, false}, {"--1", 0, false},
	} {
		got, ok := ParseNumber(c.s)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", c.s, got, ok, c.want, c.ok)
		}
		if n, isNum := Str(c.s).Number(); isNum != c.ok || (isNum && n != c.want) || math.IsNaN(n) {
			t.Errorf("Str(%q).Number() = %v, %v; want %v, %v", c.s, n, isNum, c.want, c.ok)
		}
	}
}
