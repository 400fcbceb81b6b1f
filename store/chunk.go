package store

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"slices"
	"strings"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// chunkMagic starts every chunk value this code writes: chunks with a
// checksum per section (format 4). chunkMagicV1 starts the chunks of
// formats 1 to 3, with one checksum over the whole value.
var (
	chunkMagic   = []byte("LHC2")
	chunkMagicV1 = []byte("LHC1")
)

// compression of a column's bytes
const (
	compNone byte = 0
	compZstd byte = 1
	// compPacked is the codes section of a dictionary of at most 15
	// values packed 1, 2 or 4 bits a code (format 5): read in place, and
	// a byte's codes are matched at once.
	compPacked byte = 2
	// compS2 is the values section of a dictionary column compressed
	// with S2 (format 6): a query decodes the values of every dictionary
	// it groups or filters by in each chunk it reads, and S2 decodes
	// several times faster than zstd.
	compS2 byte = 3
)

// minCompress is the size below which a column is stored uncompressed.
const minCompress = 64

// Reserved column names in a chunk.
const (
	ColTime = "_time"
	ColRaw  = "_raw"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ChunkBuilder collects events of one source and encodes them as a chunk.
// A builder is used by one goroutine at a time and reused across chunks.
// It keeps no view of an event's text past Encode, so the caller may
// reuse that memory.
type ChunkBuilder struct {
	Source     string // the source field value of every event
	Sourcetype string
	SourceKey  string // the key of the source record in the sources bucket

	times []int64
	raws  []Value
	cols  []*colBuilder
	index map[string]int

	enc *zstd.Encoder
	// fast compresses the _raw blocks that have fields cut out (made on
	// first use): what is left of a web log line compresses about as
	// well at zstd's fastest level, 25% sooner.
	fast   *zstd.Encoder
	sec    []byte // scratch for a compressed section
	packed []byte // scratch for packed codes
	// intDict and intOrder: scratch for a dictionary of ints
	intDict  map[int64]uint16
	intOrder []int64
	payload  []byte  // scratch for the blocks of _raw
	cutOffs  []int32 // scratch for where cut fields were in a block of _raw
	data     []byte  // scratch for the columns of a chunk
	dict     dictBuilder
	tokens   hashSet
	buf      []byte
	perm     []int
}

type colBuilder struct {
	name  string
	vals  []Value // the values, unless coded
	kinds uint8
	// coded: the values are text or null so far, kept as codes (see
	// coded.go): codes[row] is 0 for null, else 1 + an index in strs.
	coded    bool
	codes    []uint16
	offs     []int32 // per row: where the value lies in the event's _raw, or -1
	strs     []string
	index    map[string]uint16
	last     string // the last value added, and its code (0: none)
	lastCode uint16
	// inRaw rows have their value within _raw, inRawBytes bytes in all
	// (for rawCuts).
	inRaw, inRawBytes int
	// intMode: the values are ints or null so far, kept in ints (nulls
	// marks the null rows, nil while there is none); see coded.go.
	intMode bool
	ints    []int64
	nulls   []bool
}

func newColBuilder(name string) *colBuilder {
	c := &colBuilder{name: name}
	c.resetCoded()
	return c
}

// NewChunkBuilder returns a builder for events of the given source.
func NewChunkBuilder(source, sourcetype, sourceKey string) *ChunkBuilder {
	return &ChunkBuilder{Source: source, Sourcetype: sourcetype, SourceKey: sourceKey,
		index: make(map[string]int), enc: newEncoder(zstd.SpeedDefault)}
}

func newEncoder(level zstd.EncoderLevel) *zstd.Encoder {
	// No zstd checksum: the chunk's CRC-32C covers every byte already.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level),
		zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false))
	if err != nil {
		panic("BUG: zstd encoder: " + err.Error())
	}
	return enc
}

// Len returns the number of events added since the last Encode.
func (b *ChunkBuilder) Len() int { return len(b.times) }

