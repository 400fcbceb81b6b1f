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
