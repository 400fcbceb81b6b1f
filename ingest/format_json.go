package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"loghunt/store"
)

// jsonFormat reads one JSON object per line. Every key becomes a field:
// nested objects are flattened with dotted names (a.b), arrays keep their
// JSON text, numbers are ints when integral (and in int64 range) else
// floats, true/false are bools, null is null. The event's time comes from
// the first key of jsonTimeKeys present (compared ignoring case) whose
// value parses as a time; that key stays a field too. With
// Options.TimeField it comes from that field only (see time_field.go).
//
// The scanner is hand-written: it takes strings without escapes as
// substrings of raw and builds no maps.
type jsonFormat struct{}

func (jsonFormat) Name() string { return "json" }

func (jsonFormat) Detect(sample []string) float64 {
	p := &jsonParser{clock: newClock(&Options{}, nil)}
	var ev store.Event
	return fitShare(sample, func(line string) bool {
		ev.Fields = ev.Fields[:0]
		_, err := p.Parse(line, &ev)
		return err == nil
	})
}

func (jsonFormat) NewParser(head []string, opt Options) (Parser, error) {
	p := &jsonParser{clock: newClock(&opt, head), inferZone: !opt.ZoneGiven, field: opt.TimeField}
	if p.field != "" {
		if err := checkTimeField(p, head, p.field); err != nil {
			return nil, err
		}
	}
	return p, nil
}

type jsonParser struct {
	clock     clock
	inferZone bool   // a local event time takes its zone from the collector's time
	field     string // --time-field, or ""
}

// jsonTimeKey is a key that may hold an event's time.
type jsonTimeKey struct {
	name string
	// nested: name is a whole dotted path; else a top-level key.
	nested bool
	// utc: a time without a zone is in UTC (Sysmon's UtcTime).
	utc bool
	// local: a time without a zone is the local time of the host that
	// logged it (NXLog's EventTime), and the event's collector time (a
	// ref key) tells the zone.
	local bool
	// ref: a time with a zone that can tell a local time's zone.
	ref bool
}

// jsonTimeKeys are the keys that give an event's time, best first: the
// event's own time as Windows logs it (Sysmon's UtcTime, also nested as
// Winlogbeat and other shippers put it; the System/TimeCreated of the
// event's XML; PowerShell's TimeCreated; NXLog's EventTime, and
// CloudTrail's eventTime), then the usual names, among them @timestamp,
// which NXLog, Logstash and Fluentd set to when the collector got the
// event (up to 43 s after UtcTime on the OTRF purplesharp set).
var jsonTimeKeys = [...]jsonTimeKey{
	{name: "UtcTime", utc: true, ref: true},
	{name: "winlog.event_data.UtcTime", nested: true, utc: true, ref: true},
	{name: "event_data.UtcTime", nested: true, utc: true, ref: true},
	{name: "EventData.UtcTime", nested: true, utc: true, ref: true},
	{name: "Event.EventData.UtcTime", nested: true, utc: true, ref: true},
	{name: "System.TimeCreated.SystemTime", nested: true},
	{name: "System.TimeCreated.@SystemTime", nested: true},
	{name: "Event.System.TimeCreated.SystemTime", nested: true},
	{name: "Event.System.TimeCreated.@SystemTime", nested: true},
	{name: "Event.System.TimeCreated.#attributes.SystemTime", nested: true},
	{name: "TimeCreated"},
	{name: "EventTime", local: true},
	{name: "ts"}, {name: "time"}, {name: "timestamp"}, {name: "@timestamp", ref: true}, {name: "_time"},
	{name: "date"}, {name: "datetime"}, {name: "TimeGenerated"}, {name: "EventReceivedTime"},
	{name: "time_local"}, {name: "asctime"}, {name: "created"}, {name: "@t"},
}

// jsonTimeRank returns the rank in jsonTimeKeys of the field name (top: a
// key of the outer object), or -1.
func jsonTimeRank(name string, top bool) int {
	if top && (len(name) < 2 || len(name) > 17) {
		return -1
	}
	if !top && (len(name) < 15 || !strings.EqualFold(name[len(name)-4:], "time")) {
		return -1
	}
	for i := range jsonTimeKeys {
		k := &jsonTimeKeys[i]
		if k.nested != top && len(k.name) == len(name) && strings.EqualFold(k.name, name) {
			return i
		}
	}
	return -1
}

