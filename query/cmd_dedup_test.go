package query

import "testing"

// TestDedupCmd runs dedup on the four events of semanticsStore.
func TestDedupCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// the first row of each value, in time order
		{"* | dedup user | table user", "[[user] [alice] [bob] [carol]]"},
		// a row without the field is kept out
		{"* | dedup n | stats count", "[[count] [3]]"},
	})
}
