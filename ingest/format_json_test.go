package ingest

import (
	"testing"
	"time"

	"loghunt/store"
)

func TestJSONParse(t *testing.T) {
	p := newTestParser(t, "json", nil)
	tests := []struct {
		line   string
		time   string
		fields map[string]any
		absent []string
	}{
		{`{"ts":"2025-03-06T08:00:01Z","level":"warn","user":{"name":"bob","id":7},"tags":["a","b"],"ok":true,"ratio":0.5,"n":null}`,
			"2025-03-06T08:00:01Z",
			map[string]any{"ts": "2025-03-06T08:00:01Z", "level": "warn", "user.name": "bob", "user.id": 7,
				"tags": `["a","b"]`, "ok": true, "ratio": 0.5, "n": nil}, nil},
		{`{"_path":"ssh","_write_ts":"2018-03-24T17:16:40.284346Z","ts":"2018-03-24T17:16:39.739898Z","id.orig_p":59849}`,
			"2018-03-24T17:16:39.739898Z", map[string]any{"_path": "ssh", "id.orig_p": 59849}, nil},
		{`{"@stream":"conn","ts":1588205199.82437,"duration":0.001528024673461914}`,
			"2020-04-30T00:06:39.82437Z", map[string]any{"ts": 1588205199.82437, "duration": 0.001528024673461914}, nil},
		{`{"Keywords":-9223372036854775808,"EventTime":"2020-09-21 19:26:05","@timestamp":"2020-09-21T23:26:07.434Z"}`,
			"2020-09-21T23:26:05Z", map[string]any{"Keywords": store.Int(-9223372036854775808), "EventTime": "2020-09-21 19:26:05"}, nil},
		{`{"EventTime":"2020-09-21 19:26:05"}`, "2020-09-21T19:26:05Z", nil, nil},
		{`{"time":1741248001000}`, "2025-03-06T08:00:01Z", map[string]any{"time": 1741248001000}, nil},
		{`{"time":"not a time","date":"2025-03-06"}`, "2025-03-06T00:00:00Z", map[string]any{"time": "not a time"}, nil},
		{`{"msg":"a \"quoted\" \u00e9\ud83d\ude00 line\nnext","big":123456789012345678901234}`, "",
			map[string]any{"msg": "a \"quoted\" é😀 line\nnext", "big": 1.2345678901234568e+23}, nil},
		{`{"_time":"2025-03-06T08:00:01Z","source":"x","_raw":"y"}`, "2025-03-06T08:00:01Z",
			map[string]any{"orig__time": "2025-03-06T08:00:01Z", "orig_source": "x", "orig__raw": "y"}, []string{"_time", "source", "_raw"}},
		{` { "a" : { } , "b" : [ { "c" : 1 } ] }` + "\r", "", map[string]any{"b": `[ { "c" : 1 } ]`}, []string{"a"}},
	}
	for _, tc := range tests {
		ev, hasTime, err := parseLine(p, tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
		}
		checkTime(t, ev, hasTime, tc.time)
		checkFields(t, ev, tc.fields, tc.absent...)
	}
	for _, bad := range []string{"", "[1,2]", "{", `{"a":}`, `{"a":1,}`, `{"a":1} x`, `{"a":"b`, `{"a":tru}`, `{"a":1.2.3}`, "{\"a\":\x00}"} {
		if _, _, err := parseLine(p, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestJSONFixtures(t *testing.T) {
	for _, name := range []string{"windows_otrf.jsonl", "zeek_apt29.jsonl"} {
		lines := fixtureLines(t, name)
		if f := Detect(lines); f.Name() != "json" {
			t.Errorf("%s: Detect = %s, want json", name, f.Name())
		}
		p := newTestParser(t, "json", lines)
		for _, l := range lines {
			if _, hasTime, err := parseLine(p, l); err != nil || !hasTime {
				t.Errorf("%s: hasTime %v, err %v", name, hasTime, err)
			}
		}
	}
}

// TestJSONEventOwnTime: Windows events take their own time, not the
// collector's @timestamp; NXLog's EventTime, a local time, takes its zone
// from the distance to @timestamp unless --tz is given.
func TestJSONEventOwnTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name string
		opt  Options
		line string
		want string
	}{
		{"sysmon UtcTime", Options{}, `{"@timestamp":"2020-10-22T08:30:44.164Z","EventTime":"2020-10-22 04:30:01","UtcTime":"2020-10-22 08:30:01.287"}`,
			"2020-10-22T08:30:01.287Z"},
		{"UtcTime is UTC whatever --tz", Options{Loc: ny, ZoneGiven: true}, `{"UtcTime":"2020-10-22 08:30:01.287","@timestamp":"2020-10-22T08:30:44Z"}`,
			"2020-10-22T08:30:01.287Z"},
		{"EventTime in the collector's zone", Options{}, `{"@timestamp":"2020-10-22T08:29:48.785Z","EventTime":"2020-10-22 04:29:46"}`,
			"2020-10-22T08:29:46Z"},
		{"EventTime east of UTC, half hours", Options{}, `{"EventTime":"2020-10-22 14:00:00","@timestamp":"2020-10-22T08:31:10Z"}`,
			"2020-10-22T08:30:00Z"},
		{"EventTime with --tz", Options{Loc: ny, ZoneGiven: true}, `{"@timestamp":"2020-10-22T08:29:48.785Z","EventTime":"2020-10-22 04:29:46"}`,
			"2020-10-22T08:29:46Z"},
		{"EventTime with --tz UTC", Options{Loc: time.UTC, ZoneGiven: true}, `{"@timestamp":"2020-10-22T08:29:48.785Z","EventTime":"2020-10-22 04:29:46"}`,
			"2020-10-22T04:29:46Z"},
		{"EventTime alone", Options{}, `{"EventTime":"2020-10-22 04:29:46"}`, "2020-10-22T04:29:46Z"},
		{"EventTime far from @timestamp", Options{}, `{"EventTime":"2020-10-20 04:29:46","@timestamp":"2020-10-22T08:29:48Z"}`,
			"2020-10-20T04:29:46Z"},
		{"winlogbeat nested UtcTime", Options{}, `{"@timestamp":"2020-10-22T08:30:44Z","winlog":{"event_data":{"UtcTime":"2020-10-22 08:30:01.287","Image":"x"}}}`,
			"2020-10-22T08:30:01.287Z"},
		{"event XML as JSON", Options{}, `{"Event":{"System":{"TimeCreated":{"@SystemTime":"2020-10-22T08:30:01.2873Z"}}},"@timestamp":"2020-10-22T08:30:44Z"}`,
			"2020-10-22T08:30:01.2873Z"},
		{"System.TimeCreated.SystemTime", Options{}, `{"System":{"TimeCreated":{"SystemTime":"2020-10-22T08:30:01.5Z"}},"@timestamp":"2020-10-22T08:30:44Z"}`,
			"2020-10-22T08:30:01.5Z"},
		{"PowerShell TimeCreated", Options{}, `{"TimeCreated":"/Date(1603355401287)/","@timestamp":"2020-10-22T08:30:44Z"}`,
			"2020-10-22T08:30:01.287Z"},
		{"CloudTrail eventTime", Options{}, `{"eventTime":"2020-09-01T12:00:00Z","@timestamp":"2020-09-01T12:03:00Z"}`,
			"2020-09-01T12:00:00Z"},
		{"a nested time is not the event's", Options{}, `{"ts":"2025-03-06T08:00:01Z","http":{"time":"2020-01-01T00:00:00Z"}}`,
			"2025-03-06T08:00:01Z"},
	}
	for _, tc := range tests {
		if tc.opt.Loc == nil {
			tc.opt.Loc = time.UTC
		}
		p, err := jsonFormat{}.NewParser(nil, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		ev, hasTime, err := parseLine(p, tc.line)
		if err != nil || !hasTime {
			t.Errorf("%s: %v %v", tc.name, hasTime, err)
			continue
		}
		if got := time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
