package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"loghunt/store"
)

// JSON documents: a file that is one JSON object, several objects one
// after the other, or an array of objects (or several arrays), spread over
// many lines as pretty-printed JSON is, rather than one object per line.
// An object whose one member is an array of objects (CloudTrail's
// {"Records": [...]}) stands for that array. Each object is one event, parsed by the json format (nested objects
// flattened as a.b, the time from the same keys), with _raw the object's
// text as the file has it. The file is read whole into memory.

var utf8BOM = []byte("\xef\xbb\xbf")

// isJSONDocument reports whether head, a file's start, is a JSON document
// rather than JSON lines: an array of objects, or an object that does not
// end on its first line.
func isJSONDocument(head []byte) bool {
	h := bytes.TrimPrefix(head, utf8BOM)
	i := skipJSONSpace(bstr(h), 0)
	if i >= len(h) {
		return false
	}
	switch h[i] {
	case '[':
		j := skipJSONSpace(bstr(h), i+1)
		return j < len(h) && (h[j] == '{' || h[j] == ']')
	case '{':
		line := h[i:]
		if k := bytes.IndexByte(line, '\n'); k >= 0 {
			line = line[:k]
		}
		var ev store.Event
		_, err := (&jsonParser{clock: newClock(&Options{}, nil)}).Parse(string(line), &ev)
		return err != nil
	}
	return false
}

// errNotJSONDoc says that an input that started like a JSON document held
// no object: it is read by lines instead.
var errNotJSONDoc = errors.New("not a json document")

// jsonDocObjects finds the objects of a JSON document in s: their start
// and end offsets. err says where the document stopped being JSON (the
// objects before it are returned).
func jsonDocObjects(s string, from int) (spans [][2]int, err error) {
	i := skipJSONSpace(s, from)
	for i < len(s) {
		switch s[i] {
		case '{':
			if a, ok := wrappedArray(s, i); ok {
				var err error
				if spans, i, err = arrayObjects(s, a, spans); err != nil {
					return spans, err
				}
				i = skipJSONSpace(s, i+1) // the wrapper's }
				if i < len(s) && s[i] == ',' {
					i = skipJSONSpace(s, i+1)
				}
				continue
			}
			end, err := skipJSONValue(s, i)
			if err != nil || s[end-1] != '}' {
				return spans, docError(s, i, "an object that does not end")
			}
			spans = append(spans, [2]int{i, end})
			i = skipJSONSpace(s, end)
			if i < len(s) && s[i] == ',' { // objects separated by commas
				i = skipJSONSpace(s, i+1)
			}
		case '[':
			var err error
			if spans, i, err = arrayObjects(s, i, spans); err != nil {
				return spans, err
			}
		default:
			return spans, docError(s, i, "expected an object or an array")
		}
	}
	return spans, nil
}

// arrayObjects adds the spans of the objects of the array at s[i] ('[')
// and returns the offset after it.
func arrayObjects(s string, i int, spans [][2]int) ([][2]int, int, error) {
	i = skipJSONSpace(s, i+1)
	for i < len(s) && s[i] != ']' {
		if s[i] != '{' {
			return spans, i, docError(s, i, "expected an object in the array")
		}
		end, err := skipJSONValue(s, i)
		if err != nil || s[end-1] != '}' {
			return spans, i, docError(s, i, "an object that does not end")
		}
		spans = append(spans, [2]int{i, end})
		i = skipJSONSpace(s, end)
		if i < len(s) && s[i] == ',' {
			i = skipJSONSpace(s, i+1)
		} else if i < len(s) && s[i] != ']' {
			return spans, i, docError(s, i, "expected ',' or ']'")
		}
	}
	if i >= len(s) {
		return spans, i, docError(s, len(s), "the array does not end")
	}
	return spans, skipJSONSpace(s, i+1), nil
}

