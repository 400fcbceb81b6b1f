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
	one := newGroupTable(specs, []string{"k"}, opt)
	var tables []*groupTable
	for range 3 {
		tables = append(tables, one.spare())
	}
	for range 500 {
		k, x := keys[r.IntN(len(keys))], store.Int(r.Int64N(100))
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
	want := one.sorted()
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
