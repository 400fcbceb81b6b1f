package ingest

import (
	"context"
	"fmt"
	"time"
)

// Years of yearless timestamps ("Nov 30 06:39:00" in syslog, "03-17
// 16:13:38.811" in logcat, "[10.30 16:49:06]" in Proxifier) at the start of
// events are decided per file, as one sequence in file order, by the
// splitter (which sees every line in order) rather than by the parse
// workers (which see blocks in any order):
//
//   - Each event's date is put in the year that keeps it nearest the event
//     before it: a date more than rollForward days before the previous
//     one has crossed New Year (December, then January: the next year); a
//     date more than rollBack days after it is a late line of the year
//     before (a "Dec 31" written just after a "Jan  1").
//   - With --year Y the first such event is in Y.
//   - Without it, a file is read once before it is ingested (prescanYears:
//     one pass that finds line starts and scans the timestamps, and keeps
//     only the sequence's state, so memory does not grow with the file).
//     That gives the number of New Years the file crosses and its latest
//     date; the latest date is put in the latest year that is not after
//     the file's modification time (a day's grace for zones), and every
//     other event follows from it. A resumed ingest takes the sequence's
//     state where it resumes from the same pass.
//   - Stdin cannot be read twice: its first such event is in the latest
//     year that does not put it after now, and the rest follow.
//
// Either way, without --year the ingest warns once per input that the
// year was guessed, with the dates it gave.
const (
	rollForward = 183
	rollBack    = 300
)

// yearStamper is a parser whose events may start with a yearless
// timestamp.
type yearStamper interface {
	// classifyDate is Classify, and for an event line that starts with
	// a yearless timestamp (the one Parse reads) its month and day; else
	// month is 0.
	classifyDate(line []byte) (kind LineKind, month, day int)
	// setYear sets the year of the yearless timestamp of the events
	// parsed next; 0 restores the clock's own rule. It is called on a
	// worker's own copy of the parser (the stampers are cloners).
	setYear(y int)
}

// yearSeq assigns years to the yearless dates of one file, in order.
type yearSeq struct {
	first   int  // the year of the first date, when not fromMod
	fromMod bool // the first date's year is the latest that is not after (modYear, modDoy)
	modYear int
	modDoy  int

	year, doy  int // the previous date's year (0 before the first) and day of year
	month, day int // the previous date

	// What was assigned, for the warning: the first date, and the
	// latest.
	firstY, firstM, firstD int
	maxY, maxDoy           int
	maxM, maxD             int
}

// next returns the year of the next yearless date.
func (q *yearSeq) next(month, day int) int {
	d := leapDoy(month, day)
	switch {
	case q.year == 0:
		q.year = q.first
		if q.fromMod {
			q.year = yearNotAfter(d, q.modYear, q.modDoy)
		}
	case d < q.doy-rollForward:
		q.year++
	case d > q.doy+rollBack:
		q.year--
	}
	q.doy, q.month, q.day = d, month, day
	if q.firstY == 0 {
		q.firstY, q.firstM, q.firstD = q.year, month, day
	}
	if q.maxY == 0 || q.year > q.maxY || (q.year == q.maxY && d > q.maxDoy) {
		q.maxY, q.maxDoy, q.maxM, q.maxD = q.year, d, month, day
	}
	return q.year
}

// shift moves every year of the sequence by n.
func (q *yearSeq) shift(n int) {
	q.first += n
	for _, y := range []*int{&q.year, &q.firstY, &q.maxY} {
		if *y != 0 {
			*y += n
		}
	}
}

// started reports whether the sequence has assigned a year.
func (q *yearSeq) started() bool { return q.year != 0 }

// yearNotAfter is the latest year in which the day of year doy is not
// after (year, modDoy) plus a day.
func yearNotAfter(doy, year, modDoy int) int {
	if doy > modDoy+1 {
		return year - 1
	}
	return year
}

// relBase is the year a pre-scan starts counting from; only differences
// of its years mean anything.
const relBase = 5000

// prescanYears reads in from its start, as the splitter will, and
// returns the year sequence of the whole input and its state at offset
// resume (in years counted from relBase), or nil when no event starts with
// a yearless timestamp. A read error ends the scan quietly: the ingest
// that follows meets and reports it.
func prescanYears(ctx context.Context, in *input, p Parser, st yearStamper, resume int64) (all, at *yearSeq, err error) {
	o, err := in.open()
	if err != nil {
		return nil, nil, err
	}
	defer o.close()
	sp := newSplitter(o.r, p.Classify, 0, 0)
	sp.years, sp.stamper = &yearSeq{first: relBase}, st
	var state yearSeq
	taken := false
	for n := 0; ; n++ {
		if !taken && sp.offset >= resume {
			state, taken = *sp.years, true
		}
		if n%65536 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if !sp.step(&sp.pending) {
			break
		}
	}
	if !sp.years.started() {
		return nil, nil, nil
	}
	if !taken {
		state = *sp.years
	}
	// The warning tells what this ingest assigns: it starts afresh.
	state.firstY, state.maxY = 0, 0
	return sp.years, &state, nil
}

// planYears sets up the splitter's year sequence for one input when its
// parser reads yearless timestamps and its head has one. It returns the
// warning to give once the input is read, when the years were guessed ("" when
// none is due).
func planYears(ctx context.Context, cfg *Config, in *input, p Parser, head []string, resume int64,
	mod time.Time, sp *splitter) (func() string, error) {
	st, ok := p.(yearStamper)
	if !ok || !headHasYearless(st, head) {
		return nil, nil
	}
	m := mod.In(cfg.Loc)
	var seq *yearSeq
	switch {
	case cfg.Year != 0 && (in.stdin != nil || resume == 0):
		seq = &yearSeq{first: cfg.Year}
	case in.stdin != nil:
		seq = &yearSeq{fromMod: true, modYear: m.Year(), modDoy: leapDoy(int(m.Month()), m.Day())}
	default:
		all, at, err := prescanYears(ctx, in, p, st, resume)
		if err != nil || all == nil {
			return nil, err
		}
		if cfg.Year != 0 {
			at.shift(cfg.Year - all.firstY) // the first event is in Y
		} else {
			at.shift(yearNotAfter(all.maxDoy, m.Year(), leapDoy(int(m.Month()), m.Day())) - all.maxY)
		}
		seq = at
	}
	sp.years, sp.stamper = seq, st
	if cfg.Year != 0 {
		return nil, nil
	}
	return func() string {
		if seq.firstY == 0 {
			return ""
		}
		what := "the latest is not after the file's modification time, " + m.Format("2006-01-02")
		if in.stdin != nil {
			what = "the first is not after today, " + m.Format("2006-01-02")
		}
		return fmt.Sprintf("%s: its timestamps carry no year; read them as %s to %s, so that %s (--year Y sets the first line's year)",
			in.path, ymd(seq.firstY, seq.firstM, seq.firstD), ymd(seq.maxY, seq.maxM, seq.maxD), what)
	}, nil
}

func ymd(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }

// headHasYearless reports whether a line of head starts with a yearless
// timestamp.
func headHasYearless(st yearStamper, head []string) bool {
	for _, l := range head {
		if k, m, _ := st.classifyDate([]byte(l)); k == LineEvent && m != 0 {
			return true
		}
	}
	return false
}
