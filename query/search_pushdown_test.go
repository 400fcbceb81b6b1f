package query

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/ingest"
	"loghunt/store"
)

// TestSearchPushdownRealLogs runs searches that mix AND, OR, NOT,
// parentheses, field terms and time bounds over the real auth logs of
// ../shared/datasets/authlog, ingested into one store, and compares the
// engine (time range seek, chunk pruning by field ranges, token filters
// of chunks and blocks, column-at-a-time matching) with a naive
// evaluation: every event read by `*`, then a tree built here by Splunk's
// precedence (parentheses, NOT, OR, AND) and evaluated one row at a time.
func TestSearchPushdownRealLogs(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "datasets", "authlog")
	logs := []string{"dfrws2009_auth.log", "elastic_suspicious_login_auth.log", "hofstede_auth.log.gz", "secrepo_auth.log"}
	for i, l := range logs {
		logs[i] = filepath.Join(dir, l)
		if _, err := os.Stat(logs[i]); err != nil {
			t.Skipf("real auth logs absent: %v", err)
		}
	}
	if testing.Short() {
		t.Skip("ingests 300,000 real lines")
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "auth.db"), store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2015}, logs, nil); err != nil {
		t.Fatal(err)
	}
	queries := []string{
		`source=*dfrws* "Failed password" OR "Accepted password"`,
		`"Failed password" OR "Accepted password" source=*dfrws*`,
		`(source=*dfrws* "Failed password") OR "Accepted password"`,
		`source=*dfrws* AND "Failed password" OR "Accepted password" AND root`,
		`sshd NOT "Failed password" OR root`,
		`NOT sshd OR CRON source=*secrepo*`,
		`NOT (sshd OR CRON) app=su*`,
		`app=sshd pid>20000 OR pid<100 invalid`,
		`pid>5000 pid<6000 OR pid=1 Accepted`,
		`root OR admin earliest=-30d`,
		`earliest=-40d latest=-10d "session opened" OR "session closed" NOT CRON`,
		`Accepted OR Failed password root OR admin`,
		`source=*secrepo* NOT (Failed OR Invalid) pid>=1000`,
		`app IN (sshd, sudo) "authentication failure" OR "COMMAND="`,
		`(nosuchwordanywhere Failed) OR "Invalid user" source=*hofstede*`,
		`nosuchwordanywhere OR zzzqqqxxx`,
		`Failed AND password OR publickey AND root OR admin`,
		`NOT NOT sshd OR su host!=nssal-ps3`,
		`"Failed password" source=*elastic* OR source=*dfrws* latest=2015-03-01`,
		`host=ip-10-77-20-248 OR host=nssal-ps3 (Accepted OR "session opened") NOT root`,
		`(Failed OR Accepted) (root OR admin OR test) NOT (source=*secrepo* OR source=*hofstede*) earliest=2015-02-01`,
		`message=*root* OR pid<2 sshd`,
	}
	type hit struct {
		time int64
		key  string
	}
	oracles := make([]*naiveSearch, len(queries))
	for i, q := range queries {
		oracles[i] = parseNaive(t, q)
	}
	hits := make([][]hit, len(queries))
	var newest int64 = math.MinInt64
	total := 0
	runQuery(t, db, "*", func(b *Batch) {
		raw := b.Cols[b.Col(store.ColRaw)]
		row := 0
		get := func(f string) store.Value { return b.Get(f, row) }
		for row = 0; row < b.Len; row++ {
			ts := b.Get(store.ColTime, row)
			newest = max(newest, ts.I)
			for i, o := range oracles {
				if o.match(raw[row].S, get) {
					hits[i] = append(hits[i], hit{ts.I, rowKey(b, row)})
				}
			}
		}
		total += b.Len
	})
	if total < 290000 {
		t.Fatalf("the store holds %d events, want all ~297,000 lines", total)
	}
	now := time.Unix(0, newest).UTC()
	nonEmpty := 0
	for i, q := range queries {
		lo, hi := oracles[i].bounds(t, now)
		var want []string
		for _, h := range hits[i] {
			if h.time >= lo && h.time < hi {
				want = append(want, h.key)
			}
		}
		var got []string
		runQuery(t, db, q, func(b *Batch) {
			for r := 0; r < b.Len; r++ {
				got = append(got, rowKey(b, r))
			}
		})
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: engine %d rows, naive %d; first difference: %s", q, len(got), len(want), firstDiff(got, want))
		}
		t.Logf("%6d rows: %s", len(want), q)
		if len(want) > 0 && len(want) < total {
			nonEmpty++
		}
	}
	if nonEmpty < len(queries)-2 {
		t.Errorf("only %d of %d queries select some but not all events: the comparison says little", nonEmpty, len(queries))
	}
	// The case: OR joins the two phrases, so only dfrws is left.
	rows := runRows(t, db, `source=*dfrws* "Failed password" OR "Accepted password" | stats count by source`)
	if len(rows) != 1 || !strings.Contains(rows[0][0], "dfrws") {
		t.Errorf("source=*dfrws* \"Failed password\" OR \"Accepted password\" by source = %q, want dfrws only", rows)
	}
}

