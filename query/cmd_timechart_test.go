package query

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"loghunt/store"
)

// TestTimechartCmd runs timechart on the four events of semanticsStore.
func TestTimechartCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// fills the empty buckets (minutes 2 and 3) with zero
		{"* | timechart span=1m count", "[[_time count] [2025-03-06T00:00:00Z 1] [2025-03-06T00:01:00Z 2] [2025-03-06T00:02:00Z 0] [2025-03-06T00:03:00Z 0] [2025-03-06T00:04:00Z 1]]"},
		// a column per by-value
		{"* | timechart span=2m count by user", "[[_time bob alice carol] [2025-03-06T00:00:00Z 2 1 0] [2025-03-06T00:02:00Z 0 0 0] [2025-03-06T00:04:00Z 0 0 1]]"},
		// an aggregate of a field; empty buckets are zero too (SPEC)
		{"* | timechart span=2m sum(n) as s", "[[_time s] [2025-03-06T00:00:00Z 119] [2025-03-06T00:02:00Z 0] [2025-03-06T00:04:00Z 0]]"},
	})
}

// TestTimechartCellsBounded: the buckets a timechart fills are bounded by
// the aggregation's memory, columns included. A month of auth.log by pid
// at span=10s asked for 259,200 buckets of hundreds of columns, tens of
// gigabytes, and the process was killed (found by the differential test).
func TestTimechartCellsBounded(t *testing.T) {
	s := newTestStore(t)
	var evs []store.Event
	for i := range 200 {
		evs = append(evs, store.Event{Time: base + int64(i)*3600e9, Raw: "x",
			Fields: []store.Field{{Name: "pid", Value: store.Int(int64(i))}}})
	}
	s.add("a", evs, 50)
	pq, err := Parse("* | timechart span=1s count by pid limit=0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), s.DB, pq, Options{MaxAggBytes: 64 << 20}, func(*Batch) error { return nil })
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "use a larger span") {
		t.Fatalf("err = %v, want a limit error", err)
	}
	// Within the bound it works.
	if got := s.run("* | timechart span=1h count by pid limit=0"); len(got) != 201 || len(got[0]) != 201 {
		t.Errorf("%d rows of %d columns", len(got), len(got[0]))
	}
}

// TestTimechartOptionsAfterAggregates: span= and limit= may follow the
// aggregates without a by clause, as they may follow one (Splunk takes
// `timechart count span=1h`). An option's name was read as an aggregate
// and the '=' after it was a syntax error.
func TestTimechartOptionsAfterAggregates(t *testing.T) {
	s := semanticsStore(t)
	want := fmt.Sprint(s.run("* | timechart span=2m count, sum(n) as s limit=3"))
	for _, q := range []string{"* | timechart count, sum(n) as s span=2m limit=3", "* | timechart limit=3 count sum(n) as s span=2m",
		"* | timechart count, sum(n) as s limit=3 span=2m"} {
		pq, err := Parse(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if again, err := Parse(pq.String()); err != nil || again.String() != pq.String() {
			t.Errorf("%s prints as %s: %v", q, pq, err)
		}
		if got := fmt.Sprint(s.run(q)); got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
	if _, err := Parse("* | stats count span=1h"); err == nil {
		t.Error("stats takes no options, but count span=1h parsed")
	}
}

// TestTimechartRefusedBeforeItAllocates: a timechart over too many cells
// is refused before it makes a row of cells for each bucket. The rows of
// every bucket (series x aggregates each) were made first and checked
// after: a timechart of a timechart by many series took gigabytes and
// twenty minutes before its limit error (differential test, seed 22).
func TestTimechartRefusedBeforeItAllocates(t *testing.T) {
	s := newTestStore(t)
	var evs []store.Event
	for i := range 3000 {
		evs = append(evs, store.Event{Time: base + int64(i)*60e9, Raw: "x",
			Fields: []store.Field{{Name: "k", Value: store.Int(int64(i))}}})
	}
	s.add("a", evs, 1000)
	pq, err := Parse("* | timechart span=1m count by k limit=0")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Run(context.Background(), s.DB, pq, Options{MaxAggBytes: 16 << 20}, func(*Batch) error { return nil })
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want a limit error", err)
	}
	// 3000 buckets x 3000 cells of 16 bytes: 144 MB before the fix.
	if got := after.TotalAlloc - before.TotalAlloc; got > 100<<20 {
		t.Errorf("allocated %d MB before refusing", got>>20)
	}
}
