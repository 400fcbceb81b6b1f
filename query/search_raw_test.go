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
		{`"Failed password"`, func(raw string) bool { return store.MatchPhrase("Failed password", raw) }},
		{`rareword`, func(raw string) bool { return strings.Contains(raw, " rareword") }},
		{`alpha NOT beta`, func(raw string) bool { return store.MatchPhrase("alpha", raw) && !store.MatchPhrase("beta", raw) }},
		{`"wp-login" OR rareword`, func(raw string) bool { return store.MatchPhrase("wp-login", raw) || strings.Contains(raw, " rareword") }},
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
			if store.MatchPhrase(p, raw) {
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
