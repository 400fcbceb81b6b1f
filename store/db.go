// Package store keeps events in one bbolt file: time-keyed, compressed,
// column-per-field chunks, plus the sources, field catalog and models.
// FORMAT.md describes the layout on disk.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FormatVersion is the on-disk format this code writes; it reads every
// format up to it. Format 2 stores _raw in blocks with a token filter each
// (format 1 chunks have one filter in the header); format 3 may cut the
// values of long dictionary fields out of those blocks (encoding 8);
// format 4 chunks ("LHC2") have a checksum of their header, of each column
// and of each _raw block, so that a read verifies just what it decodes;
// format 5 may pack the codes of a dictionary of at most 15 values (1, 2
// or 4 bits a code, section compression 2); format 6 may compress the
// values section of a dictionary with S2 (section compression 3). A
// writer marks an older store as 6 before adding chunks, so an older
// loghunt refuses it instead of meeting chunks it cannot read.
const FormatVersion = 6

// Bucket names.
var (
	bucketChunks  = []byte("chunks")
	bucketSources = []byte("sources")
	bucketFields  = []byte("fields")
	bucketModels  = []byte("models")
	bucketMeta    = []byte("meta")

	keyVersion = []byte("version")
	keyMaxSpan = []byte("maxspan")
)

// Errors callers branch on.
var (
	ErrNotExist = errors.New("no such database")
	ErrLocked   = errors.New("database is locked by another loghunt process")
	ErrVersion  = errors.New("database was written by a newer loghunt")
	ErrNotStore = errors.New("not a loghunt database")
	ErrCorrupt  = errors.New("database is damaged")
)

// DB is an open store.
type DB struct {
	bolt     *bolt.DB
	path     string
	readOnly bool
}

// OpenOptions say how to open a store.
type OpenOptions struct {
	ReadOnly bool          // share the file with other readers; no writes
	Create   bool          // create the file (mode 0600) when it is missing
	Wait     time.Duration // how long to wait for another process's lock; 0 means 1 minute
	// OnWait is called once when the file is locked by another process and
	// Open starts waiting, so the caller can say so.
	OnWait func()
	// SyncFreelist writes bbolt's list of free pages with every commit, so
	// that the next Open reads it instead of walking every page of the
	// file to rebuild it: for a writer that opens the store for every
	// commit (a watch), whose opens would otherwise cost time and memory
	// in proportion to the store's size.
	SyncFreelist bool
}

// Open opens the store at path.
func Open(path string, opt OpenOptions) (db *DB, err error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !opt.Create {
		return nil, fmt.Errorf("%s: %w (create it with 'loghunt ingest')", path, ErrNotExist)
	}
	if err := preflight(path); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	wait := opt.Wait
	if wait == 0 {
		wait = time.Minute
	}
	bo := &bolt.Options{ReadOnly: opt.ReadOnly, Timeout: 200 * time.Millisecond,
		FreelistType: bolt.FreelistMapType, NoFreelistSync: !opt.SyncFreelist}
	if !opt.ReadOnly {
		// Map room to grow into from the start: each time bbolt maps the
		// file anew it first copies every value of the pending write out
		// of the old map (a tenth of the time of writing chunks). Address
		// space only; pages come as the file grows.
		bo.InitialMmapSize = 1 << 30
	}
	b, err := bolt.Open(path, 0o600, bo)
	if errors.Is(err, bolterrors.ErrTimeout) {
		if opt.OnWait != nil {
			opt.OnWait()
		}
		bo.Timeout = wait
		b, err = bolt.Open(path, 0o600, bo)
	}
	if err != nil {
		return nil, openError(path, err)
	}
	// Grow the file in small steps: the default 16 MiB would leave up to
	// that much unused at the end of every store.
	b.AllocSize = 4 << 20
	db = &DB{bolt: b, path: path, readOnly: opt.ReadOnly}
	if err := db.init(); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("%s: %w (gave up waiting)", path, ErrLocked)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch),
		errors.Is(err, bolterrors.ErrChecksum):
		return fmt.Errorf("%s: %w (%v)", path, ErrNotStore, err)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// init creates the buckets of a new store and checks the format version.
func (db *DB) init() error {
	check := func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%s: %w (no meta bucket)", db.path, ErrNotStore)
		}
		v := meta.Get(keyVersion)
		if len(v) != 4 {
			return fmt.Errorf("%s: %w (no format version)", db.path, ErrNotStore)
		}
		if n := binary.BigEndian.Uint32(v); n > FormatVersion {
			return fmt.Errorf("%s: %w (format %d; this loghunt reads up to %d)", db.path, ErrVersion, n, FormatVersion)
		}
		return nil
	}
	if db.readOnly {
		return db.view(check)
	}
	// A store already at this format needs no write (a watch opens the
	// store for every commit: an extra write would double its syncs).
	current := false
	if err := db.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil
		}
		if err := check(tx); err != nil {
			return err
		}
		current = binary.BigEndian.Uint32(meta.Get(keyVersion)) == FormatVersion
		return nil
	}); err != nil || current {
		return err
	}
	return db.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			if !isEmpty(tx) {
				return fmt.Errorf("%s: %w (a bbolt file with other buckets)", db.path, ErrNotStore)
			}
			for _, name := range [][]byte{bucketChunks, bucketSources, bucketFields, bucketModels, bucketMeta} {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, FormatVersion)); err != nil {
				return err
			}
		}
		if err := check(tx); err != nil {
			return err
		}
		if n := binary.BigEndian.Uint32(tx.Bucket(bucketMeta).Get(keyVersion)); n < FormatVersion {
			return tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, FormatVersion))
		}
		return nil
	})
}

func isEmpty(tx *bolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

// Path returns the file the store lives in.
func (db *DB) Path() string { return db.path }

// Close closes the store, releasing its lock.
func (db *DB) Close() error { return db.bolt.Close() }

// view runs fn in a read transaction, turning a bbolt panic on a damaged
// page into an error naming the file.
func (db *DB) view(fn func(*bolt.Tx) error) (err error) {
	defer db.contain(&err)
	return db.bolt.View(fn)
}

func (db *DB) update(fn func(*bolt.Tx) error) (err error) {
	defer db.contain(&err)
	return db.bolt.Update(fn)
}

func (db *DB) contain(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %w: %v", db.path, ErrCorrupt, r)
	}
}

// chunkKey is the big-endian min time with the sign bit flipped, so keys
// sort by time, then the chunk id.
func chunkKey(minTime int64, id uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(minTime)^(1<<63))
	binary.BigEndian.PutUint64(k[8:], id)
	return k
}

func parseChunkKey(k []byte) (minTime int64, id uint64, ok bool) {
	if len(k) != 16 {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(k) ^ (1 << 63)), binary.BigEndian.Uint64(k[8:]), true
}

func getInt64(b *bolt.Bucket, key []byte) int64 {
	v := b.Get(key)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func putInt64(b *bolt.Bucket, key []byte, v int64) error {
	return b.Put(key, binary.BigEndian.AppendUint64(nil, uint64(v)))
}

func errCorruptKey(k []byte) error {
	return fmt.Errorf("%w: chunk key %x is not 16 bytes", ErrCorrupt, k)
}
