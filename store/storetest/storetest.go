// Package storetest gives tests a real store on disk: a fresh database in
// the test's temporary directory whose invariants (store.DB.Check) are
// checked when the test ends, so a test that leaves a store damaged fails
// even when its own assertions pass.
package storetest

import (
	"path/filepath"
	"testing"

	"loghunt/store"
)

// Open creates a store in t's temporary directory. When the test ends the
// store is checked (an error fails the test) and closed.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		db.Close()
	})
	return db
}
