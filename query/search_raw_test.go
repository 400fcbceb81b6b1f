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

// TestFoldFinder checks the candidates of the phrase scan against every
// start whose anchor byte matches ignoring case, in texts where both
// cases of the phrase's letters come and go.
func TestFoldFinder(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	const alphabet = "aAwWfF d-.Pp@1"
	for _, phrase := range []string{"Failed password", "wp-login", "a", "W", "@1", "-.", "ppp"} {
		for range 500 {
			b := make([]byte, r.IntN(40))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			text := string(b)
			f := newFoldFinder(phrase, text)
			var got, want []int
			for i := f.next(0); i >= 0; i = f.next(i + 1 + r.IntN(2)*r.IntN(3)) {
				got = append(got, i)
			}
			// Calls skip ahead by up to 2 more: want the first candidate
			// at or after each call, as the brute force finds it.
			f = newFoldFinder(phrase, text)
			k := f.anchor
			for i := 0; i+len(phrase) <= len(text); i++ {
				if lowerASCII(text[i+k]) == lowerASCII(phrase[k]) {
					want = append(want, i)
				}
			}
			// got must be a subsequence of want that includes want's first
			// element at or after each call.
			j := 0
			for _, g := range got {
				for j < len(want) && want[j] < g {
					j++
				}
				if j == len(want) || want[j] != g {
					t.Fatalf("%q in %q: candidate %d is not a start (want %v, got %v)", phrase, text, g, want, got)
				}
			}
			if len(want) > 0 && (len(got) == 0 || got[0] != want[0]) {
				t.Fatalf("%q in %q: first candidate %v, want %d", phrase, text, got, want[0])
			}
		}
	}
}

// TestMatchPhraseBruteForce checks MatchPhrase against trying every start.
func TestMatchPhraseBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const alphabet = "aAwWfF d-.Pp@1"
	for _, phrase := range []string{"Failed password", "wp-login", "a", "W", "@1", "-.", "ppp", "f a"} {
		needStart, needEnd := store.IsTokenByte(phrase[0]), store.IsTokenByte(phrase[len(phrase)-1])
		for range 500 {
			b := make([]byte, r.IntN(30))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			if r.IntN(3) == 0 && len(b) > len(phrase) { // plant it, in some case
				at := r.IntN(len(b) - len(phrase) + 1)
				for i := range len(phrase) {
					b[at+i] = phrase[i] ^ byte(r.IntN(2)*0x20)*boolByte(isLetter(phrase[i]))
				}
			}
			text := string(b)
			want := false
			for i := 0; i+len(phrase) <= len(text) && !want; i++ {
				end := i + len(phrase)
				want = equalFoldASCII(text[i:end], phrase) &&
					!(needStart && i > 0 && store.IsTokenByte(text[i-1])) &&
					!(needEnd && end < len(text) && store.IsTokenByte(text[end]))
			}
			if got := MatchPhrase(phrase, text); got != want {
				t.Fatalf("MatchPhrase(%q, %q) = %v, want %v", phrase, text, got, want)
			}
		}
	}
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// TestCutSearchMatchesRows: searches of a store whose _raw has fields cut
// out (a web log's address and agent) count what MatchPhrase finds in
// each whole line: phrases inside a cut value, across its edges, across
// where a value was cut (which the remaining text joins), next to it,
// and in another case, with an empty agent in the field's dictionary, and
// chunks that cut two fields and chunks that cut one in one store: rows
// found in the remaining texts and rows whose cut values can meet the
// phrase are put back and tested.
func TestCutSearchMatchesRows(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(21, 22))
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0", "curl/8.1.2-wp", "Go-http-client/1.1", ""} // "": an empty value in the dictionary
	paths := []string{"/wp-login.php", "/index.html", "/api/v1/login", "/static/app.js"}
	var raws []string
	evs := make([]store.Event, 6000)
	for i := range evs {
		ip := fmt.Sprintf("10.%d.%d.%d", r.IntN(2), r.IntN(4), 100+r.IntN(30))
		raw := fmt.Sprintf("%s - - [%d] \"GET %s HTTP/1.1\" %d 512 \"%s\"", ip, i, paths[r.IntN(len(paths))],
			[]int{200, 404}[r.IntN(2)], agents[r.IntN(len(agents))])
		a0 := strings.LastIndexByte(raw[:len(raw)-1], '"') + 1
		evs[i] = store.Event{Time: base + int64(i)*1e9, Raw: raw, Fields: []store.Field{
			{Name: "clientip", Value: store.Str(raw[:len(ip)])}, {Name: "agent", Value: store.Str(raw[a0 : len(raw)-1])}}}
		if i%2 == 1 { // a second source whose chunks cut the address only
			evs[i].Fields = evs[i].Fields[:1]
		}
		raws = append(raws, raw)
	}
	var web, web2 []store.Event
	for i := range evs {
		if i%2 == 0 {
			web = append(web, evs[i])
		} else {
			web2 = append(web2, evs[i])
		}
	}
	s.add("web", web, 1000)
	s.add("web2", web2, 1000)
	phrases := []string{"wp-login", "wp", "WP-LOGIN.php", "login", "GET /api", "404", "Firefox", "x86_64) firefox",
		"\" \"Mozilla", "2.-wp", "wp\"", "- - [", "HTTP/1.1\" 200 512 \"curl", "10.1", ".12", "nothing-here"}
	for range 60 { // pieces of random lines, edges and all
		raw := raws[r.IntN(len(raws))]
		i := r.IntN(len(raw))
		j := min(len(raw), i+1+r.IntN(14))
		p := raw[i:j]
		if r.IntN(3) == 0 {
			p = strings.ToUpper(p)
		}
		if strings.TrimSpace(p) != "" && !strings.ContainsAny(p, `"\`) {
			phrases = append(phrases, p)
		}
	}
	for _, p := range phrases {
		want := 0
		for _, raw := range raws {
			if MatchPhrase(p, raw) {
				want++
			}
		}
		q := fmt.Sprintf("%q | stats count", p)
		if strings.ContainsAny(p, `"\`) {
			q = "\"" + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p) + "\" | stats count"
		}
		if got := s.run(q); len(got) != 2 || got[1][0] != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %d", q, got, want)
		}
	}
}

// TestMayTouch checks mayTouch against its definition: some placement of
// v that overlaps the phrase agrees with it, ASCII case ignored, wherever
// they overlap.
func TestMayTouch(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	const alphabet = "abAB-1."
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		p, v := word(1+r.IntN(6)), word(1+r.IntN(6))
		want := false
		for o := -(len(v) - 1); o < len(p) && !want; o++ { // v starts at o in p's frame
			agree := true
			for i := max(0, o); i < min(len(p), o+len(v)); i++ {
				agree = agree && lowerASCII(p[i]) == lowerASCII(v[i-o])
			}
			want = agree
		}
		var in [256]bool
		for i := range len(p) {
			in[lowerASCII(p[i])] = true
		}
		if got := mayTouch(p, v, &in); got != want {
			t.Fatalf("mayTouch(%q, %q) = %v, want %v", p, v, got, want)
		}
	}
}
