package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"unsafe"
)

// Column encodings. The numbering is part of the on-disk format.
const (
	encTime    byte = 1 // int64s, delta zigzag varints, no nulls (_time)
	encStrings byte = 2 // strings or null: uvarint len+1 per row (0 = null), then the bytes
	encDict    byte = 3 // a dictionary of typed values, then a fixed-width code per row (0 = null)
	encInts    byte = 4 // ints or null: flags, a null bitmap when any, then (delta) zigzag varints
	encMixed   byte = 5 // per row a kind byte and its payload
	// encRawBlocks is _raw in blocks with a token filter each (rawblocks.go).
	encRawBlocks byte = 6
	// encDictSplit is encDict cut in two sections, the values and the
	// codes, each compressed or not on its own (see ChunkBuilder.addDict).
	encDictSplit byte = 7
	// encRawCut is encRawBlocks with some fields' values cut out of the
	// texts (rawcut.go).
	encRawCut byte = 8
)

var errCorrupt = errors.New("corrupt column")

// maxDict is the largest dictionary a column may use.
const maxDict = 1 << 16

// encodeColumn appends the encoding of vals to dst and returns it with the
// encoding used. kinds is the set of kinds present (bit i = Kind i).
func encodeColumn(dst []byte, vals []Value, kinds uint8, dict *dictBuilder) ([]byte, byte) {
	nonNull := kinds &^ (1 << KindNull)
	if nonNull == 1<<KindString && dict.build(vals) {
		return dict.encode(dst, vals), encDict
	}
	if nonNull == 1<<KindString || nonNull == 0 {
		return encodeStrings(dst, vals), encStrings
	}
	if dict.build(vals) {
		return dict.encode(dst, vals), encDict
	}
	if nonNull == 1<<KindInt {
		return encodeInts(dst, vals, kinds&(1<<KindNull) != 0), encInts
	}
	return encodeMixed(dst, vals), encMixed
}

func encodeTimes(dst []byte, ts []int64) []byte {
	prev := int64(0)
	for _, t := range ts {
		dst = binary.AppendVarint(dst, t-prev)
		prev = t
	}
	return dst
}

func decodeTimes(src []byte, n int) ([]int64, error) {
	return appendTimes(make([]int64, 0, n), src, n)
}

// appendTimes appends the n times of src to dst.
func appendTimes(dst []int64, src []byte, n int) ([]int64, error) {
	dst = slices.Grow(dst, n)
	prev := int64(0)
	for range n {
		var d int64
		if len(src) > 0 && src[0] < 0x80 { // most deltas: one byte
			d = int64(src[0]>>1) ^ -int64(src[0]&1)
			src = src[1:]
		} else {
			var k int
			if d, k = binary.Varint(src); k <= 0 {
				return nil, errCorrupt
			}
			src = src[k:]
		}
		prev += d
		dst = append(dst, prev)
	}
	return dst, nil
}

// encodeStrings writes the lengths first and the bytes after, which
// compresses better than interleaving them.
func encodeStrings(dst []byte, vals []Value) []byte {
	total := 0
	for i := range vals {
		if vals[i].K == KindNull {
			dst = append(dst, 0)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(len(vals[i].S))+1)
		total += len(vals[i].S)
	}
	for i := range vals {
		dst = append(dst, vals[i].S...)
	}
	return dst
}

// decodeStrings returns the strings of an encStrings column. They share
// src's memory, which the caller must never change afterwards.
func decodeStrings(src []byte, n int) ([]Value, error) {
	out := make([]Value, n)
	return out, decodeStringsInto(out, src)
}

