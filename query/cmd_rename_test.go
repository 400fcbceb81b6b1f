package query

import "testing"

// TestRenameCmd runs rename on the four events of semanticsStore.
func TestRenameCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// a field gets a new name
		{"alice | rename user as who | fields who", "[[who] [alice]]"},
	})
}
