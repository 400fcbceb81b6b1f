package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"time"

	"loghunt/store"
)

// A Stream parses one followed source piece by piece, as its bytes
// arrive, with the same splitter, parsers and chunk encoding as Ingest
// (package watch uses it). Each Parse turns the bytes after the source's
// offset into a Batch, which the caller commits with Batch.Put in a
// store.WriteTx of its choosing: the chunks and the advanced source
// record go into that one transaction, so a source's progress is stored
// exactly when its events are, as in Ingest.
//
// A Stream is not safe for concurrent use. After a Batch fails to commit,
// the Stream is out of step with the store: make a new one from the
// stored record.
type Stream struct {
	rec      store.Source // as of the last Parse
	path     string
	parser   Parser
	workers  int
	warn     func(string)
	warned   int
	years    *yearSeq
	stamper  yearStamper
	inLong   bool // an over-long line's pieces were stored, its end not yet seen
	longHead []byte
	longYear int32
}

// streamFree recycles the blocks of every Stream: each holds ~9 MB, and a
// watch follows many sources.
var streamFree = make(chan *block, 4)

// ErrBinary is returned by NewStream for a source whose start looks like
// a binary file, not a log.
var ErrBinary = errors.New("looks like a binary file, not a log")

// NewStream makes the Stream that continues rec (its Key, Path and Name
// set; Offset and Lines where it is to go on; Sourcetype, when set, is
// kept). head is the source's first bytes (up to HeadLen), from which
// the format is detected and a header (csv) read. cfg's Format, Loc,
// Year, TimeField, Warn and Workers apply; a yearless timestamp gets the
// latest year that puts it not after today.
func NewStream(cfg Config, rec store.Source, head []byte) (*Stream, error) {
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	zoneGiven := cfg.Loc != nil
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	var format Format
	switch {
	case rec.Sourcetype != "":
		f, ok := Lookup(rec.Sourcetype)
		if !ok {
			return nil, fmt.Errorf("%s: stored format %q is unknown to this loghunt", rec.Path, rec.Sourcetype)
		}
		format = f
	case cfg.Format != "" && cfg.Format != "auto":
		f, ok := Lookup(cfg.Format)
		if !ok {
			return nil, fmt.Errorf("unknown format %q (known: %s)", cfg.Format, joinNames())
		}
		format = f
	case isBinary(head):
		return nil, fmt.Errorf("%s: %w", rec.Path, ErrBinary)
	default:
		format = Detect(sampleLines(head, 50))
	}
	rec.Sourcetype = format.Name()
	now := time.Now()
	opt := Options{Loc: cfg.Loc, Year: cfg.Year, ModTime: now, ZoneGiven: zoneGiven}
	if n := format.Name(); cfg.TimeField != "" && (n == "json" || n == "csv" || n == "tsv") {
		opt.TimeField = cfg.TimeField
	}
	hl := sampleLines(head, 200)
	p, err := format.NewParser(hl, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", rec.Path, format.Name(), err)
	}
	s := &Stream{rec: rec, path: rec.Path, parser: p, workers: cfg.Workers, warn: cfg.Warn}
	if st, ok := p.(yearStamper); ok && headHasYearless(st, hl) {
		m := now.In(cfg.Loc)
		s.stamper = st
		s.years = &yearSeq{fromMod: true, modYear: m.Year(), modDoy: leapDoy(int(m.Month()), m.Day())}
		if cfg.Year != 0 {
			s.years = &yearSeq{first: cfg.Year}
		}
	}
	return s, nil
}

func joinNames() string {
	var b bytes.Buffer
	for i, n := range formatNames() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}

// HeadLen is how many of a source's first bytes NewStream wants.
const HeadLen = headLen

// FingerprintLen is how many of a file's first bytes identify it.
const FingerprintLen = fingerprintLen

// Fingerprint is the hash of the first n bytes of head that source
// records keep (Source.Fingerprint) to tell a grown file from another.
func Fingerprint(head []byte, n int64) uint64 { return fingerprint(head, n) }

