package query

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"loghunt/store"
)

// nullEvents makes events with an id, by-fields a, b and c that are often
// missing (a is also in _raw as "a=VALUE", for rex), and x, sometimes
// missing. Times are ns apart at random, so none tie.
func nullEvents(r *rand.Rand, n int) []store.Event {
	names := []string{"admin", "root", "guest", "oracle", "ubuntu", "test"}
	evs := make([]store.Event, n)
	for i := range evs {
		ts := base + r.Int64N(6*3600e9)
		fs := []store.Field{{Name: "id", Value: store.Int(int64(i))}}
		raw := fmt.Sprintf("%d event %d", ts, i)
		for j, f := range []string{"a", "b", "c"} {
			if r.IntN(3) == 0 {
				continue // missing: null
			}
			v := names[r.IntN(len(names)-2*j)]
			fs = append(fs, store.Field{Name: f, Value: store.Str(v)})
			if f == "a" {
				raw += " a=" + v
			}
		}
		if r.IntN(4) > 0 {
			fs = append(fs, store.Field{Name: "x", Value: store.Int(r.Int64N(1000))})
		}
		evs[i] = store.Event{Time: ts, Raw: raw, Fields: fs}
	}
	return evs
}

// onTypedPath reports whether q aggregates chunks on the typed path.
func onTypedPath(t *testing.T, s *testStore, q string) bool {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlan(s.DB, pq, &Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.build(&sinkOp{ctx: context.Background(), out: func(*Batch) error { return nil }, rows: new(int64)}); err != nil {
		t.Fatal(err)
	}
	return p.typed != nil
}

// atProcs runs q with GOMAXPROCS (scan workers and workers' tables) at
// each of procs, wants the same rows from each, and returns them.
func (s *testStore) atProcs(q string, procs ...int) [][]string {
	s.t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first [][]string
	for i, p := range procs {
		runtime.GOMAXPROCS(p)
		got := s.run(q)
		if i == 0 {
			first = got
		} else if !slices.EqualFunc(got, first, slices.Equal) {
			s.t.Errorf("%s: GOMAXPROCS %d gives other rows than %d:\n%v\n%v", q, p, procs[0], head(got), head(first))
		}
	}
	return first
}

func head(rows [][]string) [][]string { return rows[:min(len(rows), 8)] }

// keyed maps rows (header dropped) by their first n columns.
func keyed(rows [][]string, n int) map[string]string {
	m := map[string]string{}
	for _, row := range rows[1:] {
		m[strings.Join(row[:n], "|")] = strings.Join(row[n:], "|")
	}
	return m
}

// TestNullByValuesAgainstMaps runs every stage that groups rows (stats by
// one, two and three fields, by-fields from rex and eval, top, rare,
// eventstats, streamstats, timechart by and dedup), on each of its paths
// (codes, general table, workers' tables, the ordered stream), over
// by-fields that are null in a third of the rows, at several core counts,
// and compares with maps over the events: a row with a null by-value is
// in no group (timechart's NULL series aside).
func TestNullByValuesAgainstMaps(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(21, 22))
	evs := nullEvents(r, 24000)
	s.add("a", evs[:15000], 700)
	s.add("b", evs[15000:], 1100) // overlaps a in time
	slices.SortStableFunc(evs, func(a, b store.Event) int { return int(a.Time - b.Time) })
	procs := []int{1, 2, 8}
	key := func(e store.Event, fields ...string) (string, bool) {
		var parts []string
		for _, f := range fields {
			v := e.Get(f)
			if v.IsNull() {
				return "", false
			}
			parts = append(parts, v.String())
		}
		return strings.Join(parts, "|"), true
	}
	count := func(of string, fields ...string) map[string]string {
		n, nx := map[string]int{}, map[string]int{}
		for _, e := range evs {
			if k, ok := key(e, fields...); ok {
				n[k]++
				if !e.Get(of).IsNull() {
					nx[k]++
				}
			}
		}
		out := map[string]string{}
		for k := range n {
			out[k] = fmt.Sprintf("%d|%d", n[k], nx[k])
		}
		return out
	}
	for _, c := range []struct {
		q  string
		by []string // of the events
		of string   // the field of count(f)
	}{
		{"* | stats count, count(x) by a", []string{"a"}, "typed"},
		{"* | stats count, count(c) by a", []string{"a"}, "codes"},
		{"* | stats count, count(a) by c", []string{"c"}, "codes"},
		{"* | where true | stats count, count(x) by a", []string{"a"}, ""},
		{"* | head 1000000 | stats count, count(x) by a", []string{"a"}, ""},
		{`* | rex "a=(?<ra>\w+)" | stats count, count(x) by ra`, []string{"a"}, ""},
		{"* | eval e = b | stats count, count(x) by e", []string{"b"}, ""},
		{"* | stats count, count(x) by a, b", []string{"a", "b"}, ""},
		{"* | where true | stats count, count(x) by b, a", []string{"b", "a"}, ""},
		{`* | rex "a=(?<ra>\w+)" | stats count, count(x) by ra, c`, []string{"a", "c"}, ""},
		{"* | stats count, count(x) by a, b, c", []string{"a", "b", "c"}, ""},
		{"* | head 1000000 | stats count, count(x) by c, b, a", []string{"c", "b", "a"}, ""},
	} {
		of := "x"
		switch c.of {
		case "typed":
			if !onTypedPath(t, s, c.q) {
				t.Errorf("%s: not on the typed path", c.q)
			}
		case "codes": // the typed path gives up on a text field: groups by code
			of = c.q[strings.Index(c.q, "count(")+6 : strings.Index(c.q, ") by")]
		}
		got := s.atProcs(c.q, procs...)
		if g, w := keyed(got, len(c.by)), count(of, c.by...); fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s:\n got %v\nwant %v", c.q, g, w)
		}
	}

	// top and rare: counts of the rows that have every field, percent of
	// those of the by group.
	for _, q := range []string{"* | top limit=0 a by b", "* | where true | top limit=0 a by b", "* | rare limit=0 a by b"} {
		counts, totals := map[string]int{}, map[string]int{}
		for _, e := range evs {
			if k, ok := key(e, "b", "a"); ok {
				counts[k]++
				totals[e.Get("b").S]++
			}
		}
		want := map[string]string{}
		for k, n := range counts {
			b, _, _ := strings.Cut(k, "|")
			want[k] = fmt.Sprintf("%d|%v", n, store.Float(math.Round(10000*float64(n)/float64(totals[b]))/100))
		}
		if g := keyed(s.atProcs(q, procs...), 2); fmt.Sprint(g) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %v\nwant %v", q, g, want)
		}
	}

	// eventstats and streamstats: each row's results, by id.
	groupN := count("x", "a", "b")
	running := map[string]int{}
	wantEvent, wantStream := map[string]string{}, map[string]string{}
	for _, e := range evs {
		id := e.Get("id").String()
		wantEvent[id], wantStream[id] = "", ""
		if k, ok := key(e, "a", "b"); ok {
			wantEvent[id], _, _ = strings.Cut(groupN[k], "|")
		}
		if k, ok := key(e, "a"); ok {
			running[k]++
			wantStream[id] = fmt.Sprint(running[k])
		}
	}
	if g := keyed(s.atProcs("* | eventstats count as k by a, b | table id, k", procs...), 1); fmt.Sprint(g) != fmt.Sprint(wantEvent) {
		t.Errorf("eventstats by a, b: the counts differ from a map's")
	}
	if g := keyed(s.atProcs("* | streamstats count as k by a | table id, k", procs...), 1); fmt.Sprint(g) != fmt.Sprint(wantStream) {
		t.Errorf("streamstats by a: the running counts differ from a map's")
	}

	// timechart by: the rows without a go to the NULL series.
	wantChart := map[string]int{}
	for _, e := range evs {
		a := e.Get("a").String()
		if a == "" {
			a = "NULL"
		}
		wantChart[store.FormatTime(floorDiv(e.Time, 3600e9)*3600e9)+"|"+a]++
	}
	for _, q := range []string{"* | timechart span=1h limit=0 count by a", "* | where true | timechart span=1h limit=0 count by a"} {
		got := s.atProcs(q, procs...)
		gotChart := map[string]int{}
		for _, row := range got[1:] {
			for i, series := range got[0][1:] {
				var n int
				fmt.Sscan(row[i+1], &n)
				if n > 0 {
					gotChart[row[0]+"|"+series] = n
				}
			}
		}
		if fmt.Sprint(gotChart) != fmt.Sprint(wantChart) {
			t.Errorf("%s:\n got %v\nwant %v", q, gotChart, wantChart)
		}
	}

	// dedup: the first row (in time) of each combination; rows without
	// one of the fields dropped.
	seen := map[string]bool{}
	var wantIDs []string
	for _, e := range evs {
		if k, ok := key(e, "a", "b"); ok && !seen[k] {
			seen[k] = true
			wantIDs = append(wantIDs, e.Get("id").String())
		}
	}
	var gotIDs []string
	for _, row := range s.atProcs("* | dedup a, b | table id", procs...)[1:] {
		gotIDs = append(gotIDs, row[0])
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("dedup a, b: ids %v, want %v", gotIDs, wantIDs)
	}
}
