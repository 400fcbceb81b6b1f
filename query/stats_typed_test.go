package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// TestTypedAggMatchesGeneral runs each query of the typed shape and the
// same query made to go the general way (a `where true` before the
// aggregation), and wants the same rows: on chunks with nulls, chunks
// whose aggregated field holds text, chunks without the by field, a
// search that filters rows and a time range that cuts chunks.
func TestTypedAggMatchesGeneral(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(7, 8))
	evs := randomEvents(r, 12000)
	s.add("a", evs[:6000], 1000)
	odd := randomEvents(r, 3000)
	for i := range odd {
		if i%2 == 0 {
			odd[i].Fields = append(odd[i].Fields[:0:0], store.Field{Name: "bytes", Value: store.Str("n/a")})
		} else {
			odd[i].Fields = slices.DeleteFunc(slices.Clone(odd[i].Fields), func(f store.Field) bool { return f.Name == "user" })
		}
	}
	s.add("b", odd, 700)
	s.add("c", evs[6000:], 1300)
	mid := time.Unix(0, base+3600e9).UTC().Format(time.RFC3339)
	queries := []string{
		"* | stats count, count(bytes), sum(bytes), avg(bytes), min(bytes), max(bytes)",
		"* | stats count, sum(bytes) as total by user",
		"status=404 | stats count by user",
		"status>=400 bob | stats count, max(bytes) by user",
		"* | bin _time span=1m | stats count, sum(bytes) as b by _time",
		"* | stats min(status), max(status), avg(status) by user",
		"nobody_has_this | stats count",
		"earliest=" + mid + " | bin _time span=5m | stats count, avg(bytes) by _time",
		"latest=" + mid + " | stats count(status), sum(bytes) by user",
	}
	for _, q := range queries {
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
		if p.typed == nil {
			t.Errorf("%s: not on the typed path", q)
		}
		general := strings.Replace(q, " | ", " | where true | ", 1)
		if got, want := s.run(q), s.run(general); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s:\n got %v\nwant %v", q, got, want)
		}
	}
}

// TestSortedUnion merges workers' tables: the same key in several tables
// is one group with its counts added, keys that only sort alike (10 and
// "10") stay two groups, and the order is the one table would give.
func TestSortedUnion(t *testing.T) {
	opt := &Options{MaxGroups: 100, MaxAggBytes: 1 << 20}
	specs := []aggSpec{{fn: "count", out: "count"}, {fn: "sum", field: "x", out: "sum"}}
	keys := []store.Value{store.Int(10), store.Str("10"), store.Str("a"), store.Int(3), store.Null, store.Str("b"), store.Float(2.5)}
	r := rand.New(rand.NewPCG(1, 2))
	got, want := unionAndOne(t, specs, opt, r, 500, func() (store.Value, store.Value) {
		return keys[r.IntN(len(keys))], store.Int(r.Int64N(100))
	})
	show := func(gs []*group) []string {
		var out []string
		for _, g := range gs {
			out = append(out, fmt.Sprintf("%v(%d)=%v/%v", g.key[0], g.key[0].K, g.states[0].result(), g.states[1].result()))
		}
		return out
	}
	if g, w := show(got), show(want); !slices.Equal(g, w) {
		t.Errorf("union %v\n want %v", g, w)
	}
}

