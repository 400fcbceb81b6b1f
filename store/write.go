package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// WriteTx is one write transaction: chunks, source progress and the field
// catalog commit together or not at all.
type WriteTx struct {
	tx      *bolt.Tx
	chunks  *bolt.Bucket
	fields  map[string]*FieldStat
	maxSpan int64
}

// Write runs fn in one write transaction. Nothing fn wrote is kept if it
// returns an error.
func (db *DB) Write(fn func(w *WriteTx) error) error {
	if db.readOnly {
		return fmt.Errorf("BUG: write to %s opened read-only", db.path)
	}
	return db.update(func(tx *bolt.Tx) error {
		w := &WriteTx{tx: tx, chunks: tx.Bucket(bucketChunks), fields: make(map[string]*FieldStat)}
		// Chunk keys mostly grow, so pages filled to the brim waste no room.
		w.chunks.FillPercent = 0.95
		meta := tx.Bucket(bucketMeta)
		w.maxSpan = getInt64(meta, keyMaxSpan)
		if err := fn(w); err != nil {
			return err
		}
		if err := putInt64(meta, keyMaxSpan, w.maxSpan); err != nil {
			return err
		}
		return w.flushFields()
	})
}

// PutChunk stores an encoded chunk under a new id.
func (w *WriteTx) PutChunk(c *EncodedChunk) error {
	id, err := w.chunks.NextSequence()
	if err != nil {
		return err
	}
	if err := w.chunks.Put(chunkKey(c.MinTime, id), c.Blob); err != nil {
		return fmt.Errorf("put chunk: %w", err)
	}
	w.maxSpan = max(w.maxSpan, c.MaxTime-c.MinTime)
	for i := range c.Fields {
		w.addField(&c.Fields[i])
	}
	return nil
}

func (w *WriteTx) addField(fs *FieldStat) {
	if f, ok := w.fields[fs.Name]; ok {
		f.merge(fs)
		return
	}
	cp := *fs
	cp.Examples = append([]string(nil), fs.Examples...)
	w.fields[fs.Name] = &cp
}

// AddBuiltinFields counts events under the fields every event has.
func (w *WriteTx) AddBuiltinFields(events int64, source, sourcetype string) {
	for _, f := range []FieldStat{
		{Name: ColTime, Kinds: [6]int64{KindTime: events}},
		{Name: ColRaw, Kinds: [6]int64{KindString: events}},
		{Name: "source", Kinds: [6]int64{KindString: events}, Examples: []string{source}},
		{Name: "sourcetype", Kinds: [6]int64{KindString: events}, Examples: []string{sourcetype}},
	} {
		w.addField(&f)
	}
}

func (w *WriteTx) flushFields() error {
	b := w.tx.Bucket(bucketFields)
	for name, fs := range w.fields {
		if old := b.Get([]byte(name)); old != nil {
			prev, err := decodeFieldStat(name, old)
			if err != nil {
				return err
			}
			prev.merge(fs)
			fs = &prev
		}
		v, err := json.Marshal(fs)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(name), v); err != nil {
			return err
		}
	}
	return nil
}

// Source returns the source record with the given key, or nil.
func (w *WriteTx) Source(key string) (*Source, error) { return getSource(w.tx, key) }

// PutSource stores a source record.
func (w *WriteTx) PutSource(s *Source) error {
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return w.tx.Bucket(bucketSources).Put([]byte(s.Key), v)
}
