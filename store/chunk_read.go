package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"sync/atomic"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// maxChunkRows bounds the rows a chunk header may claim (ingest writes
// chunks of at most 32768 events), so a damaged header cannot make a
// reader allocate without limit.
const maxChunkRows = 1 << 20

// maxColumnBytes bounds the decoded size of one column, so a damaged header
// cannot make a reader allocate without limit.
const maxColumnBytes = 1 << 30

// ColumnInfo describes one column of a chunk.
type ColumnInfo struct {
	Name     string
	Enc      byte
	Comp     byte
	RawLen   int // decoded size
	Off, Len int // place of the stored bytes after the header
	Kinds    uint8
	Nulls    int
	HasRange bool // Min and Max hold the range of a numeric column
	Min, Max float64
	// sum is the CRC-32C of the stored bytes (of a blocked _raw, of its
	// directory) in a chunk of format 4; checked is set once they are
	// found to match.
	sum     uint32
	checked bool
}

type header struct {
	rows                          int
	minTime, maxTime              int64
	source, sourcetype, sourceKey string
	bloom                         bloom
	cols                          []ColumnInfo
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func (h *header) marshal() []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(h.rows))
	b = binary.AppendVarint(b, h.minTime)
	b = binary.AppendVarint(b, h.maxTime)
	b = appendString(b, h.source)
	b = appendString(b, h.sourcetype)
	b = appendString(b, h.sourceKey)
	b = appendString(b, string(h.bloom))
	b = binary.AppendUvarint(b, uint64(len(h.cols)))
	for _, c := range h.cols {
		b = appendString(b, c.Name)
		b = append(b, c.Enc, c.Comp, c.Kinds)
		b = binary.AppendUvarint(b, uint64(c.RawLen))
		b = binary.AppendUvarint(b, uint64(c.Off))
		b = binary.AppendUvarint(b, uint64(c.Len))
		b = binary.AppendUvarint(b, uint64(c.Nulls))
		if c.HasRange {
			b = append(b, 1)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Min))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Max))
		} else {
			b = append(b, 0)
		}
		b = binary.LittleEndian.AppendUint32(b, c.sum)
	}
	return b
}

// reader decodes the fields of a header in order, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string { return string(r.bytes(r.uvarint())) }

func (r *reader) byte1() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

// Chunk is a stored chunk opened for reading. Its columns decode on
// demand. A Chunk read in a scan is valid only during that scan.
//
// Every read verifies what it decodes: a chunk of format 4 has a checksum
// of its header (checked when it is parsed), of each column (checked on
// the column's first read) and of each _raw block (on the block's first
// read); one of an older format is checked whole when it is parsed. A
// mismatch is an error wrapping errChecksum, which Scan turns into a
// DamageError naming the chunk.
type Chunk struct {
	ID               uint64
	Rows             int
	MinTime, MaxTime int64
	Source           string
	Sourcetype       string
	SourceKey        string
	Cols             []ColumnInfo
	bloom            bloom
	data             []byte // the stored column bytes
	blob             []byte // the whole stored value (in bbolt's memory map)
	decoded          *atomic.Int64
	sums             bool // format 4: checksums per section
	// the directory of a blocked _raw, read on first use
	rawDirDone  bool
	rawDirCache *rawDir
	rawDirErr   error
}

// parseChunk parses a stored chunk's header, having verified its checksum
// (of the header in format 4, of the whole chunk before).
func parseChunk(id uint64, blob []byte) (*Chunk, error) {
	return parseChunkVerify(id, blob, true)
}

