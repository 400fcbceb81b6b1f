package query

import "testing"

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
