package action

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

var t0 = time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

func openDB(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newDB(t testing.TB) (*store.DB, string) {
	path := filepath.Join(t.TempDir(), "a.db")
	db := openDB(t, path)
	t.Cleanup(func() { db.Close() })
	return db, path
}

// raise stores a new alert on entity with the specs planned by r in the
// same transaction, as the rules engine's OnAlert does, and returns its id.
func raise(t testing.TB, db *store.DB, r *Runner, entity map[string]string, specs ...alert.ActionSpec) uint64 {
	t.Helper()
	return raiseAt(t, db, r, entity, time.Time{}, specs...)
}

// raiseAt is raise of an alert whose last event is at last (zero: the
// runner's Now, else t0+4m).
func raiseAt(t testing.TB, db *store.DB, r *Runner, entity map[string]string, last time.Time, specs ...alert.ActionSpec) uint64 {
	t.Helper()
	var id uint64
	err := db.Write(func(w *store.WriteTx) error {
		recs, err := w.Records(alert.Bucket)
		if err != nil {
			return err
		}
		if id, err = recs.NextID(); err != nil {
			return err
		}
		switch {
		case !last.IsZero():
		case r.Now != nil:
			last = r.Now() // the alert's last event: the throttle's clock
		default:
			last = t0.Add(4 * time.Minute)
		}
		a := &alert.Alert{ID: id, Rule: "ssh-brute-force", Severity: alert.High, Entity: entity,
			First: t0, Last: last, Count: 25, State: alert.StateNew}
		if err := alert.Put(w, a); err != nil {
			return err
		}
		return r.Plan(w, a, specs, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func get(t testing.TB, db *store.DB, id uint64) *alert.Alert {
	t.Helper()
	a, err := alert.Get(db, id)
	if err != nil || a == nil {
		t.Fatalf("alert %d: %v %v", id, a, err)
	}
	return a
}

func run(t testing.TB, db *store.DB, r *Runner, now time.Time) {
	t.Helper()
	if err := r.Run(t.Context(), db, now); err != nil {
		t.Fatal(err)
	}
}

// syncBuf is a bytes.Buffer safe for the runner's reports.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// appendScript writes a script that appends its arguments as one line to
// out, and returns its path.
func appendScript(t testing.TB, dir, out string) string {
	t.Helper()
	p := filepath.Join(dir, "append.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho \"$@\" >> '"+out+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func lines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n")) {
		if len(l) > 0 {
			out = append(out, string(l))
		}
	}
	return out
}

func contextBackground() context.Context { return context.Background() }
