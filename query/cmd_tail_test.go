package query

import "testing"

// TestTailCmd runs tail on the four events of semanticsStore.
func TestTailCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// the last rows, in time order
		{"* | tail 2 | table user", "[[user] [bob] [carol]]"},
	})
}
