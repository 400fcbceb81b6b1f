package store

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// A field whose values are pieces of _raw and are stored as a dictionary
// anyway (a web log's client address and user agent) is cut out of the
// _raw blocks (encoding encRawCut): a block keeps each row's text without
// those values and where each was, and a reader puts them back from the
// field's column. The user agent and address are 60% of a web log line's
// bytes and most of its compression time; the dictionary holds them once.

// minCutLen is the mean length a field's values need for cutting them
// out of _raw to pay: the offset costs a byte or two a row, and a reader
// pays for putting them back (a protocol like HTTP/1.1 costs zstd next to
// nothing anyway).
const minCutLen = 10

// maxCuts bounds the fields cut out of one chunk's _raw.
const maxCuts = 8

// rawCuts returns the columns to cut out of _raw: coded columns that will
// be stored as dictionaries, whose values are pieces of most rows' _raw
// and long enough.
func (b *ChunkBuilder) rawCuts(rows int) []*colBuilder {
	var out []*colBuilder
	for _, c := range b.cols {
		if !c.coded || len(c.offs) != rows || len(c.codes) != rows || len(c.strs) == 0 || len(c.strs) > dictLimit(rows) {
			continue
		}
		in, size := c.inRaw, c.inRawBytes
		if in > 0 && in >= rows/2 && size >= minCutLen*in && len(out) < maxCuts {
			out = append(out, c)
		}
	}
	return out
}

// appendCutBlock appends the decoded payload of a block of _raw with cut
// fields: each row's remaining length (+1; 0 for null) as uvarints, then
// per row and cut field where its value was (offset+1; 0 for not cut),
// then the remaining texts back to back. first is the block's first row
// in the chunk. It returns dst and the length of the rows' whole texts.
func appendCutBlock(dst []byte, raws []Value, first int, cuts []*colBuilder, offs []int32) ([]byte, []int32, int) {
	offs = offs[:0]
	text := 0
	var order [maxCuts]int
	for i := range raws {
		r := first + i
		raw := raws[i].S
		base := len(offs)
		for range cuts {
			offs = append(offs, -1)
		}
		if raws[i].K == KindNull {
			dst = append(dst, 0)
			continue
		}
		text += len(raw)
		// The values of the row that are pieces of it, by offset, each
		// after the end of the one before (overlapping ones stay in).
		n := 0
		for j, c := range cuts {
			if code, off := c.codes[r], c.offs[r]; code != 0 && off >= 0 {
				k := n
				for ; k > 0 && c.offs[r] < cuts[order[k-1]].offs[r]; k-- {
					order[k] = order[k-1]
				}
				order[k] = j
				n++
			}
		}
		left, end := len(raw), int32(0)
		for _, j := range order[:n] {
			c := cuts[j]
			off := c.offs[r]
			if off < end {
				continue
			}
			l := int32(len(c.strs[c.codes[r]-1]))
			offs[base+j] = off
			end = off + l
			left -= int(l)
		}
		dst = binary.AppendUvarint(dst, uint64(left)+1)
	}
	for _, off := range offs {
		dst = binary.AppendUvarint(dst, uint64(off+1))
	}
	for i := range raws {
		if raws[i].K == KindNull {
			continue
		}
		raw, pos := raws[i].S, 0
		row := offs[i*len(cuts) : (i+1)*len(cuts)]
		for { // the cut values in offset order
			next, l := -1, 0
			for j, off := range row {
				if off >= int32(pos) && (next < 0 || int(off) < next) {
					next, l = int(off), len(cuts[j].strs[cuts[j].codes[first+i]-1])
				}
			}
			if next < 0 {
				break
			}
			dst = append(dst, raw[pos:next]...)
			pos = next + l
		}
		dst = append(dst, raw[pos:]...)
	}
	return dst, offs, text
}

// cutValues returns, per cut field of a chunk's _raw, its dictionary and
// room for its values by code as strings, filled in as rows need them
// ("" until then: cut values are never empty).
func (c *Chunk) cutValues(d *rawDir) ([]*Dict, [][]string, error) {
	if d.cutDicts != nil {
		return d.cutDicts, d.cutVals, nil
	}
	// Decoded into memory reused from chunk to chunk when the reader
	// releases the chunk (releaseScratch): a search reads them for every
	// chunk, and fresh memory costs a page fault per 4 KB.
	m := cutMems.Get().(*cutMem)
	m.buf = m.buf[:0]
	dicts := m.dicts[:0]
	for j, name := range d.cuts {
		var dict *Dict
		var err error
		if dict, m.buf, err = c.dictInto(name, m.buf); err != nil {
			cutMems.Put(m)
			return nil, nil, err
		}
		if dict == nil || dict.Rows() != c.Rows {
			cutMems.Put(m)
			return nil, nil, errCorrupt
		}
		dicts = append(dicts, dict)
		if j == len(m.vals) {
			m.vals = append(m.vals, nil)
		}
		v := m.vals[j]
		if cap(v) < dict.Len()+1 {
			v = make([]string, dict.Len()+1)
		}
		v = v[:dict.Len()+1]
		clear(v)
		m.vals[j] = v
	}
	m.dicts = dicts
	d.cutMem, d.cutDicts, d.cutVals = m, dicts, m.vals[:len(dicts)]
	return d.cutDicts, d.cutVals, nil
}

