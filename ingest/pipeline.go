// Package ingest reads log files into the store: it detects each file's
// format, splits it into events, parses them on all cores and writes them
// through one writer, committing each source's progress with its events
// so that an interrupted ingest resumes with nothing lost and nothing twice.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"loghunt/store"
)

// Config says how to ingest.
type Config struct {
	Format string         // "" or "auto" to detect, else a sourcetype name
	Source string         // the source field value; "" means the path
	Loc    *time.Location // zone of times that carry none; nil means UTC
	Year   int            // year of yearless timestamps; 0 infers it
	// TimeField names the field or column that holds each event's time
	// in json, csv and tsv inputs (--time-field); "" picks it by name.
	TimeField string
	// Warn receives problems that do not stop the ingest (a skipped file,
	// flagged lines); nil discards them.
	Warn func(msg string)
	// Progress, when set, is called about five times a second.
	Progress func(p Progress)
	Workers  int // parse workers; 0 means GOMAXPROCS

	zoneGiven bool // Loc was set by the caller
}

// Progress is the state of a running ingest.
type Progress struct {
	File              string
	Done, Total       int64 // on-disk bytes over all inputs
	Lines, Events     int64
	Elapsed           time.Duration
	FileIndex, NFiles int
}

// Summary is what an ingest did.
type Summary struct {
	Files, Skipped, Failed int   // inputs read, skipped as not logs, not readable
	Lines, Events, Flagged int64 // lines (evtx: records) read, events stored, events flagged
	Damaged                int64 // damaged parts of evtx files skipped (each warned of)
	Bytes                  int64 // bytes read (uncompressed)
	Elapsed                time.Duration
}

// ErrNothingRead is returned when no input could be read at all.
var ErrNothingRead = errors.New("no input could be read")

// ErrAllSkipped is returned, wrapped with the counts, when nothing was
// ingested because every input was skipped (as not a log) or unreadable,
// at least one skipped.
var ErrAllSkipped = errors.New("nothing ingested: every input was skipped")

// Ingest reads every path ("-" is stdin) into db. Unreadable and skipped
// inputs are reported through Warn and counted; the error is
// ErrNothingRead when no input could be read, ErrAllSkipped when every
// input was skipped or unreadable, ErrTimeField when Config.TimeField
// kept an input out (the others are ingested), or the first store or
// context error.
func Ingest(ctx context.Context, db *store.DB, cfg Config, paths []string, stdin io.Reader) (Summary, error) {
	start := time.Now()
	var sum Summary
	cfg.zoneGiven = cfg.Loc != nil
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	stdinName := cfg.Source
	if stdinName == "" {
		stdinName = "stdin"
	}
	inputs, errs, notLogs := expand(paths, stdin, stdinName)
	for _, err := range errs {
		cfg.Warn(err.Error())
		sum.Failed++
	}
	if note := notLogNote(notLogs); note != "" {
		cfg.Warn(note)
		sum.Skipped += len(notLogs)
	}
	var total int64
	for _, in := range inputs {
		total += in.size
	}
	var doneBefore int64
	timeFieldFailed := 0
	for i := range inputs {
		in := &inputs[i]
		fs, err := ingestOne(ctx, db, &cfg, in, func(read int64, lines, events int64) {
			if cfg.Progress != nil {
				cfg.Progress(Progress{File: in.path, Done: doneBefore + read, Total: total,
					Lines: sum.Lines + lines, Events: sum.Events + events, Elapsed: time.Since(start),
					FileIndex: i + 1, NFiles: len(inputs)})
			}
		})
		doneBefore += in.size
		if ctx.Err() != nil {
			// Interrupted: what was committed stays, and the same ingest
			// run again resumes from there.
			sum.Lines += fs.lines
			sum.Events += fs.events
			sum.Flagged += fs.flagged
			sum.Bytes += fs.bytes
			if fs.readAny {
				sum.Files++
			}
			sum.Elapsed = time.Since(start)
			return sum, ctx.Err()
		}
		sum.Lines += fs.lines
		sum.Events += fs.events
		sum.Flagged += fs.flagged
		sum.Bytes += fs.bytes
		sum.Damaged += fs.damaged
		var tfe *TimeFieldError
		switch {
		case errors.Is(err, errSkipped):
			sum.Skipped++
		case errors.As(err, &tfe):
			cfg.Warn(fmt.Sprintf("%s: not ingested: %v", in.path, tfe))
			sum.Failed++
			timeFieldFailed++
		case err != nil && (ctx.Err() != nil || isStoreError(err)):
			sum.Elapsed = time.Since(start)
			return sum, err
		case err != nil && fs.lines == 0 && !fs.readAny:
			cfg.Warn(fmt.Sprintf("%s: %v", in.path, err))
			sum.Failed++
		case err != nil:
			cfg.Warn(fmt.Sprintf("%s: stopped after line %d: %v", in.path, fs.lastLine, err))
			sum.Files++
		default:
			sum.Files++
		}
	}
	sum.Elapsed = time.Since(start)
	switch {
	case timeFieldFailed > 0:
		return sum, fmt.Errorf("%w: %d input%s (the warnings above say why)", ErrTimeField, timeFieldFailed, map[bool]string{true: "s"}[timeFieldFailed > 1])
	case sum.Files > 0:
	case sum.Skipped > 0:
		unreadable := ""
		if sum.Failed > 0 {
			unreadable = fmt.Sprintf(", %d unreadable", sum.Failed)
		}
		return sum, fmt.Errorf("%w (%d skipped%s; the warnings above say why)", ErrAllSkipped, sum.Skipped, unreadable)
	case sum.Failed > 0:
		return sum, ErrNothingRead
	}
	return sum, nil
}

