package ingest

import (
	"fmt"
	"strings"
	"testing"

	"loghunt/store"
)

func TestApacheParse(t *testing.T) {
	p := newTestParser(t, "apache", nil)
	tests := []struct {
		line   string
		time   string
		fields map[string]any
		absent []string
	}{
		{`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`,
			"2015-05-17T10:05:03Z",
			map[string]any{"clientip": "83.149.9.216", "ident": nil, "user": nil, "method": "GET",
				"path": "/presentations/logstash-monitorama-2013/images/kibana-search.png", "protocol": "HTTP/1.1",
				"status": 200, "bytes": 203023, "referer": "http://semicomplete.com/presentations/logstash-monitorama-2013/",
				"useragent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}, nil},
		{`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			"2000-10-10T20:55:36Z",
			map[string]any{"clientip": "127.0.0.1", "user": "frank", "status": 200, "bytes": 2326}, []string{"referer", "useragent"}},
		{`"192.168.4.25 - - [22/Dec/2016:16:30:52 +0300] "POST /administrator/index.php HTTP/1.1" 303 382 "http://192.168.4.161/DVWA" "Mozilla/5.0 (Windows NT 6.1; WOW64)""`,
			"2016-12-22T13:30:52Z",
			map[string]any{"clientip": "192.168.4.25", "method": "POST", "status": 303, "bytes": 382,
				"referer": "http://192.168.4.161/DVWA", "useragent": "Mozilla/5.0 (Windows NT 6.1; WOW64)"}, nil},
		{`10.0.0.1 - - [06/Mar/2025:08:00:01 +0000] "-" 400 - "-" "-"` + "\r",
			"2025-03-06T08:00:01Z",
			map[string]any{"status": 400, "bytes": nil, "referer": "-", "useragent": "-"}, []string{"method", "path"}},
		{`10.0.0.1 - - [06/Mar/2025:08:00:01 +0000] "\x16\x03\x01" 400 0 "-" "-"`,
			"2025-03-06T08:00:01Z",
			map[string]any{"path": `\x16\x03\x01`, "status": 400, "bytes": 0}, []string{"method"}},
		{`10.0.0.1 - - [06/Mar/2025:08:00:01 +0000] "GET /a "quoted" b HTTP/1.1" 200 5 "-" "Agent "x" y" "1.2.3.4" 0.005`,
			"2025-03-06T08:00:01Z",
			map[string]any{"method": "GET", "path": `/a "quoted" b`, "protocol": "HTTP/1.1", "useragent": `Agent "x" y`}, nil},
		{`::1 - user name [06/Mar/2025:08:00:01 +0000] "GET /x HTTP/2.0" 304 0`,
			"2025-03-06T08:00:01Z",
			map[string]any{"clientip": "::1", "user": "user name", "status": 304}, nil},
	}
	for _, tc := range tests {
		ev, hasTime, err := parseLine(p, tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
		}
		checkTime(t, ev, hasTime, tc.time)
		checkFields(t, ev, tc.fields, tc.absent...)
	}
	for _, bad := range []string{
		"", "hello world", `1.2.3.4 - - [bad time] "GET / HTTP/1.1" 200 1`,
		`1.2.3.4 - - [06/Mar/2025:08:00:01 +0000] "GET / HTTP/1.1 200 1`,
		`1.2.3.4 - - [06/Mar/2025:08:00:01 +0000] "GET / HTTP/1.1" abc 1`,
		`1.2.3.4 - - [06/Xyz/2025:08:00:01 +0000] "GET / HTTP/1.1" 200 1`,
	} {
		if _, _, err := parseLine(p, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestApacheFixtures(t *testing.T) {
	for _, name := range []string{"access.log", "access_quoted.log"} {
		lines := fixtureLines(t, name)
		if f := Detect(lines); f.Name() != "apache" {
			t.Errorf("%s: Detect = %s, want apache", name, f.Name())
		}
		p := newTestParser(t, "apache", lines)
		for _, l := range lines {
			if _, hasTime, err := parseLine(p, l); err != nil || !hasTime {
				t.Errorf("%s %q: hasTime %v, err %v", name, l, hasTime, err)
			}
		}
	}
}

func TestApacheParseAllocs(t *testing.T) {
	p := newTestParser(t, "apache", nil)
	line := benchAccessLine(1)
	ev := store.Event{Fields: make([]store.Field, 0, 16)}
	allocs := testing.AllocsPerRun(200, func() {
		ev.Fields = ev.Fields[:0]
		if _, err := p.Parse(line, &ev); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("Parse allocates %v times per line, want 0", allocs)
	}
}

func benchAccessLine(i int) string {
	return fmt.Sprintf(`203.0.113.%d - - [06/Mar/2025:08:%02d:%02d +0000] "GET /wp-login.php?id=%d HTTP/1.1" 404 %d "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"`,
		i%256, i/60%60, i%60, i, 100+i)
}

func BenchmarkApacheParse(b *testing.B) {
	p := newTestParser(b, "apache", nil)
	lines := make([]string, 1024)
	size := 0
	for i := range lines {
		lines[i] = benchAccessLine(i)
		size += len(lines[i])
	}
	ev := store.Event{Fields: make([]store.Field, 0, 16)}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev.Fields = ev.Fields[:0]
		if _, err := p.Parse(lines[i%len(lines)], &ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkParseLeadingTime(b *testing.B) {
	lines := strings.Split("2025-03-06T08:00:01.123Z x\nMar  6 08:00:01 host\n- 1117838570 2005.06.03 R02\n081109 203615 148 INFO", "\n")
	opt := &Options{Loc: testOpt.Loc, Year: 2025}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ParseLeadingTime(lines[i%len(lines)], opt)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
