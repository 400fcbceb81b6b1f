package ingest

import (
	"strings"
	"testing"
	"time"
)

func utcOpt(year int) *Options { return &Options{Loc: time.UTC, Year: year} }

func mustTime(t *testing.T, s string) int64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UnixNano()
}

func TestParseLeadingTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339; "" means no timestamp
		n    int    // offset after the timestamp; -1 to skip the check
	}{
		{"03-17 16:13:38.811  1702  2395 D WindowManager: x", "2017-03-17T16:13:38.811Z", 18},
		{"[Sun Dec 04 04:47:44 2005] [notice] x", "2005-12-04T04:47:44Z", 26},
		{"[Fri Sep 09 10:42:29.902022 2011] [core:error]", "2011-09-09T10:42:29.902022Z", 33},
		{"Mon Jan  2 15:04:05 MST 2006 x", "2006-01-02T22:04:05Z", 28},
		{"Mon Jan 02 15:04:05 -0700 2006", "2006-01-02T22:04:05Z", 30},
		{"- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872", "2005-06-03T22:42:50Z", 12},
		{"2005-06-03-15.42.50.675872 R02", "2005-06-03T15:42:50.675872Z", 26},
		{"081109 203615 148 INFO dfs.DataNode", "2008-11-09T20:36:15Z", 13},
		{"134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component", "2004-02-26T14:12:22Z", 59},
		{"2015-10-18 18:01:47,978 INFO [main]", "2015-10-18T18:01:47.978Z", 23},
		{"17/06/09 20:10:40 INFO executor", "2017-06-09T20:10:40Z", 17},
		{"2015-07-29 17:41:44,747 - INFO  [x]", "2015-07-29T17:41:44.747Z", 23},
		{"nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO", "2017-05-16T00:00:00.008Z", 58},
		{"20171223-22:15:29:606|Step_LSC|30002312|x", "2017-12-23T22:15:29.606Z", 21},
		{"20171223-22:32:0:95|Step_LSC", "2017-12-23T22:32:00.095Z", 19},
		{"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: x", "2017-06-14T15:16:01Z", 15},
		{"Jul  1 09:00:55 calvisitor kernel[0]: x", "2017-07-01T09:00:55Z", 15},
		{"- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond", "2005-11-09T20:01:01Z", 12},
		{"[10.30 16:49:06] chrome.exe - x", "2017-10-30T16:49:06Z", 16},
		{"2016-09-28 04:30:30, Info   CBS", "2016-09-28T04:30:30Z", 19},
		{"[06/Mar/2025:08:00:01 +0000] x", "2025-03-06T08:00:01Z", 28},
		{"[06/Mar/2025:08:00:01 -0130] x", "2025-03-06T09:30:01Z", 28},
		{"2025-03-06T08:00:01Z host", "2025-03-06T08:00:01Z", 20},
		{"2025-03-06T08:00:01.123456789+01:00 x", "2025-03-06T07:00:01.123456789Z", 35},
		{"2025-03-06T08:00:01.5-0700 x", "2025-03-06T15:00:01.5Z", 26},
		{"2025-03-06 08:00:01.123 +0000 UTC m=+0.1", "2025-03-06T08:00:01.123Z", 33},
		{"2025-03-06 08:00:01 UTC x", "2025-03-06T08:00:01Z", 23},
		{"2009/01/23 01:23:23 log message", "2009-01-23T01:23:23Z", 19},
		{"20250306T080001Z x", "2025-03-06T08:00:01Z", 16},
		{"Mon, 02 Jan 2006 15:04:05 MST", "2006-01-02T22:04:05Z", 29},
		{"Mon, 02 Jan 2006 15:04:05 GMT", "2006-01-02T15:04:05Z", 29},
		{"Thu, 06 Mar 2025 08:00:01 +0100", "2025-03-06T07:00:01Z", 31},
		{"06-Mar-2025 08:00:01.123 INFO", "2025-03-06T08:00:01.123Z", 24},
		{"06 Mar 2025 08:00:01 x", "2025-03-06T08:00:01Z", 20},
		{"03/06/2025 08:00:01 PM x", "2025-03-06T20:00:01Z", 22},
		{"06.03.2025 08:00:01 x", "2025-03-06T08:00:01Z", 19},
		{"<34>Mar  6 08:00:01 web01 sshd[1]: x", "2017-03-06T08:00:01Z", 19},
		{"<165>1 2025-03-06T08:00:01.003Z host app - - - x", "2025-03-06T08:00:01.003Z", 31},
		{"Mar 06 2025 08:00:01 host", "2025-03-06T08:00:01Z", 20},
		{"INFO 2025-03-06 08:00:01 started", "2025-03-06T08:00:01Z", 24},
		{"1521911799.739898\tCx", "2018-03-24T17:16:39.739898Z", 17},
		{"1521911799739 x", "2018-03-24T17:16:39.739Z", 13},
		// no timestamp
		{"", "", -1},
		{"   at com.foo.Bar(Bar.java:12)", "", -1},
		{"Caused by: java.lang.IllegalStateException", "", -1},
		{"Traceback (most recent call last):", "", -1},
		{"83.149.9.216 - - hello", "", -1},
		{"10.30.1.2 x", "", -1},
		{"2025-03-06 no time", "", -1},
		{"2025-13-06 08:00:01", "", -1},
		{"2025-02-30 08:00:01", "", -1},
		{"2025-03-06 25:00:01", "", -1},
		{"12345678901234567890 x", "", -1},
		{"9999999999 x", "", -1},
		{"Market 6 08:00:01", "", -1},
		{"a b c d e f g 2025-03-06 08:00:01", "", -1},
	}
	for _, tc := range tests {
		ns, n, ok := ParseLeadingTime(tc.in, utcOpt(2017))
		if tc.want == "" {
			if ok {
				t.Errorf("ParseLeadingTime(%q) = %v, want none", tc.in, time.Unix(0, ns).UTC())
			}
			continue
		}
		if !ok {
			t.Errorf("ParseLeadingTime(%q) found none, want %s", tc.in, tc.want)
			continue
		}
		if want := mustTime(t, tc.want); ns != want {
			t.Errorf("ParseLeadingTime(%q) = %s, want %s", tc.in, time.Unix(0, ns).UTC().Format(time.RFC3339Nano), tc.want)
		}
		if tc.n >= 0 && n != tc.n {
			t.Errorf("ParseLeadingTime(%q) n = %d, want %d", tc.in, n, tc.n)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"2025-03-06T08:00:01Z", "2025-03-06T08:00:01Z"},
		{" 2025-03-06T08:00:01.5Z ", "2025-03-06T08:00:01.5Z"},
		{"2025-03-06", "2025-03-06T00:00:00Z"},
		{"2020-09-21 19:26:05", "2020-09-21T19:26:05Z"},
		{"1588205199.82437", "2020-04-30T00:06:39.82437Z"},
		{"1588205199", "2020-04-30T00:06:39Z"},
		{"1588205199824", "2020-04-30T00:06:39.824Z"},
		{"1588205199824370", "2020-04-30T00:06:39.82437Z"},
		{"1588205199824370123", "2020-04-30T00:06:39.824370123Z"},
		{"06/Mar/2025:08:00:01 +0000", "2025-03-06T08:00:01Z"},
		{"Thu, 06 Mar 2025 08:00:01 GMT", "2025-03-06T08:00:01Z"},
		{"", ""},
		{"12", ""},
		{"3.5", ""},
		{"123456789", ""},
		{"2025-03-06T08:00:01Z trailing", ""},
		{"hello", ""},
		{"-1588205199", ""},
		{"158820519.9", ""},
	}
	for _, tc := range tests {
		ns, ok := ParseTime(tc.in, utcOpt(0))
		if tc.want == "" {
			if ok {
				t.Errorf("ParseTime(%q) = %v, want none", tc.in, time.Unix(0, ns).UTC())
			}
			continue
		}
		if !ok || ns != mustTime(t, tc.want) {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tc.in, time.Unix(0, ns).UTC().Format(time.RFC3339Nano), ok, tc.want)
		}
	}
}

