package query

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"loghunt/store"
	"loghunt/store/storetest"
)

// testStore writes events of one source per call into a store on disk and
// checks its invariants when the test ends.
type testStore struct {
	*store.DB
	t *testing.T
}

func newTestStore(t *testing.T) *testStore {
	t.Helper()
	return &testStore{storetest.Open(t), t}
}

// add stores events as one source, in chunks of per events.
func (s *testStore) add(source string, evs []store.Event, per int) {
	s.t.Helper()
	b := store.NewChunkBuilder(source, "test", "key:"+source)
	err := s.Write(func(w *store.WriteTx) error {
		rec := &store.Source{Key: "key:" + source, Name: source}
		for i := 0; i < len(evs); i += per {
			for j := i; j < min(i+per, len(evs)); j++ {
				b.Add(&evs[j])
			}
			c := b.Encode()
			if err := w.PutChunk(c); err != nil {
				return err
			}
			w.AddBuiltinFields(int64(c.Rows), source, "test")
			rec.Events += int64(c.Rows)
			if rec.Events == int64(c.Rows) || c.MinTime < rec.First {
				rec.First = c.MinTime
			}
			rec.Last = max(rec.Last, c.MaxTime)
		}
		return w.PutSource(rec)
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// run runs a query and returns its rows as strings, with the header first.
func (s *testStore) run(q string) [][]string {
	s.t.Helper()
	rows, err := s.tryRun(q)
	if err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return rows
}

func (s *testStore) tryRun(q string) ([][]string, error) {
	pq, err := Parse(q)
	if err != nil {
		return nil, err
	}
	var fields []string
	var rows [][]string
	_, err = Run(context.Background(), s.DB, pq, Options{}, func(b *Batch) error {
		if fields == nil {
			fields = slices.Clone(b.Fields)
		}
		for r := 0; r < b.Len; r++ {
			row := make([]string, len(fields))
			for i, f := range fields {
				row[i] = b.Get(f, r).String()
			}
			rows = append(rows, row)
		}
		return nil
	})
	if fields == nil {
		return nil, err
	}
	return append([][]string{fields}, rows...), err
}

var base = time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC).UnixNano()

// randomEvents makes events with a user (string), bytes (int, sometimes
// missing), dur (float) and status (int).
func randomEvents(r *rand.Rand, n int) []store.Event {
	users := []string{"alice", "bob", "carol", "dave", "eve"}
	evs := make([]store.Event, n)
	for i := range evs {
		t := base + r.Int64N(7200e9) // ns: no two events tie
		u := users[r.IntN(len(users))]
		fs := []store.Field{{Name: "user", Value: store.Str(u)}, {Name: "status", Value: store.Int(int64([]int{200, 200, 404, 500}[r.IntN(4)]))},
			{Name: "dur", Value: store.Float(math.Round(r.Float64()*1000) / 100)}}
		if r.IntN(5) > 0 {
			fs = append(fs, store.Field{Name: "bytes", Value: store.Int(r.Int64N(100000))})
		}
		evs[i] = store.Event{Time: t, Raw: fmt.Sprintf("%d user=%s event %d", t, u, i), Fields: fs}
	}
	return evs
}

// bruteAgg computes an aggregate over the values of one group, written
// independently of the engine.
func bruteAgg(fn string, vals []store.Value, times []int64) string {
	var nums []float64
	for _, v := range vals {
		if v.K == store.KindInt || v.K == store.KindFloat {
			f, _ := v.Number()
			nums = append(nums, f)
		}
	}
	sum := 0.0
	for _, f := range nums {
		sum += f
	}
	fmtNum := func(f float64) string { return numberValue(f).String() }
	switch fn {
	case "count":
		return fmt.Sprint(len(vals))
	case "count(bytes)":
		n := 0
		for _, v := range vals {
			if v.K != store.KindNull {
				n++
			}
		}
		return fmt.Sprint(n)
	case "dc(bytes)":
		set := map[int64]bool{}
		for _, v := range vals {
			if v.K != store.KindNull {
				set[v.I] = true
			}
		}
		return fmt.Sprint(len(set))
	case "sum(bytes)":
		return fmt.Sprint(int64(sum))
	case "avg(bytes)":
		return store.Float(sum / float64(len(nums))).String()
	case "min(bytes)", "max(bytes)", "range(bytes)":
		sort.Float64s(nums)
		lo, hi := nums[0], nums[len(nums)-1]
		return map[string]string{"min(bytes)": fmtNum(lo), "max(bytes)": fmtNum(hi), "range(bytes)": fmtNum(hi - lo)}[fn]
	case "median(bytes)", "perc90(bytes)":
		sort.Float64s(nums)
		p := 0.5
		if fn == "perc90(bytes)" {
			p = 0.9
		}
		rank := p * float64(len(nums)-1)
		lo := int(rank)
		hi := min(lo+1, len(nums)-1)
		return fmtNum(nums[lo] + (rank-float64(lo))*(nums[hi]-nums[lo]))
	case "var(bytes)", "stdev(bytes)":
		mean := sum / float64(len(nums))
		ss := 0.0
		for _, f := range nums {
			ss += (f - mean) * (f - mean)
		}
		v := ss / float64(len(nums)-1)
		if fn == "stdev(bytes)" {
			v = math.Sqrt(v)
		}
		return store.Float(v).String()
	case "earliest(bytes)", "latest(bytes)":
		best := -1
		for i, v := range vals {
			if v.K == store.KindNull {
				continue
			}
			if best < 0 || (fn == "earliest(bytes)" && times[i] < times[best]) || (fn == "latest(bytes)" && times[i] >= times[best]) {
				best = i
			}
		}
		return vals[best].String()
	}
	panic(fn)
}

// TestAggregatesAgainstBruteForce checks every numeric aggregate of stats,
// grouped by user, against a direct computation over the same events.
func TestAggregatesAgainstBruteForce(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(5, 6))
	evs := randomEvents(r, 20000)
	s.add("a", evs[:12000], 1500)
	s.add("b", evs[12000:], 999) // overlaps a in time
	slices.SortStableFunc(evs, func(a, b store.Event) int { return int(a.Time - b.Time) })
	groups := map[string][]int{}
	for i, e := range evs {
		u := e.Get("user").S
		groups[u] = append(groups[u], i)
	}
	aggs := []string{"count", "count(bytes)", "dc(bytes)", "sum(bytes)", "avg(bytes)", "min(bytes)", "max(bytes)",
		"range(bytes)", "median(bytes)", "perc90(bytes)", "var(bytes)", "stdev(bytes)", "earliest(bytes)", "latest(bytes)"}
	for _, agg := range aggs {
		got := s.run("* | stats " + agg + " by user")
		if len(got) != 6 || got[0][1] != agg {
			t.Fatalf("%s: got %v", agg, got)
		}
		for _, row := range got[1:] {
			var vals []store.Value
			var times []int64
			for _, i := range groups[row[0]] {
				vals = append(vals, evs[i].Get("bytes"))
				times = append(times, evs[i].Time)
			}
			want := bruteAgg(agg, vals, times)
			if !numbersClose(row[1], want) {
				t.Errorf("stats %s by user: %s = %s, want %s", agg, row[0], row[1], want)
			}
		}
	}
	// The same aggregate after a non-pushable stage (not merged from
	// chunk partials) must agree.
	a := s.run("* | stats sum(bytes) as s, var(bytes) as v by user")
	b := s.run("* | head 100000 | stats sum(bytes) as s, var(bytes) as v by user")
	for i := range a {
		for j := range a[i] {
			if !numbersClose(a[i][j], b[i][j]) {
				t.Errorf("partial and streamed stats differ:\n%v\n%v", a, b)
			}
		}
	}
}

func numbersClose(got, want string) bool {
	if got == want {
		return true
	}
	var g, w float64
	if _, err := fmt.Sscan(got, &g); err != nil {
		return false
	}
	if _, err := fmt.Sscan(want, &w); err != nil {
		return false
	}
	return math.Abs(g-w) <= 1e-9*math.Max(1, math.Abs(w))
}

// semanticsStore holds four events of users alice, bob (twice) and carol,
// one without n, over four minutes: the fixture of the stage tests in
// cmd_<stage>_test.go.
func semanticsStore(t *testing.T) *testStore {
	s := newTestStore(t)
	var evs []store.Event
	add := func(sec int, raw string, fs ...store.Field) {
		evs = append(evs, store.Event{Time: base + int64(sec)*1e9, Raw: raw, Fields: fs})
	}
	f := func(name string, v store.Value) store.Field { return store.Field{Name: name, Value: v} }
	add(5, "login ok alice", f("user", store.Str("alice")), f("n", store.Str("10")))
	add(65, "login failed bob", f("user", store.Str("bob")), f("n", store.Int(9)))
	add(70, "login failed bob", f("user", store.Str("bob")), f("n", store.Int(100)))
	add(250, "login failed carol", f("user", store.Str("carol")))
	s.add("s", evs, 2)
	return s
}

// queryCase is a query and its rows as fmt prints them, header first.
type queryCase struct{ q, want string }

// checkQueries runs each query on s and compares its rows.
func checkQueries(t *testing.T, s *testStore, cases []queryCase) {
	t.Helper()
	for _, c := range cases {
		got, err := s.tryRun(c.q)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.q, fmt.Sprint(got), c.want)
		}
	}
}