// Add appends an event. The builder keeps ev.Raw and the field values, not ev.
func (b *ChunkBuilder) Add(ev *Event) {
	row := len(b.times)
	b.times = append(b.times, ev.Time)
	b.raws = append(b.raws, Value{K: KindString, S: ev.Raw})
	for i := range ev.Fields {
		f := &ev.Fields[i]
		var c *colBuilder
		// Events of one format name their fields in the same order, so
		// the column at the same position is usually the right one.
		if i < len(b.cols) && b.cols[i].name == f.Name {
			c = b.cols[i]
		} else if j, ok := b.index[f.Name]; ok {
			c = b.cols[j]
		} else {
			// A copy: the name may view the event's text, whose memory
			// the caller reuses after Encode.
			c = newColBuilder(strings.Clone(f.Name))
			b.index[c.name] = len(b.cols)
			b.cols = append(b.cols, c)
		}
		if n := c.rows(); n != row {
			if n > row {
				continue // a repeated name: the first value wins
			}
			for ; n < row; n++ {
				c.appendNull()
			}
		}
		if c.coded {
			if c.addCoded(f.Value, ev.Raw) {
				continue
			}
			if f.Value.K == KindInt && len(c.strs) == 0 {
				c.toInts()
			} else {
				c.uncode()
			}
		}
		if c.intMode {
			if c.addInt(f.Value) {
				continue
			}
			c.unint()
		}
		c.vals = append(c.vals, f.Value)
		c.kinds |= 1 << f.Value.K
	}
	for _, c := range b.cols {
		if c.rows() <= row {
			c.appendNull()
		}
	}
}

// EncodedChunk is a chunk ready to be written.
type EncodedChunk struct {
	SourceKey        string
	MinTime, MaxTime int64
	Rows             int
	Blob             []byte
	Fields           []FieldStat // one per column but _time and _raw
}

// Encode sorts the collected events by time (stably, so events with equal
// times keep their input order), encodes them, and resets the builder.
func (b *ChunkBuilder) Encode() *EncodedChunk {
	n := len(b.times)
	if n == 0 {
		return nil
	}
	b.sortByTime()
	h := header{rows: n, minTime: b.times[0], maxTime: b.times[n-1],
		source: b.Source, sourcetype: b.Sourcetype, sourceKey: b.SourceKey}

	data := b.data[:0] // copied into the blob below
	var stats []FieldStat
	data = b.addColumn(&h, data, ColTime, encTime, encodeTimes(b.buf[:0], b.times), 1<<KindTime, 0)
	// _raw: in blocks, each with its token filter (the header's filter
	// stays empty).
	ci := ColumnInfo{Name: ColRaw, Comp: compNone, Off: len(data), Kinds: 1 << KindString}
	var dirLen int
	data, ci.RawLen, ci.Enc, dirLen = b.encodeRawBlocks(data, b.raws)
	ci.Len = len(data) - ci.Off
	// The column's checksum covers its directory; each block has its own.
	ci.sum = crc32.Checksum(data[ci.Off:ci.Off+dirLen], crcTable)
	h.cols = append(h.cols, ci)
	for _, c := range b.cols {
		if c.kinds&^(1<<KindNull) == 0 {
			continue // not in this chunk's events
		}
		if c.intMode {
			raw, enc, split := b.encodeIntCol(b.buf[:0], c)
			fs, lo, hi, any := c.intStat()
			nulls := n - int(fs.Kinds[KindInt])
			if enc == encDict {
				b.dict.split = split
				data = b.addDict(&h, data, c.name, raw, c.kinds, nulls)
			} else {
				data = b.addColumn(&h, data, c.name, enc, raw, c.kinds, nulls)
			}
			if any {
				ci := &h.cols[len(h.cols)-1]
				ci.HasRange, ci.Min, ci.Max = true, float64(lo), float64(hi)
			}
			stats = append(stats, fs)
			continue
		}
		if c.coded {
			raw, split, ok := c.encodeCoded(b.buf[:0])
			if ok {
				fs := c.codedStat()
				b.dict.split = split
				data = b.addDict(&h, data, c.name, raw, c.kinds, n-int(fs.Kinds[KindString]))
				stats = append(stats, fs)
				continue
			}
			b.buf = raw[:0]
			c.uncode()
		}
		raw, enc := encodeColumn(b.buf[:0], c.vals, c.kinds, &b.dict)
		nulls := 0
		for i := range c.vals {
			if c.vals[i].K == KindNull {
				nulls++
			}
		}
		if enc == encDict {
			data = b.addDict(&h, data, c.name, raw, c.kinds, nulls)
		} else {
			data = b.addColumn(&h, data, c.name, enc, raw, c.kinds, nulls)
		}
		setRange(&h.cols[len(h.cols)-1], c.vals)
		stats = append(stats, newFieldStat(c.name, c.vals, c.kinds))
	}

	hb := h.marshal()
	blob := make([]byte, 0, len(chunkMagic)+binary.MaxVarintLen64+len(hb)+len(data)+4)
	blob = append(blob, chunkMagic...)
	blob = binary.AppendUvarint(blob, uint64(len(hb)))
	blob = append(blob, hb...)
	blob = binary.LittleEndian.AppendUint32(blob, crc32.Checksum(blob, crcTable))
	blob = append(blob, data...)
	b.data = data
	blob = binary.LittleEndian.AppendUint32(blob, crc32.Checksum(blob, crcTable))

	b.reset()
	return &EncodedChunk{SourceKey: h.sourceKey, MinTime: h.minTime, MaxTime: h.maxTime,
		Rows: n, Blob: blob, Fields: stats}
}

