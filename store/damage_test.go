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
