package query

import "testing"

// TestStreamstatsCmd runs streamstats on the four events of semanticsStore.
func TestStreamstatsCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// runs oldest first
		{"* | streamstats count as k by user | table user, k", "[[user k] [alice 1] [bob 1] [bob 2] [carol 1]]"},
		// a running sum skips nulls
		{"* | streamstats sum(n) as s | table user, s", "[[user s] [alice 10] [bob 19] [bob 119] [carol 119]]"},
	})
}
