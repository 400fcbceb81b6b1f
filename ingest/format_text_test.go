package ingest

import (
	"slices"
	"testing"
)

func TestTextParse(t *testing.T) {
	lines := fixtureLines(t, "thunderbird.log")
	if f := Detect(lines); f.Name() != "text" {
		t.Errorf("Detect = %s, want text", f.Name())
	}
	p := newTestParser(t, "text", lines)
	ev, hasTime, err := parseLine(p, lines[0])
	if err != nil || len(ev.Fields) != 0 {
		t.Errorf("%q: err %v, fields %v", lines[0], err, ev.Fields)
	}
	checkTime(t, ev, hasTime, "2005-11-09T20:01:01Z")
	got := classifyAll(p, lines[0], "  continuation", "Traceback (most recent call last):", "")
	if want := []LineKind{LineEvent, LineContinue, LineContinue, LineSkip}; !slices.Equal(got, want) {
		t.Errorf("Classify = %v, want %v", got, want)
	}
}

func TestTextWithoutTimes(t *testing.T) {
	head := []string{"hello", "  indented", "world"}
	p := newTestParser(t, "text", head)
	if got := classifyAll(p, head...); !slices.Equal(got, []LineKind{LineEvent, LineEvent, LineEvent}) {
		t.Errorf("Classify = %v, want every line an event", got)
	}
	ev, hasTime, err := parseLine(p, "hello")
	if err != nil || hasTime {
		t.Errorf("hasTime %v err %v", hasTime, err)
	}
	_ = ev
}
