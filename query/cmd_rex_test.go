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

// TestRexKeepsFieldsItDoesNotMatch: a row that the regex does not match
// keeps the value its group's field had in the store. The planner took
// the group's field for one rex makes and did not read it, so
// `rex field=host "(?<pid>\[\d+\])" | stats count by pid` lost every
// pid (found by the differential test).
func TestRexKeepsFieldsItDoesNotMatch(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		{"* | rex \"(?<n>nomatch)\" | stats count(n) as c", "[[c] [3]]"},
		{"* | rex \"(?<n>nomatch)\" | table n", "[[n] [10] [9] [100] []]"},
		{"* | rex \"(?<n>nomatch)?\" | stats sum(n) as s", "[[s] [119]]"},
	})
}
