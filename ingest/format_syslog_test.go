package ingest

import (
	"slices"
	"testing"
)

func TestSyslogParse(t *testing.T) {
	p := newTestParser(t, "syslog", nil)
	tests := []struct {
		line   string
		time   string
		fields map[string]any
		absent []string
	}{
		{"Mar  6 08:00:01 web01 sshd[4242]: Failed password for root from 203.0.113.5 port 52311 ssh2",
			"2025-03-06T08:00:01Z",
			map[string]any{"host": "web01", "app": "sshd", "pid": 4242, "message": "Failed password for root from 203.0.113.5 port 52311 ssh2"}, nil},
		{"Nov 30 08:42:04 ip-172-31-27-153 sshd[22182]: Invalid user admin from 187.12.249.74",
			"2025-11-30T08:42:04Z",
			map[string]any{"host": "ip-172-31-27-153", "app": "sshd", "pid": 22182, "message": "Invalid user admin from 187.12.249.74"}, nil},
		{"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0\r",
			"2025-06-14T15:16:01Z",
			map[string]any{"host": "combo", "app": "sshd(pam_unix)", "pid": 19939, "message": "authentication failure; logname= uid=0"}, nil},
		{"Jun 15 04:06:18 combo kernel: Linux version 2.6.5",
			"2025-06-15T04:06:18Z",
			map[string]any{"host": "combo", "app": "kernel", "message": "Linux version 2.6.5"}, []string{"pid"}},
		{"Jul  1 09:29:02 calvisitor-10-105-160-95 sandboxd[129] ([31211]): deny network-outbound",
			"2025-07-01T09:29:02Z",
			map[string]any{"app": "sandboxd", "pid": 129, "message": "([31211]): deny network-outbound"}, nil},
		{"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
			"2025-10-11T22:14:15Z",
			map[string]any{"host": "mymachine", "app": "su", "message": "'su root' failed for lonvick on /dev/pts/8"}, nil},
		{"2025-03-06T08:00:01.123456+01:00 web01 nginx[77]: started",
			"2025-03-06T07:00:01.123456Z",
			map[string]any{"host": "web01", "app": "nginx", "pid": 77, "message": "started"}, nil},
		{"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event",
			"2003-10-11T22:14:15.003Z",
			map[string]any{"host": "mymachine.example.com", "app": "evntslog", "msgid": "ID47",
				"structured_data": `[exampleSDID@32473 iut="3" eventSource="Application"]`, "message": "An application event"}, []string{"pid"}},
		{"<34>1 2025-03-06T08:00:01Z host app 123 - - msg here",
			"2025-03-06T08:00:01Z",
			map[string]any{"host": "host", "app": "app", "pid": 123, "message": "msg here"}, []string{"msgid"}},
		{"<34>1 - host app - - - no time", "", map[string]any{"host": "host", "message": "no time"}, nil},
		{"Mar  6 08:00:01 web01 -- MARK --", "2025-03-06T08:00:01Z",
			map[string]any{"host": "web01", "message": "-- MARK --"}, []string{"app"}},
		{"Mar  6 08:00:01 web01 java[1]: boom\n\tat a.b.C(C.java:1)\n\tat d.e.F(F.java:2)", "2025-03-06T08:00:01Z",
			map[string]any{"message": "boom\n\tat a.b.C(C.java:1)\n\tat d.e.F(F.java:2)"}, nil},
	}
	for _, tc := range tests {
		ev, hasTime, err := parseLine(p, tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
		}
		checkTime(t, ev, hasTime, tc.time)
		checkFields(t, ev, tc.fields, tc.absent...)
	}
	for _, bad := range []string{"", "not syslog at all", "<34>1 garbage", "\x00\xff"} {
		if _, _, err := parseLine(p, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSyslogClassify(t *testing.T) {
	p := newTestParser(t, "syslog", nil)
	got := classifyAll(p,
		"Mar  6 08:00:01 web01 sshd[4242]: x",
		"\tat com.foo.Bar(Bar.java:12)",
		"Caused by: java.lang.Error",
		"",
		"<34>1 2025-03-06T08:00:01Z host app - - - x\r",
		"...",
	)
	want := []LineKind{LineEvent, LineContinue, LineContinue, LineSkip, LineEvent, LineContinue}
	if !slices.Equal(got, want) {
		t.Errorf("Classify = %v, want %v", got, want)
	}
}

func TestSyslogFixture(t *testing.T) {
	lines := fixtureLines(t, "auth.log")
	if f := Detect(lines); f.Name() != "syslog" {
		t.Fatalf("Detect = %s, want syslog", f.Name())
	}
	p := newTestParser(t, "syslog", lines)
	for _, l := range lines {
		ev, hasTime, err := parseLine(p, l)
		if err != nil || !hasTime {
			t.Errorf("%q: hasTime %v, err %v", l, hasTime, err)
		}
		checkFields(t, ev, map[string]any{"host": "ip-172-31-27-153"})
	}
}