// decodeStringsInto decodes len(out) strings into out, as views of src.
func decodeStringsInto(out []Value, src []byte) error {
	// The lengths come first, then the bytes: find where the bytes start.
	p := 0
	for range out {
		_, k := binary.Uvarint(src[p:])
		if k <= 0 {
			return errCorrupt
		}
		p += k
	}
	data := src[p:]
	q := 0
	for i := range out {
		l, k := binary.Uvarint(src[q:])
		q += k
		if l == 0 {
			out[i] = Null
			continue
		}
		if l-1 > uint64(len(data)) {
			return errCorrupt
		}
		out[i] = Value{K: KindString, S: bytesString(data[:l-1])}
		data = data[l-1:]
	}
	return nil
}

// Flags of the ints encoding's first byte.
const (
	intsNulls = 1 // a null bitmap follows
	intsDelta = 2 // values are deltas from the previous non-null value
	// intsFixed: a varint base and a width byte w follow, then per
	// non-null value w little-endian bytes of value - base (random sizes
	// in 0..65535 take 2 bytes instead of 3 as varints).
	intsFixed = 4
)

// encodeInts stores varints, as deltas when that is smaller (sorted or
// slowly changing values) and as plain values otherwise (random sizes).
func encodeInts(dst []byte, vals []Value, hasNulls bool) []byte {
	ints := make([]int64, len(vals))
	var nulls []bool
	if hasNulls {
		nulls = make([]bool, len(vals))
	}
	for i := range vals {
		if vals[i].K == KindNull {
			nulls[i] = true
		} else {
			ints[i] = vals[i].I
		}
	}
	return encodeInt64s(dst, ints, nulls)
}

// encodeInt64s is encodeInts of ints, with nulls[i] set where row i is
// null (nil when none is).
func encodeInt64s(dst []byte, ints []int64, nulls []bool) []byte {
	isNull := func(i int) bool { return nulls != nil && nulls[i] }
	plain, delta, prev := 0, 0, int64(0)
	lo, hi, n := int64(math.MaxInt64), int64(math.MinInt64), 0
	anyNull := false
	for i, v := range ints {
		if isNull(i) {
			anyNull = true
			continue
		}
		plain += varintLen(v)
		delta += varintLen(v - prev)
		prev = v
		lo, hi, n = min(lo, v), max(hi, v), n+1
	}
	width := 0 // bytes of hi-lo, when that fits in 7
	if n > 0 && hi-lo >= 0 {
		for r := uint64(hi - lo); r > 0 || width == 0; r >>= 8 {
			width++
		}
	}
	flags := byte(0)
	if anyNull {
		flags |= intsNulls
	}
	switch {
	case width > 0 && width < 8 && n*width+varintLen(lo)+1 < min(plain, delta):
		flags |= intsFixed
	case delta < plain:
		flags |= intsDelta
	}
	dst = append(dst, flags)
	if anyNull {
		bm := make([]byte, (len(ints)+7)/8)
		for i := range ints {
			if isNull(i) {
				bm[i/8] |= 1 << (i % 8)
			}
		}
		dst = append(dst, bm...)
	}
	if flags&intsFixed != 0 {
		dst = binary.AppendVarint(dst, lo)
		dst = append(dst, byte(width))
		for i, v := range ints {
			if !isNull(i) {
				d := uint64(v - lo)
				for range width {
					dst = append(dst, byte(d))
					d >>= 8
				}
			}
		}
		return dst
	}
	prev = 0
	for i, v := range ints {
		if !isNull(i) {
			if flags&intsDelta != 0 {
				dst = binary.AppendVarint(dst, v-prev)
				prev = v
			} else {
				dst = binary.AppendVarint(dst, v)
			}
		}
	}
	return dst
}

