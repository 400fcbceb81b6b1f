package query

import "testing"

// TestEventstatsCmd runs eventstats on the four events of semanticsStore.
func TestEventstatsCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// every row gets its group's aggregate
		{"* | eventstats count as k by user | table user, k", "[[user k] [alice 1] [bob 2] [bob 2] [carol 1]]"},
	})
}
