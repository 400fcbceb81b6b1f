package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The watch tests run the real binary, built with go build, on real files
// and a real store on disk.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func buildLoghunt(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "loghunt-watch-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "loghunt")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// syncBuf is a buffer a child process writes while the test reads it.
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

type watchProc struct {
	cmd    *exec.Cmd
	stderr *syncBuf
}

func startWatch(t *testing.T, bin, db string, args ...string) *watchProc {
	t.Helper()
	w := &watchProc{stderr: &syncBuf{}}
	w.cmd = exec.Command(bin, append([]string{"--db", db, "watch"}, args...)...)
	w.cmd.Stderr = w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			w.cmd.Process.Kill()
			w.cmd.Wait()
		}
	})
	return w
}

// stop interrupts the watch and returns its exit code.
func (w *watchProc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	w.cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		w.cmd.Process.Kill()
		t.Fatalf("watch did not stop on %v; stderr:\n%s", sig, w.stderr)
	}
	return w.cmd.ProcessState.ExitCode()
}

func (w *watchProc) kill9() {
	w.cmd.Process.Kill()
	w.cmd.Wait()
}

func authLine(seq int) string {
	return fmt.Sprintf("Mar  6 08:%02d:%02d web01 sshd[%d]: Failed password for root from 203.0.113.%d port 22 ssh2 seq=%d\n",
		seq/60%60, seq%60, 1000+seq%500, seq%250, seq)
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(authLine(i))
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// seqStats returns count, dc, min and max of the seq numbers in the store.
func seqStats(t *testing.T, bin, db string) string {
	t.Helper()
	out, err := exec.Command(bin, "--db", db, "query", "--format", "csv",
		`* | rex "seq=(?<s>\d+)" | eval n=tonumber(s) | stats count, dc(n), min(n), max(n)`).CombinedOutput()
	if err != nil {
		return "error: " + string(out)
	}
	return strings.TrimSpace(strings.TrimPrefix(string(out), "count,dc(n),min(n),max(n)\n"))
}

// want says what seqStats gives for seq 1..n each once.
func want(n int) string { return fmt.Sprintf("%d,%d,1,%d", n, n, n) }

func waitStats(t *testing.T, bin, db, wantStats string, timeout time.Duration, w *watchProc) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	got := ""
	for time.Now().Before(deadline) {
		if got = seqStats(t, bin, db); got == wantStats {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	stderr := ""
	if w != nil {
		stderr = w.stderr.String()
	}
	t.Fatalf("store has count,dc,min,max = %s, want %s; watch stderr:\n%s", got, wantStats, stderr)
}

func TestWatchAppend(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "auth.log")
	appendLines(t, log, 1, 3)
	w := startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(3), 5*time.Second, w)
	appendLines(t, log, 4, 10)
	waitStats(t, bin, db, want(10), 5*time.Second, w)
	if code := w.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("exit %d after SIGINT; stderr:\n%s", code, w.stderr)
	}
	// A restart goes on where it stopped: nothing twice.
	appendLines(t, log, 11, 12)
	w = startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(12), 5*time.Second, w)
	time.Sleep(500 * time.Millisecond)
	if got := seqStats(t, bin, db); got != want(12) {
		t.Fatalf("after restart: %s", got)
	}
}

// TestWatchRenameRotation: the writer renames the file, writes its last
// lines to the old one through its open descriptor, then opens a new
// file at the name.
func TestWatchRenameRotation(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "auth.log")
	old, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		old.WriteString(authLine(i))
	}
	w := startWatch(t, bin, db, log) // the file alone: the rotated name is not followed
	waitStats(t, bin, db, want(5), 5*time.Second, w)
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	for i := 6; i <= 8; i++ {
		old.WriteString(authLine(i)) // the daemon has not reopened yet
	}
	old.Close()
	appendLines(t, log, 9, 12)
	waitStats(t, bin, db, want(12), 5*time.Second, w)
	// A later rotation while the watch is down: the renamed file is found
	// by its inode and read to its end.
	w.stop(t, os.Interrupt)
	old, _ = os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0o644)
	os.Rename(log, log+".2")
	old.WriteString(authLine(13))
	old.Close()
	appendLines(t, log, 14, 15)
	w = startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(15), 5*time.Second, w)
}

