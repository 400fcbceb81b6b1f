// Package monthname reads English month names, the one way loghunt does:
// in syslog, Apache and ctime timestamps at ingest (package ingest) and in
// the query language's strptime (package query).
package monthname

// names are the months, lower case.
var names = [12]string{"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"}

// At returns the month (1 to 12) whose name starts s, and the length of
// the name: its three-letter abbreviation ("Jan"), its full name
// ("January") or, for September, "Sept", in any case, and not followed by
// another ASCII letter (so "Mayday" is no month). It returns 0, 0 when s
// starts with no month name.
func At(s string) (month, n int) {
	if len(s) < 3 {
		return 0, 0
	}
	m := index(lower(s[0]), lower(s[1]), lower(s[2]))
	if m == 0 {
		return 0, 0
	}
	if len(s) == 3 || !isLetter(s[3]) {
		return m, 3
	}
	name := names[m-1]
	if m == 9 && (len(s) == 4 || !isLetter(s[4])) && lower(s[3]) == 't' {
		return 9, 4 // Sept
	}
	if len(s) < len(name) {
		return 0, 0
	}
	for i := 3; i < len(name); i++ {
		if lower(s[i]) != name[i] {
			return 0, 0
		}
	}
	if len(s) > len(name) && isLetter(s[len(name)]) {
		return 0, 0
	}
	return m, len(name)
}

// index is the month of a lower-case three-letter abbreviation, or 0; a
// switch rather than a loop, as ingest reads one per line.
func index(a, b, c byte) int {
	switch string([]byte{a, b, c}) {
	case "jan":
		return 1
	case "feb":
		return 2
	case "mar":
		return 3
	case "apr":
		return 4
	case "may":
		return 5
	case "jun":
		return 6
	case "jul":
		return 7
	case "aug":
		return 8
	case "sep":
		return 9
	case "oct":
		return 10
	case "nov":
		return 11
	case "dec":
		return 12
	}
	return 0
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isLetter(c byte) bool { return lower(c) >= 'a' && lower(c) <= 'z' }
