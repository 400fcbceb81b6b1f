package ingest

import (
	"loghunt/store"
)

// textFormat is the fallback: no fields, and the time from a leading
// timestamp when ParseLeadingTime finds one (also after a few ID columns,
// as in BGL, Thunderbird, HPC or OpenStack lines).
//
// Multi-line events: when at least half of the head's lines carry a
// leading timestamp, a line without one continues the event before it
// (stack traces); otherwise every non-empty line is an event.
type textFormat struct{}

func (textFormat) Name() string { return "text" }

// Detect always returns a small score so that text is the last resort.
func (textFormat) Detect([]string) float64 { return 0.01 }

func (textFormat) NewParser(head []string, opt Options) (Parser, error) {
	p := &textParser{clock: newClock(&opt, head)}
	n, stamped := 0, 0
	for _, l := range head {
		if l = trimCR(l); l == "" {
			continue
		}
		n++
		if _, _, ok := scanLeading(l); ok {
			stamped++
		}
	}
	p.joinLines = n > 0 && 2*stamped >= n
	return p, nil
}

type textParser struct {
	clock     clock
	joinLines bool // lines without a timestamp continue the event before
}

func (p *textParser) clone() Parser { c := *p; return &c }

func (p *textParser) setYear(y int) { p.clock.eventYear = y }

// classifyDate is Classify with the month and day of a yearless
// timestamp, found as clock.leading finds it.
func (p *textParser) classifyDate(line []byte) (LineKind, int, int) {
	line = trimCRBytes(line)
	if len(line) == 0 {
		return LineSkip, 0, 0
	}
	st, _, ok := scanLeading(bstr(line))
	kind := LineEvent
	if p.joinLines && (isSpace(line[0]) || !ok) {
		kind = LineContinue
	}
	if !ok || !st.yearless {
		return kind, 0, 0
	}
	return kind, st.month, st.day
}

func (p *textParser) Classify(line []byte) LineKind {
	line = trimCRBytes(line)
	if len(line) == 0 {
		return LineSkip
	}
	if !p.joinLines {
		return LineEvent
	}
	if isSpace(line[0]) {
		return LineContinue
	}
	if _, _, ok := scanLeading(bstr(line)); ok {
		return LineEvent
	}
	return LineContinue
}

func (p *textParser) Parse(raw string, ev *store.Event) (bool, error) {
	ns, _, ok := p.clock.leading(trimCR(raw))
	if ok {
		ev.Time = ns
	}
	return ok, nil
}
