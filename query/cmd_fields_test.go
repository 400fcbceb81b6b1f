package query

import "testing"

// TestFieldsCmd runs fields on the four events of semanticsStore.
func TestFieldsCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// keeps the listed fields
		{"alice | fields user, n", "[[user n] [alice 10]]"},
	})
}
