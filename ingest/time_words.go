package ingest

import (
	"loghunt/monthname"
	"strings"
)

// scanShortDate parses dates that start with a 1-2 digit number v (at
// s[i:j], separator s[j]): MM-dd and MM.dd (yearless, logcat and
// Proxifier), dd-MM-yyyy, dd.MM.yyyy, MM/dd/yyyy, yy/MM/dd (Spark),
// dd/Mon/yyyy:HH:mm:ss (Apache access), dd-Mon-yyyy and dd Mon yyyy.
func scanShortDate(s string, i, j, v int) (stamp, int, bool) {
	var st stamp
	sep := s[j]
	if j+1 >= len(s) {
		return st, 0, false
	}
	if isLetter(s[j+1]) {
		return scanDayMonthName(s, j, v)
	}
	if sep == ' ' {
		return st, 0, false
	}
	b, bn := digits(s, j+1, 2)
	k := j + 1 + bn
	if bn == 0 || k >= len(s) {
		return st, 0, false
	}
	if s[k] == sep {
		c, cn := digits(s, k+1, 4)
		switch {
		case cn == 4 && sep == '/':
			st.year, st.month, st.day = c, v, b
		case cn == 4:
			st.year, st.month, st.day = c, b, v
		case cn == 2 && sep == '/':
			st.year, st.month, st.day = 2000+v, b, c
		default:
			return st, 0, false
		}
		return scanAfterDate(s, k+1+cn, st, false)
	}
	if s[k] != ' ' || sep == '/' {
		return st, 0, false
	}
	st.month, st.day, st.yearless = v, b, true
	end, ok := scanClock(s, k+1, &st)
	return st, end, ok
}

// scanDayMonthName parses dd/Mon/yyyy:HH:mm:ss zone (Apache access),
// dd-Mon-yyyy HH:mm:ss and dd Mon yyyy HH:mm:ss; s[j] is the separator
// after the day d.
func scanDayMonthName(s string, j, d int) (stamp, int, bool) {
	st := stamp{day: d}
	sep := s[j]
	k := j + 1
	m, mn := monthAt(s, k)
	if m == 0 || k+mn >= len(s) || s[k+mn] != sep {
		return st, 0, false
	}
	k += mn + 1
	y, yn := digits(s, k, 4)
	switch yn {
	case 4:
	case 2:
		y += 2000
	default:
		return st, 0, false
	}
	st.year, st.month = y, m
	return scanAfterDate(s, k+yn, st, false)
}

// scanEpoch parses n digits at s[i:] (value v) as epoch seconds (10),
// milliseconds (13), microseconds (16) or nanoseconds (19); seconds and
// milliseconds may have a fraction.
func scanEpoch(s string, i, n, v int) (stamp, int, bool) {
	var st stamp
	if n == 19 && s[i] > '4' {
		return st, 0, false
	}
	unit := int64(1)
	for range (19 - n) / 3 {
		unit *= 1000
	}
	ns := int64(v) * unit
	k := i + n
	if (n == 10 || n == 13) && k+1 < len(s) && s[k] == '.' && isDigit(s[k+1]) {
		k++
		scale := unit / 10
		for ; k < len(s) && isDigit(s[k]); k++ {
			ns += int64(s[k]-'0') * scale
			scale /= 10
		}
	}
	if k < len(s) && (isLetter(s[k]) || isDigit(s[k]) || s[k] == '-' || s[k] == ':' || s[k] == '/') {
		return st, 0, false
	}
	if sec := ns / 1e9; sec < minEpochSec || sec >= maxEpochSec {
		return st, 0, false
	}
	st.epoch, st.epochNS, st.hasClock = true, ns, true
	return st, k, true
}

// scanWordy parses timestamps that start with a word: syslog's
// "Mar  6 08:00:01" (optionally "Mar 06 2025 08:00:01"), ctime's
// "Sun Dec 04 04:47:44 2005" (also with a fraction and a zone before the
// year) and RFC 1123's "Mon, 02 Jan 2006 15:04:05 MST".
func scanWordy(s string, i int) (stamp, int, bool) {
	var st stamp
	if m, mn := monthAt(s, i); m != 0 {
		return scanMonthFirst(s, i+mn, m, false)
	}
	wn := weekdayAt(s, i)
	if wn == 0 {
		return st, 0, false
	}
	k := i + wn
	if k+2 < len(s) && s[k] == ',' && s[k+1] == ' ' {
		d, dn := digits(s, k+2, 2)
		if dn == 0 || k+2+dn >= len(s) {
			return st, 0, false
		}
		return scanDayMonthName(s, k+2+dn, d)
	}
	if k+1 < len(s) && s[k] == ' ' {
		if m, mn := monthAt(s, k+1); m != 0 {
			return scanMonthFirst(s, k+1+mn, m, true)
		}
	}
	return st, 0, false
}

// scanMonthFirst parses " _2 15:04:05" after a month name ending at k.
// ctime (after a weekday) then needs " [zone ]2006".
func scanMonthFirst(s string, k, month int, ctime bool) (stamp, int, bool) {
	st := stamp{month: month}
	if k >= len(s) || s[k] != ' ' {
		return st, 0, false
	}
	k++
	if k < len(s) && s[k] == ' ' {
		k++
	}
	d, dn := digits(s, k, 2)
	k += dn
	if dn == 0 || k+1 >= len(s) || s[k] != ' ' {
		return st, 0, false
	}
	st.day = d
	if y, yn := digits(s, k+1, 5); yn == 4 && k+5 < len(s) && s[k+5] == ' ' {
		st.year, k = y, k+5
	} else {
		st.yearless = true
	}
	end, ok := scanClock(s, k+1, &st)
	if !ok || !ctime {
		return st, end, ok
	}
	end = scanZone(s, end, &st)
	y, yn := digits(s, end+1, 5)
	if end >= len(s) || s[end] != ' ' || yn != 4 {
		return st, 0, false
	}
	st.year, st.yearless = y, false
	end += 5
	if end < len(s) && (isDigit(s[end]) || isLetter(s[end])) {
		return st, 0, false
	}
	return st, end, st.valid()
}

var weekdayNames = [7]string{
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}

// monthAt returns the month (1-12) named at s[i:], by its three-letter
// abbreviation or full name in any case, and the name's length.
func monthAt(s string, i int) (int, int) { return monthname.At(s[i:]) }

// weekdayAt returns the length of the weekday name at s[i:], or 0.
func weekdayAt(s string, i int) int {
	for _, name := range weekdayNames {
		if n := nameAt(s, i, name); n != 0 {
			return n
		}
	}
	return 0
}

// nameAt matches name's three-letter abbreviation or name itself at s[i:],
// not followed by another letter, and returns the length matched.
func nameAt(s string, i int, name string) int {
	if i+3 > len(s) || !strings.EqualFold(s[i:i+3], name[:3]) {
		return 0
	}
	if i+3 == len(s) || !isLetter(s[i+3]) {
		return 3
	}
	if n := len(name); i+n <= len(s) && strings.EqualFold(s[i:i+n], name) &&
		(i+n == len(s) || !isLetter(s[i+n])) {
		return n
	}
	return 0
}
