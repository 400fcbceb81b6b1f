package ingest

// stamp is a timestamp's parts as written, before zone and year rules.
type stamp struct {
	year, month, day int
	hour, min, sec   int
	nsec             int
	off              int  // zone offset in seconds east of UTC when zoned
	zoned            bool // the text carried its zone
	yearless         bool // the text carried no year
	hasClock         bool // the text carried a time of day
	epoch            bool // epochNS holds the instant
	epochNS          int64
}

// Epoch values are accepted between these instants (2000-01-01 and
// 2100-01-01 UTC), in seconds.
const (
	minEpochSec = 946684800
	maxEpochSec = 4102444800
)

// scanLeading finds a timestamp at the start of s or after a short prefix
// (see ParseLeadingTime).
func scanLeading(s string) (stamp, int, bool) {
	i := skipPRI(s)
	for tok := 0; tok <= maxSkipTokens; tok++ {
		if st, n, ok := scanStamp(s, i); ok && st.hasClock {
			return st, n, true
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if j-i > maxSkipToken {
			break
		}
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) || j > maxPrefix {
			break
		}
		i = j
	}
	return stamp{}, 0, false
}

// skipPRI returns the offset after a syslog "<PRI>" and an RFC 5424
// version ("<34>1 "), or 0.
func skipPRI(s string) int {
	if len(s) < 3 || s[0] != '<' {
		return 0
	}
	i := 1
	for i < len(s) && i < 5 && isDigit(s[i]) {
		i++
	}
	if i == 1 || i >= len(s) || s[i] != '>' {
		return 0
	}
	i++
	if i+1 < len(s) && isDigit(s[i]) && s[i+1] == ' ' {
		i += 2
	}
	return i
}

// scanStamp parses a timestamp at s[i:], optionally in square brackets.
// It returns the offset after it (after the closing bracket).
func scanStamp(s string, i int) (st stamp, n int, ok bool) {
	if i >= len(s) {
		return st, 0, false
	}
	bracket := s[i] == '['
	if bracket {
		i++
		if i >= len(s) {
			return st, 0, false
		}
	}
	switch c := s[i]; {
	case isDigit(c):
		st, n, ok = scanNumeric(s, i)
	case isLetter(c):
		st, n, ok = scanWordy(s, i)
	}
	if ok && bracket && n < len(s) && s[n] == ']' {
		n++
	}
	return st, n, ok
}

// digits reads up to max decimal digits at s[i:] and returns their value
// and count.
func digits(s string, i, max int) (v, n int) {
	for n < max && i+n < len(s) && isDigit(s[i+n]) {
		v = v*10 + int(s[i+n]-'0')
		n++
	}
	return v, n
}

// scanNumeric parses the timestamps that start with a digit.
func scanNumeric(s string, i int) (stamp, int, bool) {
	var st stamp
	v, n := digits(s, i, 20)
	j := i + n
	var sep byte
	if j < len(s) {
		sep = s[j]
	}
	switch {
	case n == 4 && (sep == '-' || sep == '/' || sep == '.'):
		return scanYMD(s, j, v)
	case n == 8 && (sep == '-' || sep == 'T' || sep == ' ' || sep == '_'):
		st.year, st.month, st.day = v/10000, v/100%100, v%100
		return scanAfterDate(s, j, st, true)
	case n == 6 && sep == ' ':
		// HDFS: yyMMdd HHmmss
		t, tn := digits(s, j+1, 7)
		if tn != 6 {
			break
		}
		st.year, st.month, st.day = 2000+v/10000, v/100%100, v%100
		st.hour, st.min, st.sec = t/10000, t/100%100, t%100
		st.hasClock = true
		return st, j + 7, st.valid()
	case n <= 2 && (sep == '-' || sep == '/' || sep == '.' || sep == ' '):
		return scanShortDate(s, i, j, v)
	case n == 10 || n == 13 || n == 16 || n == 19:
		return scanEpoch(s, i, n, v)
	}
	return st, 0, false
}

// scanYMD parses yyyy-MM-dd (or with / or .) and what follows; j is at the
// first separator.
func scanYMD(s string, j, year int) (stamp, int, bool) {
	st := stamp{year: year}
	sep := s[j]
	var mn, dn int
	st.month, mn = digits(s, j+1, 2)
	k := j + 1 + mn
	if mn == 0 || k >= len(s) || s[k] != sep {
		return st, 0, false
	}
	st.day, dn = digits(s, k+1, 2)
	if dn == 0 {
		return st, 0, false
	}
	return scanAfterDate(s, k+1+dn, st, false)
}

// scanAfterDate parses the optional time of day and zone after a full
// date ending at k. compact allows HHmmss after the separator.
func scanAfterDate(s string, k int, st stamp, compact bool) (stamp, int, bool) {
	if !st.valid() {
		return st, 0, false
	}
	if k+1 < len(s) && isDigit(s[k+1]) {
		switch s[k] {
		case 'T', 't', ' ', '-', '_', ':':
			if compact {
				if t, tn := digits(s, k+1, 7); tn == 6 {
					st.hour, st.min, st.sec = t/10000, t/100%100, t%100
					st.hasClock = true
					end, nsec := scanFrac(s, k+7, '.')
					st.nsec = nsec
					end = scanZone(s, end, &st)
					return st, end, st.valid()
				}
			}
			if end, ok := scanClock(s, k+1, &st); ok {
				return st, scanZone(s, end, &st), true
			}
		}
	}
	if k < len(s) && (isLetter(s[k]) || isDigit(s[k])) {
		return st, 0, false
	}
	return st, k, true
}