// unionAndOne adds rows (a key k and a value x each) to one table and to
// one of three workers' tables at random, and returns the workers' sorted
// union and the one table's groups sorted.
func unionAndOne(t *testing.T, specs []aggSpec, opt *Options, r *rand.Rand, rows int, row func() (k, x store.Value)) (got, want []*group) {
	t.Helper()
	one := newGroupTable(specs, []string{"k"}, opt)
	var tables []*groupTable
	for range 3 {
		tables = append(tables, one.spare())
	}
	for range rows {
		k, x := row()
		b := &Batch{Fields: []string{"k", "x"}, Cols: [][]store.Value{{k}, {x}}, Len: 1}
		if err := one.add(b); err != nil {
			t.Fatal(err)
		}
		if err := tables[r.IntN(len(tables))].add(b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := sortedUnion(tables)
	if err != nil {
		t.Fatal(err)
	}
	return got, one.sorted()
}

// TestSortSortables checks the sort of groups that sorts only the runs of
// an already ordered first key against a full sort, with first keys in
// order (a scan by time), in two ordered runs, and in none, and keys that
// compare equal (10, "10").
func TestSortSortables(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	firsts := []store.Value{store.Time(5e9), store.Time(6e9), store.Int(10), store.Str("10"), store.Str("a"), store.Null, store.Float(7.5)}
	seconds := []store.Value{store.Str("root"), store.Str("admin"), store.Int(2), store.Str("2"), store.Null}
	for round := range 300 {
		// Distinct keys, as a table's groups have.
		var groups []group
		seen := map[string]bool{}
		for range r.IntN(40) {
			key := []store.Value{firsts[r.IntN(len(firsts))], seconds[r.IntN(len(seconds))]}
			if k := string(appendKeys(nil, key)); !seen[k] {
				seen[k] = true
				groups = append(groups, group{key: key})
			}
		}
		n := len(groups)
		mk := func() []sortable {
			dec := make([]sortable, n)
			for i := range groups {
				dec[i] = sortable{g: &groups[i], keys: []sortKey{newSortKey(groups[i].key[0]), newSortKey(groups[i].key[1])}}
			}
			return dec
		}
		if round%3 != 2 { // first keys in order, as a scan by time gives them, or in a few ordered runs
			dec := mk()
			cut := n
			if round%3 == 1 && n > 0 {
				cut = r.IntN(n)
			}
			byFirst := func(a, b sortable) int { return a.keys[0].compare(&b.keys[0]) }
			slices.SortStableFunc(dec[:cut], byFirst)
			slices.SortStableFunc(dec[cut:], byFirst)
			keys := make([][]store.Value, n)
			for i := range dec {
				keys[i] = dec[i].g.key
			}
			for i := range groups {
				groups[i].key = keys[i]
			}
		}
		got, want := mk(), mk()
		sortSortables(got)
		slices.SortFunc(want, compareSortables)
		for i := range got {
			if got[i].g != want[i].g {
				t.Fatalf("round %d: position %d has %v, want %v", round, i, got[i].g.key, want[i].g.key)
			}
		}
	}
}

// TestRowBufferJoinsSlices checks that a blocking stage takes the pieces of
// one flushed batch back without copying, and copies anything else.
func TestRowBufferJoinsSlices(t *testing.T) {
	big := &Batch{Fields: []string{"a", "b"}, Len: 10}
	for range 2 {
		col := make([]store.Value, 10)
		for i := range col {
			col[i] = store.Int(int64(i))
		}
		big.Cols = append(big.Cols, col)
	}
	var r rowBuffer
	for i := 0; i < 10; i += 4 {
		if err := r.add(big.Slice(i, min(i+4, 10)), 100, "test"); err != nil {
			t.Fatal(err)
		}
	}
	got := r.batch()
	if got.Len != 10 || &got.Cols[1][0] != &big.Cols[1][0] || got.Get("b", 9).I != 9 {
		t.Fatalf("pieces of one batch: len %d, shared %v", got.Len, &got.Cols[1][0] == &big.Cols[1][0])
	}
	if got.Column("c"); len(big.Fields) != 2 || cap(got.Cols[0]) != 10 {
		t.Fatal("a new column reached the source batch")
	}
	// Pieces out of order, or of two batches, are copied in order.
	for _, pieces := range [][]*Batch{{big.Slice(4, 10), big.Slice(0, 4)}, {big.Slice(0, 5), big.Slice(0, 5)}} {
		r = rowBuffer{}
		for _, p := range pieces {
			r.add(p, 100, "test")
		}
		got = r.batch()
		if &got.Cols[0][0] == &big.Cols[0][0] {
			t.Fatalf("pieces %d+%d: shared, not copied", pieces[0].Len, pieces[1].Len)
		}
		for i := range got.Len {
			want := pieces[0].Get("a", min(i, pieces[0].Len-1))
			if i >= pieces[0].Len {
				want = pieces[1].Get("a", i-pieces[0].Len)
			}
			if got.Get("a", i) != want {
				t.Fatalf("pieces %d+%d: row %d is %v, want %v", pieces[0].Len, pieces[1].Len, i, got.Get("a", i), want)
			}
		}
	}
}

// TestTypedAggKeysOutliveChunks groups by a field whose dictionaries are
// compressed, different in every chunk, and decoded into memory reused
// from chunk to chunk: the groups must keep their own copies of the
// values, or later chunks overwrite them.
func TestTypedAggKeysOutliveChunks(t *testing.T) {
	s := newTestStore(t)
	evs := make([]store.Event, 20000)
	for i := range evs {
		ts := base + int64(i)*1e9
		url := fmt.Sprintf("/static/assets/images/product-%05d/thumbnail.png", i/4)
		evs[i] = store.Event{Time: ts, Raw: fmt.Sprintf("%d GET %s", ts, url),
			Fields: []store.Field{{Name: "url", Value: store.Str(url)}, {Name: "bytes", Value: store.Int(int64(i % 977))}}}
	}
	s.add("a", evs, 500)
	q := "* | stats count, sum(bytes) by url"
	got, want := s.run(q), s.run(strings.Replace(q, " | ", " | where true | ", 1))
	if len(want) != 5001 || !slices.EqualFunc(got, want, slices.Equal) {
		for i := range min(len(got), len(want)) {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("%d rows, want %d; row %d: %v, want %v", len(got), len(want), i, got[i], want[i])
			}
		}
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
}

// TestSelectByCodes checks searches that select rows straight from a
// dictionary's codes (one comparison, nothing else) against the same
// comparison as a later search stage, which tests row by row, with time
// ranges that cut chunks.
func TestSelectByCodes(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(9, 10))
	evs := randomEvents(r, 9000)
	s.add("a", evs[:5000], 800)
	s.add("b", evs[5000:], 1100)
	mid := time.Unix(0, base+3600e9).UTC().Format(time.RFC3339)
	for _, term := range []string{"status=404", "user=bob", "user=BOB", "status>=400", "user IN (alice, eve)", "user=nobody", "status!=200"} {
		for _, rng := range []string{"", "earliest=" + mid + " ", "latest=" + mid + " "} {
			got := s.run(rng + term + " | stats count by user, status")
			want := s.run(rng + "* | search " + term + " | stats count by user, status")
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%s%s:\n got %v\nwant %v", rng, term, got, want)
			}
		}
	}
}

