package ingest

import "time"

// Timestamp parsing. The shapes (see time_scan.go) are recognised by hand,
// without regexp and without allocation, because every line goes through
// here. A parsed timestamp is first a stamp (its parts as written), then a
// clock turns it into Unix nanoseconds with the file's zone and year rules.
//
// Year inference for yearless timestamps (syslog "Jun 14 15:16:01",
// logcat "03-17 16:13:38.811", Proxifier "[10.30 16:49:06]"): the
// timestamps that start the events of syslog, kv and text files get their
// years from the splitter, one sequence per file (see year.go), which the
// clock is told per event (eventYear). Other yearless times (a CSV or
// JSON field) follow the clock's own rules, which are stateless, so that
// parse workers can run in any order:
//
//   - With Options.Year = Y: the file's first yearless month M0 (found in
//     the head lines given to NewParser) is in year Y; a month before M0 is
//     in Y+1 (the log crossed New Year). Without head lines M0 is unknown
//     and every date is in Y.
//   - Else from Options.ModTime (in Options.Loc): a (month, day) more than
//     one day after ModTime's (month, day) cannot have been written before
//     the file was last changed, so it is in ModTime's year - 1; any other
//     date is in ModTime's year. A zero ModTime (stdin) means now.

// ParseLeadingTime finds the timestamp that starts line s, or that follows
// a short prefix of a few ID columns (at most maxSkipTokens tokens within
// the first maxPrefix bytes, as in BGL's "- 1117838570 ...", HPC's
// "134681 node-246 unix.hw state_change.unavailable 1077804742 ..." or
// "INFO 2025-03-06 ..."). It returns the time in Unix ns, the offset just
// past the timestamp text in s, and whether one was found. A date without
// a time of day does not count here.
func ParseLeadingTime(s string, opt *Options) (ns int64, n int, ok bool) {
	c := newClock(opt, nil)
	return c.leading(s)
}

// ParseTime parses s, all of it apart from surrounding blanks, as a
// timestamp: any shape ParseLeadingTime knows, a bare date, or epoch
// seconds, milliseconds, microseconds or nanoseconds (10, 13, 16 or 19
// digits, seconds and milliseconds with an optional fraction) between the
// years 2000 and 2100.
func ParseTime(s string, opt *Options) (int64, bool) {
	c := newClock(opt, nil)
	return c.parse(s)
}

// maxSkipTokens and maxPrefix bound the prefix that ParseLeadingTime
// looks past to find a timestamp.
const (
	maxSkipTokens = 5
	maxPrefix     = 100
	maxSkipToken  = 48
)

// clock resolves stamps to instants for one file. It is read-only after
// newClock, so parse workers share it.
type clock struct {
	loc        *time.Location
	utc        bool
	year       int // Options.Year, or 0
	firstMonth int // the head's first yearless month, or 0
	modYear    int
	modDoy     int // ModTime's day of year in a leap year
	// eventYear, when set, is the year of the event being parsed, which
	// the splitter decided (see year.go); it overrides the rules above.
	eventYear int
}

// newClock prepares the zone and year rules of opt. head, the file's
// first lines, gives the first month for the New Year rollover rule.
func newClock(opt *Options, head []string) clock {
	c := clock{loc: time.UTC}
	var mod time.Time
	if opt != nil {
		if opt.Loc != nil {
			c.loc = opt.Loc
		}
		c.year = opt.Year
		mod = opt.ModTime
	}
	c.utc = c.loc == time.UTC
	if c.year == 0 {
		if mod.IsZero() {
			mod = time.Now()
		}
		mod = mod.In(c.loc)
		c.modYear = mod.Year()
		c.modDoy = leapDoy(int(mod.Month()), mod.Day())
		return c
	}
	for _, line := range head {
		if st, _, ok := scanLeading(trimCR(line)); ok && st.yearless {
			c.firstMonth = st.month
			break
		}
	}
	return c
}

// leading is ParseLeadingTime with the file's rules.
func (c *clock) leading(s string) (int64, int, bool) {
	st, n, ok := scanLeading(s)
	if !ok {
		return 0, 0, false
	}
	return c.resolve(&st), n, true
}

// at parses a timestamp at exactly s[0:] (after an optional <PRI>), the
// strict form that syslog and kv use for Classify and Parse.
func (c *clock) at(s string) (int64, int, bool) {
	st, n, ok := scanStamp(s, skipPRI(s))
	if !ok || !st.hasClock {
		return 0, 0, false
	}
	return c.resolve(&st), n, true
}

// parse is ParseTime with the file's rules.
func (c *clock) parse(s string) (int64, bool) {
	ns, _, ok := c.parseZ(s, false)
	return ns, ok
}

// parseZ is parse that also says whether the text carried its zone (or
// was an epoch number). With utc, a time without a zone is read in UTC
// rather than the file's zone.
func (c *clock) parseZ(s string, utc bool) (ns int64, zoned, ok bool) {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && (isSpace(s[j-1]) || s[j-1] == '\r' || s[j-1] == '\n') {
		j--
	}
	if i == j {
		return 0, false, false
	}
	st, n, ok := scanStamp(s[:j], i)
	if !ok || n != j {
		return 0, false, false
	}
	return c.resolveIn(&st, utc || c.utc), st.zoned || st.epoch, true
}

// resolve turns st into Unix nanoseconds.
func (c *clock) resolve(st *stamp) int64 { return c.resolveIn(st, c.utc) }

// resolveIn is resolve, reading a time without a zone in UTC when utc is
// set, else in the file's zone.
func (c *clock) resolveIn(st *stamp, utc bool) int64 {
	if st.epoch {
		return st.epochNS
	}
	y := st.year
	if st.yearless {
		y = c.yearFor(st.month, st.day)
	}
	if st.zoned || utc {
		secs := daysFromCivil(y, st.month, st.day)*86400 +
			int64(st.hour*3600+st.min*60+st.sec-st.off)
		return secs*1e9 + int64(st.nsec)
	}
	return time.Date(y, time.Month(st.month), st.day, st.hour, st.min, st.sec, st.nsec, c.loc).UnixNano()
}

// yearFor applies the year rules in the comment at the top of this file.
func (c *clock) yearFor(month, day int) int {
	if c.eventYear != 0 {
		return c.eventYear
	}
	if c.year != 0 {
		if c.firstMonth != 0 && month < c.firstMonth {
			return c.year + 1
		}
		return c.year
	}
	if leapDoy(month, day) > c.modDoy+1 {
		return c.modYear - 1
	}
	return c.modYear
}

// cumDays[m] is the number of days before month m+1 in a leap year.
var cumDays = [13]int{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}

// leapDoy is the day of year of (month, day) in a leap year, so that
// February 29 has its place whatever the year.
func leapDoy(month, day int) int {
	if month < 1 || month > 12 {
		return 0
	}
	return cumDays[month-1] + day
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm). Out-of-range days roll over as in
// time.Date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