// decodeFixed reads the base, the width and the values of an intsFixed
// encoding into the non-null places of out.
func decodeFixed(out []int64, bm, src []byte) error {
	base, k := binary.Varint(src)
	if k <= 0 || len(src) < k+1 {
		return errCorrupt
	}
	w := int(src[k])
	src = src[k+1:]
	if w < 1 || w > 7 {
		return errCorrupt
	}
	for i := range out {
		if bm != nil && bm[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		if len(src) < w {
			return errCorrupt
		}
		var d uint64
		if w == 2 {
			d = uint64(binary.LittleEndian.Uint16(src))
		} else {
			for j := w - 1; j >= 0; j-- {
				d = d<<8 | uint64(src[j])
			}
		}
		out[i] = base + int64(d)
		src = src[w:]
	}
	return nil
}

func varintLen(x int64) int {
	ux := uint64(x) << 1
	if x < 0 {
		ux = ^ux
	}
	n := 1
	for ux >= 0x80 {
		ux >>= 7
		n++
	}
	return n
}

func decodeInts(src []byte, n int) ([]Value, error) {
	ints, nulls, err := decodeInt64s(src, n)
	if err != nil {
		return nil, err
	}
	out := make([]Value, n)
	for i, v := range ints {
		if nulls == nil || nulls[i/8]&(1<<(i%8)) == 0 {
			out[i] = Value{K: KindInt, I: v}
		}
	}
	return out, nil
}

// decodeInt64s decodes an encInts column to its values (0 where null)
// and its null bitmap (bit i set: row i is null; nil when none is).
func decodeInt64s(src []byte, n int) ([]int64, []byte, error) {
	if len(src) < 1 || src[0] > intsNulls|intsDelta|intsFixed || src[0]&(intsDelta|intsFixed) == intsDelta|intsFixed {
		return nil, nil, errCorrupt
	}
	flags := src[0]
	src = src[1:]
	var bm []byte
	if flags&intsNulls != 0 {
		if len(src) < (n+7)/8 {
			return nil, nil, errCorrupt
		}
		bm, src = src[:(n+7)/8], src[(n+7)/8:]
	}
	out := make([]int64, n)
	if flags&intsFixed != 0 {
		return out, bm, decodeFixed(out, bm, src)
	}
	prev := int64(0)
	delta := flags&intsDelta != 0
	for i := range out {
		if bm != nil && bm[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		d, k := binary.Varint(src)
		if k <= 0 {
			return nil, nil, errCorrupt
		}
		src = src[k:]
		if delta {
			d += prev
			prev = d
		}
		out[i] = d
	}
	return out, bm, nil
}

func appendValue(dst []byte, v Value) []byte {
	dst = append(dst, byte(v.K))
	switch v.K {
	case KindString:
		dst = binary.AppendUvarint(dst, uint64(len(v.S)))
		dst = append(dst, v.S...)
	case KindInt, KindBool, KindTime:
		dst = binary.AppendVarint(dst, v.I)
	case KindFloat:
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.F))
	}
	return dst
}

func readValue(src []byte) (Value, []byte, error) {
	if len(src) < 1 {
		return Null, nil, errCorrupt
	}
	k := Kind(src[0])
	src = src[1:]
	switch k {
	case KindNull:
		return Null, src, nil
	case KindString:
		l, n := binary.Uvarint(src)
		if n <= 0 || l > uint64(len(src)-n) {
			return Null, nil, errCorrupt
		}
		return Value{K: k, S: bytesString(src[n : n+int(l)])}, src[n+int(l):], nil
	case KindInt, KindBool, KindTime:
		i, n := binary.Varint(src)
		if n <= 0 {
			return Null, nil, errCorrupt
		}
		return Value{K: k, I: i}, src[n:], nil
	case KindFloat:
		if len(src) < 8 {
			return Null, nil, errCorrupt
		}
		return Value{K: k, F: math.Float64frombits(binary.LittleEndian.Uint64(src))}, src[8:], nil
	}
	return Null, nil, fmt.Errorf("%w: unknown kind %d", errCorrupt, k)
}

func encodeMixed(dst []byte, vals []Value) []byte {
	for i := range vals {
		dst = appendValue(dst, vals[i])
	}
	return dst
}