// IsBinary reports whether a file's first bytes look binary (not a log).
func IsBinary(head []byte) bool { return isBinary(head) }

// IsEVTX reports whether a file's first bytes are a Windows event log's
// (the EVTX signature): Ingest reads such files whole; a Stream cannot.
func IsEVTX(head []byte) bool { return isEVTX(head) }

// NotALog reports whether a file's name says it is not a log (what a
// directory ingest leaves out: documents, configuration, images, code).
func NotALog(name string) bool { return notALog(name) }

// Source returns the source record as of the last Parse.
func (s *Stream) Source() store.Source { return s.rec }

// Sourcetype is the format the stream parses.
func (s *Stream) Sourcetype() string { return s.rec.Sourcetype }

// Batch is what one Parse gave: encoded chunks and the source record
// advanced past them, to commit together.
type Batch struct {
	outs                          []chunkOut
	rec                           store.Source
	Lines, Events, Flagged, Bytes int64
}

// Source is the record the batch commits.
func (b *Batch) Source() store.Source { return b.rec }

// Put writes the batch's chunks and its source record into w.
func (b *Batch) Put(w *store.WriteTx) error {
	for _, o := range b.outs {
		if o.chunk != nil {
			if err := w.PutChunk(o.chunk); err != nil {
				return err
			}
			w.AddBuiltinFields(o.events, b.rec.Name, b.rec.Sourcetype)
		}
	}
	rec := b.rec
	return w.PutSource(&rec)
}

// Parse parses data, the source's bytes from its offset on. data should
// end at the end of a line: what follows the last newline is taken as a
// whole last line, except that an unterminated tail that is a multiple of
// MaxEvent long is stored as pieces of an over-long line that the next
// Parse goes on with. data is only read, and not kept.
func (s *Stream) Parse(ctx context.Context, data []byte) (*Batch, error) {
	sp := &splitter{buf: data, eof: true, offset: s.rec.Offset, line: s.rec.Lines, free: streamFree, evLen: -1,
		inLong: s.inLong, longHead: s.longHead, longYear: s.longYear, classify: s.parser.Classify}
	if bytes.IndexByte(data, 0) >= 0 {
		sp.nulUntil = len(data)
	}
	if s.years != nil {
		sp.years, sp.stamper = s.years, s.stamper
	}
	name := s.rec.Name
	if name == "" {
		name = s.rec.Path
		s.rec.Name = name
	}
	outs := parseBlocks(ctx, sp, s.parser, s.workers, name, s.rec.Sourcetype, s.rec.Key, time.Now().UnixNano())
	var got []chunkOut
	for o := range outs {
		got = append(got, o)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(got, func(i, j int) bool { return got[i].seq < got[j].seq })
	b := &Batch{outs: got}
	var fs fileStats
	for _, o := range got {
		apply(&s.rec, &fs, o)
		if o.firstProblem != "" && s.warned < maxWarnings {
			s.warn(fmt.Sprintf("%s: %s", s.path, o.firstProblem))
			s.warned++
		}
	}
	if w := sp.nulWarning(s.path); w != "" {
		s.warn(w)
	}
	s.inLong, s.longHead, s.longYear = sp.inLong, sp.longHead, sp.longYear
	b.rec = s.rec
	b.Lines, b.Events, b.Flagged, b.Bytes = fs.lines, fs.events, fs.flagged, fs.bytes
	return b, nil
}

// SetIdentity records which file the stream reads and its fingerprint
// (of its first fpLen bytes) in the source record that the next Batch
// commits.
func (s *Stream) SetIdentity(fp uint64, fpLen int64, dev, ino uint64, modTime int64) {
	s.rec.Fingerprint, s.rec.FingerprintLen = fp, fpLen
	s.rec.Device, s.rec.Inode, s.rec.ModTime = dev, ino, modTime
}
