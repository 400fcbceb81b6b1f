package query

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"loghunt/store"
)

// TestRawSearchBlocks checks searches over chunks whose _raw is stored in
// blocks against brute force: rows come back whole and right although
// the blocks a search decompresses live in memory reused from chunk to
// chunk, and blocks whose token filter rules a word out are skipped.
func TestRawSearchBlocks(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"alpha", "beta", "gamma", "delta", "Failed", "password", "root", "wp-login.php"}
	var evs []store.Event
	for i := range 20000 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%d n=%d", i, r.IntN(50))
		for range 1 + r.IntN(6) {
			sb.WriteString(" " + words[r.IntN(len(words))])
		}
		if i%997 == 0 {
			sb.WriteString(" rareword")
		}
		evs = append(evs, store.Event{Time: base + int64(i)*1e9, Raw: sb.String()})
	}
	s.add("a", evs[:9000], 4500)
	s.add("b", evs[9000:], 5500)
	for _, q := range []struct {
		search string
		match  func(raw string) bool
	}{
		{`"Failed password"`, func(raw string) bool { return MatchPhrase("Failed password", raw) }},
		{`rareword`, func(raw string) bool { return strings.Contains(raw, " rareword") }},
		{`alpha NOT beta`, func(raw string) bool { return MatchPhrase("alpha", raw) && !MatchPhrase("beta", raw) }},
		{`"wp-login" OR rareword`, func(raw string) bool { return MatchPhrase("wp-login", raw) || strings.Contains(raw, " rareword") }},
	} {
		var want []string
		counts := map[string]int{}
		for _, e := range evs {
			if q.match(e.Raw) {
				want = append(want, e.Raw)
				n := strings.Fields(e.Raw)[1][2:]
				counts[n]++
			}
		}
		got := s.run(q.search + " | table _raw")
		if len(got)-1 != len(want) {
			t.Fatalf("%s: %d rows, want %d", q.search, len(got)-1, len(want))
		}
		for i, row := range got[1:] {
			if row[0] != want[i] {
				t.Fatalf("%s: row %d = %q, want %q", q.search, i, row[0], want[i])
			}
		}
		got = s.run(q.search + ` | rex "n=(?<n>\d+)" | stats count by n`)
		if len(got)-1 != len(counts) {
			t.Fatalf("%s: %d groups, want %d", q.search, len(got)-1, len(counts))
		}
		for _, row := range got[1:] {
			if fmt.Sprint(counts[row[0]]) != row[1] {
				t.Errorf("%s: n=%s count %s, want %d", q.search, row[0], row[1], counts[row[0]])
			}
		}
	}
}

// TestMatchPhraseRows checks the one-scan search of rows back to back
// against MatchPhrase row by row, with phrases that straddle rows, sit at
// their edges, and differ in case.
func TestMatchPhraseRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	pieces := []string{"wp", "-login", "Login", "a", " ", "x", "wp-login", ".php", "WP", "", "=", "1"}
	for _, phrase := range []string{"wp-login", "login", "a wp", "-", "x=1", "WP-LOGIN.php"} {
		for range 300 {
			var rows []string
			for range 1 + r.IntN(12) {
				var sb strings.Builder
				for range r.IntN(5) {
					sb.WriteString(pieces[r.IntN(len(pieces))])
				}
				rows = append(rows, sb.String())
			}
			ends := make([]int, len(rows))
			total := 0
			for i, row := range rows {
				total += len(row)
				ends[i] = total
			}
			match := make([]bool, len(rows))
			matchPhraseRows(phrase, strings.Join(rows, ""), ends, match)
			for i, row := range rows {
				if match[i] != MatchPhrase(phrase, row) {
					t.Fatalf("%q in %q (rows %q): %v, MatchPhrase says %v", phrase, row, rows, match[i], !match[i])
				}
			}
		}
	}
}