func decodeMixed(src []byte, n int) ([]Value, error) {
	out := make([]Value, n)
	var err error
	for i := range out {
		if out[i], src, err = readValue(src); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dictBuilder assigns codes to distinct values; it is reused between
// columns to save allocations. Strings, the common case, use a map keyed
// by the string alone, which hashes far faster than a whole Value.
type dictBuilder struct {
	strs   map[string]uint32
	others map[Value]uint32
	values []Value
	width  int
	split  int // set by encode: where in its output the codes begin
}

// dictLimit is the most values a dictionary of rows rows may hold: a
// quarter of them (at least 16), and fewer than maxDict.
func dictLimit(rows int) int { return min(max(rows/4, 16), maxDict-1) }

// codeWidth is the bytes per code of a dictionary of n values.
func codeWidth(n int) int {
	if n >= 256 {
		return 2
	}
	return 1
}

// appendCode appends a row's code in width bytes, little-endian.
func appendCode(dst []byte, width int, code uint16) []byte {
	if width == 1 {
		return append(dst, byte(code))
	}
	return binary.LittleEndian.AppendUint16(dst, code)
}

// build reports whether vals have at most dictLimit distinct non-null
// values, leaving the dictionary ready for encode when so.
func (d *dictBuilder) build(vals []Value) bool {
	if d.strs == nil {
		d.strs, d.others = make(map[string]uint32), make(map[Value]uint32)
	}
	clear(d.strs)
	clear(d.others)
	d.values = d.values[:0]
	limit := dictLimit(len(vals))
	var last Value
	for i := range vals {
		v := vals[i]
		k := dictKey(v)
		if v.K == KindNull || (i > 0 && k == last) {
			continue
		}
		last = k
		if v.K == KindFloat && math.IsNaN(v.F) {
			return false // NaN != NaN: a map cannot hold it
		}
		if _, ok := d.code(v); ok {
			continue
		}
		if len(d.values) >= limit {
			return false
		}
		d.values = append(d.values, v)
		if v.K == KindString {
			d.strs[v.S] = uint32(len(d.values))
		} else {
			d.others[k] = uint32(len(d.values))
		}
	}
	d.width = codeWidth(len(d.values))
	return true
}

func (d *dictBuilder) code(v Value) (uint32, bool) {
	if v.K == KindString {
		c, ok := d.strs[v.S]
		return c, ok
	}
	c, ok := d.others[dictKey(v)]
	return c, ok
}

// dictKey is v as a key of a dictionary's map: the float -0 apart from 0,
// which == (and so a map) takes for the same value, so that a column of
// both reads back each as it was.
func dictKey(v Value) Value {
	if v.K == KindFloat && v.F == 0 && math.Signbit(v.F) {
		return Value{K: KindFloat, I: 1}
	}
	return v
}

func (d *dictBuilder) encode(dst []byte, vals []Value) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(d.values)))
	for _, v := range d.values {
		dst = appendValue(dst, v)
	}
	d.split = len(dst) // where the codes begin
	dst = append(dst, byte(d.width))
	var last Value
	var lastCode uint32
	for i := range vals {
		code := uint32(0)
		if vals[i].K != KindNull {
			if k := dictKey(vals[i]); i > 0 && k == last {
				code = lastCode
			} else {
				code, _ = d.code(vals[i])
				last, lastCode = k, code
			}
		}
		dst = appendCode(dst, d.width, uint16(code))
	}
	return dst
}

// Dict is a dictionary-encoded column: per row a code, 0 for null, else
// 1 + the index of its value in the dictionary. The values stay encoded
// until asked for: a query often needs a few of a field's many values
// (the client IPs of the 404s), and decoding them all was a third of
// such a query's time. The codes stay as stored too (one or two bytes
// each, possibly in bbolt's memory map: a Dict is valid during the scan
// work that read it); a code beyond the dictionary, which only damage can
// make, reads as null.
type Dict struct {
	codes []byte // width bytes per row, little-endian; or packed (bits)
	width int
	ents  []byte   // the encoded values
	offs  []uint32 // where each value starts in ents, and where the last ends
	// bits, when not 0, says the codes are packed: bits (1, 2 or 4) per
	// code, the first row in the lowest bits of the first byte; first is
	// the row of the packed codes that is this Dict's row 0, rows its rows.
	bits        uint8
	first, rows int
}

