package alert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"loghunt/store"
)

// Bucket is the record bucket (store.Records) that holds the alerts: key
// the big-endian uint64 id, value the JSON of an Alert.
const Bucket = "alerts"

// Key is an alert's key in Bucket.
func Key(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// Put stores a in w's alerts bucket; it commits with w.
func Put(w *store.WriteTx, a *Alert) error {
	rec, err := w.Records(Bucket)
	if err != nil {
		return err
	}
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return rec.Put(Key(a.ID), v)
}

// GetIn reads the alert of that id from an alerts bucket (read with
// db.ReadRecords(Bucket, ...) or w.Records(Bucket)); nil when there is none.
func GetIn(recs *store.Records, id uint64) (*Alert, error) {
	v := recs.Get(Key(id))
	if v == nil {
		return nil, nil
	}
	var a Alert
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("alert %d: %w", id, err)
	}
	return &a, nil
}

// Get reads the alert of that id in a read transaction of its own; nil
// when there is none.
func Get(db *store.DB, id uint64) (a *Alert, err error) {
	err = db.ReadRecords(Bucket, func(r *store.Records) error {
		a, err = GetIn(r, id)
		return err
	})
	return a, err
}
