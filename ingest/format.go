package ingest

import (
	"time"

	"loghunt/store"
)

// Options are what a parser needs to know about the file it reads.
type Options struct {
	Loc     *time.Location // zone for timestamps that carry none (--tz); never nil
	Year    int            // --year for yearless (syslog) timestamps; 0 infers it
	ModTime time.Time      // the file's modification time (year inference, fallback _time)
	// ZoneGiven says that Loc was given (--tz): a JSON event time without
	// a zone is then read in it, not in the zone its collector's time
	// shows (see jsonFormat).
	ZoneGiven bool
	// TimeField (--time-field) names the field that holds each event's
	// time, for the json, csv and tsv formats.
	TimeField string
}

// LineKind classifies a physical line for the splitter, which groups lines
// into events before they are parsed in parallel.
type LineKind uint8

const (
	// LineEvent starts a new event.
	LineEvent LineKind = iota
	// LineContinue continues the previous event (a stack trace line).
	LineContinue
	// LineSkip is not an event: a header or comment line.
	LineSkip
)

// Format is one sourcetype: it recognises its lines and makes parsers.
type Format interface {
	// Name is the sourcetype name (syslog, apache, json, csv, tsv, logfmt, zeek, kv, text).
	Name() string
	// Detect scores how well sample (the first non-empty lines of a file)
	// fits this format: 0 not at all, 1 certainly.
	Detect(sample []string) float64
	// NewParser returns the parser for one file. head holds the file's
	// first lines (for header rows such as CSV's or Zeek's #fields).
	NewParser(head []string, opt Options) (Parser, error)
}

// Parser parses the events of one file. After NewParser it holds no mutable
// state: one Parser is shared by all parse workers.
type Parser interface {
	// Classify says whether line starts an event, continues the previous
	// one, or is skipped. It runs sequentially on every line, so it must be
	// cheap: no allocation, no full parse.
	Classify(line []byte) LineKind
	// Parse parses one event's text (several lines joined by "\n" for a
	// multi-line event) into ev: it appends ev.Fields and sets ev.Time
	// (Unix ns, UTC). It returns whether the text carried its own time; when
	// false the caller fills ev.Time. A non-nil error flags the event (the
	// text did not fit the format); the event is still stored with its
	// _raw and whatever fields were parsed. Field names must not be
	// _time, _raw, source or sourcetype.
	Parse(raw string, ev *store.Event) (hasTime bool, err error)
}
