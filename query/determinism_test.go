package query

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"loghunt/store"
)

// jitterStore delays the work on each chunk at random, so the scan
// workers take the chunks, and their tables the rows, in another order in
// every run.
type jitterStore struct {
	*store.DB
	mu sync.Mutex
	r  *rand.Rand
}

func (j *jitterStore) Scan(ctx context.Context, spec store.ScanSpec, work func(*store.Chunk) (any, error),
	emit func(*store.Chunk, any) error) (store.ScanStats, error) {
	return j.DB.Scan(ctx, spec, func(c *store.Chunk) (any, error) {
		j.mu.Lock()
		d := time.Duration(j.r.IntN(400)) * time.Microsecond
		j.mu.Unlock()
		time.Sleep(d)
		return work(c)
	}, emit)
}

// runOn runs q on st and returns its rows as text, header first.
func runOn(t *testing.T, st Store, q string) []string {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	_, err = Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
		if rows == nil {
			rows = append(rows, strings.Join(b.Fields, ","))
		}
		for r := 0; r < b.Len; r++ {
			var row []string
			for i := range b.Fields {
				row = append(row, fmt.Sprintf("%d:%s", b.Cols[i][r].K, b.Cols[i][r]))
			}
			rows = append(rows, strings.Join(row, ","))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows
}

// determinismEvents makes events whose aggregates depend on row order
// unless the engine takes care: more than 100 distinct words, floats of
// very different magnitudes (their float sum depends on the order), rows
// at the same time with different values (earliest, latest), and values
// that compare equal but differ (10 and "10", "1" and "1.0") in a by
// field and in min and max.
func determinismEvents(r *rand.Rand, n int) []store.Event {
	evs := make([]store.Event, n)
	alike := []store.Value{store.Int(10), store.Str("10"), store.Str("1"), store.Str("1.0"), store.Float(1), store.Str("x")}
	for i := range evs {
		ts := base + r.Int64N(400)*1e9 // many rows share a second
		f := r.NormFloat64() * math.Pow(10, float64(r.IntN(12)-3))
		fs := []store.Field{
			{Name: "g", Value: store.Str([]string{"web", "db", "mail"}[r.IntN(3)])},
			{Name: "w", Value: store.Str(fmt.Sprintf("w%d", r.IntN(400)))},
			{Name: "f", Value: store.Float(f)},
			{Name: "k", Value: alike[r.IntN(len(alike))]},
			{Name: "i", Value: store.Int(r.Int64N(1 << 40))},
		}
		evs[i] = store.Event{Time: ts, Raw: fmt.Sprintf("%d event %d", ts, i), Fields: fs}
	}
	return evs
}

var determinismQueries = []string{
	"* | stats values(w) as v, dc(w) as d, count by g",
	"* | stats sum(f) as s, avg(f) as a, var(f) as v, stdev(f) as sd, stdevp(f) as sp, range(f) as r by g",
	"* | stats median(f) as m, perc90(f) as p, min(f) as lo, max(f) as hi, sum(i) as si, avg(i) as ai",
	"* | stats earliest(w) as e, latest(w) as l, first(k) as fk, last(k) as lk by g",
	"* | stats min(k) as lo, max(k) as hi, values(k) as v by g",
	"* | stats count, sum(f) as s by k",
	"* | stats count by k, g",
	"* | where true | stats count, sum(f) as s, values(w) as v by k",
	"* | bin _time span=1m | stats avg(f) as a, earliest(k) as e by _time, k",
	"* | timechart span=1m limit=3 avg(f) by k",
	"* | top limit=0 k by g",
	"* | rare k",
	"* | eventstats sum(f) as s, values(k) as v by g | stats values(s) as s, values(v) as v",
}

// TestAggregatesDeterministic runs queries whose answers once depended on
// the order the workers saw the rows in (values past 100 distinct values,
// float sums, variance, ties of earliest/latest/min/max, groups whose
// keys sort alike) at GOMAXPROCS 1, 2 and 8, on stores of the same events
// in chunks of three sizes, with the chunks' work delayed at random; every
// run must give the same rows, byte for byte.
func TestAggregatesDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	evs := determinismEvents(r, 12000)
	var stores []*testStore
	for _, per := range []int{300, 1000, 2500} {
		s := newTestStore(t)
		s.add("a", evs[:7000], per)
		s.add("b", evs[7000:], per*2/3+1)
		stores = append(stores, s)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, q := range determinismQueries {
		var first []string
		for i, s := range stores {
			for _, procs := range []int{1, 2, 8} {
				runtime.GOMAXPROCS(procs)
				got := runOn(t, &jitterStore{DB: s.DB, r: rand.New(rand.NewPCG(uint64(i), uint64(procs)))}, q)
				if first == nil {
					first = got
					continue
				}
				if !slices.Equal(got, first) {
					for j := range min(len(got), len(first)) {
						if got[j] != first[j] {
							t.Errorf("%s: store %d at GOMAXPROCS %d, row %d:\n%.300s\nwant\n%.300s", q, i, procs, j, got[j], first[j])
							break
						}
					}
					if len(got) != len(first) {
						t.Errorf("%s: store %d at GOMAXPROCS %d: %d rows, want %d", q, i, procs, len(got), len(first))
					}
				}
			}
		}
	}
}

// TestAggregatesExactAgainstBig checks the order-free aggregates against
// an exact computation in big numbers and a sorted set: values() is every
// distinct value sorted by bytes; sum and avg are the exact sum rounded
// once; var and stdev are the exact variance (two passes over rationals)
// rounded once.
func TestAggregatesExactAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	evs := determinismEvents(r, 9000)
	s := newTestStore(t)
	s.add("a", evs, 700)
	byG := map[string][]store.Event{}
	for _, e := range evs {
		byG[e.Get("g").S] = append(byG[e.Get("g").S], e)
	}
	got := s.run("* | stats values(w) as v, sum(f) as s, avg(f) as a, var(f) as va, stdevp(f) as sd, values(k) as vk, dc(k) as dk by g")
	if len(got) != 4 {
		t.Fatalf("%d rows", len(got))
	}
	for _, row := range got[1:] {
		group := byG[row[0]]
		words, ks := map[string]bool{}, map[string]bool{}
		sum := new(big.Rat)
		for _, e := range group {
			words[e.Get("w").S] = true
			ks[e.Get("k").String()] = true
			sum.Add(sum, new(big.Rat).SetFloat64(e.Get("f").F))
		}
		n := big.NewRat(int64(len(group)), 1)
		mean := new(big.Rat).Quo(sum, n)
		ss := new(big.Rat)
		for _, e := range group {
			d := new(big.Rat).Sub(new(big.Rat).SetFloat64(e.Get("f").F), mean)
			ss.Add(ss, d.Mul(d, d))
		}
		sampleVar, _ := new(big.Rat).Quo(ss, big.NewRat(int64(len(group)-1), 1)).Float64()
		popVar, _ := new(big.Rat).Quo(ss, n).Float64()
		exact, _ := sum.Float64()
		sorted := func(m map[string]bool) string {
			var out []string
			for k := range m {
				out = append(out, k)
			}
			slices.Sort(out)
			return strings.Join(out, ", ")
		}
		want := []string{row[0], sorted(words), fmt.Sprint(store.Float(exact)), fmt.Sprint(store.Float(exact / float64(len(group)))),
			fmt.Sprint(store.Float(sampleVar)), fmt.Sprint(store.Float(math.Sqrt(popVar))), sorted(ks), fmt.Sprint(len(ks))}
		if len(words) <= 100 {
			t.Fatalf("group %s: only %d distinct words", row[0], len(words))
		}
		for i := range want {
			if row[i] != want[i] {
				t.Errorf("group %s, %s: %.200s, want %.200s", row[0], got[0][i], row[i], want[i])
			}
		}
	}
}

