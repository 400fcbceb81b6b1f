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
	seq    int
	data   []byte  // the events' bytes, back to back
	ends   []int32 // end of each event in data
	lines  []int64 // line number of each event's first line
	pieces []uint8 // per event: pieceFirst or pieceCont for a piece of an over-long line (nil if none)
	// head is the start of the over-long line whose later piece is the
	// block's first event, for its time (nil otherwise).
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
	pending *pendingLine
	free    chan *block // parsed blocks, for reuse
	// inLong: the last line returned was a piece of an over-long line,
	// which the next one continues; longHead is that line's start.
	inLong   bool
	longHead []byte
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

type pendingLine struct {
	line      []byte
	cut, cont bool
	end       int64
}

func newSplitter(r io.Reader, classify func([]byte) LineKind, offset, line int64) *splitter {
	return &splitter{r: r, classify: classify, buf: make([]byte, 0, readSize), offset: offset, line: line,
		free: make(chan *block, 8)}
}

// nextLine returns the next line without its end of line, whether it is
// a piece of a line longer than MaxEvent (every piece, the last too),
// whether it continues the line before (a piece after the first: not a
// line of its own), and the input offset after it. It returns ok=false at
// the end of input.
func (s *splitter) nextLine() (line []byte, cut, cont bool, end int64, ok bool) {
	for {
		window := s.buf[s.start:]
		if len(window) > MaxEvent {
			window = window[:MaxEvent+1]
		}
		if i := bytes.IndexByte(window, '\n'); i >= 0 {
			line = s.buf[s.start : s.start+i]
			s.start += i + 1
			s.offset += int64(i + 1)
			cont, s.inLong = s.inLong, false
			return trimCRBytes(line), cont, cont, s.offset, true
		}
		pending := len(s.buf) - s.start
		if pending >= MaxEvent {
			line = s.buf[s.start : s.start+MaxEvent]
			s.start += MaxEvent
			s.offset += MaxEvent
			cont, s.inLong = s.inLong, true
			return line, true, cont, s.offset, true
		}
		if s.eof {
			if pending == 0 {
				return nil, false, false, s.offset, false
			}
			line = s.buf[s.start:]
			s.start = len(s.buf)
			s.offset += int64(pending)
			cont, s.inLong = s.inLong, false
			return trimCRBytes(line), cont, cont, s.offset, true
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
		*b = block{data: b.data[:0], ends: b.ends[:0], lines: b.lines[:0], head: b.head[:0]}
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
		var line []byte
		var cut, cont, ok bool
		var end int64
		if p := s.pending; p != nil {
			line, cut, cont, end, ok = p.line, p.cut, p.cont, p.end, true
			s.pending = nil
		} else {
			line, cut, cont, end, ok = s.nextLine()
		}
		if !ok {
			break
		}
		kind := LineEvent
		if !cut {
			kind = s.classify(line)
		}
		if kind == LineContinue && (cur < 0 || len(b.data)-b.start(cur)+len(line) >= MaxEvent) {
			kind = LineEvent
		}
		if kind == LineEvent && (len(b.ends) >= blockEvents || len(b.data) >= blockBytes) {
			s.pending = &pendingLine{line, cut, cont, end} // leave it for the next block
			break
		}
		consumed = true
		if !cont {
			s.line++ // a piece of a long line has its first piece's number
		}
		switch kind {
		case LineSkip:
		case LineContinue:
			b.data = append(b.data, '\n')
			b.data = append(b.data, line...)
			b.ends[cur] = int32(len(b.data))
		default:
			b.data = append(b.data, line...)
			b.ends = append(b.ends, int32(len(b.data)))
			b.lines = append(b.lines, s.line)
			if cut || b.pieces != nil {
				if b.pieces == nil {
					b.pieces = make([]uint8, len(b.ends)-1, cap(b.ends))
				}
				var piece uint8
				switch {
				case cont:
					piece = pieceCont
					if len(b.ends) == 1 { // the line began in an earlier block
						b.head = append(b.head[:0], s.longHead...)
					}
				case cut:
					piece = pieceFirst
					s.longHead = append(s.longHead[:0], line[:min(len(line), longHeadLen)]...)
				}
				b.pieces = append(b.pieces, piece)
			}
			cur = len(b.ends) - 1
		}
		b.endOffset, b.lines0 = end, s.line
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
