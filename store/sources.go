package store

import (
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// Source is the record of one ingested input: how far it has been read
// and what came of it. It is committed with the chunks it describes.
type Source struct {
	Key        string `json:"key"`        // absolute path, or "stdin:NAME"
	Path       string `json:"path"`       // as the user named it
	Name       string `json:"name"`       // the source field value
	Sourcetype string `json:"sourcetype"` // detected or given format
	Offset     int64  `json:"offset"`     // bytes read and committed (uncompressed for .gz)
	Lines      int64  `json:"lines"`      // lines read and committed
	Events     int64  `json:"events"`
	Flagged    int64  `json:"flagged"` // events whose text did not fit the format
	Bytes      int64  `json:"bytes"`   // raw bytes of the committed events
	First      int64  `json:"first"`   // time range of the events, Unix ns
	Last       int64  `json:"last"`
	// Fingerprint is a hash of the first FingerprintLen bytes, to tell a
	// grown file (same start) from a replaced one.
	Fingerprint    uint64 `json:"fingerprint"`
	FingerprintLen int64  `json:"fingerprint_len"`
	ModTime        int64  `json:"mtime"`
	// Device and Inode identify the file a watch follows (0 for
	// ingest), so that a restarted watch finds it again after a rename.
	Device uint64 `json:"dev,omitempty"`
	Inode  uint64 `json:"ino,omitempty"`
}

// GetSource returns the source record with the given key.
func (db *DB) GetSource(key string) (*Source, bool, error) {
	var src *Source
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		src, err = getSource(tx, key)
		return err
	})
	return src, src != nil, err
}

func getSource(tx *bolt.Tx, key string) (*Source, error) {
	v := tx.Bucket(bucketSources).Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	var s Source
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("source %q: %w: %v", key, ErrCorrupt, err)
	}
	return &s, nil
}

// Sources lists every source record, by key.
func (db *DB) Sources() ([]*Source, error) {
	var out []*Source
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			var s Source
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("source %q: %w: %v", k, ErrCorrupt, err)
			}
			out = append(out, &s)
			return nil
		})
	})
	return out, err
}

// Fields lists the field catalog, by name, with the built-in fields first.
func (db *DB) Fields() ([]FieldStat, error) {
	var out []FieldStat
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFields).ForEach(func(k, v []byte) error {
			fs, err := decodeFieldStat(string(k), v)
			out = append(out, fs)
			return err
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// NewestTime returns the time of the newest event in the store, from the
// source records, and whether there is any event.
func (db *DB) NewestTime() (int64, bool, error) {
	srcs, err := db.Sources()
	if err != nil {
		return 0, false, err
	}
	var newest int64
	found := false
	for _, s := range srcs {
		if s.Events > 0 && (!found || s.Last > newest) {
			newest, found = s.Last, true
		}
	}
	return newest, found, nil
}
