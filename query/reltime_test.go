package query

import (
	"testing"
	"time"
)

func TestParseTimeSpec(t *testing.T) {
	now := time.Date(2025, 3, 6, 8, 30, 15, 0, time.UTC) // a Thursday
	cases := []struct{ spec, want string }{
		{"now", "2025-03-06T08:30:15Z"},
		{"-24h", "2025-03-05T08:30:15Z"},
		{"-7d", "2025-02-27T08:30:15Z"},
		{"-15m", "2025-03-06T08:15:15Z"},
		{"-1d@d", "2025-03-05T00:00:00Z"},
		{"@d", "2025-03-06T00:00:00Z"},
		{"@d+8h", "2025-03-06T08:00:00Z"},
		{"@h", "2025-03-06T08:00:00Z"},
		{"@m", "2025-03-06T08:30:00Z"},
		{"@w", "2025-03-02T00:00:00Z"},
		{"@w0", "2025-03-02T00:00:00Z"},
		{"@w1", "2025-03-03T00:00:00Z"},
		{"@w4", "2025-03-06T00:00:00Z"},
		{"@w5", "2025-02-28T00:00:00Z"},
		{"@mon", "2025-03-01T00:00:00Z"},
		{"@y", "2025-01-01T00:00:00Z"},
		{"-1mon@mon", "2025-02-01T00:00:00Z"},
		{"-1y", "2024-03-06T08:30:15Z"},
		{"+1h", "2025-03-06T09:30:15Z"},
		{"-h", "2025-03-06T07:30:15Z"},
		{"-2hours", "2025-03-06T06:30:15Z"},
		{"now-15min", "2025-03-06T08:15:15Z"},
		{"2025-03-06", "2025-03-06T00:00:00Z"},
		{"2025-03-06T08:00:00Z", "2025-03-06T08:00:00Z"},
		{"2025-03-06T09:00:00+01:00", "2025-03-06T08:00:00Z"},
		{"2025-03-06 08:00:00", "2025-03-06T08:00:00Z"},
		{"2025-03-06T08:00:00.5", "2025-03-06T08:00:00.5Z"},
		{"1741248000", "2025-03-06T08:00:00Z"},
	}
	for _, c := range cases {
		got, err := ParseTimeSpec(c.spec, now)
		if err != nil {
			t.Errorf("ParseTimeSpec(%q): %v", c.spec, err)
			continue
		}
		if s := got.Format(time.RFC3339Nano); s != c.want {
			t.Errorf("ParseTimeSpec(%q) = %s, want %s", c.spec, s, c.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-1x", "-1d@d@h", "@1d", "2025-13-01", "-d@", "+", "@w7"} {
		if _, err := ParseTimeSpec(bad, now); err == nil {
			t.Errorf("ParseTimeSpec(%q) did not fail", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		s    string
		want time.Duration
	}{
		{"30s", 30 * time.Second}, {"5m", 5 * time.Minute}, {"1h", time.Hour}, {"1d", 24 * time.Hour},
		{"1w", 7 * 24 * time.Hour}, {"1.5h", 90 * time.Minute}, {"5min", 5 * time.Minute}, {"5mins", 5 * time.Minute},
		{"2hr", 2 * time.Hour}, {"1day", 24 * time.Hour}, {"10sec", 10 * time.Second}, {"250ms", 250 * time.Millisecond},
		{"1week", 7 * 24 * time.Hour}, {"1H", time.Hour},
	}
	for _, c := range cases {
		if got, err := ParseDuration(c.s); err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.s, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "5", "m", "5x", "1mon", "1y", "1..5m", "-5m"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) did not fail", bad)
		}
	}
}

func TestStrftimeStrptime(t *testing.T) {
	tm := time.Date(2025, 3, 6, 14, 5, 9, 123456789, time.UTC)
	cases := []struct{ format, want string }{
		{"%Y-%m-%dT%H:%M:%S", "2025-03-06T14:05:09"},
		{"%F %T.%3N", "2025-03-06 14:05:09.123"},
		{"%y %e %j %I %p %A %B %u %w", "25  6 065 02 PM Thursday March 4 4"},
		{"%D %R %6N %f %N", "03/06/25 14:05 123456 123456 123456789"},
		{"%s %z %:z %Z %% %q", "1741269909 +0000 +00:00 UTC % %q"},
	}
	for _, c := range cases {
		if got := Strftime(tm, c.format); got != c.want {
			t.Errorf("Strftime(%q) = %q, want %q", c.format, got, c.want)
		}
	}
	parse := []struct{ s, format, want string }{
		{"2025-03-06 14:05:09", "%Y-%m-%d %H:%M:%S", "2025-03-06T14:05:09Z"},
		{"06/Mar/2025:15:05:09 +0100", "%d/%b/%Y:%H:%M:%S %z", "2025-03-06T14:05:09Z"},
		{"March 6 2025 2:05:09 PM", "%B %d %Y %I:%M:%S %p", "2025-03-06T14:05:09Z"},
		{"12:00 AM", "%I:%M %p", "1970-01-01T00:00:00Z"},
		{"2025-03-06T14:05:09.5Z", "%FT%T.%N%z", "2025-03-06T14:05:09.5Z"},
		{"1741269909", "%s", "2025-03-06T14:05:09Z"},
		{"25/3/6", "%y/%m/%d", "2025-03-06T00:00:00Z"},
		{"2025 065", "%Y %j", "2025-03-06T00:00:00Z"},
		{"  2025-03-06  ", " %F", "2025-03-06T00:00:00Z"},
	}
	for _, c := range parse {
		got, err := Strptime(c.s, c.format)
		if err != nil {
			t.Errorf("Strptime(%q, %q): %v", c.s, c.format, err)
			continue
		}
		if s := got.Format(time.RFC3339Nano); s != c.want {
			t.Errorf("Strptime(%q, %q) = %s, want %s", c.s, c.format, s, c.want)
		}
	}
	for _, bad := range [][2]string{{"2025-02-30", "%F"}, {"x", "%Y"}, {"2025-03-06 extra", "%F"}, {"13:00 PM", "%I:%M %p"}, {"Foo", "%b"}} {
		if _, err := Strptime(bad[0], bad[1]); err == nil {
			t.Errorf("Strptime(%q, %q) did not fail", bad[0], bad[1])
		}
	}
}