func (b *ChunkBuilder) addColumn(h *header, data []byte, name string, enc byte, raw []byte, kinds uint8, nulls int) []byte {
	b.buf = raw[:0] // keep the grown buffer for the next column
	ci := ColumnInfo{Name: name, Enc: enc, RawLen: len(raw), Off: len(data), Kinds: kinds, Nulls: nulls}
	data, ci.Comp = appendPacked(b.enc, data, raw, 5)
	ci.Len = len(data) - ci.Off
	ci.sum = crc32.Checksum(data[ci.Off:], crcTable)
	h.cols = append(h.cols, ci)
	return data
}

// appendPacked appends raw to dst, compressed by enc when that saves at
// least 1/worth of it (plain bytes read several times faster), and says
// which it did. Columns and _raw blocks compress when that saves a fifth.
func appendPacked(enc *zstd.Encoder, dst, raw []byte, worth int) ([]byte, byte) {
	start := len(dst)
	if len(raw) >= minCompress {
		if dst = enc.EncodeAll(raw, dst); len(dst)-start <= len(raw)-len(raw)/worth {
			return dst, compZstd
		}
		dst = dst[:start]
	}
	return append(dst, raw...), compNone
}

// addDict appends a dictionary column as encDictSplit: its values and its
// codes are two sections, each a compression byte, decoded and stored
// sizes, and the bytes. Values (text) shrink well; the codes of a field
// with many values barely do, and a query reads them in place, while the
// codes of a field with few values shrink several times.
func (b *ChunkBuilder) addDict(h *header, data []byte, name string, raw []byte, kinds uint8, nulls int) []byte {
	ci := ColumnInfo{Name: name, Enc: encDictSplit, Comp: compNone, RawLen: len(raw), Off: len(data),
		Kinds: kinds, Nulls: nulls}
	split := b.dict.split
	data = b.appendValues(data, raw[:split])
	// Codes are compressed only when that halves them: a query reads
	// codes that are not in place (a search for a rare word puts the
	// client address back into each line it reads, from every chunk's
	// codes), and the codes of a field with many values shrink little.
	nvals, _ := binary.Uvarint(raw)
	data = b.appendCodes(data, raw[split:], packedBits(int(nvals)))
	b.buf = raw[:0]
	ci.Len = len(data) - ci.Off
	ci.sum = crc32.Checksum(data[ci.Off:], crcTable)
	h.cols = append(h.cols, ci)
	return data
}

// appendCodes appends the codes section of an encDictSplit column. The
// codes of at most 15 values are packed (bits a code) unless zstd makes
// them three times smaller still (a field that is nearly always one
// value): a filter on such a field (status=404) reads them in place and
// matches a byte's codes at once, where decoding zstd was a third of its
// time.
func (b *ChunkBuilder) appendCodes(data, sec []byte, bits uint8) []byte {
	if bits == 0 || len(sec) < 1 || sec[0] != 1 {
		return b.appendSection(data, sec, 2)
	}
	packed := appendPackedCodes(b.packed[:0], sec, bits)
	b.packed = packed
	z, comp := appendPacked(b.enc, b.sec[:0], sec, 2)
	b.sec = z
	if comp == compZstd && 3*len(z) < len(packed) {
		return b.appendStored(data, sec, z, comp)
	}
	return b.appendStored(data, sec, packed, compPacked)
}