// TestWatchCopyTruncate: logrotate's copytruncate: the file is copied to
// foo.log.1 (in the followed directory) and truncated; writing goes on
// at offset 0. Nothing is lost (the lines the watch had not read yet are
// read from the copy) and nothing is read twice (the copy is recognised).
func TestWatchCopyTruncate(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	db, log := filepath.Join(dir, "w.db"), filepath.Join(logs, "auth.log")
	appendLines(t, log, 1, 20)
	w := startWatch(t, bin, db, logs)
	waitStats(t, bin, db, want(20), 5*time.Second, w)
	for round := range 3 {
		base := 20 + round*30
		appendLines(t, log, base+1, base+20) // not necessarily read before the copy
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(fmt.Sprintf("%s.%d", log, round+1), data, 0o644)
		os.Truncate(log, 0)
		appendLines(t, log, base+21, base+30)
	}
	waitStats(t, bin, db, want(110), 8*time.Second, w)
	time.Sleep(1500 * time.Millisecond) // a rescan or two: still nothing twice
	if got := seqStats(t, bin, db); got != want(110) {
		t.Fatalf("later: %s; stderr:\n%s", got, w.stderr)
	}
}

// TestWatchNewFilesInDir: files created in a followed directory are
// followed; not-a-log files and binary files are not, with a warning
// naming the binary one.
func TestWatchNewFilesInDir(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(filepath.Join(logs, "sub"), 0o755)
	db := filepath.Join(logs, "w.db") // the store and its lock file are not followed
	w := startWatch(t, bin, db, logs)
	time.Sleep(300 * time.Millisecond)
	appendLines(t, filepath.Join(logs, "a.log"), 1, 4)
	appendLines(t, filepath.Join(logs, "sub", "b.log"), 5, 6)
	os.WriteFile(filepath.Join(logs, "README.md"), []byte("Mar  6 08:00:00 x seq=99\n"), 0o644)
	os.WriteFile(filepath.Join(logs, "c.log.gz"), []byte("\x1f\x8b\x08\x00seq=98"), 0o644)
	bin2 := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 3, 0xff}, 400)...)
	os.WriteFile(filepath.Join(logs, "core.dump.log"), bin2, 0o644)
	waitStats(t, bin, db, want(6), 5*time.Second, w)
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(w.stderr.String(), "core.dump.log: skipped: looks like a binary file") {
		if time.Now().After(deadline) {
			t.Fatalf("no warning about the binary file; stderr:\n%s", w.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	appendLines(t, filepath.Join(logs, "a.log"), 7, 8)
	waitStats(t, bin, db, want(8), 5*time.Second, w)
}

// TestWatchDeleteRecreate: the file is deleted and a new one made at its
// name.
func TestWatchDeleteRecreate(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "app.log")
	appendLines(t, log, 1, 5)
	w := startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(5), 5*time.Second, w)
	os.Remove(log)
	time.Sleep(300 * time.Millisecond)
	appendLines(t, log, 6, 9)
	waitStats(t, bin, db, want(9), 5*time.Second, w)
	os.Remove(log)
	appendLines(t, log, 10, 11) // at once, before the watch looks
	waitStats(t, bin, db, want(11), 5*time.Second, w)
}