func TestCancel(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(1, 1)), 50000), 500)
	q, _ := Parse("* | eval x = len(_raw) | sort x")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	cancel()
	_, err := Run(ctx, s.DB, q, Options{}, func(b *Batch) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("err = %v after cancel", err)
	}
}

func TestLimits(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(2, 2)), 5000), 500)
	q, _ := Parse("* | stats count by _raw")
	_, err := Run(context.Background(), s.DB, q, Options{MaxGroups: 1000}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "more than 1000 groups") {
		t.Fatalf("group limit: %v", err)
	}
	// Memory, not only the count of groups: every event its own group.
	q, _ = Parse("* | stats count by _raw")
	_, err = Run(context.Background(), s.DB, q, Options{MaxAggBytes: 100 << 10}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "the groups by _raw would take more than") {
		t.Fatalf("memory limit: %v", err)
	}
	q, _ = Parse("* | stats dc(_raw), median(bytes)")
	_, err = Run(context.Background(), s.DB, q, Options{MaxAggBytes: 100 << 10}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "the aggregation would take more than") {
		t.Fatalf("memory limit of dc: %v", err)
	}
	q, _ = Parse("* | sort bytes")
	_, err = Run(context.Background(), s.DB, q, Options{MaxRows: 1000}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "more than 1000 rows") {
		t.Fatalf("row limit: %v", err)
	}
}