func TestTimeZoneOption(t *testing.T) {
	loc := time.FixedZone("X", -7*3600)
	opt := &Options{Loc: loc, Year: 2025}
	ns, ok := ParseTime("2025-03-06 08:00:01", opt)
	if !ok || ns != mustTime(t, "2025-03-06T15:00:01Z") {
		t.Errorf("zone-less time in -07:00 = %v, %v", time.Unix(0, ns).UTC(), ok)
	}
	// A time with its own zone ignores Options.Loc.
	ns, ok = ParseTime("2025-03-06T08:00:01Z", opt)
	if !ok || ns != mustTime(t, "2025-03-06T08:00:01Z") {
		t.Errorf("zoned time = %v, %v", time.Unix(0, ns).UTC(), ok)
	}
	// Yearless syslog in the option's zone.
	ns, _, ok = ParseLeadingTime("Mar  6 08:00:01 host", opt)
	if !ok || ns != mustTime(t, "2025-03-06T15:00:01Z") {
		t.Errorf("syslog in -07:00 = %v, %v", time.Unix(0, ns).UTC(), ok)
	}
	// BGL's local column is Pacific time: it must agree with its epoch.
	if la, err := time.LoadLocation("America/Los_Angeles"); err == nil {
		ns, ok = ParseTime("2005-06-03-15.42.50.675872", &Options{Loc: la})
		if !ok || ns/1e9 != 1117838570 {
			t.Errorf("BGL local time = %d, %v; want epoch 1117838570", ns/1e9, ok)
		}
	}
}

