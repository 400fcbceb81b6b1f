package query

import "testing"

// TestEvalCmd runs eval on the four events of semanticsStore.
func TestEvalCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// null propagates through arithmetic; if and isnull
		{"* | eval m = n * 2, z = if(isnull(n), \"none\", \"some\") | table user, m, z", "[[user m z] [alice 20 some] [bob 18 some] [bob 200 some] [carol  none]]"},
		// later assignments see earlier ones
		{"* | eval a = 1, b = a + 1 | head 1 | table a, b", "[[a b] [1 2]]"},
	})
}