// TestValuesMemoryBound: values() keeps every distinct value, within the
// aggregation's memory bound: past it the query stops with the error that
// says how to narrow it, on every path (workers, ordered stream,
// eventstats, streamstats).
func TestValuesMemoryBound(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(61, 62)), 3000), 300)
	for _, c := range []struct{ q, want string }{
		{"* | stats values(_raw)", "the aggregation would take more than"},
		{"* | head 100000 | stats values(_raw) by user", "the groups by user would take more than"},
		{"* | eventstats values(_raw) as v by user", "the groups by user would take more than"},
		{"* | streamstats values(_raw) as v by user", "the groups by user would take more than"},
	} {
		pq, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Run(context.Background(), s.DB, pq, Options{MaxAggBytes: 100 << 10}, func(*Batch) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "narrow the search") {
			t.Errorf("%s: %v, want an error with %q", c.q, err, c.want)
		}
		// Within the bound, every distinct value.
		got := s.run(strings.Replace(c.q, "_raw", "bytes", 1) + " | head 1")
		if len(got) < 2 {
			t.Errorf("%s on bytes: no rows", c.q)
		}
	}
	got := s.run("* | stats values(bytes) as v, dc(bytes) as d")
	if n := len(strings.Split(got[1][0], ", ")); fmt.Sprint(n) != got[1][1] || n <= 100 {
		t.Errorf("values(bytes) has %d values, dc %s", n, got[1][1])
	}
}

// TestSumPastInt64: a sum of ints past the int64 range goes on exactly in
// floats, on the typed path, the general one and the ordered stream, and
// one that fits stays an int; it once wrapped around.
func TestSumPastInt64(t *testing.T) {
	s := newTestStore(t)
	var evs []store.Event
	for i := range 8 {
		evs = append(evs, store.Event{Time: base + int64(i)*1e9, Raw: "x", Fields: []store.Field{
			{Name: "big", Value: store.Int(1 << 62)}, {Name: "neg", Value: store.Int(-1 << 62)},
			{Name: "g", Value: store.Str("a")}, {Name: "small", Value: store.Int(int64(i))}}})
	}
	s.add("a", evs, 3)
	for _, q := range []string{"* | stats sum(big) as b, sum(neg) as n, avg(big) as a, sum(small) as s by g",
		"* | where true | stats sum(big) as b, sum(neg) as n, avg(big) as a, sum(small) as s by g",
		"* | head 100 | stats sum(big) as b, sum(neg) as n, avg(big) as a, sum(small) as s by g"} {
		got := runOn(t, s.DB, q)
		want := "1:a,3:36893488147419103000,3:-36893488147419103000,3:4611686018427388000,2:28"
		if len(got) != 2 || got[1] != want {
			t.Errorf("%s: %v, want %s", q, got, want)
		}
	}
}
