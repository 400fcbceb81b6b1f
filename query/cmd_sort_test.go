package query

import "testing"

// TestSortCmd runs sort on the four events of semanticsStore.
func TestSortCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// -f sorts descending, and is stable
		{"* | sort -user | table user", "[[user] [carol] [bob] [bob] [alice]]"},
		// nulls sort first ascending; numbers as numbers
		{"* | sort n | table user, n", "[[user n] [carol ] [bob 9] [alice 10] [bob 100]]"},
		// several keys
		{"* | sort -user, -n | table user, n", "[[user n] [carol ] [bob 100] [bob 9] [alice 10]]"},
	})
}
