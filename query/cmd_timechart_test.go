package query

import (
	"context"
	"errors"
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
