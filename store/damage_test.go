package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// TestDamagedFiles truncates and overwrites a real store at many places:
// every open, check and scan must end in an error or a correct answer,
// never a crash (a truncated file would be a fatal bus error in bbolt's
// memory map, and corrupt pages make bbolt panic).
func TestDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := Open(good, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	writeRows(t, db, randomRows(r, 20000, "s"), 2000)
	db.Close()
	orig, _ := os.ReadFile(good)
	try := func(name string, data []byte) {
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o600)
		db, err := Open(path, OpenOptions{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotStore) {
				t.Errorf("%s: open: %v is neither ErrCorrupt nor ErrNotStore", name, err)
			}
			return
		}
		defer db.Close()
		db.Check() // may report damage; must not crash
		db.Scan(context.Background(), AllTime, func(c *Chunk) (any, error) {
			_, err := c.Values(ColRaw)
			return nil, err
		}, func(*Chunk, any) error { return nil })
	}
	hw := int64(len(orig))
	for i := 0; i < 20; i++ {
		try("trunc.db", orig[:r.Int64N(hw)])
	}
	for i := 0; i < 40; i++ {
		bad := append([]byte(nil), orig...)
		at := 4096*2 + r.IntN(len(bad)-4096*2-64)
		for k := 0; k < 64; k++ {
			bad[at+k] = byte(r.IntN(256))
		}
		try("junk.db", bad)
	}
}

func TestNewerFormatRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := Open(path, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, FormatVersion+1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, OpenOptions{ReadOnly: true})
	if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprintf("format %d", FormatVersion+1)) {
		t.Fatalf("newer format: %v", err)
	}
}

