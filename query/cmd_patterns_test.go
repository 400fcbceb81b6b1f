package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"loghunt/store"
)

// patternEvents makes sshd-like lines, one per second, in time order.
func patternEvents() []store.Event {
	lines := []string{
		"sshd[101]: Failed password for root from 10.0.0.1 port 22 ssh2",
		"sshd[102]: Accepted publickey for alice from 10.0.0.9 port 50022 ssh2",
		"sshd[103]: Failed password for admin from 203.0.113.7 port 2222 ssh2",
		"cron[7]: session opened for user root",
		"sshd[104]: Failed password for oracle from 203.0.113.8 port 40022 ssh2",
		"cron[8]: session opened for user backup",
	}
	evs := make([]store.Event, len(lines))
	for i, l := range lines {
		evs[i] = store.Event{Time: base + int64(i)*1e9, Raw: l}
	}
	return evs
}

func TestPatternsStage(t *testing.T) {
	s := newTestStore(t)
	s.add("auth", patternEvents(), 4)
	failed := "sshd[<*>]: Failed password for <*> from <*> port <*> ssh2"
	opened := "cron[<*>]: session opened for user <*>"
	accepted := "sshd[<*>]: Accepted publickey for alice from <*> port <*> ssh2"
	// Every row keeps its order and gets its cluster's final template,
	// even the first, mined before the others changed it.
	got := s.run("* | patterns | table pattern")
	want := [][]string{{"pattern"}, {failed}, {accepted}, {failed}, {opened}, {failed}, {opened}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("patterns:\n got %q\nwant %q", got, want)
	}
	got = s.run("* | patterns | stats count by pattern | sort -count, pattern")
	want = [][]string{{"pattern", "count"}, {failed, "3"}, {opened, "2"}, {accepted, "1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stats by pattern:\n got %q\nwant %q", got, want)
	}
	// pattern_id is a hash of the template: the same in another query.
	got = s.run("* | patterns | dedup pattern_id | table pattern_id, pattern")
	for _, r := range got[1:] {
		if r[0] != patternID(r[1]) || len(r[0]) != 12 {
			t.Errorf("pattern_id %q for %q, want %q", r[0], r[1], patternID(r[1]))
		}
	}
	got = s.run("Failed | patterns | stats count by pattern_id")
	if want := fmt.Sprint([][]string{{"pattern_id", "count"}, {patternID(failed), "3"}}); fmt.Sprint(got) != want {
		t.Errorf("Failed only: got %q, want %s", got, want)
	}
}

func TestPatternsField(t *testing.T) {
	s := newTestStore(t)
	s.add("auth", patternEvents(), 6)
	// The message part only, by rex; rows without it get no pattern.
	got := s.run(`* | rex "sshd\[\d+\]: (?<msg>.*)" | patterns field=msg | table msg, pattern_id, pattern | head 4`)
	if len(got) != 5 || got[4][0] != "" || got[4][1] != "" || got[4][2] != "" {
		t.Fatalf("rows %q", got)
	}
	if want := "Failed password for <*> from <*> port <*> ssh2"; got[1][2] != want {
		t.Errorf("pattern %q, want %q", got[1][2], want)
	}
	// An existing pattern field is replaced.
	got = s.run(`* | eval pattern = "x", pattern_id = 1 | patterns | stats dc(pattern) as n, dc(pattern_id) as i`)
	if fmt.Sprint(got) != "[[n i] [3 3]]" {
		t.Errorf("replaced: %q", got)
	}
}

func TestPatternsLimit(t *testing.T) {
	s := newTestStore(t)
	s.add("auth", patternEvents(), 2)
	q, err := Parse("* | patterns")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), s.DB, q, Options{MaxRows: 5}, func(*Batch) error { return nil })
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "patterns would hold more than 5 rows") {
		t.Fatalf("row limit: %v", err)
	}
}

func TestPatternsInputFields(t *testing.T) {
	c := &PatternsCmd{Field: "msg"}
	got := c.inputFields(fieldsOf("pattern", "pattern_id", "user"))
	if fmt.Sprint(got.list()) != "[msg user]" {
		t.Errorf("input fields %v", got.list())
	}
}
