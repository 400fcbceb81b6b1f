package ingest

import "testing"

func TestLogfmtParse(t *testing.T) {
	p := newTestParser(t, "logfmt", nil)
	tests := []struct {
		line   string
		time   string
		fields map[string]any
		err    bool
	}{
		{`ts=2025-03-06T08:00:01Z level=warn user=bob msg="login failed for \"bob\"" attempts=3 ratio=0.25 ok=true`,
			"2025-03-06T08:00:01Z",
			map[string]any{"ts": "2025-03-06T08:00:01Z", "level": "warn", "user": "bob", "msg": `login failed for "bob"`,
				"attempts": 3, "ratio": 0.25, "ok": true}, false},
		{`time="2025-03-06 08:00:01" debug empty= quoted="" source=x`, "2025-03-06T08:00:01Z",
			map[string]any{"debug": true, "empty": "", "quoted": "", "orig_source": "x"}, false},
		{`level=info msg="unterminated`, "", map[string]any{"level": "info"}, true},
		{"a=1\r", "", map[string]any{"a": 1}, false},
	}
	for _, tc := range tests {
		ev, hasTime, err := parseLine(p, tc.line)
		if (err != nil) != tc.err {
			t.Errorf("%q: err %v, want error %v", tc.line, err, tc.err)
		}
		checkTime(t, ev, hasTime, tc.time)
		checkFields(t, ev, tc.fields)
	}
}

func TestLogfmtDetect(t *testing.T) {
	sample := []string{
		`ts=2025-03-06T08:00:01Z level=warn user=bob msg="login failed"`,
		`ts=2025-03-06T08:00:02Z level=info user=amy msg="login ok"`,
	}
	if got := Detect(sample).Name(); got != "logfmt" {
		t.Errorf("Detect = %s, want logfmt", got)
	}
}
