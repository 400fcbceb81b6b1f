package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"loghunt/evtx"
	"loghunt/store"
)

// evtxFormat is Windows XML Event Log files (.evtx). They are binary and
// read whole by ingestEVTX, not line by line: the format is here so that
// --format evtx and a stored sourcetype evtx are known names. Detect never
// picks it from lines; a file is read as evtx when it starts with the
// EVTX signature (whatever its name) or --format evtx says so.
type evtxFormat struct{}

func (evtxFormat) Name() string                   { return "evtx" }
func (evtxFormat) Detect(sample []string) float64 { return 0 }
func (evtxFormat) NewParser(head []string, opt Options) (Parser, error) {
	return nil, errEVTXLines
}

var errEVTXLines = errors.New("evtx files are binary and read whole by loghunt ingest, not line by line (they cannot be followed by watch)")

// isEVTX reports whether head starts with the EVTX file signature.
func isEVTX(head []byte) bool { return bytes.HasPrefix(head, evtx.Magic) }

// maxDamageWarnings bounds the damage warnings per file; the rest are
// counted in one last warning.
const maxDamageWarnings = 20

// ingestEVTX reads an EVTX file into db, one event per record: _time from
// System/TimeCreated, the fields of evtx.Record.Fields (integers as ints,
// reals as floats, booleans as bools, everything else as its text), _raw
// the event's XML, sourcetype evtx.
//
// Progress is kept as for text: the source record's Offset is the file
// offset up to which records are stored (the file's size once it was read
// to its end), committed in the same transaction as their events, so a
// file ingested again adds nothing and an interrupted ingest resumes after
// its last commit. A file whose start changed since (a log that Windows
// went on writing, copied again) is read from its start, as other formats.
// Damaged chunks and records are skipped with a warning naming the file and
// the offset; records around them are stored.
func ingestEVTX(ctx context.Context, db *store.DB, cfg *Config, in *input, o *opened, rec *store.Source,
	progress func(read, lines, events int64)) (fileStats, error) {
	var fs fileStats
	var ra io.ReaderAt
	var size int64
	if in.stdin == nil && in.member == "" && !in.gz {
		f, err := os.Open(in.path)
		if err != nil {
			return fs, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return fs, err
		}
		ra, size = f, st.Size()
	} else {
		// A .gz file, a zip member or stdin: the records are read at
		// offsets, so the whole file is read into memory first.
		data, err := io.ReadAll(o.r)
		if err != nil {
			return fs, err
		}
		ra, size = bytes.NewReader(data), int64(len(data))
	}
	f, err := evtx.Open(ra, size)
	if err != nil {
		return fs, fmt.Errorf("evtx: %w", err)
	}
	skip := rec.Offset
	if skip > size {
		skip = 0
	}
	if skip == size && rec.Sourcetype == "evtx" {
		return fs, nil // read to its end before, and unchanged since
	}
	rec.Sourcetype = "evtx"
	rec.Name = cfg.Source
	if rec.Name == "" {
		rec.Name = rec.Path
	}
	w := newWholeWriter(db, rec, &fs)
	damaged := 0
	var ev store.Event
	for r, err := range f.Records() {
		if ctx.Err() != nil {
			return fs, ctx.Err()
		}
		if err != nil {
			var d *evtx.Damage
			if errors.As(err, &d) && d.Offset < skip && d.Chunk >= 0 {
				continue // reported when that part was read
			}
			damaged++
			if damaged <= maxDamageWarnings {
				cfg.Warn(fmt.Sprintf("%s: damaged: %v", in.path, err))
			}
			continue
		}
		if r.Offset < skip {
			continue
		}
		ev = store.Event{Time: r.Time.UnixNano(), Raw: r.XML, Fields: ev.Fields[:0]}
		for _, fl := range r.Fields {
			addField(&ev, fieldName(fl.Name), evtxValue(fl.Value))
		}
		if err := w.add(&ev, 1, r.Offset, false); err != nil {
			return fs, err
		}
		lines, events := w.pendingCounts()
		progress(r.Offset, fs.lines+lines, fs.events+events)
	}
	if more := damaged - maxDamageWarnings; more > 0 {
		cfg.Warn(fmt.Sprintf("%s: %d more damaged parts", in.path, more))
	}
	fs.damaged = int64(damaged)
	if err := w.commit(size); err != nil {
		return fs, err
	}
	progress(size, fs.lines, fs.events)
	if rec.Events == 0 && damaged > 0 {
		return fs, fmt.Errorf("evtx: no record could be read (%d damaged parts)", damaged)
	}
	return fs, nil
}

// evtxValue types a record's value as the other formats type theirs:
// integers as ints (an unsigned one above the int64 range as its text),
// reals as floats, booleans as bools; strings, hex integers, GUIDs, SIDs,
// times, binary and arrays as the text Windows shows in the event's XML.
func evtxValue(v evtx.Value) store.Value {
	if i, ok := v.Int(); ok {
		return store.Int(i)
	}
	if f, ok := v.Float(); ok {
		return store.Float(f)
	}
	if b, ok := v.Bool(); ok {
		return store.Bool(b)
	}
	return store.Str(v.Text)
}
