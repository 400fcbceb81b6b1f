package query

import "testing"

// TestBinCmd runs bin on the four events of semanticsStore.
func TestBinCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// floors to multiples of the span in UTC
		{"* | bin _time span=1m | stats count by _time", "[[_time count] [2025-03-06T00:00:00Z 1] [2025-03-06T00:01:00Z 2] [2025-03-06T00:04:00Z 1]]"},
		// a bucket without events is no row
		{"* | bin _time span=2m | stats count by _time", "[[_time count] [2025-03-06T00:00:00Z 3] [2025-03-06T00:04:00Z 1]]"},
	})
}