// TestWatchRotatedCopyNotDoubled: in a followed directory foo.log is
// renamed to foo.log.1 and a new foo.log made, with the watch running and
// with the watch down; foo.log.1 is the same file, not ingested again.
func TestWatchRotatedCopyNotDoubled(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	db, log := filepath.Join(dir, "w.db"), filepath.Join(logs, "foo.log")
	appendLines(t, log, 1, 10)
	w := startWatch(t, bin, db, logs)
	waitStats(t, bin, db, want(10), 5*time.Second, w)
	os.Rename(log, log+".1")
	appendLines(t, log, 11, 15)
	waitStats(t, bin, db, want(15), 5*time.Second, w)
	w.kill9()
	os.Rename(log+".1", log+".2")
	os.Rename(log, log+".1")
	appendLines(t, log, 16, 17)
	w = startWatch(t, bin, db, logs)
	waitStats(t, bin, db, want(17), 5*time.Second, w)
	time.Sleep(1500 * time.Millisecond)
	if got := seqStats(t, bin, db); got != want(17) {
		t.Fatalf("later: %s; stderr:\n%s", got, w.stderr)
	}
}

// TestWatchPartialLine: an unterminated last line is held back until its
// newline comes, then stored whole; one left unterminated is stored after
// --idle.
func TestWatchPartialLine(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "auth.log")
	appendLines(t, log, 1, 2)
	w := startWatch(t, bin, db, "--idle", "3s", log)
	waitStats(t, bin, db, want(2), 5*time.Second, w)
	line := authLine(3)
	f, _ := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0o644)
	f.WriteString(line[:30])
	time.Sleep(1200 * time.Millisecond)
	if got := seqStats(t, bin, db); got != want(2) {
		t.Fatalf("a partial line was stored: %s", got)
	}
	f.WriteString(line[30:])
	waitStats(t, bin, db, want(3), 5*time.Second, w)
	out, _ := exec.Command(bin, "--db", db, "query", "--format", "csv", `* | rex "seq=(?<s>\d+)" | search s=3 | table _raw`).CombinedOutput()
	if !strings.Contains(string(out), strings.TrimSpace(line)) {
		t.Fatalf("line 3 not stored whole: %s", out)
	}
	f.WriteString(authLine(4)[:60]) // never ended
	f.Close()
	time.Sleep(1500 * time.Millisecond)
	if got := seqStats(t, bin, db); got != want(3) {
		t.Fatalf("the unterminated line was stored before --idle: %s", got)
	}
	deadline := time.Now().Add(6 * time.Second)
	for {
		out, _ := exec.Command(bin, "--db", db, "query", "--format", "csv", `* | stats count`).CombinedOutput()
		if strings.Contains(string(out), "\n4") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unterminated line not stored after --idle: %s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestWatchSecondRefusedAndSIGINT: a second watch on the store is refused
// naming the store and the first watch's pid; SIGINT and SIGTERM stop a
// watch with exit 0 and a summary; the lock file a kill -9 leaves blocks
// no one.
func TestWatchSecondRefusedAndSIGINT(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "auth.log")
	appendLines(t, log, 1, 3)
	w := startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(3), 5*time.Second, w)
	out, err := exec.Command(bin, "--db", db, "watch", log).CombinedOutput()
	if err == nil {
		t.Fatalf("second watch ran: %s", out)
	}
	msg := fmt.Sprintf("loghunt: %s is already being watched by loghunt watch pid %d", db, w.cmd.Process.Pid)
	if !strings.Contains(string(out), msg) {
		t.Fatalf("second watch said %q, want %q", out, msg)
	}
	if code := w.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("exit %d after SIGINT", code)
	}
	if s := w.stderr.String(); !strings.Contains(s, "watched 1 file for") || !strings.Contains(s, "3 lines, 3 events") {
		t.Fatalf("no summary: %q", s)
	}
	w = startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(3), 5*time.Second, w)
	w.kill9()
	w = startWatch(t, bin, db, log) // the stale lock file blocks nothing
	appendLines(t, log, 4, 4)
	waitStats(t, bin, db, want(4), 5*time.Second, w)
	if code := w.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, w.stderr)
	}
}

