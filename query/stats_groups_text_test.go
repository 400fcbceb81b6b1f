package query

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"loghunt/store"
)

// TestGroupsByText: values with the same text are one group, as in Splunk
// where every value is text: the int 10, the float 10 and the text "10"
// (a field typed in one source and not in another), true and "true", a
// time and its RFC 3339 text. Each was a group of its own, and stats,
// dedup, top and timechart showed two rows or columns that read the same.
// The group shows its text value when it has one; "1.0" and "007" stay
// apart from 1 and 7. (Found by the differential test, query/refeval.)
func TestGroupsByText(t *testing.T) {
	s := newTestStore(t)
	t0 := base
	vals := []store.Value{store.Int(10), store.Str("10"), store.Float(10), store.Str("1.0"), store.Int(1),
		store.Bool(true), store.Str("true"), store.Str("007"), store.Int(7),
		store.Time(t0), store.Str(store.FormatTime(t0)), store.Float(2.5), store.Str("2.5")}
	var evs []store.Event
	for i, v := range vals {
		evs = append(evs, store.Event{Time: base + int64(i)*1e9, Raw: fmt.Sprint("e", i),
			Fields: []store.Field{{Name: "k", Value: v}, {Name: "g", Value: store.Str("a")}}})
	}
	// Each of several chunks, so the workers' tables merge them too.
	s.add("a", evs, 2)
	joined := func(rows [][]string) string {
		var out []string
		for _, r := range rows[1:] {
			out = append(out, strings.Join(r, "="))
		}
		return strings.Join(out, " ")
	}
	// In order of value (a time as its Unix seconds), ties by kind: text first.
	want := "1.0=1 1=1 true=2 2.5=2 007=1 7=1 10=3 " + store.FormatTime(t0) + "=2"
	for _, q := range []string{"* | stats count by k", "* | where true | stats count by k",
		"* | head 100 | stats count by k"} {
		if got := joined(s.run(q)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}
	if got := joined(s.run("* | stats count by g, k")); !strings.Contains(got, "a=10=3") || strings.Count(got, "a=10=") != 1 {
		t.Errorf("by g, k: %s", got)
	}
	if got := s.run("* | dedup k | stats count"); got[1][0] != "8" {
		t.Errorf("dedup k: %v rows, want 8", got[1][0])
	}
	if got := s.run("* | top limit=1 k"); got[1][0] != "10" || got[1][1] != "3" {
		t.Errorf("top k: %v", got[1])
	}
	// Of the values of a text, the group shows the one first in order
	// (numbers before text, then by kind): "true" alone is shown as text.
	if got := joined(s.run(`* | where k = "true" AND typeof(k) = "string" | stats count by k | eval t = typeof(k) | table k, t`)); got != "true=string" {
		t.Errorf("typeof a group of \"true\": %s", got)
	}
	// The group's value is the text one: a string compares with text as text.
	if got := joined(s.run(`* | stats count by k | where k = "10" | eval t = typeof(k) | table k, t`)); got != "10=string" {
		t.Errorf("typeof the group value: %s", got)
	}
	// One timechart column per text.
	got := s.run("* | timechart span=1h count by k limit=0")
	n := 0
	for _, c := range got[0] {
		if c == "10" || c == "true" {
			n++
		}
	}
	if n != 2 || len(got[0]) != 9 {
		t.Errorf("timechart columns: %v", got[0])
	}
}

// TestNegativeZeroGroup: the float -0 prints "-0", so it is the group of
// the text "-0", not of 0 (whose int, float and text are one group). It
// was turned into the int 0 like any whole float, and stats, dedup, rare
// and streamstats by it merged rows that the reference evaluator keeps
// apart (differential test, seed 20).
func TestNegativeZeroGroup(t *testing.T) {
	s := newTestStore(t)
	vals := []store.Value{store.Float(math.Copysign(0, -1)), store.Str("-0"), store.Float(0), store.Int(0),
		store.Str("0"), store.Str("-0.0"), store.Float(math.Copysign(0, -1))}
	var evs []store.Event
	for i, v := range vals {
		evs = append(evs, store.Event{Time: base + int64(i)*1e9, Raw: fmt.Sprint("e", i),
			Fields: []store.Field{{Name: "k", Value: v}}})
	}
	s.add("a", evs, 3)
	got := map[string]string{}
	for _, r := range s.run("* | stats count by k")[1:] {
		got[r[0]] = r[1]
	}
	if fmt.Sprint(got) != "map[-0:3 -0.0:1 0:3]" {
		t.Errorf("stats count by k: %v", got)
	}
	if got := s.run("* | dedup k | stats count"); got[1][0] != "3" {
		t.Errorf("dedup k: %v rows, want 3", got[1][0])
	}
	if got := s.run("* | streamstats count as c by k | where k = \"-0\" | stats max(c)"); got[1][0] != "3" {
		t.Errorf("streamstats by k: %v", got)
	}
}
