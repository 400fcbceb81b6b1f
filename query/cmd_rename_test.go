package query

import "testing"

// TestRenameCmd runs rename on the four events of semanticsStore.
func TestRenameCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// a field gets a new name
		{"alice | rename user as who | fields who", "[[who] [alice]]"},
	})
}

// TestRenameKeepsTargetWithoutSource: a row without the field keeps what
// it has under the new name; only rows with the field get its value
// there. The whole column was moved over the target, and the planner did
// not read the target either, so rows without the field lost it (found
// by the differential test).
func TestRenameKeepsTargetWithoutSource(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// n is missing from carol's row: she keeps her user
		{"* | rename n as user | table user", "[[user] [10] [9] [100] [carol]]"},
		{"* | where true | rename n as user | table user", "[[user] [10] [9] [100] [carol]]"},
		{"* | rename n as user, user as who | table who, user", "[[who user] [10 ] [9 ] [100 ] [carol ]]"},
	})
}
