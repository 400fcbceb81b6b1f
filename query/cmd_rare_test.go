package query

import "testing"

// TestRareCmd runs rare on the four events of semanticsStore.
func TestRareCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// least common first
		{"* | rare 1 user", "[[user count percent] [alice 1 25]]"},
	})
}
