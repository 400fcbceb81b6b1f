package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"

	"github.com/klauspost/compress/zstd"
)

// _raw is stored in blocks of rawBlockRows rows (encRawBlocks), each with
// its own token filter and its own compression, so a search for a rare
// word decompresses and scans only the blocks that may hold it: "wp-login"
// on the reference log is in a few blocks of each chunk it is in, and
// decompressing whole chunks' _raw was most of that search.
const rawBlockRows = 1024

// sizedBloom is a block's token filter: a bit array of any whole number of
// bytes. A token's positions come from its hash as in bloom, mapped onto
// the bits by multiply-shift instead of a power-of-two mask, so a filter
// takes sizedBloomBits per distinct token and no more.
type sizedBloom []byte

// sizedBloomBits and sizedBloomK: 12 bits and 5 positions per token give
// about 0.5% false positives. A false positive costs a block's
// decompression (190 KB of web log), so this is worth the bits.
const (
	sizedBloomBits = 12
	sizedBloomK    = 5
)

func newSizedBloom(n int) sizedBloom {
	return make(sizedBloom, max((n*sizedBloomBits+7)/8, 8))
}

func (b sizedBloom) positions(h uint64, fn func(bit uint64) bool) bool {
	h |= 1
	m := uint64(len(b)) * 8
	h1, h2 := h, h>>32|h<<32
	for i := uint64(0); i < sizedBloomK; i++ {
		hi, _ := bits.Mul64(h1+i*h2, m)
		if !fn(hi) {
			return false
		}
	}
	return true
}

func (b sizedBloom) add(h uint64) {
	b.positions(h, func(bit uint64) bool {
		b[bit/8] |= 1 << (bit % 8)
		return true
	})
}

func (b sizedBloom) mayContain(h uint64) bool {
	return b.positions(h, func(bit uint64) bool { return b[bit/8]&(1<<(bit%8)) != 0 })
}

func (b sizedBloom) mayContainAll(hashes []uint64) bool {
	for _, h := range hashes {
		if !b.mayContain(h) {
			return false
		}
	}
	return true
}

// rawBlock is one block of a blocked _raw column.
type rawBlock struct {
	bloom        sizedBloom
	comp         byte
	rawLen       int    // decoded size
	textLen      int    // the size of its rows' texts when fields are cut out, else rawLen
	off, len     int    // place of the stored bytes in the column's payload
	first, nrows int    // rows of the chunk in the block
	payload      []byte // the stored bytes
	sum          uint32 // their CRC-32C (format 4)
	checked      bool   // sum was found to match
}

// blockStored returns the stored bytes of block bl of the chunk's _raw,
// having verified them.
func (c *Chunk) blockStored(bl *rawBlock) ([]byte, error) {
	if c.sums && !bl.checked {
		if crc32.Checksum(bl.payload, crcTable) != bl.sum {
			return nil, errChecksum
		}
		bl.checked = true
	}
	return bl.payload, nil
}

// rawDir is the directory of a blocked _raw column.
type rawDir struct {
	blockRows int
	blocks    []rawBlock
	cuts      []string // the fields cut out of the texts (encRawCut; see rawcut.go)
	// Read on first use: the cut fields' dictionaries and values, and
	// scratch space for decoding a block.
	cutDicts []*Dict
	cutVals  [][]string
	cutMem   *cutMem // their memory, from cutMems
}

