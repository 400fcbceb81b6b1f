package store

import (
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// PutModel stores a model under name, replacing any model of that name.
// The value is written in one transaction: whole or not at all.
func (db *DB) PutModel(name string, blob []byte) error {
	if name == "" {
		return fmt.Errorf("model name is empty")
	}
	return db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketModels).Put([]byte(name), blob)
	})
}

// Model returns the stored model of that name.
func (db *DB) Model(name string) ([]byte, bool, error) {
	var out []byte
	err := db.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketModels).Get([]byte(name)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, out != nil, err
}

// DeleteModel removes a stored model; it reports whether one was there.
func (db *DB) DeleteModel(name string) (bool, error) {
	found := false
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketModels)
		found = b.Get([]byte(name)) != nil
		return b.Delete([]byte(name))
	})
	return found, err
}

// Models lists the stored models by name, with each blob.
func (db *DB) Models() (names []string, blobs [][]byte, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketModels).ForEach(func(k, v []byte) error {
			names = append(names, string(k))
			blobs = append(blobs, append([]byte(nil), v...))
			return nil
		})
	})
	sort.Sort(byName{names, blobs})
	return names, blobs, err
}

type byName struct {
	names []string
	blobs [][]byte
}

func (b byName) Len() int           { return len(b.names) }
func (b byName) Less(i, j int) bool { return b.names[i] < b.names[j] }
func (b byName) Swap(i, j int) {
	b.names[i], b.names[j] = b.names[j], b.names[i]
	b.blobs[i], b.blobs[j] = b.blobs[j], b.blobs[i]
}