// Len returns the number of values in the dictionary.
func (d *Dict) Len() int { return len(d.offs) - 1 }

// Rows returns the number of rows.
func (d *Dict) Rows() int {
	if d.bits != 0 {
		return d.rows
	}
	return len(d.codes) / d.width
}

// Code returns the code of row r.
func (d *Dict) Code(r int) uint16 {
	var c uint16
	switch {
	case d.bits != 0:
		c = d.packedCode(r)
	case d.width == 1:
		c = uint16(d.codes[r])
	default:
		c = binary.LittleEndian.Uint16(d.codes[2*r:])
	}
	if int(c) > d.Len() {
		return 0
	}
	return c
}

// Value returns the value of a non-zero code.
func (d *Dict) Value(code uint16) Value {
	v, _, _ := readValue(d.ents[d.offs[code-1]:d.offs[code]]) // checked by decodeDict
	return v
}

// slice returns the dictionary of rows lo to hi.
func (d *Dict) slice(lo, hi int) *Dict {
	if d.bits != 0 {
		c := *d
		c.first, c.rows = d.first+lo, hi-lo
		return &c
	}
	return &Dict{codes: d.codes[lo*d.width : hi*d.width], width: d.width, ents: d.ents, offs: d.offs}
}

// selectRows returns the dictionary of the rows sel, in fresh memory.
func (d *Dict) selectRows(sel []int) *Dict {
	if d.bits != 0 { // as one byte per code: packed codes fit one
		codes := make([]byte, len(sel))
		for i, r := range sel {
			codes[i] = byte(d.Code(r))
		}
		return &Dict{codes: codes, width: 1, ents: d.ents, offs: d.offs}
	}
	codes := make([]byte, len(sel)*d.width)
	for i, r := range sel {
		copy(codes[i*d.width:(i+1)*d.width], d.codes[r*d.width:])
	}
	return &Dict{codes: codes, width: d.width, ents: d.ents, offs: d.offs}
}

// matchTable sets out[r] to table[code of row r] for every row; table has an
// entry per code, 0 (null) included.
func (d *Dict) matchTable(table []bool, out []bool) {
	n := uint16(d.Len())
	if d.bits != 0 {
		for r := range out {
			if c := d.packedCode(r); int(c) <= int(n) {
				out[r] = table[c]
			}
		}
		return
	}
	if d.width == 1 {
		for r, c := range d.codes[:len(out)] {
			if uint16(c) <= n {
				out[r] = table[c]
			}
		}
		return
	}
	for r := range out {
		if c := binary.LittleEndian.Uint16(d.codes[2*r:]); c <= n {
			out[r] = table[c]
		}
	}
}

// appendMatching appends to dst the rows whose code's table entry is
// true: Match and a pass over its flags in one.
func (d *Dict) appendMatching(table []bool, dst []int) []int {
	n := uint16(d.Len())
	if d.bits != 0 {
		return d.appendMatchingPacked(table, dst)
	}
	if d.width == 1 {
		// One matching code (a field compared with one value): let
		// IndexByte find its rows, many bytes at a time.
		if c, ok := onlyTrue(table); ok && c > 0 {
			for r, codes := 0, d.codes; ; {
				i := bytes.IndexByte(codes[r:], byte(c))
				if i < 0 {
					return dst
				}
				dst = append(dst, r+i)
				r += i + 1
			}
		}
		var t [256]bool              // every byte has an entry: no bounds test per row
		copy(t[:], table[:int(n)+1]) // a code past the values matches nothing

		for r, c := range d.codes {
			if t[c] {
				dst = append(dst, r)
			}
		}
		return dst
	}
	for r := range len(d.codes) / 2 {
		if c := binary.LittleEndian.Uint16(d.codes[2*r:]); c <= n && table[c] {
			dst = append(dst, r)
		}
	}
	return dst
}