// TestBorrowedRawMatchesCopied: rows whose _raw views the scan's arena
// (an aggregation in the workers that keeps no row text but its copied
// keys) give what copied rows give, over many chunks that reuse the
// arena; aggregates that keep values (dc, values) must not borrow.
func TestBorrowedRawMatchesCopied(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(12, 13))
	evs := randomEvents(r, 12000)
	for i := range evs { // a word of its own in each line
		evs[i].Raw += fmt.Sprintf(" word=w%03d", r.IntN(90))
	}
	s.add("a", evs, 700)
	rex := `word | rex "word=(?<w>\w+)" | `
	for _, q := range []string{
		rex + "stats count, avg(bytes) by w",
		rex + "bin _time span=10m | stats count by _time, w",
		rex + "stats dc(w) as d by user",
		rex + "stats values(w) as v, max(w) as m by status",
		rex + "stats count by w, user",
	} {
		copied := strings.Replace(q, " | stats", " | head 1000000 | stats", 1)
		if got, want := s.run(q), s.run(copied); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s:\n got %v\nwant %v", q, got[:min(4, len(got))], want[:min(4, len(want))])
		}
	}
}

// TestLookupPair: groups by two values, found first by the first value,
// are the groups of the two values' encodings (10 and "10" apart, 2.0 and
// 2 together), whether rows come in runs of the first value or not.
func TestLookupPair(t *testing.T) {
	opt := &Options{MaxGroups: 1000, MaxAggBytes: 1 << 20}
	firsts := []store.Value{store.Time(5e9), store.Int(10), store.Str("10"), store.Float(2), store.Int(2), store.Str("a")}
	seconds := []store.Value{store.Str("root"), store.Int(7), store.Str("7"), store.Float(7), store.Str("")}
	r := rand.New(rand.NewPCG(31, 32))
	for _, runs := range []bool{true, false} {
		g := newGroupTable([]aggSpec{{fn: "count", out: "count"}}, []string{"a", "b"}, opt)
		want := map[string]int64{}
		for i := range 3000 {
			v0 := firsts[r.IntN(len(firsts))]
			if runs {
				v0 = firsts[i*len(firsts)/3000]
			}
			v1 := seconds[r.IntN(len(seconds))]
			b := &Batch{Fields: []string{"a", "b"}, Cols: [][]store.Value{{v0}, {v1}}, Len: 1}
			if err := g.add(b); err != nil {
				t.Fatal(err)
			}
			want[string(appendKey(appendKey(nil, normKey(v0)), normKey(v1)))]++
		}
		got := map[string]int64{}
		for _, gr := range g.groups() {
			k := string(appendKey(appendKey(nil, normKey(gr.key[0])), normKey(gr.key[1])))
			if _, dup := got[k]; dup {
				t.Fatalf("runs %v: two groups for %v", runs, gr.key)
			}
			got[k] = gr.states[0].result().I
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("runs %v: groups %v\nwant %v", runs, got, want)
		}
	}
}

