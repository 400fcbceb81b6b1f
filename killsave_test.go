package main

import (
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// TestKillDuringModelSave kills a real query that fits and saves an
// anomalies model at random moments: afterwards the model is either saved
// whole or absent, and the store passes Check.
func TestKillDuringModelSave(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	bin := linkLoghunt(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "save.db")
	paths, err := writeDemoLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--db", db, "ingest", "--year", "2025", paths[0], paths[1]).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	q := "sourcetype=apache | anomalies bytes, status trees=300 save=web"
	start := time.Now()
	if out, err := exec.Command(bin, "--db", db, "query", "--format", "csv", q).CombinedOutput(); err != nil {
		t.Fatalf("query: %v\n%.500s", err, out)
	}
	full := time.Since(start)
	want := describe(t, db)
	if want == nil {
		t.Fatal("the full run saved no model")
	}
	r := rand.New(rand.NewPCG(5, 5))
	whole, absent := 0, 0
	for i := 0; i < 20; i++ {
		exec.Command(bin, "--db", db, "models", "delete", "web").Run()
		cmd := exec.Command(bin, "--db", db, "query", "--format", "csv", q)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(r.Int64N(int64(full) * 6 / 5)))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		got := describe(t, db)
		switch {
		case got == nil:
			absent++
		case got.Rows == want.Rows && got.Trees == want.Trees && len(got.Features) == len(want.Features):
			whole++
		default:
			t.Fatalf("after a kill the model is %+v, want absent or %+v", got, want)
		}
	}
	t.Logf("a full run takes %v; after 20 kills the model was whole %d times and absent %d times", full, whole, absent)
}

// describe checks the store and returns what its model "web" says of
// itself, or nil when there is none.
func describe(t *testing.T, path string) *query.ModelInfo {
	t.Helper()
	db, err := store.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	blob, ok, err := db.Model("web")
	if err != nil || !ok {
		return nil
	}
	m, err := query.DescribeModel(blob)
	if err != nil {
		t.Fatalf("a saved model does not decode: %v", err)
	}
	return &m
}