// cutMem is the memory of a chunk's cut fields' dictionaries.
type cutMem struct {
	buf   []byte
	dicts []*Dict
	vals  [][]string
}

var cutMems = sync.Pool{New: func() any { return new(cutMem) }}

// releaseScratch hands back memory the chunk reused from earlier chunks
// (the dictionaries of _raw's cut fields): nothing read from the chunk
// may view it afterwards. Reading the chunk again decodes afresh.
func (c *Chunk) releaseScratch() {
	if d := c.rawDirCache; d != nil && d.cutMem != nil {
		clear(d.cutMem.dicts)
		for _, v := range d.cutMem.vals {
			clear(v)
		}
		cutMems.Put(d.cutMem)
		d.cutMem, d.cutDicts, d.cutVals = nil, nil, nil
	}
}

// appendCutRows appends the whole text of each row of the decoded block
// cb to dst (the cut values put back) and sets ends[i] to where row i
// ends in dst. A null row is empty, and nulls[i] set when nulls is not
// nil.
func (cb *cutBlock) appendCutRows(dst []byte, ends []uint32, nulls []bool) ([]byte, error) {
	dicts, vals, err := cb.c.cutValues(cb.d)
	if err != nil {
		return dst, err
	}
	start, ncut := len(dst), len(cb.d.cuts)
	for k := range cb.bl.nrows {
		if cb.nulls[k] {
			if nulls != nil {
				nulls[k] = true
			}
		} else if dst, err = putBack(dst, cb.text[cb.starts[k]:cb.ends[k]], cb.offs[k*ncut:(k+1)*ncut], dicts, vals, cb.bl.first+k); err != nil {
			return dst, err
		}
		if len(dst)-start > cb.bl.textLen {
			return dst, errCorrupt
		}
		ends[k] = uint32(len(dst))
	}
	if len(dst)-start != cb.bl.textLen {
		return dst, errCorrupt
	}
	return dst, nil
}

