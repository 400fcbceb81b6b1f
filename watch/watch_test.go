package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loghunt/store"
)

type countHook struct {
	calls  atomic.Int64
	events atomic.Int64
	fail   bool
}

func (h *countHook) AfterCommit(ctx context.Context, db *store.DB) error {
	h.calls.Add(1)
	srcs, err := db.Sources() // the store is open here
	if err != nil {
		return err
	}
	var n int64
	for _, s := range srcs {
		n += s.Events
	}
	h.events.Store(n)
	if h.fail {
		return errors.New("the hook failed on purpose")
	}
	return nil
}

type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) add(m string) { w.mu.Lock(); w.msgs = append(w.msgs, m); w.mu.Unlock() }
func (w *warnings) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.msgs, "\n")
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func line(i int) string {
	return fmt.Sprintf("Mar  6 08:00:%02d web01 sshd[1]: Accepted password for bob from 203.0.113.%d port 22 ssh2\n", i%60, i%250)
}

// TestHook: the hook runs after a commit with new events, with the store
// open and holding them, and on its timer without new lines; its error
// is a warning and the watch goes on.
func TestHook(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	os.WriteFile(log, []byte(line(1)+line(2)), 0o644)
	h := &countHook{fail: true}
	var warn warnings
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stats Stats
	go func() {
		var err error
		stats, err = Run(ctx, Config{DB: filepath.Join(dir, "w.db"), Paths: []string{log}, Hook: h, HookEvery: 300 * time.Millisecond, Warn: warn.add})
		done <- err
	}()
	waitUntil(t, "the hook to see 2 events", func() bool { return h.events.Load() == 2 })
	f, _ := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0o644)
	f.WriteString(line(3))
	f.Close()
	waitUntil(t, "the hook to see 3 events", func() bool { return h.events.Load() == 3 })
	n := h.calls.Load()
	waitUntil(t, "timer calls", func() bool { return h.calls.Load() >= n+2 }) // no new lines
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.all(), "hook: the hook failed on purpose") {
		t.Errorf("hook error not reported: %q", warn.all())
	}
	if stats.Events != 3 {
		t.Errorf("stats %+v", stats)
	}
}

// TestBadInput: an unreadable file and a line of 16 MiB and more: a
// warning naming the file (and line), and the watch goes on.
func TestBadInput(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root reads every file")
	}
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	secret := filepath.Join(logs, "secret.log")
	os.WriteFile(secret, []byte(line(1)), 0o000)
	big := filepath.Join(logs, "big.log")
	os.WriteFile(big, []byte(line(1)), 0o644)
	var warn warnings
	db := filepath.Join(dir, "w.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{DB: db, Paths: []string{logs}, Warn: warn.add})
		done <- err
	}()
	waitUntil(t, "the unreadable file's warning", func() bool {
		return strings.Contains(warn.all(), secret+": not followed: open "+secret+": permission denied")
	})
	f, _ := os.OpenFile(big, os.O_WRONLY|os.O_APPEND, 0o644)
	long := "Mar  6 08:00:05 web01 app[7]: " + strings.Repeat("x", 16<<20+100) + "\n"
	f.WriteString(long[:10<<20]) // in two writes: the watch may see the first alone
	time.Sleep(300 * time.Millisecond)
	f.WriteString(long[10<<20:])
	f.WriteString(line(6))
	f.Close()
	waitUntil(t, "the long line's warning", func() bool {
		return strings.Contains(warn.all(), big+": line 2: longer than 16 MiB, stored in pieces flagged truncated=true")
	})
	os.Chmod(secret, 0o644) // readable now: followed at the next rescan
	waitUntil(t, "all events", func() bool {
		s := sourcesEvents(t, db)
		return s == 5 // big: 1 + 2 pieces + 1; secret: 1
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func sourcesEvents(t *testing.T, path string) int64 {
	db, err := store.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		return -1
	}
	defer db.Close()
	srcs, _ := db.Sources()
	var n int64
	for _, s := range srcs {
		n += s.Events
	}
	return n
}

// TestEVTXSkipped: a Windows event log in a watched folder is skipped
// with a warning that says to ingest it, and the logs beside it are
// followed.
func TestEVTXSkipped(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	ev := filepath.Join(logs, "Security.evtx")
	os.WriteFile(ev, append([]byte("ElfFile\x00"), make([]byte, 8192)...), 0o644)
	os.WriteFile(filepath.Join(logs, "auth.log"), []byte(line(1)), 0o644)
	var warn warnings
	db := filepath.Join(dir, "w.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{DB: db, Paths: []string{logs}, Warn: warn.add})
		done <- err
	}()
	waitUntil(t, "the evtx warning", func() bool {
		return strings.Contains(warn.all(), ev+": skipped: a Windows event log (.evtx), which watch does not follow; read it with loghunt ingest")
	})
	waitUntil(t, "the auth.log event", func() bool { return sourcesEvents(t, db) == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
