package ingest

import (
	"bytes"
	"errors"
	"io"
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
	seq       int
	data      []byte  // the events' bytes, back to back
	ends      []int32 // end of each event in data
	lines     []int64 // line number of each event's first line
	truncated []bool  // per event: a piece of an over-long line (nil if none)
	years     []int32 // per event: the year of its yearless timestamp, 0 if none (nil unless years are tracked)
	endOffset int64   // input offset just after the block
	lines0    int64   // lines consumed up to the end of the block
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
	pending *pendingLine
	free    chan *block // parsed blocks, for reuse
	// evLen is the length of the event open at the last line, -1 if none.
	evLen int
	// With years set, the splitter gives each event that starts with a
	// yearless timestamp (as stamper finds it) its year, in file order.
	years   *yearSeq
	stamper yearStamper
}

// recycle hands a block back once nothing refers to its memory.
func (s *splitter) recycle(b *block) {
	select {
	case s.free <- b:
	default:
	}
}

// pendingLine is a line with what the splitter decided about it.
type pendingLine struct {
	line []byte
	cut  bool
	end  int64
	kind LineKind
	year int32 // for an event line with a yearless timestamp and years tracked
}

func newSplitter(r io.Reader, classify func([]byte) LineKind, offset, line int64) *splitter {
	return &splitter{r: r, classify: classify, buf: make([]byte, 0, readSize), offset: offset, line: line,
		free: make(chan *block, 8), evLen: -1}
}

// step reads the next line and decides its kind: a line that would
// continue no event, or make one longer than MaxEvent, starts one. It
// returns ok=false at the end of input.
func (s *splitter) step() (pendingLine, bool) {
	line, cut, end, ok := s.nextLine()
	if !ok {
		return pendingLine{}, false
	}
	kind := LineEvent
	month, day := 0, 0
	switch {
	case cut:
	case s.years != nil:
		kind, month, day = s.stamper.classifyDate(line)
	default:
		kind = s.classify(line)
	}
	if kind == LineContinue && (s.evLen < 0 || s.evLen+len(line) >= MaxEvent) {
		kind = LineEvent
	}
	pl := pendingLine{line: line, cut: cut, end: end, kind: kind}
	switch kind {
	case LineContinue:
		s.evLen += 1 + len(line)
	case LineEvent:
		s.evLen = len(line)
		if month != 0 {
			pl.year = int32(s.years.next(month, day))
		}
	}
	return pl, true
}

// nextLine returns the next line without its end of line, whether it was
// cut (longer than MaxEvent), and the input offset after it. It returns
// ok=false at the end of input.
func (s *splitter) nextLine() (line []byte, cut bool, end int64, ok bool) {
	for {
		window := s.buf[s.start:]
		if len(window) > MaxEvent {
			window = window[:MaxEvent+1]
		}
		if i := bytes.IndexByte(window, '\n'); i >= 0 {
			line = s.buf[s.start : s.start+i]
			s.start += i + 1
			s.offset += int64(i + 1)
			return trimCRBytes(line), false, s.offset, true
		}
		pending := len(s.buf) - s.start
		if pending >= MaxEvent {
			line = s.buf[s.start : s.start+MaxEvent]
			s.start += MaxEvent
			s.offset += MaxEvent
			return line, true, s.offset, true
		}
		if s.eof {
			if pending == 0 {
				return nil, false, s.offset, false
			}
			line = s.buf[s.start:]
			s.start = len(s.buf)
			s.offset += int64(pending)
			return trimCRBytes(line), false, s.offset, true
		}
		s.fill()
	}
}

// fill reads more input, moving the unread part to the front of buf.
func (s *splitter) fill() {
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:])
		s.buf = s.buf[:n]
		s.start = 0
	}
	if cap(s.buf)-len(s.buf) < readSize {
		nb := make([]byte, len(s.buf), 2*cap(s.buf)+readSize)
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
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
		*b = block{data: b.data[:0], ends: b.ends[:0], lines: b.lines[:0], years: b.years[:0]}
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
		var pl pendingLine
		if p := s.pending; p != nil {
			pl = *p
			s.pending = nil
		} else {
			var ok bool
			if pl, ok = s.step(); !ok {
				break
			}
		}
		if pl.kind == LineContinue && cur < 0 {
			// A block starts with an event (the line that ended the
			// last block); this is only for safety.
			pl.kind = LineEvent
		}
		if pl.kind == LineEvent && (len(b.ends) >= blockEvents || len(b.data) >= blockBytes) {
			s.pending = &pl // leave it for the next block
			break
		}
		consumed = true
		s.line++
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
			if pl.cut || b.truncated != nil {
				if b.truncated == nil {
					b.truncated = make([]bool, len(b.ends)-1, cap(b.ends))
				}
				b.truncated = append(b.truncated, pl.cut)
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