// parseChunkVerify is parseChunk; with verify false (the fuzz test, to
// reach the decoders with arbitrary bytes) it checks no checksum.
func parseChunkVerify(id uint64, blob []byte, verify bool) (*Chunk, error) {
	if len(blob) < len(chunkMagic)+4 {
		return nil, fmt.Errorf("chunk %d: %w: bad magic", id, errCorrupt)
	}
	sums := bytes.Equal(blob[:len(chunkMagic)], chunkMagic)
	if !sums && !bytes.Equal(blob[:len(chunkMagicV1)], chunkMagicV1) {
		return nil, fmt.Errorf("chunk %d: %w: bad magic", id, errCorrupt)
	}
	if !sums && verify && !verifyCRC(blob) {
		return nil, fmt.Errorf("chunk %d: %w", id, errChecksum)
	}
	r := &reader{b: blob[len(chunkMagic) : len(blob)-4]}
	hb := r.bytes(r.uvarint())
	if sums {
		end := len(blob) - 4 - len(r.b) // the header's end in blob
		sum := r.bytes(4)
		if r.err == nil && verify && crc32.Checksum(blob[:end], crcTable) != binary.LittleEndian.Uint32(sum) {
			return nil, fmt.Errorf("chunk %d header: %w", id, errChecksum)
		}
	}
	data := r.b
	hr := &reader{b: hb}
	c := &Chunk{ID: id, data: data, blob: blob, sums: sums && verify}
	c.Rows = int(hr.uvarint())
	c.MinTime, c.MaxTime = hr.varint(), hr.varint()
	c.Source, c.Sourcetype, c.SourceKey = hr.str(), hr.str(), hr.str()
	c.bloom = bloom(hr.bytes(hr.uvarint()))
	ncols := hr.uvarint()
	if ncols > uint64(len(hb)) {
		hr.fail()
	}
	for i := uint64(0); i < ncols && hr.err == nil; i++ {
		ci := ColumnInfo{Name: hr.str(), Enc: hr.byte1(), Comp: hr.byte1(), Kinds: hr.byte1()}
		ci.RawLen, ci.Off, ci.Len = int(hr.uvarint()), int(hr.uvarint()), int(hr.uvarint())
		ci.Nulls = int(hr.uvarint())
		if hr.byte1() == 1 {
			b := hr.bytes(16)
			if b != nil {
				ci.HasRange = true
				ci.Min = math.Float64frombits(binary.LittleEndian.Uint64(b))
				ci.Max = math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
			}
		}
		if sums {
			if b := hr.bytes(4); b != nil {
				ci.sum = binary.LittleEndian.Uint32(b)
			}
		}
		if ci.Off < 0 || ci.Len < 0 || ci.Off+ci.Len > len(data) || ci.RawLen < 0 || ci.RawLen > maxColumnBytes {
			hr.fail()
		}
		c.Cols = append(c.Cols, ci)
	}
	if err := errors.Join(r.err, hr.err); err != nil {
		return nil, fmt.Errorf("chunk %d: %w: bad header", id, errCorrupt)
	}
	if c.Rows <= 0 || c.Rows > maxChunkRows || c.MinTime > c.MaxTime {
		return nil, fmt.Errorf("chunk %d: %w: %d rows, time %d..%d", id, errCorrupt, c.Rows, c.MinTime, c.MaxTime)
	}
	return c, nil
}

// stored returns the stored bytes of a column, having verified them.
func (c *Chunk) stored(ci *ColumnInfo) ([]byte, error) {
	src := c.data[ci.Off : ci.Off+ci.Len]
	if c.sums && !ci.checked {
		if crc32.Checksum(src, crcTable) != ci.sum {
			return nil, errChecksum
		}
		ci.checked = true
	}
	return src, nil
}

// verifyCRC checks the checksum at the end of a chunk value.
func verifyCRC(blob []byte) bool {
	if len(blob) < 4 {
		return false
	}
	n := len(blob) - 4
	return crc32.Checksum(blob[:n], crcTable) == binary.LittleEndian.Uint32(blob[n:])
}

// Column returns the column info of name, or nil.
func (c *Chunk) Column(name string) *ColumnInfo {
	for i := range c.Cols {
		if c.Cols[i].Name == name {
			return &c.Cols[i]
		}
	}
	return nil
}

// zstdSlack is room left after a decoded column: with it the decoder
// takes its fast path, which may write a little past the end (twice as
// fast on the dictionary sections of top client IPs by 404s).
const zstdSlack = 32

// decodeBuf returns a buffer for size bytes decoded from stored bytes, with
// the slack; a damaged header claiming a huge size gets a smaller one (the
// decoder grows it if the data really is that large).
func decodeBuf(size, stored int) []byte {
	return make([]byte, 0, max(0, min(size, max(1<<20, 64*stored)))+zstdSlack)
}

