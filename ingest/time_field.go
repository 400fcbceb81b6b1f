package ingest

import (
	"errors"
	"fmt"
	"strings"

	"loghunt/store"
)

// --time-field F names the field (json: a key, nested keys dotted as in
// the field names; csv and tsv: a header column; compared ignoring case)
// that holds each event's time, instead of the keys and columns the
// formats pick by name:
//
//   - When no event of the file's head (its first 64 KiB, at most 200
//     lines) has F with a value that reads as a time, the file is not
//     ingested: a TimeFieldError says whether F is missing (naming the
//     fields there) or what its values look like, and the ingest ends
//     with exit status 1 once the other inputs are in.
//   - Past the head, an event without F, or whose F is not a time, is
//     stored, flagged with a parse_error that says so, at the time of the
//     event before it (as an event without a time is).
//   - In a json file F's time without a zone is read in --tz (UTC by
//     default); no zone is inferred.

// TimeFieldError is why an input was not ingested with --time-field.
type TimeFieldError struct {
	Field, Problem string
}

func (e *TimeFieldError) Error() string {
	return fmt.Sprintf("--time-field %s: %s", e.Field, e.Problem)
}

// ErrTimeField is returned, wrapped with the count, when --time-field
// kept inputs from being ingested.
var ErrTimeField = errors.New("not ingested because of --time-field")

// timeFieldProblem flags one event whose time field is missing or not a
// time.
type timeFieldProblem struct {
	field, value string
	missing      bool
}

func (e *timeFieldProblem) Error() string {
	if e.missing {
		return fmt.Sprintf("no field %q (--time-field)", e.field)
	}
	return fmt.Sprintf("%s is %q, not a time (--time-field)", e.field, clip(e.value, 60))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// fieldTime returns the time in text, the value of the time field when
// has, as parse reads it.
func fieldTime(field, text string, has bool, parse func(s string, utc bool) (int64, bool, bool)) (int64, error) {
	if !has {
		return 0, &timeFieldProblem{field: field, missing: true}
	}
	ns, _, ok := parse(text, false)
	if !ok {
		return 0, &timeFieldProblem{field: field, value: text}
	}
	return ns, nil
}

// checkTimeField parses the head's lines with p and returns a
// TimeFieldError when none has a time in field.
func checkTimeField(p Parser, head []string, field string) error {
	var ev store.Event
	lines, present := 0, 0
	bad := ""
	var names []string
	for _, l := range head {
		if l = trimCR(l); l == "" || p.Classify([]byte(l)) != LineEvent {
			continue
		}
		lines++
		ev = store.Event{Raw: l, Fields: ev.Fields[:0]}
		_, err := p.Parse(l, &ev)
		var tp *timeFieldProblem
		switch {
		case !errors.As(err, &tp):
			return nil // a time
		case !tp.missing:
			present++
			if bad == "" {
				bad = tp.value
			}
		case names == nil:
			for _, f := range ev.Fields {
				names = append(names, f.Name)
			}
		}
	}
	switch {
	case lines == 0:
		return nil // nothing to tell by
	case present > 0:
		return &TimeFieldError{field, fmt.Sprintf("no value of it in the first %d events reads as a time (one is %q)", lines, clip(bad, 60))}
	}
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	return &TimeFieldError{field, fmt.Sprintf("no event of the first %d has it (the first has %s)", lines, strings.Join(names, ", "))}
}
