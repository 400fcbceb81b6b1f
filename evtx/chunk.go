package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf8"
)

const (
	chunkSize       = 0x10000
	chunkHeaderSize = 512
	recordHeader    = 24 // signature, size, identifier, written time
)

var chunkMagic = []byte("ElfChnk\x00")

// ChunkHeader is the header of one 64 KiB chunk.
type ChunkHeader struct {
	Index             int   // position of the chunk in the file
	Offset            int64 // file offset of the chunk
	FirstRecordNumber uint64
	LastRecordNumber  uint64
	FirstRecordID     uint64
	LastRecordID      uint64
	LastRecordOffset  uint32 // chunk-relative offset of the last record
	FreeSpaceOffset   uint32 // chunk-relative offset of the free space
	DataChecksum      uint32 // CRC32 of the records, 512 up to the free space
	HeaderChecksum    uint32 // CRC32 of bytes 0-120 and 128-512
}

// Records returns how many records the header announces.
func (h ChunkHeader) Records() uint64 {
	if h.LastRecordID < h.FirstRecordID {
		return 0
	}
	return h.LastRecordID - h.FirstRecordID + 1
}

func parseChunkHeader(b []byte) ChunkHeader {
	le := binary.LittleEndian
	return ChunkHeader{
		FirstRecordNumber: le.Uint64(b[8:]),
		LastRecordNumber:  le.Uint64(b[16:]),
		FirstRecordID:     le.Uint64(b[24:]),
		LastRecordID:      le.Uint64(b[32:]),
		LastRecordOffset:  le.Uint32(b[44:]),
		FreeSpaceOffset:   le.Uint32(b[48:]),
		DataChecksum:      le.Uint32(b[52:]),
		HeaderChecksum:    le.Uint32(b[124:]),
	}
}

// headerCRC is the checksum of a chunk header: bytes 0-120 and 128-512.
func headerCRC(b []byte) uint32 {
	c := crc32.ChecksumIEEE(b[:120])
	return crc32.Update(c, crc32.IEEETable, b[128:chunkHeaderSize])
}

var (
	errChunkMagic  = errors.New("no chunk signature")
	errChunkHeader = errors.New("chunk header checksum mismatch")
	errChunkData   = errors.New("chunk records checksum mismatch")
)

// chunk is one chunk's bytes with the names and templates parsed so far.
type chunk struct {
	data      []byte
	hdr       ChunkHeader
	names     map[uint32]nameEntry
	templates map[uint32]*template
	work      int // expansion work left for the chunk's records
}

type nameEntry struct {
	s    string
	size int
}

func newChunk() *chunk {
	return &chunk{
		data:      make([]byte, chunkSize),
		names:     map[uint32]nameEntry{},
		templates: map[uint32]*template{},
		work:      maxChunkWork,
	}
}

// reset forgets the previous chunk's names and templates.
func (c *chunk) reset() {
	clear(c.names)
	clear(c.templates)
	c.work = maxChunkWork
}

// check validates the header read into c.data; errChunkData is returned
// with a usable chunk (its records are still read one by one).
func (c *chunk) check() error {
	b := c.data
	if string(b[:8]) != string(chunkMagic) {
		return errChunkMagic
	}
	c.hdr = parseChunkHeader(b)
	if headerCRC(b) != c.hdr.HeaderChecksum {
		return fmt.Errorf("%w (stored 0x%08x, computed 0x%08x)", errChunkHeader, c.hdr.HeaderChecksum, headerCRC(b))
	}
	free := c.hdr.FreeSpaceOffset
	if free < chunkHeaderSize || free > chunkSize {
		return fmt.Errorf("free space offset 0x%x outside the chunk", free)
	}
	if crc := crc32.ChecksumIEEE(b[chunkHeaderSize:free]); crc != c.hdr.DataChecksum {
		return fmt.Errorf("%w (stored 0x%08x, computed 0x%08x)", errChunkData, c.hdr.DataChecksum, crc)
	}
	return nil
}

// name reads the name structure at a chunk offset: 4 unknown bytes, a hash,
// a character count, the UTF-16 characters and a NUL. It returns the name
// and the structure's size.
func (c *chunk) name(off uint32) (string, int, error) {
	if e, ok := c.names[off]; ok {
		return e.s, e.size, nil
	}
	o := int(off)
	if o < chunkHeaderSize || o+8 > len(c.data) {
		return "", 0, fmt.Errorf("name offset 0x%x outside the chunk", off)
	}
	n := int(binary.LittleEndian.Uint16(c.data[o+6:]))
	size := 8 + 2*n + 2
	if o+size > len(c.data) {
		return "", 0, fmt.Errorf("name at 0x%x of %d characters runs past the chunk", off, n)
	}
	s := utf16String(c.data[o+8 : o+8+2*n])
	if !validName(s) {
		return "", 0, fmt.Errorf("invalid name %q at 0x%x", s, off)
	}
	c.names[off] = nameEntry{s, size}
	return s, size, nil
}

// validName reports whether s can be an XML name as EVTX files use them:
// not empty, no white space, control characters or XML punctuation.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == utf8.RuneError || strings.ContainsRune(`<>&"'=/`, r) {
			return false
		}
	}
	return true
}

// template returns the template defined at a chunk offset: a next-template
// offset, a GUID, a data size and the definition's BinXML.
func (c *chunk) template(off uint32, depth int) (*template, error) {
	if t, ok := c.templates[off]; ok {
		if t.busy {
			return nil, fmt.Errorf("binxml: template at chunk offset 0x%x refers to itself", off)
		}
		return t, t.err
	}
	o := int(off)
	if o < chunkHeaderSize || o+24 > len(c.data) {
		return nil, fmt.Errorf("binxml: template offset 0x%x outside the chunk", off)
	}
	size := int(binary.LittleEndian.Uint32(c.data[o+20:]))
	if size > len(c.data)-o-24 {
		return nil, fmt.Errorf("binxml: template at 0x%x of %d bytes runs past the chunk", off, size)
	}
	t := &template{busy: true}
	c.templates[off] = t // a failure is remembered too: it is not parsed again
	p := parser{c: c, pos: o + 24, end: o + 24 + size, depth: depth}
	t.nodes, t.err = p.stream()
	t.busy = false
	if t.err != nil {
		t.err = fmt.Errorf("template at chunk offset 0x%x: %w", off, t.err)
		return nil, t.err
	}
	return t, nil
}
