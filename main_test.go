package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"loghunt/store"
)

// TestMain lets the test binary run as loghunt: testscript scripts call
// it by that name, and crash tests start it as a child process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"loghunt": func() { main() },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("LOGHUNT_DB", filepath.Join(env.WorkDir, "loghunt.db"))
			abs, err := filepath.Abs("testdata")
			env.Setenv("TESTDATA", abs)
			return err
		},
	})
}

func linkLoghunt(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "loghunt")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// timeIngest returns how long a whole ingest of logPath takes here, into
// a store of its own: crash and interrupt tests time their signals by it,
// as a fixed delay would miss a fast machine's ingest.
func timeIngest(t *testing.T, bin, logPath string) time.Duration {
	t.Helper()
	start := time.Now()
	if out, err := exec.Command(bin, "--db", filepath.Join(t.TempDir(), "timing.db"), "ingest", logPath).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	return time.Since(start)
}

func writeAccessLog(t *testing.T, path string, n int) []string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	var lines []string
	start := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		l := fmt.Sprintf(`10.0.%d.%d - - [%s] "GET /p/%d HTTP/1.1" %d %d "-" "agent-%d"`, i%8, i%250,
			start.Add(time.Duration(i)*100*time.Millisecond).Format("02/Jan/2006:15:04:05 -0700"), i, 200+(i%5)*50, i%9000, i%13)
		lines = append(lines, l)
		w.WriteString(l + "\n")
	}
	w.Flush()
	f.Close()
	return lines
}

// TestKillResume kills real ingest processes with SIGKILL at random
// moments: in each of 20 rounds an ingest is killed, the resumed ingest is
// killed too, and a last run completes. After every kill and at the end the
// store must hold a prefix of the file (all of it at the end), each event
// once, and pass Check.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	bin := linkLoghunt(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	lines := writeAccessLog(t, logPath, 600000) // over a second to ingest: a few commits (every 500 ms or 16 MB of chunks)
	r := rand.New(rand.NewPCG(7, 7))
	// Kills land within one ingest's time. That time was measured once and
	// the machine's speed drifts (other tests share its cores): a kill that
	// found the ingest already done shortens the later delays.
	took := timeIngest(t, bin, logPath)
	partial := map[int]bool{} // event counts seen after kills
	for round := 0; round < 20; round++ {
		db := filepath.Join(dir, fmt.Sprintf("kill%d.db", round))
		for kill := 0; kill < 2; kill++ {
			cmd := exec.Command(bin, "--db", db, "ingest", logPath)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(r.Int64N(int64(took))))
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			n := checkStore(t, db, lines, false)
			partial[n] = true
			if n == len(lines) {
				took = took * 3 / 4
			}
		}
		out, err := exec.Command(bin, "--db", db, "ingest", logPath).CombinedOutput()
		if err != nil {
			t.Fatalf("round %d: final ingest: %v\n%s", round, err, out)
		}
		checkStore(t, db, lines, true)
		out, err = exec.Command(bin, "--db", db, "query", "--format", "csv", "* | stats count, dc(clientip) as ips").Output()
		if err != nil || !strings.HasPrefix(string(out), fmt.Sprintf("count,ips\n%d,", len(lines))) {
			t.Fatalf("round %d: query after resume: %q %v", round, out, err)
		}
		os.Remove(db)
	}
	t.Logf("%d distinct store states after 40 kills: %v (took %v at the end)", len(partial), partial, took)
	// The writer commits every 16 chunks (524,288 events), so the store can
	// only be empty, hold one or two commits, or be whole: at least one kill
	// must have left a partial store, else no resume was exercised.
	between := 0
	for n := range partial {
		if n > 0 && n < len(lines) {
			between++
		}
	}
	if between == 0 {
		t.Errorf("no kill left a partial store (%v); the test did not exercise resumes", partial)
	}
}

// checkStore verifies the store's invariants and that its events are a
// prefix of lines (all of them when complete), each exactly once.
func checkStore(t *testing.T, path string, lines []string, complete bool) int {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return 0 // killed before the file was created
	}
	db, err := store.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	var got []string
	_, err = db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		return c.Values(store.ColRaw)
	}, func(c *store.Chunk, v any) error {
		for _, x := range v.([]store.Value) {
			got = append(got, x.S)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > len(lines) || (complete && len(got) != len(lines)) {
		t.Fatalf("store holds %d events, file has %d", len(got), len(lines))
	}
	for i := range got {
		if got[i] != lines[i] {
			t.Fatalf("event %d is %q, want %q", i, got[i], lines[i])
		}
	}
	srcs, err := db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) == 1 && srcs[0].Events != int64(len(got)) {
		t.Fatalf("source record says %d events, store holds %d", srcs[0].Events, len(got))
	}
	return len(got)
}
