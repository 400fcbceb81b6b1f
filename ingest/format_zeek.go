package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"loghunt/store"
)

// zeekFormat reads Zeek's TSV logs. The header lines (#separator,
// #set_separator, #empty_field, #unset_field, #fields, #types) come from
// the file's head; every "#" line is skipped. Values are typed by
// #types: count, int and port are ints, double and interval floats, bool
// (T/F) bools, time a time; the unset field ("-") is null and the empty
// field ("(empty)") an empty string; sets and vectors keep their text.
// The ts column gives the event's time and is not stored again as a
// field. A file whose #fields change part way (concatenated logs) is read
// with the first header.
type zeekFormat struct{}

func (zeekFormat) Name() string { return "zeek" }

func (zeekFormat) Detect(sample []string) float64 {
	hasSep, hasFields := false, false
	for _, l := range sample {
		hasSep = hasSep || strings.HasPrefix(l, "#separator ")
		hasFields = hasFields || strings.HasPrefix(l, "#fields\t")
	}
	switch {
	case hasSep && hasFields:
		return 1
	case hasFields:
		return 0.8
	}
	return 0
}

type zeekParser struct {
	sep   string
	unset string
	empty string
	names []string
	types []string
	tsCol int
	clock clock
	// path is the #path header (dns, conn, http...), given to every event
	// as _path, the name Zeek's JSON logs use, so a search or a Sigma
	// rule's logsource (product: zeek, service: dns) can pick one log.
	path string
}

func (zeekFormat) NewParser(head []string, opt Options) (Parser, error) {
	p := &zeekParser{sep: "\t", unset: "-", empty: "(empty)", tsCol: -1, clock: newClock(&opt, head)}
	for _, l := range head {
		l = trimCR(l)
		if !strings.HasPrefix(l, "#") {
			continue
		}
		directive, rest, _ := strings.Cut(l[1:], " ")
		if directive == "separator" {
			p.sep = decodeZeekSep(rest)
			continue
		}
		directive, rest, _ = strings.Cut(l[1:], p.sep)
		switch directive {
		case "unset_field":
			p.unset = rest
		case "path":
			p.path = rest
		case "empty_field":
			p.empty = rest
		case "fields":
			if p.names == nil {
				for _, n := range strings.Split(rest, p.sep) {
					p.names = append(p.names, fieldName(n))
				}
			}
		case "types":
			if p.types == nil {
				p.types = strings.Split(rest, p.sep)
			}
		}
	}
	if p.names == nil {
		return nil, errors.New("zeek: no #fields header in the file's first lines")
	}
	for i, n := range p.names {
		if n == "ts" && (i >= len(p.types) || p.types[i] == "time") {
			p.tsCol = i
			break
		}
	}
	return p, nil
}

// decodeZeekSep decodes "\x09" style separators.
func decodeZeekSep(s string) string {
	if strings.HasPrefix(s, `\x`) && len(s) == 4 {
		if b, err := strconv.ParseUint(s[2:], 16, 8); err == nil {
			return string(rune(b))
		}
	}
	if s == "" {
		return "\t"
	}
	return s
}

func (p *zeekParser) Classify(line []byte) LineKind {
	line = trimCRBytes(line)
	if len(line) == 0 || line[0] == '#' {
		return LineSkip
	}
	return LineEvent
}

func (p *zeekParser) Parse(raw string, ev *store.Event) (bool, error) {
	s := trimCR(raw)
	if p.path != "" {
		addField(ev, "_path", store.Str(p.path))
	}
	hasTime := false
	col := 0
	var err error
	for rest := s; ; col++ {
		cell, more, found := strings.Cut(rest, p.sep)
		if col < len(p.names) {
			if col == p.tsCol {
				ns, ok := p.clock.parse(cell)
				if ok {
					ev.Time, hasTime = ns, true
				} else if cell != p.unset {
					err = fmt.Errorf("zeek: bad ts %q", cell)
				}
			} else {
				addField(ev, p.names[col], p.value(col, cell))
			}
		}
		if !found {
			break
		}
		rest = more
	}
	if col+1 != len(p.names) && err == nil {
		err = fmt.Errorf("zeek: %d fields, #fields has %d", col+1, len(p.names))
	}
	return hasTime, err
}

// value types one cell by its column's #types entry.
func (p *zeekParser) value(col int, cell string) store.Value {
	if cell == p.unset {
		return store.Null
	}
	if cell == p.empty {
		return store.Str("")
	}
	typ := ""
	if col < len(p.types) {
		typ = p.types[col]
	}
	switch typ {
	case "count", "int", "port":
		if i, err := strconv.ParseInt(cell, 10, 64); err == nil {
			return store.Int(i)
		}
	case "double", "interval":
		if f, err := strconv.ParseFloat(cell, 64); err == nil {
			return store.Float(f)
		}
	case "bool":
		switch cell {
		case "T":
			return store.Bool(true)
		case "F":
			return store.Bool(false)
		}
	case "time":
		if ns, ok := p.clock.parse(cell); ok {
			return store.Time(ns)
		}
	}
	return store.Str(cell)
}
