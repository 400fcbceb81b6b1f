package ingest

import (
	"slices"
	"testing"
)

func TestCSVParse(t *testing.T) {
	head := []string{"id,when,user,score,note", `1,2025-03-06 08:00:01,bob,1.5,"a, ""quoted"" note"`}
	p := newTestParser(t, "csv", head)
	tests := []struct {
		line   string
		time   string
		fields map[string]any
		err    bool
	}{
		{`1,2025-03-06 08:00:01,bob,1.5,"a, ""quoted"" note"`, "2025-03-06T08:00:01Z",
			map[string]any{"id": 1, "when": "2025-03-06 08:00:01", "user": "bob", "score": 1.5, "note": `a, "quoted" note`}, false},
		{"2,2025-03-06T08:00:02Z,,007,plain\r", "2025-03-06T08:00:02Z",
			map[string]any{"id": 2, "user": nil, "score": "007", "note": "plain"}, false},
		{"3,2025-03-06 08:00:03,amy", "2025-03-06T08:00:03Z", map[string]any{"user": "amy"}, true},
		{"4,2025-03-06 08:00:04,amy,1,n,extra", "2025-03-06T08:00:04Z", map[string]any{"col6": "extra"}, true},
		{`5,2025-03-06 08:00:05,amy,1,"unterminated`, "2025-03-06T08:00:05Z", map[string]any{"user": "amy"}, true},
	}
	for _, tc := range tests {
		ev, hasTime, err := parseLine(p, tc.line)
		if (err != nil) != tc.err {
			t.Errorf("%q: err %v, want error %v", tc.line, err, tc.err)
		}
		checkTime(t, ev, hasTime, tc.time)
		checkFields(t, ev, tc.fields)
	}
	if got := classifyAll(p, head[0], head[1], ""); !slices.Equal(got, []LineKind{LineSkip, LineEvent, LineSkip}) {
		t.Errorf("Classify = %v", got)
	}
}

func TestCSVTimeColumn(t *testing.T) {
	tests := []struct {
		name string
		head []string
		line string
		time string
	}{
		{"by name", []string{"a,timestamp,b", "x,1741248001,y"}, "x,1741248001,y", "2025-03-06T08:00:01Z"},
		{"by values", []string{"a,b,c", "x,y,2025-03-06T08:00:01Z"}, "x,y,2025-03-06T08:00:01Z", "2025-03-06T08:00:01Z"},
		{"name but not a time", []string{"time,b", "fast,2025-03-06T08:00:01Z"}, "fast,2025-03-06T08:00:01Z", "2025-03-06T08:00:01Z"},
		{"date and time columns", []string{"LineId,Date,Time,Level", `1,2015-10-18,"18:01:47,978",INFO`}, `2,2015-10-18,"18:01:48,963",INFO`, "2015-10-18T18:01:48.963Z"},
		{"no time column", []string{"a,b", "1,2"}, "1,2", ""},
		{"tsv", []string{"ts\tmsg", "2025-03-06 08:00:01\thello, world"}, "2025-03-06 08:00:01\thello, world", "2025-03-06T08:00:01Z"},
	}
	for _, tc := range tests {
		format := "csv"
		if tc.name == "tsv" {
			format = "tsv"
		}
		p := newTestParser(t, format, tc.head)
		ev, hasTime, err := parseLine(p, tc.line)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		checkTime(t, ev, hasTime, tc.time)
	}
}

func TestCSVDetect(t *testing.T) {
	tests := []struct {
		sample []string
		want   string
	}{
		{[]string{"id,when,user", "1,2025-03-06,bob", "2,2025-03-07,amy"}, "csv"},
		{[]string{"id\twhen\tuser", "1\t2025-03-06\tbob", "2\t2025-03-07\tamy"}, "tsv"},
		{[]string{"LineId,Date,Time,Level,Content", `1,2015-10-18,"18:01:47,978",INFO,"Created, x"`}, "csv"},
		{[]string{"2025-03-06 08:00:00, INFO, User login success, user: admin", "2025-03-06 08:00:01, WARN, x, user: bob"}, "kv"},
		{[]string{"a,b", "no commas here"}, "text"},
	}
	for _, tc := range tests {
		if got := Detect(tc.sample).Name(); got != tc.want {
			t.Errorf("Detect(%q) = %s, want %s", tc.sample, got, tc.want)
		}
	}
}
