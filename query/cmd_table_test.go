package query

import "testing"

// TestTableCmd runs table on the four events of semanticsStore.
func TestTableCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// a missing field is an empty column
		{"carol | table user, n", "[[user n] [carol ]]"},
	})
}

// TestTableNamesOnce: a field listed twice is one column. It was two of
// one name, and a later eval set only the first of them (found by the
// differential test).
func TestTableNamesOnce(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		{"* | table user, n, user", "[[user n] [alice 10] [bob 9] [bob 100] [carol ]]"},
		{"* | table user, user | eval user = null | stats count(user) as c", "[[c] [0]]"},
		{"* | fields n, n | eval n = 1 | stats sum(n) as s", "[[s] [4]]"},
	})
}
