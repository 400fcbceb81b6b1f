package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Strftime formats t with C/Splunk % directives, in UTC:
//
//	%Y 2025  %y 25  %m 03  %d 06  %e " 6"  %j 065  %H 08  %I 08  %p AM
//	%M 04  %S 05  %N nanoseconds (%3N ms, %6N µs, %9N)  %f microseconds
//	%s Unix seconds  %b Mar  %B March  %a Thu  %A Thursday  %u 4 (Monday 1)
//	%w 4 (Sunday 0)  %z +0000  %:z +00:00  %Z UTC  %F %Y-%m-%d  %T %H:%M:%S
//	%D %m/%d/%y  %R %H:%M  %n newline  %t tab  %% %
//
// An unknown directive is kept as written.
func Strftime(t time.Time, format string) string {
	t = t.UTC()
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		width := 0
		if isDigitByte(format[i]) && i+1 < len(format) && format[i+1] == 'N' {
			width = int(format[i] - '0')
			i++
		}
		if format[i] == ':' && i+1 < len(format) && format[i+1] == 'z' {
			b.WriteString("+00:00")
			i++
			continue
		}
		if s, ok := directive(t, format[i], width); ok {
			b.WriteString(s)
		} else {
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

func zeroPad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// directive formats one % directive; width is the N of %3N.
func directive(t time.Time, c byte, width int) (string, bool) {
	switch c {
	case 'Y':
		return zeroPad(t.Year(), 4), true
	case 'y':
		return zeroPad(t.Year()%100, 2), true
	case 'm':
		return zeroPad(int(t.Month()), 2), true
	case 'd':
		return zeroPad(t.Day(), 2), true
	case 'e':
		return fmt.Sprintf("%2d", t.Day()), true
	case 'j':
		return zeroPad(t.YearDay(), 3), true
	case 'H':
		return zeroPad(t.Hour(), 2), true
	case 'I':
		return zeroPad((t.Hour()+11)%12+1, 2), true
	case 'p':
		return map[bool]string{true: "AM", false: "PM"}[t.Hour() < 12], true
	case 'M':
		return zeroPad(t.Minute(), 2), true
	case 'S':
		return zeroPad(t.Second(), 2), true
	case 'N':
		if width == 0 || width > 9 {
			width = 9
		}
		return zeroPad(t.Nanosecond(), 9)[:width], true
	case 'f':
		return zeroPad(t.Nanosecond()/1000, 6), true
	case 's':
		return strconv.FormatInt(t.Unix(), 10), true
	case 'b', 'h':
		return t.Month().String()[:3], true
	case 'B':
		return t.Month().String(), true
	case 'a':
		return t.Weekday().String()[:3], true
	case 'A':
		return t.Weekday().String(), true
	case 'u':
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1), true
	case 'w':
		return strconv.Itoa(int(t.Weekday())), true
	case 'z':
		return "+0000", true
	case 'Z':
		return "UTC", true
	case 'F':
		return Strftime(t, "%Y-%m-%d"), true
	case 'T':
		return Strftime(t, "%H:%M:%S"), true
	case 'D':
		return Strftime(t, "%m/%d/%y"), true
	case 'R':
		return Strftime(t, "%H:%M"), true
	case 'n':
		return "\n", true
	case 't':
		return "\t", true
	case '%':
		return "%", true
	}
	return "", false
}

// Strptime parses s with the directives of Strftime (%e, %j, %u, %w and
// %a/%A are read and ignored where they add nothing). Whitespace in the
// format matches any run of whitespace; trailing whitespace is allowed.
// Missing parts default to 1970-01-01 00:00:00; no zone means UTC.
func Strptime(s, format string) (time.Time, error) {
	p := &ptime{s: s, year: 1970, month: 1, day: 1}
	if err := p.parse(format); err != nil {
		return time.Time{}, err
	}
	if strings.TrimSpace(p.s[p.i:]) != "" {
		return time.Time{}, fmt.Errorf("strptime: extra text %q", p.s[p.i:])
	}
	return p.time()
}
