package refeval

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parseTime reads a time spec as earliest=, latest= and relative_time
// take it (SPEC §3): an absolute time, a whole number of Unix seconds, or
// `now`, offsets [+-][N]unit and at most one @unit snap applied left to
// right to now.
func parseTime(spec string, now time.Time) (time.Time, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	if s[0] >= '0' && s[0] <= '9' {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC(), nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999",
			"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999",
			"2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	if len(s) >= 3 && strings.EqualFold(s[:3], "now") {
		s = s[3:]
	} else if !strings.ContainsRune("+-@", rune(s[0])) {
		return time.Time{}, fmt.Errorf("bad time %q", spec)
	}
	t := now.UTC()
	snaps := 0
	rest := s
	for rest != "" {
		m := relPart.FindStringSubmatch(rest)
		if m == nil {
			return time.Time{}, fmt.Errorf("bad time %q", spec)
		}
		rest = rest[len(m[0]):]
		unit := unitName(m[3])
		if unit == "" {
			return time.Time{}, fmt.Errorf("bad unit in %q", spec)
		}
		if m[1] == "@" {
			if snaps++; snaps > 1 || m[2] != "" {
				return time.Time{}, fmt.Errorf("bad snap in %q", spec)
			}
			t = snap(t, unit, m[4])
			continue
		}
		if m[4] != "" {
			return time.Time{}, fmt.Errorf("bad time %q", spec)
		}
		n := 1
		if m[2] != "" {
			var err error
			if n, err = strconv.Atoi(m[2]); err != nil || n > 1e6 {
				return time.Time{}, fmt.Errorf("bad count in %q", spec)
			}
		}
		if m[1] == "-" {
			n = -n
		}
		switch unit {
		case "mon":
			t = t.AddDate(0, n, 0)
		case "y":
			t = t.AddDate(n, 0, 0)
		default:
			t = t.Add(time.Duration(n) * unitLength[unit])
		}
	}
	return t, nil
}

// relPart is one offset or snap of a relative time: sign, count, unit
// and, for @w, a weekday digit.
var relPart = regexp.MustCompile(`^([+@-])([0-9]*)([a-zA-Z]*)([0-6]?)`)

var unitLength = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour}

func unitName(u string) string {
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

// snap floors t to the start of its unit: @w (or @w0) to Sunday, @wN to
// the last weekday N.
func snap(t time.Time, unit, day string) time.Time {
	y, mo, d := t.Date()
	switch unit {
	case "s":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	case "m":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), 0, 0, time.UTC)
	case "h":
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, time.UTC)
	case "d":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case "w":
		want := 0
		if day != "" {
			want = int(day[0] - '0')
		}
		for t.Weekday() != time.Weekday(want) {
			t = t.AddDate(0, 0, -1)
		}
		y, mo, d = t.Date()
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case "mon":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
}

// strftime formats t (UTC) with the % directives of .help strftime; an
// unknown directive stays as written.
func strftime(t time.Time, f string) string {
	t = t.UTC()
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		if f[i] >= '0' && f[i] <= '9' && i+1 < len(f) && f[i+1] == 'N' {
			w := int(f[i] - '0')
			if w == 0 {
				w = 9
			}
			b.WriteString(fmt.Sprintf("%09d", t.Nanosecond())[:w])
			i++
			continue
		}
		if f[i] == ':' && i+1 < len(f) && f[i+1] == 'z' {
			b.WriteString("+00:00")
			i++
			continue
		}
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'N':
			fmt.Fprintf(&b, "%09d", t.Nanosecond())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			fmt.Fprintf(&b, "%d", wd)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'z':
			b.WriteString("+0000")
		case 'Z':
			b.WriteString("UTC")
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// strptime reads s with a format of the directives %Y %m %d %H %M %S %b
// %z %F %T %s (the ones the differential test writes): each number of up
// to its width of digits, whitespace in the format matching any run of
// whitespace, trailing whitespace allowed; missing parts are 1970-01-01
// 00:00:00 UTC. Values out of range (month 13, hour 24) do not parse.
func strptime(s, f string) (time.Time, bool) {
	f = strings.NewReplacer("%F", "%Y-%m-%d", "%T", "%H:%M:%S").Replace(f)
	var re strings.Builder
	re.WriteString(`^`)
	var parts []byte
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			re.WriteString(`[ \t\r\n]*`)
		case c == '%' && i+1 < len(f):
			i++
			d := f[i]
			pat, ok := map[byte]string{'Y': `([0-9]{1,4})`, 'm': `([0-9]{1,2})`, 'd': `([0-9]{1,2})`,
				'H': `([0-9]{1,2})`, 'M': `([0-9]{1,2})`, 'S': `([0-9]{1,2})`, 'b': `([A-Za-z]{3})`,
				'z': `(Z|[+-][0-9]{2}:?[0-9]{2})`, 's': `(-?[0-9]+)`, '%': `(%)`}[d]
			if !ok {
				return time.Time{}, false
			}
			re.WriteString(pat)
			parts = append(parts, d)
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString(`[ \t\r\n]*$`)
	m := cachedRegex("p"+f, re.String()).FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	y, mo, d, h, mi, sec, off := 1970, 1, 1, 0, 0, 0, 0
	for k, p := range parts {
		v := m[k+1]
		n, _ := strconv.Atoi(v)
		switch p {
		case 'Y':
			y = n
		case 'm':
			mo = n
		case 'd':
			d = n
		case 'H':
			h = n
		case 'M':
			mi = n
		case 'S':
			sec = n
		case 'b':
			t, err := time.Parse("Jan", strings.ToUpper(v[:1])+strings.ToLower(v[1:]))
			if err != nil {
				return time.Time{}, false
			}
			mo = int(t.Month())
		case 'z':
			if v != "Z" {
				v = strings.ReplaceAll(v, ":", "")
				hh, _ := strconv.Atoi(v[1:3])
				mm, _ := strconv.Atoi(v[3:5])
				off = hh*3600 + mm*60
				if v[0] == '-' {
					off = -off
				}
			}
		case 's':
			e, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(e, 0).UTC(), true
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // the 31st of a 30-day month
	}
	return t.Add(-time.Duration(off) * time.Second), true
}
