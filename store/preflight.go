package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's meta page, as it lies on disk: a 16-byte page header, then
// magic, version, page size, flags (uint32 each), the root bucket (root
// page, sequence), the freelist page, the high-water page id and the
// transaction id (uint64 each), and an FNV-64a checksum of all before it.
const (
	metaOffset   = 16
	metaPgid     = 40
	metaTxid     = 48
	metaChecksum = 56
	boltMagic    = 0xED0CDAED
)

// preflight checks, before bbolt maps the file, that it holds every page
// its newest valid meta page refers to. bbolt reads pages through a memory
// map, and a page past the end of a truncated file is a fatal bus error,
// not a panic that could be recovered.
func preflight(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // bbolt reports it
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil
	}
	var best struct{ pgid, txid, pageSize uint64 }
	found := false
	pageSize := int64(4096)
	for i := int64(0); i < 2; i++ {
		buf := make([]byte, metaOffset+metaChecksum+8)
		if _, err := f.ReadAt(buf, i*pageSize); err != nil && err != io.EOF {
			continue
		}
		m := buf[metaOffset:]
		if binary.LittleEndian.Uint32(m) != boltMagic {
			continue
		}
		h := fnv.New64a()
		h.Write(m[:metaChecksum])
		if h.Sum64() != binary.LittleEndian.Uint64(m[metaChecksum:]) {
			continue
		}
		ps := uint64(binary.LittleEndian.Uint32(m[8:]))
		if i == 0 && ps >= 512 {
			pageSize = int64(ps)
		}
		pgid, txid := binary.LittleEndian.Uint64(m[metaPgid:]), binary.LittleEndian.Uint64(m[metaTxid:])
		if !found || txid > best.txid {
			best.pgid, best.txid, best.pageSize, found = pgid, txid, ps, true
		}
	}
	if found && uint64(fi.Size()) < best.pgid*best.pageSize {
		return fmt.Errorf("%s: %w: the file is %d bytes but its pages reach %d bytes (truncated?)",
			path, ErrCorrupt, fi.Size(), best.pgid*best.pageSize)
	}
	return nil
}