// encodeRawBlocks appends the blocked encoding of raws to dst: the block
// size, the number of blocks, (encRawCut) the fields cut out, then per
// block its token filter, compression, decoded and stored sizes (and
// encRawCut: its rows' texts' size); then the blocks' bytes (each an
// encStrings encoding of its rows, or with cut fields appendCutBlock's),
// and its checksum; then the blocks' bytes. It returns dst, the decoded
// size, the encoding and the directory's size.
func (b *ChunkBuilder) encodeRawBlocks(dst []byte, raws []Value) ([]byte, int, byte, int) {
	dirStart := len(dst)
	nblocks := (len(raws) + rawBlockRows - 1) / rawBlockRows
	enc := byte(encRawBlocks)
	cuts := b.rawCuts(len(raws))
	dst = binary.AppendUvarint(dst, rawBlockRows)
	dst = binary.AppendUvarint(dst, uint64(nblocks))
	if len(cuts) > 0 {
		enc = encRawCut
		dst = binary.AppendUvarint(dst, uint64(len(cuts)))
		for _, c := range cuts {
			dst = appendString(dst, c.name)
		}
	}
	payload := b.payload[:0] // scratch reused from chunk to chunk
	total := 0
	th := b.newTokenHasher(len(raws))
	zenc := b.enc
	if len(cuts) > 0 {
		if b.fast == nil {
			b.fast = newEncoder(zstd.SpeedFastest)
		}
		zenc = b.fast
	}
	for i := 0; i < len(raws); i += rawBlockRows {
		rows := raws[i:min(i+rawBlockRows, len(raws))]
		b.tokens.reset()
		th.block()
		for j := range rows {
			th.hashRow(i+j, rows[j].S, &b.tokens)
		}
		bl := newSizedBloom(b.tokens.n)
		b.tokens.each(bl.add)
		dst = appendString(dst, string(bl))

		text := 0
		if len(cuts) > 0 {
			b.buf, b.cutOffs, text = appendCutBlock(b.buf[:0], rows, i, cuts, b.cutOffs)
		} else {
			b.buf = encodeStrings(b.buf[:0], rows)
		}
		total += len(b.buf)
		start := len(payload)
		var comp byte
		payload, comp = appendPacked(zenc, payload, b.buf, 5)
		dst = append(dst, comp)
		dst = binary.AppendUvarint(dst, uint64(len(b.buf)))
		dst = binary.AppendUvarint(dst, uint64(len(payload)-start))
		if len(cuts) > 0 {
			dst = binary.AppendUvarint(dst, uint64(text))
		}
		dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(payload[start:], crcTable))
	}
	b.payload = payload
	dirLen := len(dst) - dirStart
	return append(dst, payload...), total, enc, dirLen
}

// parseRawDir reads the directory of a blocked _raw column of rows rows,
// with a checksum per block when sums is set (format 4). cutLen returns
// the decoded size of a cut field's column (-1 when the chunk has no such
// dictionary column): no cut value is longer, which bounds what a block's
// rows' texts can add up to. It returns the directory and its size.
func parseRawDir(src []byte, rows int, enc byte, sums bool, cutLen func(name string) int) (*rawDir, int, error) {
	r := &reader{b: src}
	d := &rawDir{blockRows: int(r.uvarint())}
	n := r.uvarint()
	if enc == encRawCut {
		ncut := r.uvarint()
		if ncut == 0 || ncut > maxCuts {
			return nil, 0, errCorrupt
		}
		for range ncut {
			name := string(r.bytes(r.uvarint()))
			if name == "" || name == ColRaw || name == ColTime || slices.Contains(d.cuts, name) {
				r.fail()
			}
			d.cuts = append(d.cuts, name)
		}
	}
	// The longest a row's text can grow by the values put back into it.
	grow := 0
	for _, name := range d.cuts {
		n := cutLen(name)
		if n < 0 {
			r.fail()
		}
		grow = min(grow+max(n, 0), maxColumnBytes)
	}
	// Each block takes at least 4 bytes of directory.
	if r.err != nil || d.blockRows <= 0 || d.blockRows > maxChunkRows || n != uint64((rows+d.blockRows-1)/d.blockRows) ||
		n > uint64(len(r.b)/4) {
		return nil, 0, errCorrupt
	}
	d.blocks = make([]rawBlock, n)
	off := 0
	for i := range d.blocks {
		bl := &d.blocks[i]
		bl.bloom = sizedBloom(r.bytes(r.uvarint()))
		bl.comp = r.byte1()
		bl.rawLen, bl.len = int(r.uvarint()), int(r.uvarint())
		bl.textLen = bl.rawLen
		if enc == encRawCut {
			bl.textLen = int(r.uvarint())
		}
		if sums {
			if b := r.bytes(4); b != nil {
				bl.sum = binary.LittleEndian.Uint32(b)
			}
		}
		bl.off = off
		bl.first = i * d.blockRows
		bl.nrows = min(d.blockRows, rows-bl.first)
		off += bl.len
		if len(bl.bloom) == 0 || bl.comp > compZstd || bl.rawLen < 0 || bl.rawLen > maxColumnBytes || bl.len < 0 || off < 0 ||
			bl.textLen < 0 || bl.textLen > maxColumnBytes || int64(bl.textLen) > int64(bl.rawLen)+int64(bl.nrows)*int64(grow) {
			r.fail()
		}
	}
	if r.err != nil || off != len(r.b) {
		return nil, 0, errCorrupt
	}
	for i := range d.blocks {
		d.blocks[i].payload = r.b[d.blocks[i].off : d.blocks[i].off+d.blocks[i].len]
	}
	return d, len(src) - off, nil
}