// appendSection appends one section of an encDictSplit column: zstd when
// that saves at least 1/worth of it.
func (b *ChunkBuilder) appendSection(data, sec []byte, worth int) []byte {
	payload, comp := appendPacked(b.enc, b.sec[:0], sec, worth)
	b.sec = payload
	return b.appendStored(data, sec, payload, comp)
}

// valuesS2 is whether dictionary values are written with S2 (format 6)
// rather than zstd (format 5, which readers still read; tests write it).
var valuesS2 = true

// appendValues appends the values section of an encDictSplit column: S2
// when that saves a fifth of it.
func (b *ChunkBuilder) appendValues(data, sec []byte) []byte {
	if !valuesS2 {
		return b.appendSection(data, sec, 5)
	}
	if len(sec) >= minCompress {
		z := s2.Encode(b.sec[:cap(b.sec)], sec)
		b.sec = z[:0]
		if len(z) <= len(sec)-len(sec)/5 {
			return b.appendStored(data, sec, z, compS2)
		}
	}
	return b.appendStored(data, sec, sec, compNone)
}

// appendStored appends a section: its compression, the decoded size of
// sec, the stored size and the stored bytes.
func (b *ChunkBuilder) appendStored(data, sec, payload []byte, comp byte) []byte {
	data = append(data, comp)
	data = binary.AppendUvarint(data, uint64(len(sec)))
	data = binary.AppendUvarint(data, uint64(len(payload)))
	return append(data, payload...)
}

// setRange records the numeric range of an int or float column, so a
// comparison can skip chunks that cannot match.
func setRange(ci *ColumnInfo, vals []Value) {
	nonNull := ci.Kinds &^ (1 << KindNull)
	if nonNull == 0 || nonNull&^(1<<KindInt|1<<KindFloat) != 0 {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range vals {
		f, ok := vals[i].Number()
		if !ok || vals[i].K == KindNull {
			continue
		}
		if math.IsNaN(f) {
			return
		}
		lo, hi = min(lo, f), max(hi, f)
	}
	ci.HasRange, ci.Min, ci.Max = true, lo, hi
}

func (b *ChunkBuilder) sortByTime() {
	if slices.IsSorted(b.times) {
		return
	}
	n := len(b.times)
	b.perm = b.perm[:0]
	for i := 0; i < n; i++ {
		b.perm = append(b.perm, i)
	}
	slices.SortStableFunc(b.perm, func(x, y int) int {
		switch {
		case b.times[x] < b.times[y]:
			return -1
		case b.times[x] > b.times[y]:
			return 1
		}
		return 0
	})
	times := make([]int64, n)
	for i, p := range b.perm {
		times[i] = b.times[p]
	}
	b.times = times
	b.raws = permute(b.raws, b.perm)
	for _, c := range b.cols {
		switch {
		case c.coded:
			codes, offs := make([]uint16, n), make([]int32, n)
			for i, p := range b.perm {
				codes[i], offs[i] = c.codes[p], c.offs[p]
			}
			c.codes, c.offs = codes, offs
		case c.intMode:
			ints := make([]int64, n)
			for i, p := range b.perm {
				ints[i] = c.ints[p]
			}
			c.ints = ints
			if c.nulls != nil {
				nulls := make([]bool, n)
				for i, p := range b.perm {
					nulls[i] = c.nulls[p]
				}
				c.nulls = nulls
			}
		default:
			c.vals = permute(c.vals, b.perm)
		}
	}
}

func permute(vals []Value, perm []int) []Value {
	out := make([]Value, len(vals))
	for i, p := range perm {
		out[i] = vals[p]
	}
	return out
}

func (b *ChunkBuilder) reset() {
	b.times = b.times[:0]
	clear(b.raws)
	b.raws = b.raws[:0]
	for _, c := range b.cols {
		clear(c.vals)
		c.vals = c.vals[:0]
		c.kinds = 0
		c.intMode, c.ints, c.nulls = false, c.ints[:0], nil
		c.resetCoded()
	}
	// Drop columns that were not used lately to keep sparse JSON cheap.
	if len(b.cols) > 256 {
		b.cols = nil
		clear(b.index)
	}
}
