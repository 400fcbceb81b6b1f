package query

import "testing"

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
