package query

import "testing"

// TestRexCmd runs rex on the four events of semanticsStore.
func TestRexCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// named groups become fields
		{"* | rex \"login (?<result>\\\\w+) (?<who>\\\\w+)\" | stats count by result", "[[result count] [failed 3] [ok 1]]"},
		// a row the pattern misses gets no field
		{"* | rex \"login (?<result>ok)\" | stats count(result) as c", "[[c] [1]]"},
	})
}