var decoder = func() *zstd.Decoder {
	// Frames' own checksums (of format 1 chunks) are not checked: the
	// chunk's CRC-32C covers them, and Check verifies it.
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxColumnBytes),
		zstd.IgnoreChecksum(true))
	if err != nil {
		panic("BUG: zstd decoder: " + err.Error())
	}
	return d
}()

// raw returns the decoded bytes of a column. They are fresh memory that
// nothing else refers to, so strings may view them.
func (c *Chunk) raw(ci *ColumnInfo) ([]byte, error) {
	src, err := c.stored(ci)
	if err != nil {
		return nil, fmt.Errorf("chunk %d column %s: %w", c.ID, ci.Name, err)
	}
	if c.decoded != nil {
		c.decoded.Add(int64(ci.RawLen))
	}
	out, err := decodeStored(ci.Comp, src, ci.RawLen)
	if err != nil {
		return nil, fmt.Errorf("chunk %d column %s: %w", c.ID, ci.Name, err)
	}
	return out, nil
}

// Times returns the _time column.
func (c *Chunk) Times() ([]int64, error) {
	ci := c.Column(ColTime)
	if ci == nil || ci.Enc != encTime {
		return nil, fmt.Errorf("chunk %d: %w: no time column", c.ID, errCorrupt)
	}
	b, err := c.raw(ci)
	if err != nil {
		return nil, err
	}
	return decodeTimes(b, c.Rows)
}

// timesInto is Times decoding into dst's memory, and the column's into
// scratch's when it is compressed; it returns both for reuse.
func (c *Chunk) timesInto(dst []int64, scratch []byte) ([]int64, []byte, error) {
	ci := c.Column(ColTime)
	if ci == nil || ci.Enc != encTime {
		return dst, scratch, fmt.Errorf("chunk %d: %w: no time column", c.ID, errCorrupt)
	}
	src, err := c.stored(ci)
	if err != nil {
		return dst, scratch, fmt.Errorf("chunk %d column %s: %w", c.ID, ci.Name, err)
	}
	if c.decoded != nil {
		c.decoded.Add(int64(ci.RawLen))
	}
	src, err = storedIn(ci.Comp, src, ci.RawLen, &scratch)
	if err != nil {
		return dst, scratch, fmt.Errorf("chunk %d column %s: %w", c.ID, ci.Name, err)
	}
	dst, err = appendTimes(dst, src, c.Rows)
	return dst, scratch[:0], err
}

// Values returns the values of the named column, row by row: a column of
// nulls when the chunk has no such field. _time, source and sourcetype
// are columns too.
func (c *Chunk) Values(name string) ([]Value, error) {
	switch name {
	case "source", "sourcetype":
		v := Str(c.Source)
		if name == "sourcetype" {
			v = Str(c.Sourcetype)
		}
		out := make([]Value, c.Rows)
		for i := range out {
			out[i] = v
		}
		return out, nil
	case ColTime:
		ts, err := c.Times()
		if err != nil {
			return nil, err
		}
		out := make([]Value, len(ts))
		for i, t := range ts {
			out[i] = Time(t)
		}
		return out, nil
	}
	ci := c.Column(name)
	if ci == nil {
		return make([]Value, c.Rows), nil
	}
	switch ci.Enc {
	case encRawBlocks, encRawCut:
		return c.rawValues(nil)
	case encDictSplit:
		d, err := c.dict(ci)
		if err != nil {
			return nil, fmt.Errorf("chunk %d column %s: %w", c.ID, name, err)
		}
		return d.expand(), nil
	}
	b, err := c.raw(ci)
	if err != nil {
		return nil, err
	}
	var vals []Value
	switch ci.Enc {
	case encStrings:
		vals, err = decodeStrings(b, c.Rows)
	case encInts:
		vals, err = decodeInts(b, c.Rows)
	case encMixed:
		vals, err = decodeMixed(b, c.Rows)
	case encDict:
		var d *Dict
		if d, err = decodeDict(b, c.Rows); err == nil {
			vals = d.expand()
		}
	default:
		err = fmt.Errorf("unknown encoding %d", ci.Enc)
	}
	if err != nil {
		return nil, fmt.Errorf("chunk %d column %s: %w", c.ID, name, err)
	}
	return vals, nil
}