// rawDir returns the directory of the chunk's _raw column when it is
// blocked, or nil.
func (c *Chunk) rawDir() (*rawDir, error) {
	if c.rawDirDone {
		return c.rawDirCache, c.rawDirErr
	}
	c.rawDirDone = true
	ci := c.Column(ColRaw)
	if ci == nil || ci.Enc != encRawBlocks && ci.Enc != encRawCut {
		return nil, nil
	}
	src := c.data[ci.Off : ci.Off+ci.Len]
	d, dirLen, err := parseRawDir(src, c.Rows, ci.Enc, c.sums, func(name string) int {
		if cc := c.Column(name); cc != nil && (cc.Enc == encDict || cc.Enc == encDictSplit) {
			return cc.RawLen
		}
		return -1
	})
	if c.sums && (err != nil || crc32.Checksum(src[:dirLen], crcTable) != ci.sum) {
		// What the writer wrote parses: a directory that does not is
		// damaged too.
		err = errChecksum
	}
	if err != nil {
		c.rawDirErr = fmt.Errorf("chunk %d column %s: %w", c.ID, ColRaw, err)
		return nil, c.rawDirErr
	}
	c.rawDirCache = d
	return d, nil
}

// mayContainAll reports whether some event of the chunk may hold every
// token whose hash is given: its one filter says so (a chunk of format
// 1), or one of its _raw blocks' filters does.
func (c *Chunk) mayContainAll(hashes []uint64) bool {
	if len(hashes) == 0 {
		return true
	}
	if len(c.bloom) > 0 {
		return mayContainAll(c.bloom, hashes)
	}
	d, err := c.rawDir()
	if err != nil || d == nil {
		return true // let the reader meet the error, or no filter at all
	}
	for i := range d.blocks {
		if d.blocks[i].bloom.mayContainAll(hashes) {
			return true
		}
	}
	return false
}

// rawCandidates returns, per row, whether its _raw may hold every token
// (lower-case, see Tokens): false means it certainly does not. It returns
// nil when the chunk cannot tell rows apart (then any row may).
func (c *Chunk) rawCandidates(tokens []string) ([]bool, error) {
	if len(tokens) == 0 || len(c.bloom) > 0 {
		return nil, nil
	}
	d, err := c.rawDir()
	if err != nil || d == nil {
		return nil, err
	}
	hashes := make([]uint64, len(tokens))
	for i, t := range tokens {
		hashes[i] = TokenHash(t)
	}
	out := make([]bool, c.Rows)
	for i := range d.blocks {
		bl := &d.blocks[i]
		if bl.bloom.mayContainAll(hashes) {
			for r := bl.first; r < bl.first+bl.nrows; r++ {
				out[r] = true
			}
		}
	}
	return out, nil
}

