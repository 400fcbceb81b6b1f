package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"
)

const fileHeaderSize = 4096

// Magic is the signature at the start of an EVTX file.
var Magic = []byte("ElfFile\x00")

// ErrNotEVTX is returned by Open for data without the EVTX signature.
var ErrNotEVTX = errors.New("not an evtx file")

// FileHeader is the file header (the first 128 of its 4096 bytes).
type FileHeader struct {
	FirstChunk   uint64
	LastChunk    uint64
	NextRecordID uint64
	HeaderSize   uint32
	MinorVersion uint16
	MajorVersion uint16
	NumChunks    uint16 // chunks in use
	Flags        uint32 // 1: dirty, 2: full
	Checksum     uint32 // CRC32 of the first 120 bytes
	ChecksumOK   bool
}

// File is an open EVTX file.
type File struct {
	r      io.ReaderAt
	size   int64
	Header FileHeader
}

// Open reads the file header. A header with a wrong checksum is not fatal:
// Records reports it and reads the chunks anyway.
func Open(r io.ReaderAt, size int64) (*File, error) {
	var b [128]byte
	if size < int64(len(b)) {
		return nil, fmt.Errorf("%w: %d bytes", ErrNotEVTX, size)
	}
	if _, err := r.ReadAt(b[:], 0); err != nil {
		return nil, fmt.Errorf("read evtx header: %w", err)
	}
	if !bytes.Equal(b[:8], Magic) {
		return nil, ErrNotEVTX
	}
	le := binary.LittleEndian
	h := FileHeader{
		FirstChunk:   le.Uint64(b[8:]),
		LastChunk:    le.Uint64(b[16:]),
		NextRecordID: le.Uint64(b[24:]),
		HeaderSize:   le.Uint32(b[32:]),
		MinorVersion: le.Uint16(b[36:]),
		MajorVersion: le.Uint16(b[38:]),
		NumChunks:    le.Uint16(b[42:]),
		Flags:        le.Uint32(b[120:]),
		Checksum:     le.Uint32(b[124:]),
	}
	h.ChecksumOK = crc32.ChecksumIEEE(b[:120]) == h.Checksum
	return &File{r: r, size: size, Header: h}, nil
}

// Damage reports a part of the file that was skipped (or, for a records
// checksum mismatch, read record by record). Offset is a file offset.
type Damage struct {
	Offset int64
	Chunk  int // -1 for the file header
	Err    error
}

func (d *Damage) Error() string {
	if d.Chunk < 0 {
		return fmt.Sprintf("offset 0x%x (file header): %v", d.Offset, d.Err)
	}
	return fmt.Sprintf("offset 0x%x (chunk %d): %v", d.Offset, d.Chunk, d.Err)
}

func (d *Damage) Unwrap() error { return d.Err }

// chunkSlots is how many chunk positions the file has room for, counting
// a truncated last one.
func (f *File) chunkSlots() int {
	if f.size <= fileHeaderSize {
		return 0
	}
	return int((f.size - fileHeaderSize + chunkSize - 1) / chunkSize)
}

// Chunks returns the header of every chunk position in the file, with the
// reason a chunk cannot be read (nil if it can). Positions past the
// header's chunk count that hold no chunk signature (unused, zero-filled
// space) are left out.
func (f *File) Chunks() ([]ChunkHeader, []error) {
	var hs []ChunkHeader
	var errs []error
	c := newChunk()
	for i := range f.chunkSlots() {
		h, err, used := f.readChunk(c, i)
		if !used {
			continue
		}
		hs, errs = append(hs, h), append(errs, err)
	}
	return hs, errs
}

// readChunk reads chunk i into c. used is false for unused space past the
// announced chunks.
func (f *File) readChunk(c *chunk, i int) (h ChunkHeader, err error, used bool) {
	off := int64(fileHeaderSize) + int64(i)*chunkSize
	announced := i < int(f.Header.NumChunks)
	c.reset()
	n, rerr := f.r.ReadAt(c.data, off)
	h = ChunkHeader{Index: i, Offset: off}
	if n < chunkSize {
		clear(c.data[n:])
		if !announced && !bytes.HasPrefix(c.data[:n], chunkMagic) {
			return h, nil, false
		}
		if rerr == nil || rerr == io.EOF {
			rerr = fmt.Errorf("chunk truncated to %d bytes", n)
		}
		return h, rerr, true
	}
	err = c.check()
	if errors.Is(err, errChunkMagic) && !announced {
		return h, nil, false
	}
	h = c.hdr
	h.Index, h.Offset = i, off
	c.hdr = h
	return h, err, true
}

// Records iterates over the records in file order. A damaged part yields a
// nil record and a *Damage error, and iteration goes on with what follows:
// a chunk whose header is damaged is skipped; a chunk whose records
// checksum is wrong is reported and its records are still read one by one;
// a record that cannot be decoded is skipped.
func (f *File) Records() iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		if !f.Header.ChecksumOK {
			if !yield(nil, &Damage{Offset: 0, Chunk: -1, Err: fmt.Errorf("file header checksum mismatch")}) {
				return
			}
		}
		c := newChunk()
		for i := range f.chunkSlots() {
			h, err, used := f.readChunk(c, i)
			if !used {
				continue
			}
			if err != nil {
				if !yield(nil, &Damage{Offset: h.Offset, Chunk: i, Err: err}) {
					return
				}
				if !errors.Is(err, errChunkData) {
					continue
				}
			}
			if !f.chunkRecords(c, yield) {
				return
			}
		}
	}
}

// chunkRecords yields the records of the chunk in c. A record with bad
// framing is reported and the next record signature with good framing is
// looked for.
func (f *File) chunkRecords(c *chunk, yield func(*Record, error) bool) bool {
	end := int(c.hdr.FreeSpaceOffset)
	if end < chunkHeaderSize || end > chunkSize {
		end = chunkSize
	}
	last := int(c.hdr.LastRecordOffset)
	for off := chunkHeaderSize; off+recordHeader+4 <= end && off <= last; {
		size, err := recordAt(c.data[:end], off)
		if err != nil {
			d := &Damage{Offset: c.hdr.Offset + int64(off), Chunk: c.hdr.Index, Err: fmt.Errorf("record: %w", err)}
			if !yield(nil, d) {
				return false
			}
			off = nextRecord(c.data, off+1, end)
			continue
		}
		r, err := c.decodeRecord(off, size)
		if err != nil {
			d := &Damage{Offset: c.hdr.Offset + int64(off), Chunk: c.hdr.Index,
				Err: fmt.Errorf("record %d: %w", r.ID, err)}
			if !yield(nil, d) {
				return false
			}
		} else {
			r.Offset = c.hdr.Offset + int64(off)
			if !yield(r, nil) {
				return false
			}
		}
		off += size
	}
	return true
}

// nextRecord finds the next offset from off with a record signature and
// consistent framing, or end.
func nextRecord(b []byte, off, end int) int {
	sig := []byte{0x2a, 0x2a, 0, 0}
	for off < end {
		i := bytes.Index(b[off:end], sig)
		if i < 0 {
			return end
		}
		off += i
		if _, err := recordAt(b[:end], off); err == nil {
			return off
		}
		off++
	}
	return end
}
