package main

import (
	"bytes"
	"errors"
	"loghunt/store"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTwoProcesses starts an ingest, then a second ingest and a query on
// the same database while it runs: both must say they are waiting on
// stderr, then succeed, and the store must hold both files' events.
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	bin := linkLoghunt(t)
	dir := t.TempDir()
	big, small := filepath.Join(dir, "big.log"), filepath.Join(dir, "small.log")
	bigLines := writeAccessLog(t, big, 1500000)
	smallLines := writeAccessLog(t, small, 1000)
	db := filepath.Join(dir, "two.db")
	first := exec.Command(bin, "--db", db, "ingest", big)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	waitLocked(t, db)
	var errSecond, errQuery bytes.Buffer
	second := exec.Command(bin, "--db", db, "ingest", small)
	second.Stderr = &errSecond
	query := exec.Command(bin, "--db", db, "query", "--format", "csv", "* | stats count")
	query.Stderr = &errQuery
	var out bytes.Buffer
	query.Stdout = &out
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	if err := query.Start(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*exec.Cmd{first, second, query} {
		if err := c.Wait(); err != nil {
			t.Fatalf("%v: %v\n%s%s", c.Args, err, errSecond.String(), errQuery.String())
		}
	}
	if !strings.Contains(errSecond.String(), "two.db is being written by another loghunt process; waiting") {
		t.Errorf("second ingest did not say it waits: %q", errSecond.String())
	}
	if !strings.Contains(errQuery.String(), "two.db is in use by another loghunt process; waiting") {
		t.Errorf("query did not say it waits: %q", errQuery.String())
	}
	// The query ran after one or both ingests: a consistent count.
	n := strings.TrimSpace(strings.TrimPrefix(out.String(), "count\n"))
	if n != "1500000" && n != "1501000" {
		t.Errorf("query during ingest counted %s events", n)
	}
	final, err := exec.Command(bin, "--db", db, "query", "--format", "csv", "* | stats count").Output()
	if err != nil || strings.TrimSpace(string(final)) != "count\n1501000" {
		t.Fatalf("final count %q %v, want %d", final, err, len(bigLines)+len(smallLines))
	}
}

// TestIngestInterrupt sends SIGINT to a real ingest: it must stop with
// exit code 130, say that a rerun continues, and the rerun must complete
// the store with every event once.
func TestIngestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	bin := linkLoghunt(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	lines := writeAccessLog(t, logPath, 1500000)
	took := timeIngest(t, bin, logPath) // the interrupt comes halfway
	db := filepath.Join(dir, "int.db")
	// An ingest that finished before the interrupt (the timing run was
	// slowed by other tests) is tried again with an earlier interrupt.
	for delay := took / 2; ; delay /= 2 {
		os.Remove(db)
		cmd := exec.Command(bin, "--db", db, "ingest", logPath)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		if err == nil && delay > time.Millisecond {
			t.Logf("the ingest finished within %v; interrupting sooner", delay)
			continue
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "run the same ingest again to continue") {
			t.Fatalf("interrupted ingest: %v, stderr %q", err, stderr.String())
		}
		break
	}
	partial := checkStore(t, db, lines, false)
	if out, err := exec.Command(bin, "--db", db, "ingest", logPath).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	checkStore(t, db, lines, true)
	t.Logf("interrupted after %d of %d events; the rerun added the rest", partial, len(lines))
}

// waitLocked waits until another process holds the database's write lock.
func waitLocked(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		db, err := store.Open(path, store.OpenOptions{ReadOnly: true, Wait: 20 * time.Millisecond})
		if errors.Is(err, store.ErrLocked) {
			return
		}
		if err == nil {
			db.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no process took the lock of %s", path)
}
