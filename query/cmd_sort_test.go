package query

import (
	"fmt"
	"testing"

	"loghunt/store"
)

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

// TestSortTimesExactly: times sort by their nanoseconds. They were
// compared as float seconds, which hold about a quarter of a microsecond
// at today's dates, so events 100 ns apart came out of sort -_time in
// ascending order.
func TestSortTimesExactly(t *testing.T) {
	s := newTestStore(t)
	var evs []store.Event
	for i := range 4 {
		evs = append(evs, store.Event{Time: base + int64(i)*100, Raw: fmt.Sprint("e", i)})
	}
	s.add("a", evs, 10)
	for q, want := range map[string]string{
		"* | sort -_time | table _raw":          "[[_raw] [e3] [e2] [e1] [e0]]",
		"* | sort -_time | head 2 | table _raw": "[[_raw] [e3] [e2]]",
	} {
		if got := fmt.Sprint(s.run(q)); got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
	if got := fmt.Sprint(s.run("* | eval t = _time | stats min(t) as lo, max(t) as hi")); got != fmt.Sprintf("[[lo hi] [%s %s]]",
		store.FormatTime(base), store.FormatTime(base+300)) {
		t.Errorf("min and max of times: %s", got)
	}
}
