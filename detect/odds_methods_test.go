package detect

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestODDSLOFAndSVM compares the ROC AUC of LOF (n_neighbors=20, the
// training rows' factors) and the One-Class SVM (nu=0.5, gamma=scale,
// −decision) on every ODDS set with scikit-learn's LocalOutlierFactor and
// OneClassSVM with the same parameters. The reference numbers in
// testdata/odds_sklearn.csv were produced by bench/odds_sklearn.py
// (scikit-learn 1.2.1) on the same files; a set it did not run (OneClassSVM
// is exact and too slow beyond 50,000 rows) has an empty auc and only our
// AUC is logged. The goal is within 0.02 of scikit-learn on every set;
// a miss is an error. Skips without the datasets; under -short only the
// sets up to 60,000 rows run, under the race detector those up to 12,000.
func TestODDSLOFAndSVM(t *testing.T) {
	refs, err := readReference(filepath.Join(oddsDir, "reference_auc.csv"))
	if os.IsNotExist(err) {
		t.Skipf("ODDS datasets not found in %s", oddsDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, r := range refs {
		files[r.name] = r.file
	}
	data, err := os.ReadFile(filepath.Join("testdata", "odds_sklearn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%-12s %-6s %8s %8s %8s %8s %8s", "dataset", "method", "sklearn", "ours", "diff", "sk time", "our time")
	var X [][]float64
	var y []bool
	loaded := ""
	for _, rec := range recs[1:] {
		name, method := rec[0], rec[1]
		n, _ := strconv.Atoi(rec[2])
		if testing.Short() && n > 60_000 || raceEnabled && n > 12_000 {
			t.Logf("%-12s %-6s skipped (-short, or the race detector's tenfold slowdown)", name, method)
			continue
		}
		if loaded != name {
			if X, y, err = readODDS(filepath.Join(oddsDir, files[name])); err != nil {
				t.Fatal(err)
			}
			loaded = name
		}
		start := time.Now()
		var scores []float64
		switch method {
		case "lof":
			m, err := FitLOF(X, LOFParams{Neighbors: 20})
			if err != nil {
				t.Fatal(err)
			}
			scores = m.Factors()
		case "ocsvm":
			m, _, err := FitSVM(X, SVMParams{Nu: 0.5, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if scores, err = m.Decision(X); err != nil {
				t.Fatal(err)
			}
			for i := range scores {
				scores[i] = -scores[i]
			}
		default:
			t.Fatalf("testdata: unknown method %q", method)
		}
		ours := rocAUC(scores, y)
		took := time.Since(start).Seconds()
		if rec[4] == "" {
			t.Logf("%-12s %-6s %8s %8.4f %8s %8s %7.2fs", name, method, "-", ours, "", "", took)
			continue
		}
		ref, err := strconv.ParseFloat(rec[4], 64)
		if err != nil {
			t.Fatal(err)
		}
		diff := ours - ref
		t.Logf("%-12s %-6s %8.4f %8.4f %+8.4f %7ss %7.2fs", name, method, ref, ours, diff, rec[5], took)
		if math.Abs(diff) > 0.02 {
			t.Errorf("%s %s: AUC %.4f, scikit-learn %.4f: differs by more than 0.02", name, method, ours, ref)
		}
	}
}
