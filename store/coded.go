package store

import (
	"encoding/binary"
	"strconv"
	"unsafe"
)

// A column whose values so far are all text or null is kept as
// dictionary codes while it is built (coded), not as a Value per row: most
// text fields of a log have few distinct values, adding a code is cheaper
// than copying a 40-byte Value, and the dictionary encoding is then ready
// at Encode instead of being built from the Values. A column that turns
// out otherwise (a number, or too many distinct values) becomes Values.

// maxCoded is the most distinct values a coded column keeps.
const maxCoded = maxDict - 1

// addCoded adds a value to a coded column, which must not be behind row.
// It returns false, having added nothing, when the column cannot stay
// coded: the caller then uncodes it and adds the value as a Value.
func (c *colBuilder) addCoded(v Value, raw string) bool {
	switch v.K {
	case KindNull:
		c.codes = append(c.codes, 0)
		c.offs = append(c.offs, -1)
		c.kinds |= 1 << KindNull
		return true
	case KindString:
	default:
		return false
	}
	code := c.lastCode
	if code == 0 || v.S != c.last {
		var ok bool
		if code, ok = c.index[v.S]; !ok {
			if len(c.strs) >= maxCoded {
				return false
			}
			c.strs = append(c.strs, v.S)
			code = uint16(len(c.strs))
			c.index[v.S] = code
		}
		c.last, c.lastCode = v.S, code
	}
	c.codes = append(c.codes, code)
	off := offsetIn(v.S, raw)
	c.offs = append(c.offs, off)
	if off >= 0 {
		c.inRaw++
		c.inRawBytes += len(v.S)
	}
	c.kinds |= 1 << KindString
	return true
}

// offsetIn returns where s lies in raw when it is a piece of raw's
// memory (as a parser's fields usually are), else -1.
func offsetIn(s, raw string) int32 {
	if len(s) == 0 || len(raw) > 1<<31-1 {
		return -1
	}
	p, r := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(raw)))
	if p < r || p+uintptr(len(s)) > r+uintptr(len(raw)) {
		return -1
	}
	return int32(p - r)
}

// uncode turns a coded column into Values.
func (c *colBuilder) uncode() {
	c.vals = c.vals[:0]
	for _, code := range c.codes {
		if code == 0 {
			c.vals = append(c.vals, Null)
		} else {
			c.vals = append(c.vals, Str(c.strs[code-1]))
		}
	}
	c.coded = false
	c.offs = c.offs[:0]
}

// rows returns how many rows the column holds.
func (c *colBuilder) rows() int {
	switch {
	case c.coded:
		return len(c.codes)
	case c.intMode:
		return len(c.ints)
	}
	return len(c.vals)
}

// appendNull adds a null row.
func (c *colBuilder) appendNull() {
	switch {
	case c.coded:
		c.codes = append(c.codes, 0)
		c.offs = append(c.offs, -1)
	case c.intMode:
		c.addInt(Null)
	default:
		c.vals = append(c.vals, Null)
	}
	c.kinds |= 1 << KindNull
}

// resetCoded empties the column for the next chunk, coded again.
func (c *colBuilder) resetCoded() {
	c.coded = true
	c.codes = c.codes[:0]
	c.offs = c.offs[:0]
	clear(c.strs)
	c.strs = c.strs[:0]
	if c.index == nil {
		c.index = map[string]uint16{}
	}
	clear(c.index)
	c.last, c.lastCode = "", 0
	c.inRaw, c.inRawBytes = 0, 0
}

// encodeCoded appends the dictionary encoding (encoding 3, as
// dictBuilder.encode writes it) of a coded column and returns it with
// where its codes begin, or ok=false when the column has more distinct
// values than a dictionary of its rows may (see encodeColumn).
func (c *colBuilder) encodeCoded(dst []byte) (out []byte, split int, ok bool) {
	if len(c.strs) > dictLimit(len(c.codes)) {
		return dst, 0, false
	}
	dst = binary.AppendUvarint(dst, uint64(len(c.strs)))
	for _, s := range c.strs {
		dst = appendValue(dst, Str(s))
	}
	split = len(dst)
	width := codeWidth(len(c.strs))
	dst = append(dst, byte(width))
	for _, code := range c.codes {
		dst = appendCode(dst, width, code)
	}
	return dst, split, true
}