func rowKey(b *Batch, r int) string {
	return fmt.Sprintf("%d|%s|%s", b.Get(store.ColTime, r).I, b.Get("source", r).String(), b.Get(store.ColRaw, r).S)
}

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return "missing " + want[i]
		case i >= len(want):
			return "extra " + got[i]
		case got[i] != want[i]:
			return fmt.Sprintf("engine %s, naive %s", got[i], want[i])
		}
	}
	return "none"
}

func runQuery(t *testing.T, db *store.DB, q string, fn func(b *Batch)) {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	_, err = Run(context.Background(), db, pq, Options{}, func(b *Batch) error { fn(b); return nil })
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func runRows(t *testing.T, db *store.DB, q string) [][]string {
	var rows [][]string
	runQuery(t, db, q, func(b *Batch) {
		for r := 0; r < b.Len; r++ {
			var row []string
			for _, f := range b.Fields {
				row = append(row, b.Get(f, r).String())
			}
			rows = append(rows, row)
		}
	})
	return rows
}

// naiveSearch is a search parsed here, apart from the engine's grammar:
// parentheses first, then NOT on the next term, then OR, then AND. Each
// term (a word, a phrase, f=v, f IN (...)) is matched as the engine's
// Term of that term alone; earliest= and latest= bound the time.
type naiveSearch struct {
	match            func(raw string, get func(string) store.Value) bool
	earliest, latest []string
}

func parseNaive(t *testing.T, q string) *naiveSearch {
	t.Helper()
	p := &naiveParser{t: t, toks: naiveTokens(q), s: &naiveSearch{}}
	p.s.match = p.and()
	if p.i != len(p.toks) {
		t.Fatalf("naive parse of %s: stopped at %q", q, p.toks[p.i])
	}
	return p.s
}

func (s *naiveSearch) bounds(t *testing.T, now time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	for _, e := range s.earliest {
		at, err := ParseTimeSpec(e, now)
		if err != nil {
			t.Fatal(err)
		}
		lo = max(lo, at.UnixNano())
	}
	for _, l := range s.latest {
		at, err := ParseTimeSpec(l, now)
		if err != nil {
			t.Fatal(err)
		}
		hi = min(hi, at.UnixNano())
	}
	return lo, hi
}

// naiveTokens splits a search into "(", ")", quoted phrases and runs of
// other characters.
func naiveTokens(q string) []string {
	var out []string
	for i := 0; i < len(q); {
		switch c := q[i]; {
		case c == ' ':
			i++
		case c == '(' || c == ')':
			out = append(out, q[i:i+1])
			i++
		default:
			j := i
			for j < len(q) && q[j] != ' ' && q[j] != '(' && q[j] != ')' {
				if q[j] == '"' {
					j += 1 + strings.IndexByte(q[j+1:], '"')
				}
				j++
			}
			out = append(out, q[i:j])
			i = j
		}
	}
	return out
}

type naiveMatch = func(raw string, get func(string) store.Value) bool

type naiveParser struct {
	t    *testing.T
	toks []string
	i    int
	s    *naiveSearch
}

func (p *naiveParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *naiveParser) and() naiveMatch {
	var args []naiveMatch
	for p.peek() != "" && p.peek() != ")" {
		if p.peek() == "AND" {
			p.i++
		}
		args = append(args, p.or())
	}
	return func(raw string, get func(string) store.Value) bool {
		for _, a := range args {
			if !a(raw, get) {
				return false
			}
		}
		return true
	}
}

func (p *naiveParser) or() naiveMatch {
	args := []naiveMatch{p.not()}
	for p.peek() == "OR" {
		p.i++
		args = append(args, p.not())
	}
	return func(raw string, get func(string) store.Value) bool {
		for _, a := range args {
			if a(raw, get) {
				return true
			}
		}
		return false
	}
}

func (p *naiveParser) not() naiveMatch {
	if p.peek() == "NOT" {
		p.i++
		a := p.not()
		return func(raw string, get func(string) store.Value) bool { return !a(raw, get) }
	}
	tok := p.peek()
	p.i++
	if tok == "(" {
		a := p.and()
		if p.peek() != ")" {
			p.t.Fatalf("naive parse: want ), got %q", p.peek())
		}
		p.i++
		return a
	}
	if p.peek() == "IN" { // f IN ( v, ... )
		for p.toks[p.i] != ")" {
			tok += " " + p.toks[p.i]
			p.i++
		}
		tok += " )"
		p.i++
	}
	if v, ok := strings.CutPrefix(tok, "earliest="); ok {
		p.s.earliest = append(p.s.earliest, v)
		return func(string, func(string) store.Value) bool { return true }
	}
	if v, ok := strings.CutPrefix(tok, "latest="); ok {
		p.s.latest = append(p.s.latest, v)
		return func(string, func(string) store.Value) bool { return true }
	}
	term := searchTerm(p.t, tok)
	if term.Kind == TermAnd || term.Kind == TermOr || term.Kind == TermNot {
		p.t.Fatalf("naive parse: %q is not one term", tok)
	}
	return term.filter().MatchRow
}