// rawValues returns the _raw of the chunk's rows, decoding only the blocks
// with a wanted row (all when want is nil); rows of other blocks are null.
func (c *Chunk) rawValues(want []bool) ([]Value, error) {
	d, err := c.rawDir()
	if err != nil {
		return nil, err
	}
	if d == nil {
		return c.Values(ColRaw)
	}
	out := make([]Value, c.Rows)
	for i := range d.blocks {
		bl := &d.blocks[i]
		if want != nil && !slices.Contains(want[bl.first:bl.first+bl.nrows], true) {
			continue
		}
		if err := c.decodeRawBlock(i, out[bl.first:bl.first+bl.nrows]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rawBlockRows returns the rows per block of a blocked _raw (the last
// block may have fewer), or 0 when _raw is one piece.
func (c *Chunk) rawBlockRows() int {
	if d, err := c.rawDir(); err == nil && d != nil {
		return d.blockRows
	}
	return 0
}

// rawBlockAppend decodes block i of a blocked _raw by appending the text
// of its rows, back to back, to dst, and sets ends (one per row of the
// block) to where each row's text ends in dst. It returns the grown dst.
// With room enough in dst (rawSize), dst is not moved, so a caller can
// decode a chunk's blocks into one buffer it reuses from chunk to chunk.
// The offsets hold no pointers for the collector to scan.
func (c *Chunk) rawBlockAppend(i int, dst []byte, ends []uint32) (out []byte, begin int, err error) {
	d, err := c.rawDir()
	if err != nil {
		return dst, 0, err
	}
	if d == nil || i < 0 || i >= len(d.blocks) || len(ends) != d.blocks[i].nrows {
		return dst, 0, fmt.Errorf("chunk %d: no _raw block %d of %d rows", c.ID, i, len(ends))
	}
	bl := &d.blocks[i]
	if c.decoded != nil {
		c.decoded.Add(int64(bl.rawLen))
	}
	start := len(dst)
	if len(d.cuts) > 0 {
		// Decode the block aside and put the cut values back into dst.
		cb := cutBlocks.Get().(*cutBlock)
		if err = cb.decode(c, d, i); err == nil {
			dst, err = cb.appendCutRows(dst, ends, nil)
		}
		cutBlocks.Put(cb)
		if err != nil {
			return dst[:start], 0, fmt.Errorf("chunk %d column %s block %d: %w", c.ID, ColRaw, i, err)
		}
		return dst, start, nil
	}
	payload, err := c.blockStored(bl)
	switch {
	case err != nil:
	case bl.comp == compNone:
		dst = append(dst, payload...)
	default:
		dst, err = decoder.DecodeAll(payload, dst)
	}
	if err == nil && len(dst)-start != bl.rawLen {
		err = errCorrupt
	}
	if err == nil {
		begin, err = stringEnds(dst[start:], start, ends)
	}
	if err != nil {
		return dst[:start], 0, fmt.Errorf("chunk %d column %s block %d: %w", c.ID, ColRaw, i, err)
	}
	return dst, begin, nil
}

// stringEnds reads the lengths of an encStrings encoding of len(ends) rows
// at src (which starts at base in its buffer; nulls read as empty) and
// sets ends[r] to where row r's text ends in that buffer: the texts follow
// the lengths, back to back, from the returned offset.
func stringEnds(src []byte, base int, ends []uint32) (int, error) {
	// One pass sets the ends relative to the texts' start, the second
	// moves them; lengths of lines under 127 bytes take one byte.
	p, total := 0, 0
	for r := range ends {
		var l uint64
		if p < len(src) && src[p] < 0x80 {
			l = uint64(src[p])
			p++
		} else {
			var k int
			if l, k = binary.Uvarint(src[p:]); k <= 0 {
				return 0, errCorrupt
			}
			p += k
		}
		if l > 0 {
			total += int(l - 1)
		}
		if total > len(src) {
			return 0, errCorrupt
		}
		ends[r] = uint32(total)
	}
	if p+total != len(src) || base+len(src) > 1<<32-1 {
		return 0, errCorrupt
	}
	off := uint32(base + p)
	for r := range ends {
		ends[r] += off
	}
	return base + p, nil
}

// rawSize returns the decoded size of a blocked _raw, and room to leave
// after it for the fastest decoding; 0 when _raw is one piece.
func (c *Chunk) rawSize() int {
	d, err := c.rawDir()
	if err != nil || d == nil {
		return 0
	}
	n := 0
	for i := range d.blocks {
		n += max(d.blocks[i].rawLen, d.blocks[i].textLen)
	}
	return n + zstdSlack
}

func (c *Chunk) decodeRawBlock(i int, out []Value) error {
	d := c.rawDirCache
	var err error
	if len(d.cuts) > 0 {
		err = c.decodeCutBlock(d, i, out)
	} else {
		var b []byte
		if b, err = c.rawBlockBytes(&d.blocks[i]); err == nil {
			err = decodeStringsInto(out, b)
		}
	}
	if err != nil {
		return fmt.Errorf("chunk %d column %s block %d: %w", c.ID, ColRaw, i, err)
	}
	return nil
}

// decodeCutBlock sets out to the rows of block i, which has cut fields,
// in fresh memory.
func (c *Chunk) decodeCutBlock(d *rawDir, i int, out []Value) error {
	cb := cutBlocks.Get().(*cutBlock)
	defer cutBlocks.Put(cb)
	if err := cb.decode(c, d, i); err != nil {
		return err
	}
	if c.decoded != nil {
		c.decoded.Add(int64(d.blocks[i].rawLen))
	}
	ends, nulls := make([]uint32, len(out)), make([]bool, len(out))
	// Room for the texts as the directory says, within reason: a damaged
	// one cannot claim much more than the block holds (appendCutRows
	// stops at the claimed size; a real block over this grows).
	bl := &d.blocks[i]
	text, err := cb.appendCutRows(make([]byte, 0, min(bl.textLen, 16*bl.rawLen+1<<20)), ends, nulls)
	if err != nil {
		return err
	}
	s := bytesString(text)
	start := 0
	for i := range out {
		out[i] = Value{K: KindString, S: s[start:ends[i]]}
		if nulls[i] {
			out[i] = Null
		}
		start = int(ends[i])
	}
	return nil
}

// rawBlockBytes returns a block's decoded bytes, fresh memory that strings
// may view.
func (c *Chunk) rawBlockBytes(bl *rawBlock) ([]byte, error) {
	payload, err := c.blockStored(bl)
	if err != nil {
		return nil, err
	}
	if c.decoded != nil {
		c.decoded.Add(int64(bl.rawLen))
	}
	return decodeStored(bl.comp, payload, bl.rawLen)
}

// checkRawBlocks checks that every block's filter holds the tokens of its
// rows.
func (c *Chunk) checkRawBlocks(raws []Value) error {
	d, err := c.rawDir()
	if err != nil || d == nil {
		return err
	}
	var set hashSet
	for i := range d.blocks {
		bl := &d.blocks[i]
		set.reset()
		for r := bl.first; r < bl.first+bl.nrows; r++ {
			hashTokens(raws[r].S, &set)
		}
		missing := false
		set.each(func(h uint64) {
			missing = missing || !bl.bloom.mayContain(h)
		})
		if missing {
			return fmt.Errorf("chunk %d: the token filter of _raw block %d misses a token of its rows", c.ID, i)
		}
	}
	return nil
}

// tokenHasher adds the tokens of a chunk's _raw to a block's token set.
// Most of an event's text is its fields' values, and a field with few
// distinct values repeats them: the text between the values of coded
// columns is hashed row by row, but a value's tokens once per block (a
// web log's user agent alone is half of its bytes).
type tokenHasher struct {
	cols  []*colBuilder
	seen  [][]bool // per column, per code: its tokens are in the block's set
	spans []tokenSpan
	// gaps are the previous row's texts between values: the same text in
	// the same place (a timestamp shared by the events of one second)
	// needs no hashing again in the block.
	gaps, prev []string
}

type tokenSpan struct {
	start, end int
	col        int
	code       uint16
}

func (b *ChunkBuilder) newTokenHasher(rows int) *tokenHasher {
	th := &tokenHasher{}
	for _, c := range b.cols {
		if c.coded && len(c.offs) == rows && len(c.strs) > 0 {
			th.cols = append(th.cols, c)
			th.seen = append(th.seen, make([]bool, len(c.strs)+1))
		}
	}
	return th
}

// block starts a new block.
func (th *tokenHasher) block() {
	for _, s := range th.seen {
		clear(s)
	}
	th.gaps, th.prev = th.gaps[:0], th.prev[:0]
}

// hashGap adds the tokens of the k-th gap of a row unless the previous
// row of the block had the same text there.
func (th *tokenHasher) hashGap(k int, gap string, set *hashSet) {
	th.gaps = append(th.gaps, gap)
	if k < len(th.prev) && th.prev[k] == gap {
		return
	}
	hashTokens(gap, set)
}

// hashRow adds the tokens of row r, whose _raw is raw, to set.
func (th *tokenHasher) hashRow(r int, raw string, set *hashSet) {
	th.spans = th.spans[:0]
	for ci, c := range th.cols {
		code, off := c.codes[r], int(c.offs[r])
		if code == 0 || off < 0 {
			continue
		}
		end := off + len(c.strs[code-1])
		// The value's tokens are raw's there only if its ends are token
		// boundaries in raw.
		if off > 0 && IsTokenByte(raw[off-1]) && IsTokenByte(raw[off]) ||
			end < len(raw) && IsTokenByte(raw[end]) && IsTokenByte(raw[end-1]) {
			continue
		}
		sp := tokenSpan{off, end, ci, code}
		i := len(th.spans)
		th.spans = append(th.spans, sp)
		for ; i > 0 && th.spans[i-1].start > sp.start; i-- { // by start
			th.spans[i] = th.spans[i-1]
		}
		th.spans[i] = sp
	}
	pos := 0
	th.gaps = th.gaps[:0]
	for _, sp := range th.spans {
		if sp.start < pos {
			continue // overlaps the one before: its text is hashed with the gaps
		}
		th.hashGap(len(th.gaps), raw[pos:sp.start], set)
		if seen := th.seen[sp.col]; !seen[sp.code] {
			hashTokens(raw[sp.start:sp.end], set)
			seen[sp.code] = true
		}
		pos = sp.end
	}
	th.hashGap(len(th.gaps), raw[pos:], set)
	th.gaps, th.prev = th.prev, th.gaps
}
