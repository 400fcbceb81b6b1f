package query

import "testing"

// TestSearchCmd runs search on the four events of semanticsStore.
func TestSearchCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// a field comparison in the search
		{"n>9 | table user", "[[user] [alice] [bob]]"},
		// words are whole tokens, case-insensitive; NOT
		{"FAILED NOT carol | table user", "[[user] [bob] [bob]]"},
		// phrases; OR
		{"\"login failed\" OR alice | stats count", "[[count] [4]]"},
		// a word is a whole token
		{"fail | stats count", "[[count] [0]]"},
		// a wildcard matches within a token
		{"fail* | stats count", "[[count] [3]]"},
		// IN lists values
		{"user IN (alice, carol) | table user", "[[user] [alice] [carol]]"},
		// OR binds before the implicit AND, as in Splunk
		{"failed bob OR carol | stats count", "[[count] [3]]"},
		// earliest relative to the newest event
		{"earliest=-3m | table user", "[[user] [bob] [carol]]"},
		// latest is exclusive
		{"earliest=2025-03-06T00:01:05Z latest=2025-03-06T00:04:00Z | stats count", "[[count] [2]]"},
	})
}