var errSkipped = errors.New("skipped")

// storeError marks errors of the store, which stop the whole ingest.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

func isStoreError(err error) bool {
	var se storeError
	return errors.As(err, &se)
}

// fileStats counts what one input gave.
type fileStats struct {
	lines, events, flagged, bytes int64
	lastLine                      int64
	readAny                       bool
	damaged                       int64 // damaged parts skipped (evtx)
}

// chunkOut is a parsed, encoded block on its way to the writer.
type chunkOut struct {
	seq          int
	chunk        *store.EncodedChunk // nil when the block held no events
	endOffset    int64
	lines        int64 // lines consumed up to the block's end
	events       int64
	flagged      int64
	bytes        int64
	first, last  int64
	firstProblem string
}

// ingestOne reads one input from where its last ingest ended.
func ingestOne(ctx context.Context, db *store.DB, cfg *Config, in *input, progress func(read, lines, events int64)) (fileStats, error) {
	var fs fileStats
	o, err := in.open()
	if err != nil {
		return fs, err
	}
	defer o.close()
	rec, _, err := db.GetSource(in.key)
	if err != nil {
		return fs, storeError{err}
	}
	rec, skip := resumePoint(rec, in, o.head, cfg.Warn)
	auto := cfg.Format == "" || cfg.Format == "auto"
	if cfg.Format == "evtx" || auto && isEVTX(o.head) {
		return ingestEVTX(ctx, db, cfg, in, o, rec, progress)
	}
	if (auto || cfg.Format == "json") && isJSONDocument(o.head) {
		fs, data, err := ingestJSONDoc(ctx, db, cfg, in, o, rec, progress)
		if !errors.Is(err, errNotJSONDoc) {
			return fs, err
		}
		// No object in it after all: read it by lines.
		o.r = bytes.NewReader(data)
	}
	if err := discard(o.r, skip); err != nil {
		return fs, err
	}
	format, err := chooseFormat(cfg, in, o.head)
	if err != nil {
		return fs, err
	}
	rec.Sourcetype = format.Name()
	opt := Options{Loc: cfg.Loc, Year: cfg.Year, ModTime: time.Unix(0, in.modTime), ZoneGiven: cfg.zoneGiven}
	switch name := format.Name(); {
	case cfg.TimeField == "":
	case name == "json" || name == "csv" || name == "tsv":
		opt.TimeField = cfg.TimeField
	default:
		cfg.Warn(fmt.Sprintf("%s: --time-field applies to json, csv and tsv inputs; this one is %s, read with its own timestamps", in.path, name))
	}
	if in.stdin != nil {
		opt.ModTime = time.Now()
	}
	head := sampleLines(o.head, 200)
	parser, err := format.NewParser(head, opt)
	if err != nil {
		return fs, fmt.Errorf("%s: %w", format.Name(), err)
	}
	sp := newSplitter(o.r, parser.Classify, rec.Offset, rec.Lines)
	yearWarning, err := planYears(ctx, cfg, in, parser, head, rec.Offset, opt.ModTime, sp)
	if err != nil {
		return fs, err
	}
	fs, err = run(ctx, db, cfg, rec, sp, parser, opt.ModTime.UnixNano(), o, progress)
	if isStoreError(err) {
		return fs, err
	}
	if w := sp.nulWarning(in.path); w != "" {
		cfg.Warn(w)
	}
	if yearWarning != nil {
		if w := yearWarning(); w != "" {
			cfg.Warn(w)
		}
	}
	return fs, err
}

