package query

import (
	"fmt"
	"testing"

	"loghunt/store"
)

// TestRenameCmd runs rename on the four events of semanticsStore.
func TestRenameCmd(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// a field gets a new name
		{"alice | rename user as who | fields who", "[[who] [alice]]"},
	})
}

// TestRenameKeepsTargetWithoutSource: a row without the field keeps what
// it has under the new name; only rows with the field get its value
// there. The whole column was moved over the target, and the planner did
// not read the target either, so rows without the field lost it (found
// by the differential test).
func TestRenameKeepsTargetWithoutSource(t *testing.T) {
	checkQueries(t, semanticsStore(t), []queryCase{
		// n is missing from carol's row: she keeps her user
		{"* | rename n as user | table user", "[[user] [10] [9] [100] [carol]]"},
		{"* | where true | rename n as user | table user", "[[user] [10] [9] [100] [carol]]"},
		{"* | rename n as user, user as who | table who, user", "[[who user] [10 ] [9 ] [100 ] [carol ]]"},
	})
}

// TestRenameDoesNotRenameOtherBatches: rename changes the field names of
// its own batch only. It changed them in place, in a list that the
// pieces of one chunk's batch share, so the rows of a chunk still waiting
// to be merged with an overlapping one had lost `user` when dedup saw
// them: `dedup user | rename user as u` dropped rows (found by the
// differential test).
func TestRenameDoesNotRenameOtherBatches(t *testing.T) {
	s := newTestStore(t)
	var a, b []store.Event
	for i := range 40 {
		ev := store.Event{Time: base + int64(i)*1e9, Raw: fmt.Sprint("e", i),
			Fields: []store.Field{{Name: "user", Value: store.Str(fmt.Sprint("u", i))}}}
		if i%2 == 0 {
			a = append(a, ev)
		} else {
			b = append(b, ev)
		}
	}
	s.add("a", a, 7) // two sources whose chunks overlap in time
	s.add("b", b, 5)
	for _, q := range []string{"* | dedup user | rename user as u | stats count", "* | dedup user | rename user as u, _raw as r | stats dc(u) as count"} {
		if got := fmt.Sprint(s.run(q)); got != "[[count] [40]]" {
			t.Errorf("%s: %s", q, got)
		}
	}
}
