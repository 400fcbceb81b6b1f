package sigma

import (
	"fmt"
	"testing"
)

// TestConditions checks the grammar and precedence (or < and < not < x
// of < parentheses) on all combinations of three boolean identifiers.
func TestConditions(t *testing.T) {
	det := "a:\n    A: 'y'\nb:\n    B: 'y'\nc:\n    C: 'y'\n_u:\n    U: 'y'\n"
	tests := []struct {
		cond string
		want func(a, b, c, u bool) bool
	}{
		{"a or b and c", func(a, b, c, u bool) bool { return a || b && c }},
		{"a and b or c", func(a, b, c, u bool) bool { return a && b || c }},
		{"not a and b", func(a, b, c, u bool) bool { return !a && b }},
		{"not a or b", func(a, b, c, u bool) bool { return !a || b }},
		{"not (a or b)", func(a, b, c, u bool) bool { return !(a || b) }},
		{"(a or b) and c", func(a, b, c, u bool) bool { return (a || b) && c }},
		{"not not a", func(a, b, c, u bool) bool { return a }},
		{"A AND NOT b", func(a, b, c, u bool) bool { return a && !b }}, // keywords ignore case; identifiers do not
		{"1 of them", func(a, b, c, u bool) bool { return a || b || c }},
		{"all of them", func(a, b, c, u bool) bool { return a && b && c }},
		{"1 of _*", func(a, b, c, u bool) bool { return u }},
		{"all of *", func(a, b, c, u bool) bool { return a && b && c && u }},
		{"not 1 of them", func(a, b, c, u bool) bool { return !(a || b || c) }},
		{"1 of a* and not c", func(a, b, c, u bool) bool { return a && !c }},
		{"a and not 1 of b*", func(a, b, c, u bool) bool { return a && !b }},
		{"all of them or _u", func(a, b, c, u bool) bool { return a && b && c || u }},
		{"((a))", func(a, b, c, u bool) bool { return a }},
	}
	for _, tc := range tests {
		t.Run(tc.cond, func(t *testing.T) {
			cond := tc.cond
			if cond == "A AND NOT b" {
				cond = "a AND NOT b"
			}
			r := compileRule(t, det+"condition: "+cond, Options{})
			if !r.CanRun() {
				t.Fatalf("cannot run: %v", r.Problems)
			}
			for m := 0; m < 16; m++ {
				a, b, c, u := m&1 != 0, m&2 != 0, m&4 != 0, m&8 != 0
				e := ev()
				for name, on := range map[string]bool{"A": a, "B": b, "C": c, "U": u} {
					if on {
						e.f[name] = "y"
					}
				}
				if got, want := r.Match(e), tc.want(a, b, c, u); got != want {
					t.Errorf("a=%v b=%v c=%v _u=%v: got %v, want %v (%s)", a, b, c, u, got, want, String(r.Expr))
				}
			}
		})
	}
}

// TestConditionList checks that a list of conditions is OR'ed.
func TestConditionList(t *testing.T) {
	r := compileRule(t, "a:\n    A: 'y'\nb:\n    B: 'y'\ncondition:\n    - a\n    - b", Options{})
	for _, tc := range []struct {
		e    mapEvent
		want bool
	}{{ev("A", "y"), true}, {ev("B", "y"), true}, {ev(), false}} {
		if got := r.Match(tc.e); got != tc.want {
			t.Errorf("%v: got %v", tc.e.f, got)
		}
	}
}

// TestConditionErrorsNeverPanic feeds malformed conditions.
func TestConditionErrorsNeverPanic(t *testing.T) {
	for _, c := range []string{"", "(", ")", "a and", "or a", "not", "1 of", "all of (", "a b", "1 of them them", "a and ()", "((a)", "a)"} {
		r := compileRule(t, fmt.Sprintf("a:\n    A: 'y'\ncondition: '%s'", c), Options{})
		if r.CanRun() {
			t.Errorf("%q: compiled to %s", c, String(r.Expr))
		}
	}
}
