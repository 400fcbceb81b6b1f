package store

import (
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Records is one bucket of records that a package above the store keeps
// in the same file as the events (alerts, actions, rule progress): keys
// and values are the owner's; the store only keeps them, in the same
// transactions as the chunks when the owner writes through a WriteTx.
//
// A record bucket is named "rec:" + the owner's name, so that it never
// collides with the store's own buckets. Values returned by Get and
// ForEach are copies: they stay valid after the transaction.
type Records struct {
	b        *bolt.Bucket
	writable bool
}

const recordPrefix = "rec:"

func recordBucket(name string) ([]byte, error) {
	if name == "" || strings.ContainsRune(name, 0) {
		return nil, fmt.Errorf("record bucket name %q is empty or holds NUL", name)
	}
	return []byte(recordPrefix + name), nil
}

// Records returns the record bucket of that name, created if missing, in
// this write transaction: what is put into it commits with the chunks and
// source progress of the transaction, or not at all.
func (w *WriteTx) Records(name string) (*Records, error) {
	key, err := recordBucket(name)
	if err != nil {
		return nil, err
	}
	b, err := w.tx.CreateBucketIfNotExists(key)
	if err != nil {
		return nil, fmt.Errorf("record bucket %s: %w", name, err)
	}
	return &Records{b: b, writable: true}, nil
}

// ReadRecords runs fn with the record bucket of that name in a read
// transaction; a bucket nothing was ever put into reads as empty.
func (db *DB) ReadRecords(name string, fn func(r *Records) error) error {
	key, err := recordBucket(name)
	if err != nil {
		return err
	}
	return db.view(func(tx *bolt.Tx) error {
		return fn(&Records{b: tx.Bucket(key)})
	})
}

// UpdateRecords runs fn in a write transaction of its own (no chunks):
// for changes to records alone, such as acknowledging an alert.
func (db *DB) UpdateRecords(fn func(w *WriteTx) error) error { return db.Write(fn) }

// ErrReadOnlyRecords is returned by a change to records read with
// ReadRecords.
var ErrReadOnlyRecords = errors.New("records read in a read transaction cannot change")

// Get returns a copy of the value under key, or nil.
func (r *Records) Get(key []byte) []byte {
	if r.b == nil {
		return nil
	}
	if v := r.b.Get(key); v != nil {
		return append([]byte{}, v...)
	}
	return nil
}

// Put stores value under key.
func (r *Records) Put(key, value []byte) error {
	if !r.writable {
		return ErrReadOnlyRecords
	}
	return r.b.Put(key, value)
}

// Delete removes the value under key, if any.
func (r *Records) Delete(key []byte) error {
	if !r.writable {
		return ErrReadOnlyRecords
	}
	return r.b.Delete(key)
}

// NextID returns the bucket's next sequence number (1, 2, ...): ids
// taken in a transaction that does not commit are taken again.
func (r *Records) NextID() (uint64, error) {
	if !r.writable {
		return 0, ErrReadOnlyRecords
	}
	return r.b.NextSequence()
}

// ForEach calls fn for every record in key order (bytewise) from the
// first key at or after from (nil: the first); fn returning false stops.
func (r *Records) ForEach(from []byte, fn func(key, value []byte) (bool, error)) error {
	if r.b == nil {
		return nil
	}
	c := r.b.Cursor()
	var k, v []byte
	if from == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(from)
	}
	for ; k != nil; k, v = c.Next() {
		more, err := fn(append([]byte{}, k...), append([]byte{}, v...))
		if err != nil || !more {
			return err
		}
	}
	return nil
}