// scanClock parses H:mm[:ss][.frac] (or with '.' as separator, as in BGL's
// 15.42.50.675872) at s[i:], with an optional AM/PM.
func scanClock(s string, i int, st *stamp) (int, bool) {
	h, hn := digits(s, i, 2)
	k := i + hn
	if hn == 0 || k+1 >= len(s) || (s[k] != ':' && s[k] != '.') {
		return 0, false
	}
	sep := s[k]
	m, mn := digits(s, k+1, 2)
	if mn == 0 {
		return 0, false
	}
	k += 1 + mn
	sec, nsec := 0, 0
	if k+1 < len(s) && s[k] == sep && isDigit(s[k+1]) {
		var sn int
		sec, sn = digits(s, k+1, 2)
		k += 1 + sn
		k, nsec = scanFrac(s, k, sep)
	}
	if k < len(s) && isDigit(s[k]) || h > 23 || m > 59 || sec > 60 {
		return 0, false
	}
	if k+2 < len(s) && s[k] == ' ' && (s[k+2] == 'M' || s[k+2] == 'm') && h >= 1 && h <= 12 &&
		(k+3 == len(s) || !isLetter(s[k+3])) {
		switch s[k+1] {
		case 'A', 'a':
			h, k = h%12, k+3
		case 'P', 'p':
			h, k = h%12+12, k+3
		}
	}
	st.hour, st.min, st.sec, st.nsec, st.hasClock = h, m, sec, nsec, true
	return k, true
}

// scanFrac parses fractional seconds after '.' or ',' at s[k:] and
// returns the offset after them and their nanoseconds. After a ':'
// separated clock, ":606" is milliseconds (HealthApp), unpadded.
func scanFrac(s string, k int, clockSep byte) (int, int) {
	if k+1 >= len(s) || !isDigit(s[k+1]) {
		return k, 0
	}
	switch s[k] {
	case '.', ',':
	case ':':
		if clockSep != ':' {
			return k, 0
		}
		ms, n := digits(s, k+1, 3)
		return k + 1 + n, ms * 1e6
	default:
		return k, 0
	}
	k++
	nsec, scale := 0, 100000000
	for ; k < len(s) && isDigit(s[k]); k++ {
		nsec += int(s[k]-'0') * scale
		scale /= 10
	}
	return k, nsec
}

// scanZone parses an optional zone after a time at s[k:]: Z, ±hh[:mm],
// or, after one space, ±hhmm or a zone name (UTC, GMT, PST ...).
func scanZone(s string, k int, st *stamp) int {
	if k >= len(s) {
		return k
	}
	switch c := s[k]; {
	case c == 'Z' || c == 'z':
		if k+1 == len(s) || !isLetter(s[k+1]) {
			st.zoned, st.off = true, 0
			return k + 1
		}
	case c == '+' || c == '-':
		return scanOffset(s, k, st)
	case c == ' ' && k+1 < len(s):
		if s[k+1] == '+' || s[k+1] == '-' {
			if e := scanOffset(s, k+1, st); e != k+1 {
				return scanZoneName(s, e, st, true)
			}
			return k
		}
		return scanZoneName(s, k, st, false)
	}
	return k
}

// scanOffset parses ±hh[:mm] or ±hhmm at s[k:].
func scanOffset(s string, k int, st *stamp) int {
	h, hn := digits(s, k+1, 2)
	if hn != 2 || h > 14 {
		return k
	}
	e := k + 3
	m := 0
	if e+2 < len(s) && s[e] == ':' && isDigit(s[e+1]) {
		var mn int
		if m, mn = digits(s, e+1, 2); mn != 2 {
			return k
		}
		e += 3
	} else if mm, mn := digits(s, e, 2); mn == 2 {
		m, e = mm, e+2
	}
	if m > 59 || (e < len(s) && (isDigit(s[e]) || isLetter(s[e]))) {
		return k
	}
	st.off = (h*3600 + m*60)
	if s[k] == '-' {
		st.off = -st.off
	}
	st.zoned = true
	return e
}

// zoneNames are the zone abbreviations read with their usual offset
// (hours); other upper-case abbreviations are skipped and the time is
// read in the file's zone.
var zoneNames = map[string]int{
	"UTC": 0, "GMT": 0, "UT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2,
}

// scanZoneName parses " NAME" at s[k:]. When the offset is already known
// (afterOffset) the name is only skipped.
func scanZoneName(s string, k int, st *stamp, afterOffset bool) int {
	if k+2 >= len(s) || s[k] != ' ' {
		return k
	}
	e := k + 1
	for e < len(s) && e-k <= 5 && s[e] >= 'A' && s[e] <= 'Z' {
		e++
	}
	if e-k < 3 || (e < len(s) && (isLetter(s[e]) || isDigit(s[e]))) {
		return k
	}
	name := s[k+1 : e]
	off, known := zoneNames[name]
	if afterOffset {
		return e
	}
	if !known {
		return k
	}
	st.zoned, st.off = true, off*3600
	return e
}

// valid checks the ranges of st's parts.
func (st *stamp) valid() bool {
	if st.epoch {
		return true
	}
	if !st.yearless && (st.year < 1900 || st.year > 2200) {
		return false
	}
	if st.month < 1 || st.month > 12 || st.day < 1 || st.day > monthDays[st.month-1] {
		return false
	}
	return st.hour < 24 && st.min < 60 && st.sec <= 60
}

var monthDays = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