// resumePoint returns the source record to continue and how many bytes of
// the input are already stored. A record whose fingerprint does not match
// the input's start (a rotated or replaced file) starts over from 0.
func resumePoint(rec *store.Source, in *input, head []byte, warn func(string)) (*store.Source, int64) {
	fpLen := min(int64(len(head)), fingerprintLen)
	if rec == nil {
		return &store.Source{Key: in.key, Path: in.path, Fingerprint: fingerprint(head, fpLen),
			FingerprintLen: fpLen, ModTime: in.modTime}, 0
	}
	if in.stdin != nil {
		rec.Offset, rec.Lines = 0, 0 // a stream: always new data
		return rec, 0
	}
	same := rec.FingerprintLen <= int64(len(head)) && fingerprint(head, rec.FingerprintLen) == rec.Fingerprint
	if !same || (in.size < rec.Offset && !in.gz) {
		warn(fmt.Sprintf("%s: changed since it was last ingested (rotated or replaced); reading it from the start", in.path))
		rec.Offset, rec.Lines = 0, 0
	}
	rec.Fingerprint, rec.FingerprintLen = fingerprint(head, fpLen), fpLen
	rec.ModTime = in.modTime
	return rec, rec.Offset
}

// discard skips n bytes of r (the part already stored).
func discard(r io.Reader, n int64) error {
	if n == 0 {
		return nil
	}
	got, err := io.CopyN(io.Discard, r, n)
	if got < n {
		if err == nil || err == io.EOF {
			return nil // shorter than before: nothing new
		}
		return err
	}
	return nil
}

func chooseFormat(cfg *Config, in *input, head []byte) (Format, error) {
	if cfg.Format != "" && cfg.Format != "auto" {
		f, ok := Lookup(cfg.Format)
		if !ok {
			return nil, fmt.Errorf("unknown format %q (known: %s)", cfg.Format, strings.Join(formatNames(), ", "))
		}
		return f, nil
	}
	if isBinary(head) {
		cfg.Warn(fmt.Sprintf("%s: skipped: looks like a binary file, not a log (use --format text to ingest it anyway)", in.path))
		return nil, errSkipped
	}
	return Detect(sampleLines(head, 50)), nil
}

// run drives the pipeline for one input: the splitter here, parse workers,
// and the writer, which commits blocks in input order.
func run(ctx context.Context, db *store.DB, cfg *Config, rec *store.Source, sp *splitter, p Parser,
	fallback int64, o *opened, progress func(read, lines, events int64)) (fileStats, error) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	name := cfg.Source
	if name == "" {
		name = rec.Path
	}
	rec.Name = name
	outs := parseBlocks(ctx, sp, p, cfg.Workers, name, rec.Sourcetype, rec.Key, fallback)
	fs, err := write(ctx, db, rec, outs, cfg.Warn, func(lines, events int64) { progress(o.read.Load(), lines, events) })
	cancel()
	for range outs {
		// drain so the workers can finish
	}
	if err != nil {
		return fs, storeError{err}
	}
	if parent.Err() == nil && sp.err != nil {
		return fs, sp.err
	}
	return fs, nil
}