// TestWatchQueryWaitsOneCommit: while a watch follows a file written as
// fast as a writer can, queries are answered; each waits at most one
// commit.
func TestWatchQueryWaitsOneCommit(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "access.log")
	appendLines(t, log, 1, 1000)
	w := startWatch(t, bin, db, log)
	waitStats(t, bin, db, want(1000), 5*time.Second, w)
	start := time.Now()
	exec.Command(bin, "--db", db, "query", "--format", "csv", "* | head 1 | stats count").Run()
	alone := time.Since(start)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 1001; ; n += 2000 {
			select {
			case <-stop:
				return
			default:
			}
			appendLines(t, log, n, n+1999)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var worst time.Duration
	for range 15 {
		start := time.Now()
		out, err := exec.Command(bin, "--db", db, "query", "--format", "csv", "* | head 1 | stats count").CombinedOutput()
		d := time.Since(start)
		if err != nil || !strings.Contains(string(out), "count\n1") {
			t.Fatalf("query during watch: %v %s", err, out)
		}
		worst = max(worst, d)
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("slowest of 15 queries while watching a file appended flat out: %v (a query alone: %v)", worst, alone)
	if worst > 2*time.Second {
		t.Fatalf("a query took %v while the watch ran", worst)
	}
}

// TestWatchKill9 is the reliability test: a writer process appends
// numbered lines and rotates the file (rename and copy-truncate, in
// turn) while a real watch is killed with SIGKILL at 20 random moments
// and started again; at the end every line is in the store exactly once.
func TestWatchKill9(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	db := filepath.Join(dir, "w.db")
	const n = 30000
	script := `
cd "$1"; i=0; r=0
while [ $i -lt $2 ]; do
  i=$((i+1))
  printf 'Mar  6 08:%02d:%02d web01 sshd[%d]: Failed password for root from 203.0.113.%d port 22 ssh2 seq=%d\n' $((i/60%60)) $((i%60)) $((1000+i%500)) $((i%250)) $i >> auth.log
  if [ $((i % 1500)) -eq 0 ]; then
    r=$((r+1))
    if [ $((r % 2)) -eq 0 ]; then mv auth.log auth.log.$r; else cp auth.log auth.log.$r; : > auth.log; fi
  fi
done
`
	writer := exec.Command("bash", "-c", script, "writer", logs, fmt.Sprint(n))
	var werr bytes.Buffer
	writer.Stderr = &werr
	start := time.Now()
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- writer.Wait() }()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	kills := 0
	w := startWatch(t, bin, db, logs)
	var stderrs []string
	for kills < 20 {
		time.Sleep(time.Duration(50+rng.IntN(600)) * time.Millisecond)
		w.kill9()
		stderrs = append(stderrs, w.stderr.String())
		kills++
		w = startWatch(t, bin, db, logs)
	}
	if err := <-done; err != nil {
		t.Fatalf("writer: %v %s", err, werr.String())
	}
	t.Logf("writer wrote %d lines in %v; %d kills", n, time.Since(start), kills)
	waitStats(t, bin, db, want(n), 20*time.Second, w)
	time.Sleep(1500 * time.Millisecond)
	if got := seqStats(t, bin, db); got != want(n) {
		t.Fatalf("later: %s", got)
	}
	if code := w.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if out, err := exec.Command(bin, "--db", db, "check").CombinedOutput(); err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	_ = stderrs
}

// TestWatchPoll: with --poll (no file events) appends and a rename
// rotation are followed by polling alone.
func TestWatchPoll(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "auth.log")
	appendLines(t, log, 1, 3)
	w := startWatch(t, bin, db, "--poll", log)
	waitStats(t, bin, db, want(3), 5*time.Second, w)
	appendLines(t, log, 4, 6)
	os.Rename(log, log+".1")
	appendLines(t, log, 7, 8)
	waitStats(t, bin, db, want(8), 5*time.Second, w)
}