// TestSortedUnionBig: a union of tens of thousands of groups gives what
// one table given every row gives, in key order, with keys in several
// tables and keys that sort alike but group apart (10 and "10").
func TestSortedUnionBig(t *testing.T) {
	opt := &Options{MaxGroups: 1 << 20, MaxAggBytes: 1 << 30}
	specs := []aggSpec{{fn: "count", out: "count"}, {fn: "sum", field: "x", out: "sum"}}
	r := rand.New(rand.NewPCG(41, 42))
	got, want := unionAndOne(t, specs, opt, r, 40000, func() (store.Value, store.Value) {
		n := int64(r.IntN(12000))
		if r.IntN(3) == 0 {
			return store.Str(fmt.Sprint(n)), store.Int(n % 7)
		}
		return store.Int(n), store.Int(n % 7)
	})
	if len(got) != len(want) || len(got) < 10000 {
		t.Fatalf("%d groups, want %d", len(got), len(want))
	}
	// The same groups with the same states, in the same order: groups
	// whose keys sort alike (10 and "10") too, whichever table saw which
	// first.
	states := func(gs []*group) []string {
		var out []string
		for _, g := range gs {
			out = append(out, fmt.Sprintf("%d:%v=%v/%v", g.key[0].K, g.key[0], g.states[0].result(), g.states[1].result()))
		}
		return out
	}
	if g, w := states(got), states(want); !slices.Equal(g, w) {
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("group %d of the union is %s, one table's %s", i, g[i], w[i])
			}
		}
		t.Fatal("the union's groups or states differ from one table's")
	}
	for i := 1; i < len(got); i++ {
		if compareValues(got[i-1].key[0], got[i].key[0]) > 0 {
			t.Fatalf("group %d (%v) after %v", i, got[i].key[0], got[i-1].key[0])
		}
	}
}
