package query

import "testing"

// TestTableCmd runs table on the four events of semanticsStore.
func TestTableCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// a missing field is an empty column
		{"carol | table user, n", "[[user n] [carol ]]"},
	})
}