// parseBlocks cuts sp's input into blocks and parses them on workers
// goroutines; the blocks come out in any order (by seq), and the channel
// closes when the input ends or ctx is cancelled. Ingest and Stream share
// it.
func parseBlocks(ctx context.Context, sp *splitter, p Parser, workers int, name, sourcetype, key string, fallback int64) <-chan chunkOut {
	blocks := make(chan *block, workers)
	outs := make(chan chunkOut, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := store.NewChunkBuilder(name, sourcetype, key)
			p := p
			if c, ok := p.(cloner); ok {
				p = c.clone() // a parser with state of its own is per worker
			}
			for blk := range blocks {
				out := parseBlock(blk, p, b, fallback)
				sp.recycle(blk) // the chunk and its stats are copies
				outs <- out
			}
		}()
	}
	go func() {
		defer close(blocks)
		for ctx.Err() == nil {
			blk := sp.next()
			if blk == nil {
				return
			}
			select {
			case blocks <- blk:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(outs)
	}()
	return outs
}

// cloner is a parser that keeps state (a cache) and so must not be shared
// by the parse workers.
type cloner interface{ clone() Parser }

// parseBlock parses the events of a block and encodes them as a chunk.
func parseBlock(blk *block, p Parser, b *store.ChunkBuilder, fallback int64) chunkOut {
	out := chunkOut{seq: blk.seq, endOffset: blk.endOffset, lines: blk.lines0}
	data := unsafe.String(unsafe.SliceData(blk.data), len(blk.data))
	var ev store.Event
	prev := fallback
	ys, _ := p.(yearStamper)
	if blk.years == nil {
		ys = nil
	}
	if len(blk.head) > 0 {
		// The block starts inside an over-long line: its pieces here take
		// the time of the line's start (in the year the splitter gave it).
		if ys != nil {
			ys.setYear(int(blk.years[0]))
		}
		ev = store.Event{Raw: string(blk.head)}
		if hasTime, _ := p.Parse(ev.Raw, &ev); hasTime {
			prev = ev.Time
		}
	}
	for i, end := range blk.ends {
		raw := data[blk.start(i):end] // the splitter stripped each line's \r
		ev = store.Event{Raw: raw, Fields: ev.Fields[:0]}
		piece := uint8(0)
		if blk.pieces != nil {
			piece = blk.pieces[i]
		}
		var err error
		hasTime := false
		if piece != pieceCont { // a later piece is no line of its own to parse
			if ys != nil {
				ys.setYear(int(blk.years[i]))
			}
			hasTime, err = p.Parse(raw, &ev)
		}
		if !hasTime {
			ev.Time = prev
		}
		prev = ev.Time
		if err != nil {
			out.flagged++
			ev.Fields = append(ev.Fields, store.Field{Name: "parse_error", Value: store.Str(err.Error())})
			if out.firstProblem == "" {
				out.firstProblem = fmt.Sprintf("line %d: %v", blk.lines[i], err)
			}
		}
		if piece != 0 {
			out.flagged++
			ev.Fields = append(ev.Fields, store.Field{Name: "truncated", Value: store.Bool(true)})
			if out.firstProblem == "" {
				out.firstProblem = fmt.Sprintf("line %d: longer than %d MiB, stored in pieces flagged truncated=true", blk.lines[i], MaxEvent>>20)
			}
		}
		b.Add(&ev)
		out.bytes += int64(len(raw))
	}
	out.events = int64(len(blk.ends))
	out.chunk = b.Encode()
	if out.chunk != nil {
		out.first, out.last = out.chunk.MinTime, out.chunk.MaxTime
	}
	return out
}

func formatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name())
	}
	return names
}
