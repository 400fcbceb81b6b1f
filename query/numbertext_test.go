package query

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"loghunt/store"
)

// TestNumberText: text is a number only when it is written as a decimal
// number. A user named "nan" (SecRepo has one), "inf", "infinity" and
// "0x1f" stay text everywhere: sort puts them after the numbers, sum and
// avg skip them, search and where match them as text, tonumber gives
// null, a lookup keeps them as text. "nan" once became the number NaN and
// broke sorts (1 12 123 nan 0 1234 ...) and sums.
func TestNumberText(t *testing.T) {
	s := newTestStore(t)
	users := []string{"1", "12", "123", "nan", "0", "1234", "inf", "-5", "0x1f", "1e3", "infinity", "NaN", "1_000", "7"}
	var evs []store.Event
	for i, u := range users {
		evs = append(evs, store.Event{Time: base + int64(i)*1e9, Raw: "login user " + u,
			Fields: []store.Field{{Name: "user", Value: store.Str(u)}, {Name: "i", Value: store.Int(int64(i))}}})
	}
	s.add("a", evs[:7], 3)
	s.add("b", evs[7:], 4)
	dir := t.TempDir()
	csv := filepath.Join(dir, "intel.csv")
	if err := os.WriteFile(csv, []byte("user,score\nnan,nan\ninf,inf\n0x1f,0x1f\n12,12\n007,007\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	numbers := "[-5] [0] [1] [7] [12] [123] [1e3] [1234]"
	text := "[0x1f] [1_000] [NaN] [inf] [infinity] [nan]"
	for _, c := range []struct{ q, want string }{
		{"* | sort user | table user", "[[user] " + numbers + " " + text + "]"},
		{"* | where true | sort -user | head 3 | table user", "[[user] [nan] [infinity] [inf]]"},
		{"* | stats sum(user) as s, avg(user) as a, count(user) as n, max(user) as mx, min(user) as mn, range(user) as r",
			"[[s a n mx mn r] [2372 296.5 14 nan -5 1239]]"},
		{"* | stats median(user) as m, perc100(user) as p, stdevp(user) as d", "[[m p d] [9.5 1234 478.90578405360696]]"},
		{"user=nan | table i", "[[i] [3] [11]]"},
		{"user=0x1f | table i", "[[i] [8]]"},
		{"user<0 | table user", "[[user] [-5]]"},
		{"user>1000 | table user", "[[user] [nan] [1234] [inf] [infinity] [NaN] [1_000]]"}, // text compares as text
		{"* | where user = \"nan\" | table i", "[[i] [3]]"},
		{"* | where user < 0 | table user", "[[user] [-5]]"},
		{"* | eval n = user * 2 | where isnull(n) | table user", "[[user] [nan] [inf] [0x1f] [infinity] [NaN] [1_000]]"},
		{"* | eval n = tonumber(user) | where isnotnull(n) | stats count", "[[count] [8]]"},
		{"* | eval n = tonumber(user, 16) | where user = \"0x1f\" | table n", "[[n] [31]]"},
		{"* | lookup \"" + csv + "\" user OUTPUT score | where isnotnull(score) | eval t = typeof(score) | table user, t", "[[user t] [12 int] [nan string] [inf string] [0x1f string]]"},
		{"* | lookup \"" + csv + "\" user OUTPUT score | where isnotnull(score) | stats sum(score)", "[[sum(score)] [12]]"},
	} {
		if got := fmt.Sprint(s.run(c.q)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.q, got, c.want)
		}
	}
	for cell, want := range map[string]store.Value{"007": store.Str("007"), "nan": store.Str("nan"), "1.5": store.Float(1.5),
		"-3": store.Int(-3), "0": store.Int(0), "0.5": store.Float(0.5), "1e3": store.Float(1000), "Infinity": store.Str("Infinity")} {
		if got := typedValue(cell); got != want {
			t.Errorf("lookup cell %q: %#v, want %#v", cell, got, want)
		}
	}
}
