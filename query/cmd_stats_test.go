package query

import "testing"

// TestStatsCmd runs stats on the four events of semanticsStore.
func TestStatsCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// count(f) skips nulls; dc
		{"* | stats count, count(n) as cn, dc(user) as u", "[[count cn u] [4 3 3]]"},
		// by a field; groups in key order
		{"* | stats count, sum(n) as s by user", "[[user count s] [alice 1 10] [bob 2 109] [carol 1 ]]"},
		// a null by-value is no group
		{"* | stats count by n", "[[n count] [9 1] [10 1] [100 1]]"},
	})
}