func TestYearInference(t *testing.T) {
	mod := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		opt  Options
		head []string
		line string
		want int
	}{
		{"modtime same year", Options{ModTime: mod}, nil, "Jan  9 08:00:00 h a: x", 2025},
		{"modtime next day still this year", Options{ModTime: mod}, nil, "Jan 11 08:00:00 h a: x", 2025},
		{"modtime later date is last year", Options{ModTime: mod}, nil, "Dec 31 23:59:59 h a: x", 2024},
		{"modtime two days later is last year", Options{ModTime: mod}, nil, "Jan 12 00:00:00 h a: x", 2024},
		{"year given", Options{Year: 2019}, nil, "Dec 31 23:59:59 h a: x", 2019},
		{"year given, rollover", Options{Year: 2019}, []string{"Dec 30 10:00:00 h a: x"}, "Jan  2 00:00:01 h a: x", 2020},
		{"year given, same month", Options{Year: 2019}, []string{"Dec 30 10:00:00 h a: x"}, "Dec 31 00:00:01 h a: x", 2019},
		{"logcat rollover", Options{Year: 2019}, []string{"12-31 23:59:59.000  1  2 D a: x"}, "01-01 00:00:01.000  1  2 D a: x", 2020},
	}
	for _, tc := range tests {
		tc.opt.Loc = time.UTC
		c := newClock(&tc.opt, tc.head)
		ns, _, ok := c.leading(tc.line)
		if got := time.Unix(0, ns).UTC().Year(); !ok || got != tc.want {
			t.Errorf("%s: year %d (ok %v), want %d", tc.name, got, ok, tc.want)
		}
	}
}

func TestDaysFromCivil(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		if got := daysFromCivil(d.Year(), int(d.Month()), d.Day()); got*86400 != d.Unix() {
			t.Errorf("daysFromCivil(%v) = %d, want %d", d, got, d.Unix()/86400)
		}
	}
}

func TestParseTimeNoAlloc(t *testing.T) {
	opt := utcOpt(2025)
	lines := []string{"2025-03-06T08:00:01.123Z x", "Mar  6 08:00:01 h", "- 1117838570 2005.06.03 R02", strings.Repeat("x", 200)}
	allocs := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			ParseLeadingTime(l, opt)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseLeadingTime allocates %v times per run", allocs)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2025-03-06T08:00:01.123+01:00", "Mar  6 08:00:01 h", "[06/Mar/2025:08:00:01 +0000]",
		"Sun Dec 04 04:47:44 2005", "081109 203615 148", "20171223-22:15:29:606|x",
		"1588205199.82437", "- 1117838570 2005.06.03", "Mon, 02 Jan 2006 15:04:05 MST",
		"03/06/2025 08:00:01 PM", "<34>1 2025-03-06T08:00:01Z", "[10.30 16:49:06]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opt := &Options{Loc: time.UTC, ModTime: time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC)}
		if _, n, ok := ParseLeadingTime(s, opt); ok && (n <= 0 || n > len(s)) {
			t.Errorf("ParseLeadingTime(%q) n = %d out of range", s, n)
		}
		ParseTime(s, opt)
	})
}