// wrappedArray reports whether the object at s[i] only wraps an array of
// objects, as AWS CloudTrail ({"Records": [...]}) and Azure's exports
// ({"records": [...]}) write their logs: then each object of the array is
// an event, and a is where the array starts.
func wrappedArray(s string, i int) (a int, ok bool) {
	j := skipJSONSpace(s, i+1)
	if j >= len(s) || s[j] != '"' {
		return 0, false
	}
	for j++; j < len(s) && s[j] != '"'; j++ { // the key
		if s[j] == '\\' {
			j++
		}
	}
	j = skipJSONSpace(s, j+1)
	if j >= len(s) || s[j] != ':' {
		return 0, false
	}
	j = skipJSONSpace(s, j+1)
	if j >= len(s) || s[j] != '[' {
		return 0, false
	}
	if k := skipJSONSpace(s, j+1); k >= len(s) || s[k] != '{' {
		return 0, false
	}
	aend, err := skipJSONValue(s, j)
	if err != nil {
		return 0, false
	}
	if k := skipJSONSpace(s, aend); k >= len(s) || s[k] != '}' {
		return 0, false
	}
	return j, true
}

// docError says what went wrong at byte i of s, with its line and column.
func docError(s string, i int, what string) error {
	line := 1 + bytes.Count([]byte(s[:i]), []byte{'\n'})
	col := i - bytes.LastIndexByte([]byte(s[:i]), '\n')
	return fmt.Errorf("json document: line %d, column %d: %s", line, col, what)
}

// ingestJSONDoc reads a JSON document into db, one event per object.
// Progress is the offset after the last stored object, so that a file
// ingested again adds only objects appended since (also those added to
// the end of an array) and an interrupted ingest resumes after its last
// commit. It returns errNotJSONDoc, and the data read, when the document
// holds no object at all.
func ingestJSONDoc(ctx context.Context, db *store.DB, cfg *Config, in *input, o *opened, rec *store.Source,
	progress func(read, lines, events int64)) (fileStats, []byte, error) {
	var fs fileStats
	data, err := io.ReadAll(o.r)
	if err != nil {
		return fs, nil, err
	}
	s := bstr(data)
	from := 0
	if bytes.HasPrefix(data, utf8BOM) {
		from = len(utf8BOM)
	}
	spans, derr := jsonDocObjects(s, from)
	if len(spans) == 0 {
		return fs, data, errNotJSONDoc
	}
	skip := rec.Offset
	if skip > int64(len(data)) {
		skip = 0
	}
	rec.Sourcetype = "json"
	rec.Name = cfg.Source
	if rec.Name == "" {
		rec.Name = rec.Path
	}
	var head []string
	for _, sp := range spans[:min(len(spans), 200)] {
		head = append(head, s[sp[0]:sp[1]])
	}
	opt := Options{Loc: cfg.Loc, Year: cfg.Year, ModTime: time.Unix(0, in.modTime), ZoneGiven: cfg.zoneGiven, TimeField: cfg.TimeField}
	if in.stdin != nil {
		opt.ModTime = time.Now()
	}
	p, err := jsonFormat{}.NewParser(head, opt)
	if err != nil {
		return fs, nil, err
	}
	w := newWholeWriter(db, rec, &fs)
	prev := opt.ModTime.UnixNano()
	lineEnd := 0 // where the lines counted so far end
	var ev store.Event
	warned := 0
	for _, sp := range spans {
		if ctx.Err() != nil {
			return fs, nil, ctx.Err()
		}
		raw := s[sp[0]:sp[1]]
		// The lines from the one after the last object's end to this one's.
		lines := int64(bytes.Count(data[lineEnd:sp[1]], []byte{'\n'}))
		if lineEnd == 0 {
			lines++
		}
		lineEnd = sp[1]
		if int64(sp[0]) < skip {
			continue
		}
		ev = store.Event{Raw: raw, Fields: ev.Fields[:0]}
		hasTime, perr := p.Parse(raw, &ev)
		if !hasTime {
			ev.Time = prev
		}
		prev = ev.Time
		if perr != nil {
			addField(&ev, "parse_error", store.Str(perr.Error()))
			if warned < maxWarnings {
				cfg.Warn(fmt.Sprintf("%s: %v", in.path, docError(s, sp[0], "the object here: "+perr.Error())))
				warned++
			}
		}
		if err := w.add(&ev, lines, int64(sp[1]-1), perr != nil); err != nil {
			return fs, nil, err
		}
		l, e := w.pendingCounts()
		progress(int64(sp[1]), fs.lines+l, fs.events+e)
	}
	next := int64(spans[len(spans)-1][1])
	if next < skip {
		next = skip
	}
	if err := w.commit(next); err != nil {
		return fs, nil, err
	}
	progress(int64(len(data)), fs.lines, fs.events)
	return fs, nil, derr
}
