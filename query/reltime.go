package query

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTimeSpec reads a time as earliest=, latest= and relative_time take
// it, in UTC:
//
//   - `now`: now itself.
//   - absolute: `2025-03-06`, `2025-03-06T08:00:00Z`, `2025-03-06 08:00:00`,
//     with optional fractional seconds and zone offset (no zone is UTC),
//     or a whole number of Unix seconds.
//   - relative to now: offsets `[+-][N]unit` (N defaults to 1) and at most
//     one snap `@unit`, in any order, applied left to right: `-24h`, `-7d`,
//     `-1d@d` (yesterday 00:00), `@w1` (this week's Monday 00:00),
//     `@d+8h` (today 08:00), `now-15m`.
//
// Units: s (sec, second), m (min, minute), h (hr, hour), d (day),
// w (week), mon (month), y (yr, year), each also plural. Days are 24
// hours; months and years are calendar months and years. A snap floors to
// the start of its unit: `@w` or `@w0` to Sunday 00:00, `@w1`..`@w6` to
// the last Monday..Saturday (Splunk's convention); `@mon` to the 1st of
// the month, `@y` to January 1.
func ParseTimeSpec(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	now = now.UTC()
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	if isDigitByte(s[0]) {
		return parseAbsolute(s)
	}
	if c := s[0]; c != '+' && c != '-' && c != '@' && !(len(s) >= 3 && strings.EqualFold(s[:3], "now")) {
		return time.Time{}, errBadTime(s)
	}
	rest := s
	if len(s) >= 3 && strings.EqualFold(s[:3], "now") {
		rest = s[3:]
	}
	t, err := applyRelative(rest, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: %w", s, err)
	}
	return t, nil
}

// absoluteLayouts are the absolute forms ParseTimeSpec reads.
var absoluteLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

func parseAbsolute(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range absoluteLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errBadTime(s)
}

func errBadTime(s string) error {
	return fmt.Errorf("bad time %q (use 2025-03-06, 2025-03-06T08:00:00Z, -24h, -1d@d or now)", s)
}

// applyRelative applies offsets and a snap to t.
func applyRelative(s string, t time.Time) (time.Time, error) {
	snapped := false
	for i := 0; i < len(s); {
		c := s[i]
		if c != '+' && c != '-' && c != '@' {
			return t, fmt.Errorf("unexpected %q (want +N, -N or @unit)", s[i:])
		}
		i++
		j := i
		for j < len(s) && isDigitByte(s[j]) {
			j++
		}
		k := j
		for k < len(s) && isLetterByte(s[k]) {
			k++
		}
		unit := timeUnit(s[j:k])
		if unit == "" {
			return t, fmt.Errorf("unknown unit %q", s[j:k])
		}
		if c == '@' {
			if snapped {
				return t, errors.New("more than one @ snap")
			}
			snapped = true
			if j > i {
				return t, fmt.Errorf("bad snap @%s", s[i:k])
			}
			day := ""
			if unit == "w" && k < len(s) && s[k] >= '0' && s[k] <= '6' {
				day, k = s[k:k+1], k+1
			}
			t = snapTime(t, unit, day)
		} else {
			n := 1
			if j > i {
				var err error
				if n, err = strconv.Atoi(s[i:j]); err != nil || n > 1e6 {
					return t, fmt.Errorf("bad count %q", s[i:j])
				}
			}
			if c == '-' {
				n = -n
			}
			t = offsetTime(t, unit, n)
		}
		i = k
	}
	return t, nil
}

// timeUnit returns the canonical unit (s m h d w mon y) of a unit name.
func timeUnit(u string) string {
	switch strings.ToLower(u) {
	case "s", "sec", "secs", "second", "seconds":
		return "s"
	case "m", "min", "mins", "minute", "minutes":
		return "m"
	case "h", "hr", "hrs", "hour", "hours":
		return "h"
	case "d", "day", "days":
		return "d"
	case "w", "week", "weeks":
		return "w"
	case "mon", "month", "months":
		return "mon"
	case "y", "yr", "yrs", "year", "years":
		return "y"
	}
	return ""
}

var unitDurations = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
}

func offsetTime(t time.Time, unit string, n int) time.Time {
	switch unit {
	case "mon":
		return t.AddDate(0, n, 0)
	case "y":
		return t.AddDate(n, 0, 0)
	}
	return t.Add(time.Duration(n) * unitDurations[unit])
}

// snap floors t to the start of unit; for w, day is the weekday (0 Sunday).
func snapTime(t time.Time, unit, day string) time.Time {
	y, mo, d := t.Date()
	switch unit {
	case "s", "m", "h":
		return t.Truncate(unitDurations[unit])
	case "d":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case "w":
		want := 0
		if day != "" {
			want = int(day[0] - '0')
		}
		back := (int(t.Weekday()) - want + 7) % 7
		return time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
	case "mon":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
}

// ParseDuration reads a span such as 30s, 5m, 1.5h, 1d or 2w: a number
// and a unit: ms, s (sec, second), m (min, minute), h (hr, hour),
// d (day), w (week), each also plural. Months and years have no fixed
// length and are not durations.
func ParseDuration(s string) (time.Duration, error) {
	i := 0
	for i < len(s) && (isDigitByte(s[i]) || s[i] == '.') {
		i++
	}
	if i == 0 || i == len(s) {
		return 0, fmt.Errorf("bad duration %q (use a number and a unit: 30s, 5m, 1h, 1d, 1w)", s)
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	unit := time.Millisecond
	if u := strings.ToLower(s[i:]); u != "ms" {
		canon := timeUnit(u)
		if unitDurations[canon] == 0 {
			return 0, fmt.Errorf("bad duration unit %q in %q (use s, m, h, d or w)", s[i:], s)
		}
		unit = unitDurations[canon]
	}
	d := n * float64(unit)
	if d > float64(1<<62) {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return time.Duration(d), nil
}
