package query

import "testing"

// TestHeadCmd runs head on the four events of semanticsStore.
func TestHeadCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// keeps time order
		{"* | head 2 | table user", "[[user] [alice] [bob]]"},
	})
}