// growInts returns s with length n, reusing its memory when it can.
func growInts(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// rawCuts returns the fields cut out of the chunk's _raw blocks (see
// encRawCut), or nil.
func (c *Chunk) rawCuts() []string {
	if d, err := c.rawDir(); err == nil && d != nil {
		return d.cuts
	}
	return nil
}

// cutBlock is a block of a _raw with cut fields, decoded but with the cut
// values left out: a search for a phrase that no cut value can make part
// of (see rawCuts) scans the remaining texts, and puts back only the rows
// where the phrase may be. Its memory is reused by the next Decode.
type cutBlock struct {
	c      *Chunk
	d      *rawDir
	bl     *rawBlock
	buf    []byte   // the block decoded, when it is compressed
	starts []int    // where each row's remaining text starts in text
	ends   []uint32 // and ends
	text   []byte   // the remaining texts back to back
	offs   []int    // per row and cut field: where its value was, or -1
	nulls  []bool
}

// cutBlocks holds CutBlocks for reading whole blocks, reused from block to
// block.
var cutBlocks = sync.Pool{New: func() any { return new(cutBlock) }}

// decodeCutBlockInto decodes block i of the chunk's _raw, which must have cut
// fields, into cb.
func (c *Chunk) decodeCutBlockInto(i int, cb *cutBlock) error {
	d, err := c.rawDir()
	if err != nil {
		return err
	}
	if d == nil || len(d.cuts) == 0 || i < 0 || i >= len(d.blocks) {
		return fmt.Errorf("chunk %d: no _raw block %d with cut fields", c.ID, i)
	}
	if c.decoded != nil {
		c.decoded.Add(int64(d.blocks[i].rawLen))
	}
	if err := cb.decode(c, d, i); err != nil {
		return fmt.Errorf("chunk %d column %s block %d: %w", c.ID, ColRaw, i, err)
	}
	return nil
}

// decode decodes block i of the chunk's blocked _raw with cut fields: its
// payload (see appendCutBlock) and the sections in it.
func (cb *cutBlock) decode(c *Chunk, d *rawDir, i int) error {
	cb.c, cb.d, cb.bl = c, d, &d.blocks[i]
	bl := cb.bl
	cb.buf = cb.buf[:0]
	stored, err := c.blockStored(bl)
	if err != nil {
		return err
	}
	payload, err := storedIn(bl.comp, stored, bl.rawLen, &cb.buf)
	if err != nil {
		return err
	}
	// The sections: lengths, then offsets, then texts.
	n, ncut := bl.nrows, len(d.cuts)
	cb.starts, cb.ends = growInts(cb.starts, n), slices.Grow(cb.ends[:0], n)[:n]
	cb.offs, cb.nulls = growInts(cb.offs, n*ncut), slices.Grow(cb.nulls[:0], n)[:n]
	p, total := 0, 0
	for r := range n {
		l, k := binary.Uvarint(payload[p:])
		if k <= 0 || l > uint64(len(payload)) {
			return errCorrupt
		}
		p += k
		cb.nulls[r] = l == 0
		cb.starts[r] = total
		if l > 0 {
			total += int(l) - 1
		}
		cb.ends[r] = uint32(total)
	}
	for j := range cb.offs {
		o, k := binary.Uvarint(payload[p:])
		if k <= 0 || o > uint64(maxColumnBytes) {
			return errCorrupt
		}
		cb.offs[j], p = int(o)-1, p+k
	}
	if len(payload)-p != total {
		return errCorrupt
	}
	cb.text = payload[p:]
	return nil
}

// rowText returns the rows' remaining texts back to back; Ends says where
// each row's ends.
func (cb *cutBlock) rowText() string { return bytesString(cb.text) }

// rowEnds returns where each row's remaining text ends in Text.
func (cb *cutBlock) rowEnds() []uint32 { return cb.ends }

// appendRow appends row k's whole text (the cut values put back) to dst.
func (cb *cutBlock) appendRow(k int, dst []byte) ([]byte, error) {
	dicts, vals, err := cb.c.cutValues(cb.d)
	if err == nil {
		ncut := len(cb.d.cuts)
		dst, err = putBack(dst, cb.text[cb.starts[k]:cb.ends[k]], cb.offs[k*ncut:(k+1)*ncut], dicts, vals, cb.bl.first+k)
	}
	if err != nil {
		return dst, fmt.Errorf("chunk %d column %s: %w", cb.c.ID, ColRaw, err)
	}
	return dst, nil
}

// putBack appends a row's whole text: its remaining text with the cut
// values (of chunk row r) put back at their offsets.
func putBack(dst, text []byte, offs []int, dicts []*Dict, vals [][]string, r int) ([]byte, error) {
	// The row's cut values by offset (few: an insertion sort).
	var at [maxCuts]int
	m := 0
	for j, off := range offs {
		if off < 0 {
			continue
		}
		k := m
		for ; k > 0 && offs[at[k-1]] > off; k-- {
			at[k] = at[k-1]
		}
		at[k] = j
		m++
	}
	full, pos := 0, 0 // the row's length so far, and what of text is used
	for _, j := range at[:m] {
		code := dicts[j].Code(r)
		if code == 0 {
			return dst, errCorrupt
		}
		v, err := cutValue(dicts[j], vals[j], code)
		if err != nil || v == "" { // (values cut are never empty)
			return dst, errCorrupt
		}
		gap := offs[j] - full
		if gap < 0 || pos+gap > len(text) {
			return dst, errCorrupt // overlapping cuts
		}
		dst = append(dst, text[pos:pos+gap]...)
		dst = append(dst, v...)
		pos += gap
		full += gap + len(v)
	}
	return append(dst, text[pos:]...), nil
}

// cutValue returns the text of a cut field's code, decoded from its
// dictionary on first use and kept in vals ("" until then). A dictionary
// may hold "" (some row's empty value), which is never cut out of a line.
func cutValue(dict *Dict, vals []string, code uint16) (string, error) {
	if v := vals[code]; v != "" {
		return v, nil
	}
	dv := dict.Value(code)
	if dv.K != KindString {
		return "", errCorrupt
	}
	vals[code] = dv.S
	return dv.S, nil
}

// rawCutValues calls fn with each (non-empty) value of the fields cut out
// of the chunk's _raw (field is its index in rawCuts, code its code in the
// field's dictionary), until fn returns false.
func (c *Chunk) rawCutValues(fn func(field, code int, v string) bool) error {
	d, err := c.rawDir()
	if err != nil || d == nil || len(d.cuts) == 0 {
		return err
	}
	dicts, vals, err := c.cutValues(d)
	if err != nil {
		return fmt.Errorf("chunk %d column %s: %w", c.ID, ColRaw, err)
	}
	for j, dict := range dicts {
		for code := 1; code <= dict.Len(); code++ {
			v, err := cutValue(dict, vals[j], uint16(code))
			if err != nil {
				return fmt.Errorf("chunk %d column %s: %w", c.ID, ColRaw, err)
			}
			if v == "" {
				continue // never cut
			}
			if !fn(j, code, v) {
				return nil
			}
		}
	}
	return nil
}

// code returns the code of row k's value of cut field j (0: none).
func (cb *cutBlock) code(j, k int) int {
	if cb.offs[k*len(cb.d.cuts)+j] < 0 {
		return 0 // not cut from this row: its value is not in the text
	}
	dicts, _, err := cb.c.cutValues(cb.d)
	if err != nil {
		return 0
	}
	return int(dicts[j].Code(cb.bl.first + k))
}