// codedStat is newFieldStat of a coded column.
func (c *colBuilder) codedStat() FieldStat {
	fs := FieldStat{Name: c.name}
	for _, code := range c.codes {
		if code != 0 {
			fs.Kinds[KindString]++
		}
	}
	for i := 0; i < len(c.codes) && i < 256 && len(fs.Examples) < maxExamples; i++ {
		if c.codes[i] != 0 {
			fs.addExample(c.strs[c.codes[i]-1])
		}
	}
	return fs
}

// A column whose values so far are ints or null is kept as int64s (with
// a null flag per row once one is null) while it is built, for the same
// reasons: a status code or a byte count then costs 8 bytes per row
// instead of a 40-byte Value, and Encode reads them directly.

// addInt adds a value to an int column; false when it is not an int or
// null (the caller then turns the column into Values).
func (c *colBuilder) addInt(v Value) bool {
	switch v.K {
	case KindInt:
		c.ints = append(c.ints, v.I)
		if c.nulls != nil {
			c.nulls = append(c.nulls, false)
		}
	case KindNull:
		if c.nulls == nil {
			c.nulls = make([]bool, len(c.ints), cap(c.ints))
		}
		c.ints = append(c.ints, 0)
		c.nulls = append(c.nulls, true)
	default:
		return false
	}
	c.kinds |= 1 << v.K
	return true
}

// toInts turns a coded column without a value yet (only nulls) into an
// int column.
func (c *colBuilder) toInts() {
	n := len(c.codes)
	c.coded, c.intMode = false, true
	c.ints = append(c.ints[:0], make([]int64, n)...)
	c.nulls = nil
	if n > 0 {
		c.nulls = make([]bool, n, max(n, cap(c.ints)))
		for i := range c.nulls {
			c.nulls[i] = true
		}
	}
}

// unint turns an int column into Values.
func (c *colBuilder) unint() {
	c.vals = c.vals[:0]
	for i, v := range c.ints {
		if c.nulls != nil && c.nulls[i] {
			c.vals = append(c.vals, Null)
		} else {
			c.vals = append(c.vals, Int(v))
		}
	}
	c.intMode = false
}

// encodeIntCol appends the encoding of an int column: a dictionary of
// ints when few distinct values (as encodeColumn chooses), else encoding
// 4. It returns the bytes, the encoding and, for a dictionary, where its
// codes begin.
func (b *ChunkBuilder) encodeIntCol(dst []byte, c *colBuilder) ([]byte, byte, int) {
	limit := dictLimit(len(c.ints))
	m := b.intDict
	if m == nil {
		m = map[int64]uint16{}
		b.intDict = m
	}
	clear(m)
	order := b.intOrder[:0]
	dict := true
	for i, v := range c.ints {
		if c.nulls != nil && c.nulls[i] {
			continue
		}
		if _, ok := m[v]; !ok {
			if len(order) >= limit {
				dict = false
				break
			}
			order = append(order, v)
			m[v] = uint16(len(order))
		}
	}
	b.intOrder = order
	if !dict {
		return encodeInt64s(dst, c.ints, c.nulls), encInts, 0
	}
	dst = binary.AppendUvarint(dst, uint64(len(order)))
	for _, v := range order {
		dst = appendValue(dst, Int(v))
	}
	split := len(dst)
	width := codeWidth(len(order))
	dst = append(dst, byte(width))
	for i, v := range c.ints {
		code := uint16(0)
		if c.nulls == nil || !c.nulls[i] {
			code = m[v]
		}
		dst = appendCode(dst, width, code)
	}
	return dst, encDict, split
}

// intStat is newFieldStat of an int column, with the column's numeric
// range.
func (c *colBuilder) intStat() (fs FieldStat, lo, hi int64, any bool) {
	fs = FieldStat{Name: c.name}
	for i, v := range c.ints {
		if c.nulls != nil && c.nulls[i] {
			continue
		}
		if !any {
			lo, hi, any = v, v, true
		} else {
			lo, hi = min(lo, v), max(hi, v)
		}
		fs.Kinds[KindInt]++
		if i < 256 && len(fs.Examples) < maxExamples {
			fs.addExample(strconv.FormatInt(v, 10))
		}
	}
	return fs, lo, hi, any
}
