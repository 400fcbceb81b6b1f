package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// Column encodings. The numbering is part of the on-disk format.
const (
	encTime    byte = 1 // int64s, delta zigzag varints, no nulls (_time)
	encStrings byte = 2 // strings or null: uvarint len+1 per row (0 = null), then the bytes
	encDict    byte = 3 // a dictionary of typed values, then a fixed-width code per row (0 = null)
	encInts    byte = 4 // ints or null: flags, a null bitmap when any, then (delta) zigzag varints
	encMixed   byte = 5 // per row a kind byte and its payload
)

var errCorrupt = errors.New("corrupt column")

// maxDict is the largest dictionary a column may use.
const maxDict = 1 << 16

// encodeColumn appends the encoding of vals to dst and returns it with the
// encoding used. kinds is the set of kinds present (bit i = Kind i).
func encodeColumn(dst []byte, vals []Value, kinds uint8, dict *dictBuilder) ([]byte, byte) {
	nonNull := kinds &^ (1 << KindNull)
	if nonNull == 1<<KindString && dict.build(vals, len(vals)/4) {
		return dict.encode(dst, vals), encDict
	}
	if nonNull == 1<<KindString || nonNull == 0 {
		return encodeStrings(dst, vals), encStrings
	}
	if dict.build(vals, len(vals)/4) {
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
	out := make([]int64, n)
	prev := int64(0)
	for i := range out {
		d, k := binary.Varint(src)
		if k <= 0 {
			return nil, errCorrupt
		}
		src = src[k:]
		prev += d
		out[i] = prev
	}
	return out, nil
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
	lens := make([]int, n)
	for i := range lens {
		l, k := binary.Uvarint(src)
		if k <= 0 {
			return nil, errCorrupt
		}
		src = src[k:]
		lens[i] = int(l) - 1
	}
	for i, l := range lens {
		if l < 0 {
			continue
		}
		if l > len(src) {
			return nil, errCorrupt
		}
		out[i] = Value{K: KindString, S: bytesString(src[:l])}
		src = src[l:]
	}
	return out, nil
}

// Flags of the ints encoding's first byte.
const (
	intsNulls = 1 // a null bitmap follows
	intsDelta = 2 // values are deltas from the previous non-null value
)

// encodeInts stores varints, as deltas when that is smaller (sorted or
// slowly changing values) and as plain values otherwise (random sizes).
func encodeInts(dst []byte, vals []Value, nulls bool) []byte {
	plain, delta, prev := 0, 0, int64(0)
	for i := range vals {
		if vals[i].K != KindNull {
			plain += varintLen(vals[i].I)
			delta += varintLen(vals[i].I - prev)
			prev = vals[i].I
		}
	}
	flags := byte(0)
	if nulls {
		flags |= intsNulls
	}
	if delta < plain {
		flags |= intsDelta
	}
	dst = append(dst, flags)
	if nulls {
		bm := make([]byte, (len(vals)+7)/8)
		for i := range vals {
			if vals[i].K == KindNull {
				bm[i/8] |= 1 << (i % 8)
			}
		}
		dst = append(dst, bm...)
	}
	prev = 0
	for i := range vals {
		if vals[i].K != KindNull {
			if flags&intsDelta != 0 {
				dst = binary.AppendVarint(dst, vals[i].I-prev)
				prev = vals[i].I
			} else {
				dst = binary.AppendVarint(dst, vals[i].I)
			}
		}
	}
	return dst
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
	if len(src) < 1 || src[0] > intsNulls|intsDelta {
		return nil, errCorrupt
	}
	flags := src[0]
	src = src[1:]
	var bm []byte
	if flags&intsNulls != 0 {
		if len(src) < (n+7)/8 {
			return nil, errCorrupt
		}
		bm, src = src[:(n+7)/8], src[(n+7)/8:]
	}
	out := make([]Value, n)
	prev := int64(0)
	for i := range out {
		if bm != nil && bm[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		d, k := binary.Varint(src)
		if k <= 0 {
			return nil, errCorrupt
		}
		src = src[k:]
		if flags&intsDelta != 0 {
			d += prev
			prev = d
		}
		out[i] = Value{K: KindInt, I: d}
	}
	return out, nil
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
}

// build reports whether vals have at most limit (and maxDict) distinct
// non-null values, leaving the dictionary ready for encode when so.
func (d *dictBuilder) build(vals []Value, limit int) bool {
	if d.strs == nil {
		d.strs, d.others = make(map[string]uint32), make(map[Value]uint32)
	}
	clear(d.strs)
	clear(d.others)
	d.values = d.values[:0]
	limit = min(max(limit, 16), maxDict-1)
	var last Value
	for i := range vals {
		v := vals[i]
		if v.K == KindNull || (i > 0 && v == last) {
			continue
		}
		last = v
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
			d.others[v] = uint32(len(d.values))
		}
	}
	d.width = 1
	if len(d.values) >= 256 {
		d.width = 2
	}
	return true
}

func (d *dictBuilder) code(v Value) (uint32, bool) {
	if v.K == KindString {
		c, ok := d.strs[v.S]
		return c, ok
	}
	c, ok := d.others[v]
	return c, ok
}

func (d *dictBuilder) encode(dst []byte, vals []Value) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(d.values)))
	for _, v := range d.values {
		dst = appendValue(dst, v)
	}
	dst = append(dst, byte(d.width))
	var last Value
	var lastCode uint32
	for i := range vals {
		code := uint32(0)
		if vals[i].K != KindNull {
			if i > 0 && vals[i] == last {
				code = lastCode
			} else {
				code, _ = d.code(vals[i])
				last, lastCode = vals[i], code
			}
		}
		if d.width == 1 {
			dst = append(dst, byte(code))
		} else {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(code))
		}
	}
	return dst
}

// Dict is a dictionary-encoded column: Codes[i] is 0 for null, else
// Values[Codes[i]-1].
type Dict struct {
	Values []Value
	Codes  []uint16
}

func decodeDict(src []byte, n int) (*Dict, error) {
	nd, k := binary.Uvarint(src)
	if k <= 0 || nd >= maxDict {
		return nil, errCorrupt
	}
	src = src[k:]
	d := &Dict{Values: make([]Value, nd), Codes: make([]uint16, n)}
	var err error
	for i := range d.Values {
		if d.Values[i], src, err = readValue(src); err != nil {
			return nil, err
		}
	}
	if len(src) < 1 {
		return nil, errCorrupt
	}
	width := int(src[0])
	src = src[1:]
	if (width != 1 && width != 2) || len(src) < width*n {
		return nil, errCorrupt
	}
	// One loop per width, and one bounds check for the whole column: this
	// runs for every row a query touches.
	var top uint16
	if width == 1 {
		for i, b := range src[:n] {
			d.Codes[i] = uint16(b)
			top = max(top, uint16(b))
		}
	} else {
		for i := range d.Codes {
			c := binary.LittleEndian.Uint16(src[2*i:])
			d.Codes[i] = c
			top = max(top, c)
		}
	}
	if int(top) > len(d.Values) {
		return nil, errCorrupt
	}
	return d, nil
}

// Expand returns the values of the dictionary column, row by row.
func (d *Dict) Expand() []Value {
	out := make([]Value, len(d.Codes))
	for i, c := range d.Codes {
		if c != 0 {
			out[i] = d.Values[c-1]
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
