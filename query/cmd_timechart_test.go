package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
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

// TestTimechartPerUnit: per_second, per_minute, per_hour and per_day are
// a bucket's sum scaled to the unit (sum * unit / span), as in Splunk. On
// the web excerpt the first 10 minutes (18:00-18:09, 118 lines) send
// 62384756 bytes (added up with awk from the file): per_minute 6238475.6,
// per_second 103974.593..., per_hour 374308536; every bucket is the sum
// of bin | stats scaled, with by as without, empty buckets 0.
func TestTimechartPerUnit(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	got := s.run(`* | timechart span=10m per_second(bytes) as ps, per_minute(bytes), per_hour(bytes) as ph, per_day(bytes) as pd, sum(bytes) as s`)
	if head := []string{"_time", "ps", "per_minute(bytes)", "ph", "pd", "s"}; !slices.Equal(got[0], head) {
		t.Fatalf("columns %q", got[0])
	}
	if want := []string{"2015-05-17T18:00:00Z", "103974.59333333334", "6238475.6", "374308536", "8983404864", "62384756"}; !slices.Equal(got[1], want) {
		t.Fatalf("first bucket %q, want %q", got[1], want)
	}
	sums := map[string]float64{}
	for _, r := range s.run(`* | bin _time span=10m | stats sum(bytes) as s by _time`)[1:] {
		sums[r[0]], _ = strconv.ParseFloat(r[1], 64)
	}
	zero := 0
	for _, r := range got[1:] {
		sum := sums[r[0]]
		if sum == 0 {
			zero++
		}
		for i, unit := range []float64{1, 60, 3600, 86400} {
			f, _ := strconv.ParseFloat(r[1+i], 64)
			if want := sum * unit / 600; math.Abs(f-want) > 1e-9*want {
				t.Fatalf("%s %s: %s, want %g", r[0], got[0][1+i], r[1+i], want)
			}
		}
	}
	if len(got) < 10 {
		t.Fatalf("%d buckets: the test shows little", len(got)-1)
	}
	by := s.run(`* | timechart span=1h per_minute(bytes) by method`)
	plain := s.run(`* | timechart span=1h sum(bytes) by method`)
	if !slices.Equal(by[0], plain[0]) || len(by) != len(plain) {
		t.Fatalf("by method: %q, sum %q", by[0], plain[0])
	}
	for i := 1; i < len(by); i++ {
		for j := 1; j < len(by[i]); j++ {
			f, _ := strconv.ParseFloat(by[i][j], 64)
			sum, _ := strconv.ParseFloat(plain[i][j], 64)
			if math.Abs(f-sum/60) > 1e-9*sum {
				t.Fatalf("%s %s: %s, want %g", by[i][0], by[0][j], by[i][j], sum/60)
			}
		}
	}
	cases := []struct{ q, want string }{
		{"| stats per_second(bytes)", "| stats per_second(bytes)\n        ^ per_second is timechart's: the sum of each time bucket per second (timechart span=5m per_second(f))"},
		{"| chart per_minute(bytes) by host", "| chart per_minute(bytes) by host\n        ^ per_minute is timechart's: the sum of each time bucket per minute (timechart span=5m per_minute(f))"},
		{"| timechart span=1m per_hour", "| timechart span=1m per_hour\n                            ^ per_hour needs a field: per_hour(field)"},
	}
	for _, c := range cases {
		if _, err := Parse(c.q); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
}
