package query

import "testing"

// TestTopCmd runs top on the four events of semanticsStore.
func TestTopCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// count and percent, most common first
		{"* | top user", "[[user count percent] [bob 2 50] [alice 1 25] [carol 1 25]]"},
		// a limit
		{"* | top 1 user", "[[user count percent] [bob 2 50]]"},
	})
}
