package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of the splitter.
const (
	// MaxEvent is the largest event kept whole; a longer line is cut into
	// pieces of this size, each stored as its own event flagged truncated.
	MaxEvent = 16 << 20
	// blockEvents and blockBytes bound a block, which becomes one chunk.
	// A query pays some costs per chunk (a dictionary's values, a group
	// lookup per value it counts): top client IPs by 404 over 4.9M events
	// took 46 ms in chunks of 16k events, 33 ms in 32k. 64k saved 4 ms
	// more but took ingest from 240 to 390 MB of memory.
	blockEvents = 32768
	blockBytes  = 8 << 20
	readSize    = 1 << 20
)

// block is a run of whole events cut from the input, parsed by one worker
// and stored as one chunk.
type block struct {
	seq    int
	data   []byte  // the events' bytes, back to back
	ends   []int32 // end of each event in data
	lines  []int64 // line number of each event's first line
	pieces []uint8 // per event: pieceFirst or pieceCont for a piece of an over-long line (nil if none)
	years  []int32 // per event: the year of its yearless timestamp, 0 if none (nil unless years are tracked)
	// head is the start of the over-long line whose later piece is the
	// block's first event, for its time (nil otherwise); that piece's
	// years entry is the line's year.
	head      []byte
	endOffset int64 // input offset just after the block
	lines0    int64 // lines consumed up to the end of the block
}

// splitter reads lines and groups them into events and blocks.
type splitter struct {
	r        io.Reader
	classify func([]byte) LineKind
	buf      []byte
	start    int   // unread part of buf is buf[start:]
	offset   int64 // input offset of buf[start]
	line     int64 // lines consumed
	eof      bool
	err      error
	seq      int
	// pending is a line read but left for the next block. It points into
	// buf, which is safe because the next block takes it before reading.
	pending    pendingLine
	hasPending bool
	free       chan *block // parsed blocks, for reuse
	// evLen is the length of the event open at the last line, -1 if none.
	evLen int
	// With years set, the splitter gives each event that starts with a
	// yearless timestamp (as stamper finds it) its year, in file order.
	years   *yearSeq
	stamper yearStamper
	// Runs of NUL bytes dropped (see nextLine): the first few, how many
	// and how many bytes, where the last ended, and whether the next line
	// follows one.
	nuls              []nulRun
	nulRuns, nulBytes int64
	nulEnd            int64
	afterNUL          bool
	// buf[:nulUntil] may hold NULs; past it there are none, so most
	// lines need no search for them.
	nulUntil int
	// inLong: the last line returned was a piece of an over-long line,
	// which the next one continues; longHead is that line's start and
	// longYear the year step gave its first piece.
	inLong   bool
	longHead []byte
	longYear int32
}

// The pieces of a line longer than MaxEvent.
const (
	pieceFirst = 1 // its first piece
	pieceCont  = 2 // a later one, which takes the first one's time
	// longHeadLen is how much of an over-long line a block starting with a
	// later piece of it keeps, to parse the line's time from.
	longHeadLen = 4096
)

// recycle hands a block back once nothing refers to its memory.
func (s *splitter) recycle(b *block) {
	select {
	case s.free <- b:
	default:
	}
}

// pendingLine is a line with what the splitter decided about it.
type pendingLine struct {
	line      []byte
	cut, cont bool // a piece of an over-long line; a piece after its first
	end       int64
	kind      LineKind
	year      int32 // for an event line with a yearless timestamp and years tracked
}

func newSplitter(r io.Reader, classify func([]byte) LineKind, offset, line int64) *splitter {
	return &splitter{r: r, classify: classify, buf: make([]byte, 0, readSize), offset: offset, line: line,
		free: make(chan *block, 8), evLen: -1}
}

// step reads the next line into pl and decides its kind: a line that
// would continue no event, or make one longer than MaxEvent, starts one.
// It returns false at the end of input. (Filling pl in place, rather than
// returning it, kept the splitter as fast as before it had a year and a
// kind to hand on.)
func (s *splitter) step(pl *pendingLine) bool {
	line, cut, cont, end, ok := s.nextLine()
	if !ok {
		return false
	}
	// Every piece of an over-long line is an event; a later piece is no
	// line of its own, so it has no date: it takes its line's year.
	kind := LineEvent
	month, day := 0, 0
	switch {
	case cont:
	case s.years != nil:
		kind, month, day = s.stamper.classifyDate(line)
		if cut {
			kind = LineEvent
		}
	case cut:
	default:
		kind = s.classify(line)
	}
	if kind == LineContinue && (s.evLen < 0 || s.evLen+len(line) >= MaxEvent || s.afterNUL) {
		kind = LineEvent // a run of NULs ends the event before it
	}
	if kind != LineSkip {
		s.afterNUL = false
	}
	pl.line, pl.cut, pl.cont, pl.end, pl.kind, pl.year = line, cut, cont, end, kind, 0
	switch kind {
	case LineContinue:
		s.evLen += 1 + len(line)
	case LineEvent:
		s.evLen = len(line)
		switch {
		case cont:
			pl.year = s.longYear
		case month != 0:
			pl.year = int32(s.years.next(month, day))
		}
		if cut && !cont {
			s.longYear = pl.year
		}
	}
	return true
}