// ints returns an int column as int64s (0 where null) with its null
// bitmap (bit i set: row i is null; nil when no row is), without making
// a Value per row. ok is false when the column is absent or not stored
// as plain ints (a dictionary of ints is read with dict).
func (c *Chunk) ints(name string) (vals []int64, nulls []byte, ok bool, err error) {
	ci := c.Column(name)
	if ci == nil || ci.Enc != encInts {
		return nil, nil, false, nil
	}
	b, err := c.raw(ci)
	if err != nil {
		return nil, nil, false, err
	}
	if vals, nulls, err = decodeInt64s(b, c.Rows); err != nil {
		return nil, nil, false, fmt.Errorf("chunk %d column %s: %w", c.ID, name, err)
	}
	return vals, nulls, true, nil
}

// dictNamed returns a dictionary-encoded column without expanding it, or
// nil when the column is absent or not dictionary-encoded.
func (c *Chunk) dictNamed(name string) (*Dict, error) {
	ci := c.Column(name)
	if ci == nil || (ci.Enc != encDict && ci.Enc != encDictSplit) {
		return nil, nil
	}
	d, err := c.dict(ci)
	if err != nil {
		return nil, fmt.Errorf("chunk %d column %s: %w", c.ID, name, err)
	}
	return d, nil
}

// dictInto is Dict decoding into buf's spare room instead of fresh
// memory, and reading stored bytes in place: the dictionary and its
// values are valid while the chunk's transaction is open and until the
// caller reuses buf, which it returns (maybe grown) for that. It suits a
// caller that copies what it keeps of the values.
func (c *Chunk) dictInto(name string, buf []byte) (*Dict, []byte, error) {
	ci := c.Column(name)
	if ci == nil || (ci.Enc != encDict && ci.Enc != encDictSplit) {
		return nil, buf, nil
	}
	d, err := c.dictIn(ci, &buf)
	if err != nil {
		return nil, buf, fmt.Errorf("chunk %d column %s: %w", c.ID, name, err)
	}
	return d, buf, nil
}

func (c *Chunk) dict(ci *ColumnInfo) (*Dict, error) {
	return c.dictIn(ci, nil)
}

// dictIn decodes a dictionary column into fresh memory, or with buf set
// into *buf's spare room (or in place).
func (c *Chunk) dictIn(ci *ColumnInfo, buf *[]byte) (*Dict, error) {
	src, err := c.stored(ci)
	if err != nil {
		return nil, err
	}
	if c.decoded != nil {
		c.decoded.Add(int64(ci.RawLen))
	}
	if buf != nil {
		return decodeDictIn(ci, src, c.Rows, buf)
	}
	if ci.Enc == encDict {
		if ci.Comp != compNone {
			b, err := decodeStored(ci.Comp, src, ci.RawLen)
			if err != nil {
				return nil, err
			}
			return decodeDict(b, c.Rows)
		}
		// Read the stored bytes in place: the codes are read where they
		// are, and only the values, which strings may view, need fresh
		// memory.
		d, err := decodeDict(src, c.Rows)
		if err == nil {
			d.ents = bytes.Clone(d.ents)
		}
		return d, err
	}
	vals, src, err := section(src, true)
	if err != nil {
		return nil, err
	}
	if comp, _, stored, rest, err := sectionHeader(src); err == nil && comp == compPacked {
		if len(rest) != 0 {
			return nil, errCorrupt
		}
		d, rest, err := decodeDictValues(vals)
		if err != nil || len(rest) != 0 {
			return nil, errCorrupt
		}
		return d, d.decodePacked(stored, c.Rows)
	}
	codes, src, err := section(src, false)
	if err != nil || len(src) != 0 {
		return nil, errCorrupt
	}
	d, rest, err := decodeDictValues(vals)
	if err != nil || len(rest) != 0 {
		return nil, errCorrupt
	}
	return d, d.decodeCodes(codes, c.Rows)
}