// onlyTrue returns the one true entry of table, if exactly one is true.
func onlyTrue(table []bool) (int, bool) {
	at := -1
	for i, t := range table {
		if t {
			if at >= 0 {
				return 0, false
			}
			at = i
		}
	}
	return at, at >= 0
}

func decodeDict(src []byte, n int) (*Dict, error) {
	d, rest, err := decodeDictValues(src)
	if err != nil {
		return nil, err
	}
	return d, d.decodeCodes(rest, n)
}

// decodeDictValues reads the values of a dictionary (keeping src) and
// returns the bytes after them.
func decodeDictValues(src []byte) (*Dict, []byte, error) {
	nd, k := binary.Uvarint(src)
	if k <= 0 || nd >= maxDict {
		return nil, nil, errCorrupt
	}
	src = src[k:]
	d := &Dict{ents: src, offs: make([]uint32, nd+1), width: 1}
	// Find where each value starts, checking that each reads whole.
	off := 0
	for i := range nd {
		d.offs[i] = uint32(off)
		l, err := valueLen(src[off:])
		if err != nil {
			return nil, nil, err
		}
		off += l
	}
	d.offs[nd] = uint32(off)
	d.ents = src[:off]
	return d, src[off:], nil
}

// appendMatchingPacked is appendMatching of packed codes: a table of
// the lanes that match for every byte value finds a byte's matching rows
// at once, and most bytes have none.
func (d *Dict) appendMatchingPacked(table []bool, dst []int) []int {
	n := d.Len()
	per := 8 / int(d.bits) // codes per byte
	var lanes [256]uint8   // bit i: the byte's i-th code matches
	mask := 1<<d.bits - 1
	for b := range lanes {
		for i := range per {
			c := b >> (i * int(d.bits)) & mask
			if c <= n && table[c] {
				lanes[b] |= 1 << i
			}
		}
	}
	r, end := 0, d.rows
	for ; r < end && (d.first+r)%per != 0; r++ { // up to a byte's first code
		if c := d.packedCode(r); int(c) <= n && table[c] {
			dst = append(dst, r)
		}
	}
	whole := r + (end-r)/per*per
	body := d.codes[(d.first+r)/per : (d.first+whole)/per]
	if c, ok := onlyTrue(table); ok && c > 0 && c <= n {
		// One matching code: compare the codes of 8 bytes at once.
		words := len(body) / 8
		dst = matchPackedWords(body[:words*8], uint64(c), d.bits, r, dst)
		r += words * 8 * per
		body = body[words*8:]
	}
	for i, b := range body {
		for m := lanes[b]; m != 0; m &= m - 1 {
			dst = append(dst, r+i*per+bits.TrailingZeros8(m))
		}
	}
	for r = whole; r < end; r++ {
		if c := d.packedCode(r); int(c) <= n && table[c] {
			dst = append(dst, r)
		}
	}
	return dst
}

// matchPackedWords appends row0 + the rows of the packed codes in words
// (8 bytes each, bits a code) that equal c. In a word x of codes xor c,
// a lane is zero exactly when its code is c: adding its low bits to all
// ones below the lane's top bit carries into the top bit unless they are
// all zero, and cannot carry into the next lane.
func matchPackedWords(words []byte, c uint64, b uint8, row0 int, dst []int) []int {
	var lsb uint64 // the lowest bit of every lane
	for i := 0; i < 64; i += int(b) {
		lsb |= 1 << i
	}
	low := lsb * (1<<(b-1) - 1) // every bit of a lane but its top one
	high := lsb << (b - 1)      // the top bit of every lane
	rep := lsb * c              // c in every lane
	per := 64 / int(b)
	for i := 0; i+8 <= len(words); i += 8 {
		x := binary.LittleEndian.Uint64(words[i:]) ^ rep
		z := ^(((x & low) + low) | x) & high // top bit set: lane equals c
		for ; z != 0; z &= z - 1 {
			dst = append(dst, row0+i/8*per+bits.TrailingZeros64(z)/int(b))
		}
	}
	return dst
}

