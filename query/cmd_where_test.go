package query

import "testing"

// TestWhereCmd runs where on the four events of semanticsStore.
func TestWhereCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// numbers compare as numbers, also in text ("10" > 9)
		{"* | where n > 9 | table user, n", "[[user n] [alice 10] [bob 100]]"},
		// a null field never compares
		{"* | where n < 1000 | stats count", "[[count] [3]]"},
		// AND binds tighter than OR in expressions
		{"* | where user=\"alice\" OR user=\"bob\" AND n > 50 | table user, n", "[[user n] [alice 10] [bob 100]]"},
	})
}