// nextLine returns the next line without its end of line, whether it is
// a piece of a line longer than MaxEvent (every piece, the last too),
// whether it continues the line before (a piece after the first: not a
// line of its own), and the input offset after it. It returns ok=false at
// the end of input.
//
// Runs of NUL bytes, which a crash leaves in a log (the file grew, its
// blocks were never written), end a line and are dropped: NULs at the
// start of a line however few, and minNULRun or more inside one (inside
// an over-long line too: they end it, and the piece before them is its
// last). The line after them starts an event (see step); dropNUL records
// them.
func (s *splitter) nextLine() (line []byte, cut, cont bool, end int64, ok bool) {
	for {
		window := s.buf[s.start:]
		if len(window) > MaxEvent {
			window = window[:MaxEvent+1]
		}
		if len(window) > 0 && window[0] == 0 {
			n := 1
			for n < len(window) && window[n] == 0 {
				n++
			}
			switch {
			case !s.inLong || n >= minNULRun:
				s.dropNUL(n)
				continue
			case n == len(window) && !s.eof:
				s.fill() // the run may go on
				continue
			}
			// A short run where a piece of an over-long line ends is
			// inside the line: text, as in any line.
		}
		if i := bytes.IndexByte(window, '\n'); i >= 0 {
			if z := s.nulRunAt(window[:i]); z >= 0 {
				return s.endLine(s.take(z, false))
			}
			return s.endLine(trimCRBytes(s.take(i, true)))
		}
		pending := len(s.buf) - s.start
		if pending >= MaxEvent {
			if z := s.nulRunAt(window[:MaxEvent]); z >= 0 {
				return s.endLine(s.take(z, false))
			}
			cont, s.inLong = s.inLong, true
			return s.take(MaxEvent, false), true, cont, s.offset, true
		}
		if s.eof {
			if pending == 0 {
				return nil, false, false, s.offset, false
			}
			if z := s.nulRunAt(window); z >= 0 {
				return s.endLine(s.take(z, false))
			}
			return s.endLine(trimCRBytes(s.take(pending, false)))
		}
		s.fill()
	}
}

// endLine returns line, which ends a line, as nextLine does: when an
// over-long line is open, as its last piece.
func (s *splitter) endLine(line []byte) ([]byte, bool, bool, int64, bool) {
	cont := s.inLong
	s.inLong = false
	return line, cont, cont, s.offset, true
}

// take consumes the next n bytes of buf (and a newline after them) and
// returns them.
func (s *splitter) take(n int, newline bool) []byte {
	b := s.buf[s.start : s.start+n]
	if newline {
		n++
	}
	s.start += n
	s.offset += int64(n)
	return b
}

// minNULRun is the fewest NUL bytes inside a line that end it: a single
// NUL is kept as part of the text.
const minNULRun = 4

// nulRunAt returns where the first run of at least minNULRun NUL bytes
// in b, the unread input from buf[s.start], starts, or -1.
func (s *splitter) nulRunAt(b []byte) int {
	if s.start >= s.nulUntil {
		return -1
	}
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], 0)
		if i < 0 {
			return -1
		}
		i += off
		j := i + 1
		for j < len(b) && b[j] == 0 {
			j++
		}
		if j-i >= minNULRun {
			return i
		}
		off = j
	}
}

// maxNULReport is how many runs of NUL bytes the warning lists.
const maxNULReport = 5

// nulRun is a run of NUL bytes dropped from the input.
type nulRun struct{ offset, n int64 }

// dropNUL drops the n NUL bytes at the start of the unread input,
// joining them to the run before when it ends there.
func (s *splitter) dropNUL(n int) {
	if s.nulRuns > 0 && s.nulEnd == s.offset {
		if last := len(s.nuls) - 1; s.nulRuns <= maxNULReport {
			s.nuls[last].n += int64(n)
		}
	} else {
		s.nulRuns++
		if len(s.nuls) < maxNULReport {
			s.nuls = append(s.nuls, nulRun{s.offset, int64(n)})
		}
	}
	s.nulBytes += int64(n)
	s.start += n
	s.offset += int64(n)
	s.nulEnd = s.offset
	s.afterNUL = true
	s.inLong = false // the run ends an over-long line too
}