// packedCode returns the packed code of row r as stored (it may be past
// the values: only damage makes one).
func (d *Dict) packedCode(r int) uint16 {
	p := (d.first + r) * int(d.bits) // a code never crosses a byte
	return uint16(d.codes[p>>3]>>(p&7)) & (1<<d.bits - 1)
}

// packedBits returns how many bits a packed code of n values takes, or
// 0 when codes of n values are not packed.
func packedBits(n int) uint8 {
	switch {
	case n <= 1:
		return 1
	case n <= 3:
		return 2
	case n <= 15:
		return 4
	}
	return 0
}

// appendPackedCodes appends the packed codes of a codes section (a width
// byte, then a byte per code): the bits byte, then the codes.
func appendPackedCodes(dst, sec []byte, bits uint8) []byte {
	dst = append(dst, bits)
	per := 8 / int(bits)
	codes := sec[1:]
	for i := 0; i < len(codes); i += per {
		var b byte
		for j := 0; j < per && i+j < len(codes); j++ {
			b |= codes[i+j] << (j * int(bits))
		}
		dst = append(dst, b)
	}
	return dst
}

// decodePacked takes the packed codes of n rows from a section stored
// packed (the bits byte, then the codes), without copying them.
func (d *Dict) decodePacked(src []byte, n int) error {
	if len(src) < 1 {
		return errCorrupt
	}
	bits := src[0]
	if bits != 1 && bits != 2 && bits != 4 || len(src)-1 != (n*int(bits)+7)/8 {
		return errCorrupt
	}
	d.bits, d.codes, d.first, d.rows, d.width = bits, src[1:], 0, n, 1
	return nil
}

// decodeCodes reads the width byte and takes the codes of n rows from
// src, without copying them.
func (d *Dict) decodeCodes(src []byte, n int) error {
	if len(src) < 1 {
		return errCorrupt
	}
	width := int(src[0])
	src = src[1:]
	if (width != 1 && width != 2) || len(src) < width*n {
		return errCorrupt
	}
	d.width, d.codes = width, src[:width*n]
	return nil
}

// valueLen returns the length of the encoded value at the start of src.
func valueLen(src []byte) (int, error) {
	if len(src) < 1 {
		return 0, errCorrupt
	}
	switch Kind(src[0]) {
	case KindNull:
		return 1, nil
	case KindString:
		l, n := binary.Uvarint(src[1:])
		if n <= 0 || l > uint64(len(src)-1-n) {
			return 0, errCorrupt
		}
		return 1 + n + int(l), nil
	case KindInt, KindBool, KindTime:
		if _, n := binary.Varint(src[1:]); n > 0 {
			return 1 + n, nil
		}
	case KindFloat:
		if len(src) >= 9 {
			return 9, nil
		}
	default:
		return 0, fmt.Errorf("%w: unknown kind %d", errCorrupt, src[0])
	}
	return 0, errCorrupt
}

// distinct returns every value of the dictionary, in code order (code c
// is Values()[c-1]).
func (d *Dict) distinct() []Value {
	out := make([]Value, d.Len())
	for i := range out {
		out[i] = d.Value(uint16(i + 1))
	}
	return out
}

// expand returns the values of the dictionary column, row by row.
func (d *Dict) expand() []Value {
	vals := d.distinct()
	out := make([]Value, d.Rows())
	for i := range out {
		c := d.Code(i)
		if c != 0 {
			out[i] = vals[c-1]
		}
	}
	return out
}

// bytesString views b as a string without copying. b must never change.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
