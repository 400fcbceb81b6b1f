package store

import (
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Check verifies the store: bbolt's own page consistency check, then the
// store's invariants. It returns every problem found, joined.
//
// Invariants: every chunk key is 16 bytes and its time is the chunk's min
// time; every chunk's checksum holds, its header parses, its times are
// sorted within [min, max], and every column decodes to Rows values; no
// chunk spans more than the recorded max span; the events of every
// source's chunks add up to its record; every column is in the catalog.
func (db *DB) Check() error {
	var errs []error
	add := func(err error) {
		if len(errs) < 50 {
			errs = append(errs, err)
		}
	}
	err := db.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			add(fmt.Errorf("bbolt: %w", err))
		}
		for _, name := range [][]byte{bucketChunks, bucketSources, bucketFields, bucketModels, bucketMeta} {
			if tx.Bucket(name) == nil {
				add(fmt.Errorf("bucket %s is missing", name))
			}
		}
		if len(errs) > 0 {
			return nil
		}
		checkChunks(tx, add)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %w:\n%w", db.path, ErrCorrupt, errors.Join(errs...))
	}
	return nil
}

func checkChunks(tx *bolt.Tx, add func(error)) {
	maxSpan := getInt64(tx.Bucket(bucketMeta), keyMaxSpan)
	fields := tx.Bucket(bucketFields)
	events := map[string]int64{}
	seq := tx.Bucket(bucketChunks).Sequence()
	tx.Bucket(bucketChunks).ForEach(func(k, v []byte) error {
		minTime, id, ok := parseChunkKey(k)
		if !ok {
			add(errCorruptKey(k))
			return nil
		}
		if id == 0 || id > seq {
			add(fmt.Errorf("chunk %d: id beyond the sequence %d", id, seq))
		}
		if !verifyCRC(v) {
			add(fmt.Errorf("chunk %d: checksum mismatch", id))
			return nil
		}
		c, err := parseChunk(id, v)
		if err != nil {
			add(err)
			return nil
		}
		if c.MinTime != minTime {
			add(fmt.Errorf("chunk %d: key time %d but min time %d", id, minTime, c.MinTime))
		}
		if c.MaxTime-c.MinTime > maxSpan {
			add(fmt.Errorf("chunk %d: spans %d ns, more than the recorded max %d", id, c.MaxTime-c.MinTime, maxSpan))
		}
		events[c.SourceKey] += int64(c.Rows)
		if err := checkColumns(c, fields); err != nil {
			add(err)
		}
		return nil
	})
	tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
		s, err := getSource(tx, string(k))
		if err != nil {
			add(err)
			return nil
		}
		if events[s.Key] != s.Events {
			add(fmt.Errorf("source %s: record says %d events, chunks hold %d", s.Key, s.Events, events[s.Key]))
		}
		delete(events, s.Key)
		return nil
	})
	for key, n := range events {
		add(fmt.Errorf("%d events of source %q have no source record", n, key))
	}
}

func checkColumns(c *Chunk, fields *bolt.Bucket) error {
	ts, err := c.Times()
	if err != nil {
		return err
	}
	if len(ts) != c.Rows || !slices.IsSorted(ts) || ts[0] != c.MinTime || ts[len(ts)-1] != c.MaxTime {
		return fmt.Errorf("chunk %d: times are not sorted within [min, max]", c.ID)
	}
	for _, ci := range c.Cols {
		vals, err := c.Values(ci.Name)
		if err != nil {
			return err
		}
		if len(vals) != c.Rows {
			return fmt.Errorf("chunk %d column %s: %d values for %d rows", c.ID, ci.Name, len(vals), c.Rows)
		}
		if ci.Name == ColRaw {
			if err := c.checkRawBlocks(vals); err != nil {
				return err
			}
		}
		if ci.Name != ColTime && ci.Name != ColRaw && fields.Get([]byte(ci.Name)) == nil {
			return fmt.Errorf("chunk %d column %s: not in the field catalog", c.ID, ci.Name)
		}
	}
	return nil
}