// TestCancelSlowStage cancels a query busy in a slow stage: it must stop
// within a second, not when the stage is done.
func TestCancelSlowStage(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(3, 3)), 60000), 4000)
	q, _ := Parse("* | streamstats window=20000 dc(_raw) as d | stats max(d)")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := Run(ctx, s.DB, q, Options{}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stopped %v after the start, want within a second of the cancel", d)
	}
}

// TestSortHead checks that sort followed by head, which keeps only the top
// rows as it goes, gives exactly the first rows of the full stable sort.
func TestSortHead(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(8, 8)), 30000), 3000)
	for _, keys := range []string{"-status", "user, -dur", "status"} {
		fused := s.run("* | sort " + keys + " | head 25 | table _time, user, status, dur")
		full := s.run("* | sort " + keys + " | eval x = 1 | head 25 | table _time, user, status, dur")
		if fmt.Sprint(fused) != fmt.Sprint(full) {
			t.Errorf("sort %s | head 25 differs from the full sort:\n%v\n%v", keys, fused, full)
		}
	}
}

// TestRowMemoryLimit: a blocking stage stops with a clear error before
// its rows outgrow the memory bound.
func TestRowMemoryLimit(t *testing.T) {
	var r rowBuffer
	r.maxBytes = 1 << 20
	b := &Batch{Fields: []string{"_raw"}, Cols: [][]store.Value{make([]store.Value, 1000)}, Len: 1000}
	for i := range b.Cols[0] {
		b.Cols[0][i] = store.Str(strings.Repeat("x", 100))
	}
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		err = r.add(b, math.MaxInt, "sort")
	}
	if err == nil || !strings.Contains(err.Error(), "sort would hold more than 1 MB of rows") {
		t.Fatalf("err = %v", err)
	}
}