// TestOlderFormatMarked: a store of format 1 is read as it is, and marked
// with the current format when opened for writing (it will get chunks an
// older loghunt cannot read).
func TestOlderFormatMarked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(path, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	version := func(db *DB) uint32 {
		var v uint32
		if err := db.view(func(tx *bolt.Tx) error {
			v = binary.BigEndian.Uint32(tx.Bucket(bucketMeta).Get(keyVersion))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path, OpenOptions{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	if v := version(db); v != 1 {
		t.Errorf("read-only open: format %d, want 1", v)
	}
	db.Close()
	if db, err = Open(path, OpenOptions{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v := version(db); v != FormatVersion {
		t.Errorf("writable open: format %d, want %d", v, FormatVersion)
	}
}

// chunkPlace is where a chunk value lies in the database file.
type chunkPlace struct {
	id       uint64
	off, len int
	c        *Chunk // parsed from the clean file, for its sections' places (header only)
	dataOff  int    // where the column data starts in the value
	lastRaw  int    // the stored size of the last _raw block
}

// chunkPlaces returns where every chunk value lies in the file of db.
func chunkPlaces(t *testing.T, db *DB) []chunkPlace {
	t.Helper()
	var out []chunkPlace
	base := db.bolt.Info().Data
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChunks).ForEach(func(k, v []byte) error {
			_, id, _ := parseChunkKey(k)
			c, err := parseChunk(id, v)
			if err != nil {
				return err
			}
			d, err := c.rawDir()
			if err != nil {
				return err
			}
			off := int(uintptr(unsafe.Pointer(&v[0])) - base)
			pl := chunkPlace{id: id, off: off, len: len(v), c: c, dataOff: len(v) - 4 - len(c.data)}
			if d != nil {
				pl.lastRaw = d.blocks[len(d.blocks)-1].len
			}
			out = append(out, pl)
			c.data, c.blob, c.rawDirCache = nil, nil, nil // the memory map goes with the store
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readAll reads every column of every chunk a scan hands on, and returns
// per chunk id a digest of what it read.
func readAll(db *DB, names []string, skip func(*DamageError)) (map[uint64]string, int, error) {
	got := map[uint64]string{}
	rows := 0
	spec := AllTime
	spec.SkipDamaged = skip
	_, err := db.Scan(context.Background(), spec, func(c *Chunk) (any, error) {
		var b strings.Builder
		ts, _, err := c.timesInto(nil, nil)
		if err != nil {
			return nil, err
		}
		fmt.Fprint(&b, ts)
		raws, err := c.rawValues(nil)
		if err != nil {
			return nil, err
		}
		fmt.Fprint(&b, raws)
		for _, name := range names {
			v, err := c.Values(name)
			if err != nil {
				return nil, err
			}
			fmt.Fprint(&b, v)
		}
		if d, _ := c.rawDir(); d != nil {
			var buf []byte
			for i := range d.blocks {
				if buf, _, err = c.rawBlockAppend(i, buf[:0], make([]uint32, d.blocks[i].nrows)); err != nil {
					return nil, err
				}
			}
		}
		return b.String(), nil
	}, func(c *Chunk, v any) error {
		got[c.ID] = v.(string)
		rows += c.Rows
		return nil
	})
	return got, rows, err
}

// TestDamagedChunkSections overwrites 4 KiB of a copy of a real store at
// places inside chunk data (a header, the time column, a dictionary, the
// directory and a block of _raw with fields cut out and without, a chunk's
// end): Check names the chunk, a scan that reads it fails with a
// DamageError naming the chunk, its source and time range, and with
// SkipDamaged the scan reads exactly the other chunks, unchanged. Reads of
// chunks of format 3 and before checked nothing, so a scan returned
// changed values.
func TestDamagedChunkSections(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := Open(good, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	writeRows(t, db, randomRows(r, 6000, "plain"), 2000)
	writeRows(t, db, webRows(r, 6000), 3000)
	names := []string{"status", "user", "mixed", "bytes", "ip", "agent", "path", "product", "tail"}
	clean, total, err := readAll(db, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	places := chunkPlaces(t, db)
	db.Close()
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	type target struct {
		name string
		p    chunkPlace
		at   int // offset in the chunk value
	}
	var targets []target
	for _, p := range places {
		col := func(name string) *ColumnInfo { return p.c.Column(name) }
		targets = append(targets, target{"header", p, 8}, target{"end", p, p.len - 4096})
		for _, name := range []string{ColTime, "user", "ip", "bytes"} {
			if ci := col(name); ci != nil {
				targets = append(targets, target{"column " + name, p, p.dataOff + ci.Off})
			}
		}
		raw := col(ColRaw)
		targets = append(targets, target{"raw directory", p, p.dataOff + raw.Off},
			target{"raw block", p, p.dataOff + raw.Off + raw.Len - p.lastRaw})
	}
	for i, tg := range targets {
		at := min(max(tg.at, 0), tg.p.len-4096)
		name := fmt.Sprintf("%s of chunk %d", tg.name, tg.p.id)
		bad := append([]byte(nil), orig...)
		for k := range 4096 {
			bad[tg.p.off+at+k] = byte(r.Uint32())
		}
		path := filepath.Join(dir, fmt.Sprintf("bad%d.db", i))
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatalf("%s: open: %v", name, err)
		}
		rep, err := db.Verify()
		if err == nil || len(rep.Damaged) != 1 || rep.Damaged[0].ID != tg.p.id ||
			!strings.Contains(err.Error(), fmt.Sprintf("chunk %d (", tg.p.id)) {
			t.Errorf("%s: check: %v", name, err)
		}
		if _, _, err := readAll(db, names, nil); err == nil {
			t.Errorf("%s: a scan reading everything met no damage", name)
		} else {
			var de *DamageError
			if !errors.As(err, &de) || !errors.Is(err, ErrCorrupt) || de.ID != tg.p.id || de.Path != path {
				t.Errorf("%s: scan: %v, want a DamageError of chunk %d", name, err, tg.p.id)
			} else if de.Known && (de.Source != tg.p.c.Source || de.MinTime != tg.p.c.MinTime || de.MaxTime != tg.p.c.MaxTime ||
				!strings.Contains(err.Error(), "source "+tg.p.c.Source+", ")) {
				t.Errorf("%s: %v does not name the chunk's source and time range", name, err)
			} else if !de.Known && tg.name != "header" {
				t.Errorf("%s: %v: the header is intact", name, err)
			}
		}
		var skipped []*DamageError
		got, rows, err := readAll(db, names, func(de *DamageError) { skipped = append(skipped, de) })
		if err != nil {
			t.Errorf("%s: scan skipping damage: %v", name, err)
		}
		if len(skipped) != 1 || skipped[0].ID != tg.p.id {
			t.Errorf("%s: skipped %v, want chunk %d", name, skipped, tg.p.id)
		} else if skipped[0].Known && rows != total-skipped[0].Rows {
			t.Errorf("%s: read %d rows, want %d - %d skipped", name, rows, total, skipped[0].Rows)
		}
		for id, v := range got {
			if v != clean[id] {
				t.Errorf("%s: chunk %d reads differently", name, id)
			}
		}
		if len(got) != len(clean)-1 {
			t.Errorf("%s: read %d chunks of %d, want all but the damaged one", name, len(got), len(clean))
		}
		db.Close()
	}
}

// TestDamagedOldFormat: a chunk of format 1 to 3 has one checksum over
// all of it, which a scan now checks before it reads the chunk: damage
// anywhere in it is a DamageError naming the chunk and (from its header)
// its source, or skipped with SkipDamaged.
func TestDamagedOldFormat(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("..", "testdata", "format1.db"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if err := os.WriteFile(good, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(good, OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	places := chunkPlaces(t, db)
	_, total, err := readAll(db, nil, nil)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range places {
		bad := append([]byte(nil), orig...)
		at := p.off + p.dataOff + (p.len-p.dataOff)/2
		for k := range 64 {
			bad[at+k] ^= 0x20
		}
		path := filepath.Join(dir, "bad.db")
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = readAll(db, nil, nil)
		var de *DamageError
		if !errors.As(err, &de) || de.ID != p.id || !de.Known || de.Source != p.c.Source || de.Rows != p.c.Rows {
			t.Errorf("chunk %d: %v, want a DamageError naming it and its source", p.id, err)
		}
		_, rows, err := readAll(db, nil, func(*DamageError) {})
		if err != nil || rows != total-p.c.Rows {
			t.Errorf("chunk %d: skipping damage: %d rows, want %d - %d (%v)", p.id, rows, total, p.c.Rows, err)
		}
		if err := db.Check(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("chunk %d (source %s,", p.id, p.c.Source)) {
			t.Errorf("chunk %d: check: %v", p.id, err)
		}
		db.Close()
	}
}