// nulWarning says what dropNUL dropped from the input at path, or "".
func (s *splitter) nulWarning(path string) string {
	if s.nulRuns == 0 {
		return ""
	}
	var at []string
	for _, r := range s.nuls {
		at = append(at, fmt.Sprintf("%d (%d bytes)", r.offset, r.n))
	}
	more := ""
	if s.nulRuns > int64(len(s.nuls)) {
		more = fmt.Sprintf(" and %d more", s.nulRuns-int64(len(s.nuls)))
	}
	runs := "a run"
	if s.nulRuns > 1 {
		runs = fmt.Sprintf("%d runs", s.nulRuns)
	}
	return fmt.Sprintf("%s: dropped %s of NUL bytes (%d bytes, what a crash leaves in a log) at byte offset %s%s; the text after each starts a new event",
		path, runs, s.nulBytes, strings.Join(at, ", "), more)
}

// fill reads more input, moving the unread part to the front of buf.
func (s *splitter) fill() {
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:])
		s.buf = s.buf[:n]
		s.nulUntil = max(s.nulUntil-s.start, 0)
		s.start = 0
	}
	if cap(s.buf)-len(s.buf) < readSize {
		nb := make([]byte, len(s.buf), 2*cap(s.buf)+readSize)
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	if bytes.IndexByte(s.buf[len(s.buf):len(s.buf)+n], 0) >= 0 {
		s.nulUntil = len(s.buf) + n
	}
	s.buf = s.buf[:len(s.buf)+n]
	if err != nil {
		s.eof = true
		if !errors.Is(err, io.EOF) {
			s.err = err
		}
	}
}

// next returns the next block of events, or nil at the end of input. A
// block ends before a line that starts an event, so multi-line events are
// never split between blocks; the block's end offset is where a resumed
// ingest starts.
func (s *splitter) next() *block {
	// Sized up front (growing these by append copied every byte of the
	// input several times), and reused once parsed: fresh 4.5 MB blocks
	// were most of what ingest allocated, and so most of its collections.
	var b *block
	select {
	case b = <-s.free:
		*b = block{data: b.data[:0], ends: b.ends[:0], lines: b.lines[:0], years: b.years[:0], head: b.head[:0]}
	default:
		b = &block{
			data:  make([]byte, 0, blockBytes+blockBytes/8),
			ends:  make([]int32, 0, blockEvents),
			lines: make([]int64, 0, blockEvents)}
	}
	b.seq = s.seq
	s.seq++
	cur := -1 // index of the open event, -1 if none
	consumed := false
	for {
		pl := &s.pending
		if s.hasPending {
			s.hasPending = false
		} else if !s.step(pl) {
			break
		}
		if pl.kind == LineContinue && cur < 0 {
			// A block starts with an event (the line that ended the
			// last block); this is only for safety.
			pl.kind = LineEvent
		}
		if pl.kind == LineEvent && (len(b.ends) >= blockEvents || len(b.data) >= blockBytes) {
			s.hasPending = true // leave it for the next block
			break
		}
		consumed = true
		if !pl.cont {
			s.line++ // a piece of a long line has its first piece's number
		}
		switch pl.kind {
		case LineSkip:
		case LineContinue:
			b.data = append(b.data, '\n')
			b.data = append(b.data, pl.line...)
			b.ends[cur] = int32(len(b.data))
		default:
			b.data = append(b.data, pl.line...)
			b.ends = append(b.ends, int32(len(b.data)))
			b.lines = append(b.lines, s.line)
			if s.years != nil {
				b.years = append(b.years, pl.year)
			}
			if pl.cut || b.pieces != nil {
				if b.pieces == nil {
					b.pieces = make([]uint8, len(b.ends)-1, cap(b.ends))
				}
				var piece uint8
				switch {
				case pl.cont:
					piece = pieceCont
					if len(b.ends) == 1 { // the line began in an earlier block
						b.head = append(b.head[:0], s.longHead...)
					}
				case pl.cut:
					piece = pieceFirst
					s.longHead = append(s.longHead[:0], pl.line[:min(len(pl.line), longHeadLen)]...)
				}
				b.pieces = append(b.pieces, piece)
			}
			cur = len(b.ends) - 1
		}
		b.endOffset, b.lines0 = pl.end, s.line
	}
	if !consumed {
		return nil
	}
	return b
}

// start returns where event i begins in data.
func (b *block) start(i int) int {
	if i == 0 {
		return 0
	}
	return int(b.ends[i-1])
}
