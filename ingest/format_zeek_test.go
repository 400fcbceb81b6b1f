package ingest

import (
	"slices"
	"testing"

	"loghunt/store"
)

func TestZeekParse(t *testing.T) {
	lines := fixtureLines(t, "zeek_ssh.log")
	if f := Detect(lines); f.Name() != "zeek" {
		t.Fatalf("Detect = %s, want zeek", f.Name())
	}
	p := newTestParser(t, "zeek", lines)
	var events []string
	for _, l := range lines {
		switch p.Classify([]byte(l)) {
		case LineEvent:
			events = append(events, l)
		case LineContinue:
			t.Errorf("%q: LineContinue", l)
		}
	}
	if len(events) != 4 {
		t.Fatalf("%d events, want 4", len(events))
	}
	ev, hasTime, err := parseLine(p, events[0])
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, ev, hasTime, "2018-03-24T17:16:39.739898Z")
	checkFields(t, ev, map[string]any{
		"uid": "C2MugGdsn3ZVI1wn6", "id.orig_h": "10.0.0.227", "id.orig_p": 59849, "id.resp_p": 22,
		"version": 2, "auth_success": true, "auth_attempts": 1, "direction": nil,
		"client": "SSH-2.0-OpenSSH_7.6", "remote_location.latitude": nil,
	}, "ts")
	for _, l := range events[1:] {
		if _, hasTime, err := parseLine(p, l); err != nil || !hasTime {
			t.Errorf("%q: hasTime %v err %v", l, hasTime, err)
		}
	}
}

func TestZeekTypes(t *testing.T) {
	head := []string{
		`#separator \x09`, "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
		"#fields\tts\tdur\tn\tflag\tnames\twhen", "#types\ttime\tinterval\tcount\tbool\tset[string]\ttime",
	}
	p := newTestParser(t, "zeek", head)
	ev, hasTime, err := parseLine(p, "1521911799.5\t0.25\t7\tF\t(empty)\t1521911800.000001\r")
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, ev, hasTime, "2018-03-24T17:16:39.5Z")
	checkFields(t, ev, map[string]any{"dur": 0.25, "n": 7, "flag": false, "names": "",
		"when": store.Time(1521911800000001000)})
	if _, _, err := parseLine(p, "1521911799.5\t0.25"); err == nil {
		t.Error("short row: no error")
	}
	if got := classifyAll(p, "#close\t2024", "", "1\t2"); !slices.Equal(got, []LineKind{LineSkip, LineSkip, LineEvent}) {
		t.Errorf("Classify = %v", got)
	}
	if _, err := (zeekFormat{}).NewParser([]string{"no header"}, testOpt); err == nil {
		t.Error("NewParser without #fields: no error")
	}
}