// decodeDictIn decodes a dictionary column's stored bytes in place when
// they are not compressed, else into *buf's spare room.
func decodeDictIn(ci *ColumnInfo, src []byte, rows int, buf *[]byte) (*Dict, error) {
	if ci.Enc == encDict {
		b, err := storedIn(ci.Comp, src, ci.RawLen, buf)
		if err != nil {
			return nil, err
		}
		return decodeDict(b, rows)
	}
	var secs [2][]byte
	packed := false
	for i := range secs {
		comp, rawLen, stored, rest, err := sectionHeader(src)
		if err != nil {
			return nil, err
		}
		if i == 1 && comp == compPacked {
			secs[i], packed = stored, true // read in place
		} else if secs[i], err = storedIn(comp, stored, rawLen, buf); err != nil {
			return nil, err
		}
		src = rest
	}
	d, rest, err := decodeDictValues(secs[0])
	if err != nil || len(rest) != 0 || len(src) != 0 {
		return nil, errCorrupt
	}
	if packed {
		return d, d.decodePacked(secs[1], rows)
	}
	return d, d.decodeCodes(secs[1], rows)
}

// section reads one section of an encDictSplit column and returns its
// decoded bytes (fresh memory when fresh is set, else maybe the stored
// bytes) and what follows it.
func section(src []byte, fresh bool) (sec, rest []byte, err error) {
	comp, rawLen, stored, rest, err := sectionHeader(src)
	if err != nil {
		return nil, nil, err
	}
	if comp == compNone && !fresh && len(stored) == rawLen {
		return stored, rest, nil // read in place
	}
	sec, err = decodeStored(comp, stored, rawLen)
	return sec, rest, err
}

// sectionHeader splits a section of an encDictSplit column into its
// compression, decoded length and stored bytes, and what follows it.
func sectionHeader(src []byte) (comp byte, rawLen int, stored, rest []byte, err error) {
	r := &reader{b: src}
	comp = r.byte1()
	raw, n := r.uvarint(), r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) || raw > maxColumnBytes {
		return 0, 0, nil, nil, errCorrupt
	}
	return comp, int(raw), r.b[:n], r.b[n:], nil
}

// storedIn returns stored bytes decoded: the stored bytes themselves when
// they are not compressed, else decompressed into *buf's spare room (grown
// as needed; the caller reuses *buf once it is done with them).
func storedIn(comp byte, stored []byte, size int, buf *[]byte) ([]byte, error) {
	switch comp {
	case compNone:
		if len(stored) == size {
			return stored, nil
		}
	case compZstd:
		start := len(*buf)
		out, err := decoder.DecodeAll(stored, slices.Grow(*buf, size+zstdSlack))
		if err == nil && len(out)-start == size {
			*buf = out
			return out[start:], nil
		}
	case compS2:
		if n, err := s2.DecodedLen(stored); err != nil || n != size {
			return nil, errCorrupt
		}
		start := len(*buf)
		*buf = slices.Grow(*buf, size)
		out, err := s2.Decode((*buf)[start:start+size], stored)
		if err == nil && len(out) == size {
			*buf = (*buf)[:start+size]
			return out, nil
		}
	}
	return nil, errCorrupt
}

// decodeStored returns stored bytes decoded, size bytes of fresh memory
// that strings may view.
func decodeStored(comp byte, stored []byte, size int) ([]byte, error) {
	switch comp {
	case compNone:
		if len(stored) == size {
			return bytes.Clone(stored), nil
		}
	case compZstd:
		out, err := decoder.DecodeAll(stored, decodeBuf(size, len(stored)))
		if err == nil && len(out) == size {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errCorrupt, err)
		}
	case compS2:
		if n, err := s2.DecodedLen(stored); err != nil || n != size {
			return nil, errCorrupt
		}
		out, err := s2.Decode(make([]byte, size), stored)
		if err == nil && len(out) == size {
			return out, nil
		}
	}
	return nil, errCorrupt
}
