package store

import (
	"encoding/binary"
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
	c.offs = append(c.offs, offsetIn(v.S, raw))
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
	if c.coded {
		return len(c.codes)
	}
	return len(c.vals)
}

// appendNull adds a null row.
func (c *colBuilder) appendNull() {
	if c.coded {
		c.codes = append(c.codes, 0)
		c.offs = append(c.offs, -1)
	} else {
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
}

// encodeCoded appends the dictionary encoding (encoding 3, as
// dictBuilder.encode writes it) of a coded column and returns it with
// where its codes begin, or ok=false when the column has more distinct
// values than a dictionary of its rows may (see encodeColumn).
func (c *colBuilder) encodeCoded(dst []byte) (out []byte, split int, ok bool) {
	limit := min(max(len(c.codes)/4, 16), maxDict-1)
	if len(c.strs) > limit {
		return dst, 0, false
	}
	dst = binary.AppendUvarint(dst, uint64(len(c.strs)))
	for _, s := range c.strs {
		dst = append(dst, byte(KindString))
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	split = len(dst)
	if len(c.strs) < 256 {
		dst = append(dst, 1)
		for _, code := range c.codes {
			dst = append(dst, byte(code))
		}
	} else {
		dst = append(dst, 2)
		for _, code := range c.codes {
			dst = binary.LittleEndian.AppendUint16(dst, code)
		}
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