// localZoneStep and maxZoneOffset bound the zone that a local time's
// distance to its collector's time shows: a whole number of quarter hours,
// at most 14 hours.
const (
	localZoneStep = 15 * 60 * 1e9
	maxZoneOffset = 14 * 3600 * 1e9
)

func (p *jsonParser) Classify(line []byte) LineKind {
	if len(trimCRBytes(line)) == 0 {
		return LineSkip
	}
	return LineEvent
}

// maxJSONDepth bounds object nesting; deeper objects keep their JSON text.
const maxJSONDepth = 32

var errJSONObject = errors.New("not a json object")

func (p *jsonParser) Parse(raw string, ev *store.Event) (bool, error) {
	n0 := len(ev.Fields)
	defer evtxDumpNames(ev, n0)
	f := jsonFlat{s: trimCR(raw), ev: ev, field: p.field}
	i := skipJSONSpace(f.s, 0)
	if i >= len(f.s) || f.s[i] != '{' {
		return false, errJSONObject
	}
	end, err := f.object(i, "", 0)
	if err == nil && skipJSONSpace(f.s, end) != len(f.s) {
		err = fmt.Errorf("json: data after the object at byte %d", end)
	}
	if p.field != "" {
		ns, terr := fieldTime(p.field, f.fieldText, f.hasField, p.parseTime)
		if terr != nil {
			return false, errors.Join(err, terr)
		}
		ev.Time = ns
		return true, err
	}
	for r := range f.times {
		if !f.hasTime[r] {
			continue
		}
		k := &jsonTimeKeys[r]
		ns, zoned, ok := p.parseTime(f.times[r], k.utc)
		if !ok {
			continue
		}
		if k.local && !zoned && p.inferZone {
			ns = f.inZoneOfRef(p, ns)
		}
		ev.Time = ns
		return true, err
	}
	return false, err
}

// parseTime parses a JSON time value: any shape the clock knows, and
// .NET's "/Date(1603355386123)/" (ConvertTo-Json of a DateTime).
func (p *jsonParser) parseTime(s string, utc bool) (int64, bool, bool) {
	if ms, ok := dotNetDate(s); ok {
		return ms * 1e6, true, true
	}
	return p.clock.parseZ(s, utc)
}

// dotNetDate reads "/Date(MS)/" or "/Date(MS+hhmm)/" (the offset only
// says the zone it was shown in; MS is the instant).
func dotNetDate(s string) (int64, bool) {
	if !strings.HasPrefix(s, "/Date(") || !strings.HasSuffix(s, ")/") {
		return 0, false
	}
	s = s[len("/Date(") : len(s)-len(")/")]
	if i := strings.LastIndexAny(s, "+-"); i > 0 {
		s = s[:i]
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms < minEpochSec*1000 || ms > maxEpochSec*1000 {
		return 0, false
	}
	return ms, true
}

// inZoneOfRef moves ns, a local time read as if in UTC, into the zone
// that the event's collector time shows: their distance rounded to a
// quarter hour, when that is a zone's offset. Without such a time ns
// stays in the file's zone (--tz, else UTC).
func (f *jsonFlat) inZoneOfRef(p *jsonParser, ns int64) int64 {
	for r := range f.times {
		k := &jsonTimeKeys[r]
		if !f.hasTime[r] || !k.ref {
			continue
		}
		ref, zoned, ok := p.parseTime(f.times[r], k.utc)
		if !ok || !zoned && !k.utc {
			continue
		}
		off := roundTo(ns-ref, localZoneStep)
		if off >= -maxZoneOffset && off <= maxZoneOffset {
			return ns - off
		}
	}
	return ns
}

// roundTo rounds d to the nearest multiple of step, halves away from 0.
func roundTo(d, step int64) int64 {
	if d < 0 {
		return -roundTo(-d, step)
	}
	return (d + step/2) / step * step
}

// jsonFlat flattens one object into ev's fields.
type jsonFlat struct {
	s       string
	ev      *store.Event
	times   [len(jsonTimeKeys)]string // candidate time texts by rank
	hasTime [len(jsonTimeKeys)]bool
	// With --time-field: the field, and its text when the event has it.
	field     string
	fieldText string
	hasField  bool
}

func (f *jsonFlat) errAt(i int, what string) error {
	return fmt.Errorf("json: %s at byte %d", what, i)
}

// object reads the object at s[i] ('{'), naming its keys under prefix.
func (f *jsonFlat) object(i int, prefix string, depth int) (int, error) {
	s := f.s
	i = skipJSONSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return i, f.errAt(i, "expected a key")
		}
		key, j, err := f.str(i)
		if err != nil {
			return j, err
		}
		i = skipJSONSpace(s, j)
		if i >= len(s) || s[i] != ':' {
			return i, f.errAt(i, "expected ':'")
		}
		i = skipJSONSpace(s, i+1)
		name := key
		if prefix != "" {
			name = prefix + "." + key
		} else {
			name = fieldName(key)
		}
		if i, err = f.value(i, name, depth, prefix == ""); err != nil {
			return i, err
		}
		i = skipJSONSpace(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipJSONSpace(s, i+1)
			continue
		}
		if i < len(s) && s[i] == '}' {
			return i + 1, nil
		}
		return i, f.errAt(i, "expected ',' or '}'")
	}
}

