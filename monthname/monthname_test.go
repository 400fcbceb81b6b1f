package monthname

import (
	"strings"
	"testing"
	"time"
)

func TestAt(t *testing.T) {
	for _, c := range []struct {
		s     string
		month int
		n     int
	}{
		{"Jan", 1, 3}, {"jan 02", 1, 3}, {"JANUARY", 1, 7}, {"January 2", 1, 7}, {"Sep", 9, 3}, {"Sept", 9, 4},
		{"sept.", 9, 4}, {"September", 9, 9}, {"Oct/2000", 10, 3}, {"May", 5, 3}, {"Mayday", 0, 0}, {"Janu", 0, 0},
		{"Jan2", 1, 3}, {"Ja", 0, 0}, {"", 0, 0}, {"Foo", 0, 0}, {"Septa", 0, 0}, {"Decembers", 0, 0},
	} {
		if m, n := At(c.s); m != c.month || n != c.n {
			t.Errorf("At(%q) = %d, %d; want %d, %d", c.s, m, n, c.month, c.n)
		}
	}
	// Every name Go's time package prints, in every case.
	for m := time.January; m <= time.December; m++ {
		for _, s := range []string{m.String(), m.String()[:3], strings.ToUpper(m.String()), strings.ToLower(m.String()[:3])} {
			if got, n := At(s); got != int(m) || n != len(s) {
				t.Errorf("At(%q) = %d, %d", s, got, n)
			}
		}
	}
}

func BenchmarkAt(b *testing.B) {
	for b.Loop() {
		At("Oct/2000:13:55:36")
	}
}
