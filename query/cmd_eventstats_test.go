package query

import (
	"fmt"
	"testing"
	"time"

	"loghunt/store"
)

// TestEventstatsCmd runs eventstats on the four events of semanticsStore.
func TestEventstatsCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// every row gets its group's aggregate
		{"* | eventstats count as k by user | table user, k", "[[user k] [alice 1] [bob 2] [bob 2] [carol 1]]"},
	})
}

// TestEventstatsNullKeepsField: a row whose by field is null is in no
// group and keeps a field it has of the aggregate's name; it was set to
// null, and the planner did not read it (found by the differential
// test). Streamstats likewise.
func TestEventstatsNullKeepsField(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// carol has no n: she keeps her user
		{"* | eventstats count as user by n | table user", "[[user] [1] [1] [1] [carol]]"},
		{"* | where true | eventstats count as user by n | table user", "[[user] [1] [1] [1] [carol]]"},
		{"* | streamstats count as user by n | table user", "[[user] [1] [1] [1] [carol]]"},
		{"* | streamstats window=2 count as user by n | table user", "[[user] [1] [1] [1] [carol]]"},
		// without by every row is in the one group
		{"* | eventstats count as user | table user", "[[user] [4] [4] [4] [4]]"},
	})
}

// TestEventstatsResultsOncePerGroup: each group's results are made once,
// not once per row: a percentile sorted its group's values again for
// every row, so eventstats p50 over 100,000 rows of one group took
// minutes (found by the differential test, after a timechart of 800,000
// buckets).
func TestEventstatsResultsOncePerGroup(t *testing.T) {
	s := newTestStore(t)
	var evs []store.Event
	for i := range 100_000 {
		evs = append(evs, store.Event{Time: base + int64(i)*1e9, Raw: "x",
			Fields: []store.Field{{Name: "n", Value: store.Int(int64(i % 1000))}}})
	}
	s.add("a", evs, 30000)
	start := time.Now()
	got := s.run("* | eventstats p50(n) as m, values(n) as v, dc(n) as d | stats count by m, d")
	if fmt.Sprint(got) != "[[m d count] [499.5 1000 100000]]" {
		t.Errorf("%v", got)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}