// value reads the value at s[i] into field name. top marks the keys of
// the outer object, whose values may give the time.
func (f *jsonFlat) value(i int, name string, depth int, top bool) (int, error) {
	s := f.s
	if i >= len(s) {
		return i, f.errAt(i, "expected a value")
	}
	switch c := s[i]; {
	case c == '{' && depth+1 < maxJSONDepth:
		return f.object(i, name, depth+1)
	case c == '{' || c == '[':
		j, err := skipJSONValue(s, i)
		if err == nil {
			addField(f.ev, name, store.Str(s[i:j]))
		}
		return j, err
	case c == '"':
		v, j, err := f.str(i)
		if err == nil {
			addField(f.ev, name, store.Str(v))
			f.timeCandidate(top, name, v)
		}
		return j, err
	case c == 't' && hasPrefixAt(s, i, "true"):
		addField(f.ev, name, store.Bool(true))
		return i + 4, nil
	case c == 'f' && hasPrefixAt(s, i, "false"):
		addField(f.ev, name, store.Bool(false))
		return i + 5, nil
	case c == 'n' && hasPrefixAt(s, i, "null"):
		addField(f.ev, name, store.Null)
		return i + 4, nil
	case c == '-' || isDigit(c):
		j := i + 1
		for j < len(s) && (isDigit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '-' || s[j] == '+') {
			j++
		}
		v := typedValue(s[i:j])
		if v.K == store.KindString {
			return j, f.errAt(i, "bad number")
		}
		addField(f.ev, name, v)
		f.timeCandidate(top, name, s[i:j])
		return j, nil
	}
	return i, f.errAt(i, "unexpected character")
}

func (f *jsonFlat) timeCandidate(top bool, name, text string) {
	if f.field != "" {
		if top && name == "orig__time" {
			name = "_time"
		}
		if !f.hasField && len(name) == len(f.field) && strings.EqualFold(name, f.field) {
			f.fieldText, f.hasField = text, true
		}
		return
	}
	if top && name == "orig__time" {
		name = "_time"
	}
	if r := jsonTimeRank(name, top); r >= 0 && !f.hasTime[r] {
		f.times[r], f.hasTime[r] = text, true
	}
}

// str reads the string at s[i] ('"'): a substring of s when it has no
// escapes, else its decoded copy.
func (f *jsonFlat) str(i int) (string, int, error) {
	s := f.s
	escaped := false
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			if !escaped {
				return s[i+1 : j], j + 1, nil
			}
			return unescapeJSON(s[i+1 : j]), j + 1, nil
		}
	}
	return "", len(s), f.errAt(i, "unterminated string")
}

func hasPrefixAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

func skipJSONSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// skipJSONValue returns the end of the object or array at s[i], matching
// brackets outside strings.
func skipJSONValue(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			for j++; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return len(s), fmt.Errorf("json: unterminated value at byte %d", i)
}

// unescapeJSON decodes the escapes of a JSON string body. Bad escapes are
// kept as written; a lone surrogate becomes U+FFFD.
func unescapeJSON(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b = append(b, c)
			continue
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			b = append(b, s[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n := hex4(s, i+1)
			if n == 0 {
				b = append(b, '\\', 'u')
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, n2 := hex4(s, i+3); n2 != 0 && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			b = append(b, '\\', s[i])
		}
	}
	return string(b)
}

// hex4 reads four hex digits at s[i:].
func hex4(s string, i int) (rune, int) {
	if i+4 > len(s) {
		return 0, 0
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			r = r<<4 | rune(c|0x20-'a'+10)
		default:
			return 0, 0
		}
	}
	return r, 4
}
