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

func sourcesEvents(t *testing.T, path string) int64 { return sourceEvents(t, path, "") }

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

// feedHook appends to a file after every commit, more than a commit may
// read: the file before it in a cycle keeps the whole read budget.
type feedHook struct {
	path  string
	until time.Time
	n     atomic.Int64
}

func (h *feedHook) AfterCommit(ctx context.Context, db *store.DB) error {
	if time.Now().After(h.until) {
		return nil
	}
	var sb strings.Builder
	for sb.Len() < 40<<10 {
		sb.WriteString(line(int(h.n.Add(1))))
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(sb.String())
	return err
}

// TestStarvedTailNotIdle: a file read up to the middle of a line when the
// read budget ran out, and then left unread for longer than the idle
// time-out while another file takes the budget, is not idle: its
// unterminated last piece waits for the rest of its line and is not
// stored as a line of its own (it was, at 20k lines/s with two files:
// two garbled events a line).
func TestStarvedTailNotIdle(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	a, b := filepath.Join(logs, "a.log"), filepath.Join(logs, "b.log")
	var aText, bText strings.Builder
	for aText.Len() < 10<<10 {
		aText.WriteString(line(aText.Len()))
	}
	lines := 0
	for bText.Len() < 30<<10 {
		bText.WriteString(line(lines))
		lines++
	}
	os.WriteFile(a, []byte(aText.String()), 0o644)
	os.WriteFile(b, []byte(bText.String()), 0o644)
	h := &feedHook{path: a, until: time.Now().Add(1500 * time.Millisecond)}
	var warn warnings
	db := filepath.Join(dir, "w.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{DB: db, Paths: []string{logs}, Hook: h, HookEvery: time.Hour,
			MaxBatch: 16 << 10, Idle: 300 * time.Millisecond, Interval: 5 * time.Millisecond, Warn: warn.add})
		done <- err
	}()
	aLines := func() int64 { return int64(strings.Count(aText.String(), "\n")) + h.n.Load() }
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && (time.Now().Before(h.until) || sourcesEvents(t, db) < aLines()+int64(lines)) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := sourceEvents(t, db, b)
	if got != int64(lines) {
		t.Errorf("b.log: %d events stored, want its %d lines (warnings: %s)", got, lines, warn.all())
	}
	if n := sourcesEvents(t, db); n != aLines()+int64(lines) {
		t.Errorf("%d events in all, want %d", n, aLines()+int64(lines))
	}
	t.Logf("a.log grew by %d lines while b.log waited", h.n.Load())
}

// sourceEvents counts the stored events of the source name ("": all).
func sourceEvents(t *testing.T, path, name string) int64 {
	db, err := store.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		return -1
	}
	defer db.Close()
	srcs, _ := db.Sources()
	var n int64
	for _, s := range srcs {
		if name == "" || s.Path == name || s.Name == name {
			n += s.Events
		}
	}
	return n
}
