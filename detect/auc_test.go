package detect

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// oddsDir holds the ODDS benchmark sets and scikit-learn 1.2.1's AUCs on
// them (see shared/datasets/README.md).
var oddsDir = filepath.Join("..", "..", "shared", "datasets", "odds")

// TestODDSQuality fits and scores every ODDS set as the reference run did
// (100 trees, ψ=256, fitted and scored on the whole set) and checks the
// seed-averaged ROC AUC against scikit-learn's: within 0.02, or 0.04 for
// forestcover whose AUC varies most between seeds. Under the race detector
// only the sets up to 60,000 rows run.
func TestODDSQuality(t *testing.T) {
	refs, err := readReference(filepath.Join(oddsDir, "reference_auc.csv"))
	if os.IsNotExist(err) {
		t.Skipf("ODDS datasets not found in %s", oddsDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	seeds := 5
	if testing.Short() {
		seeds = 2
	}
	t.Logf("%-12s %8s %8s %8s %8s", "dataset", "sklearn", "ours", "diff", "time")
	for _, ref := range refs {
		if raceEnabled && ref.n > 60_000 {
			t.Logf("%-12s skipped under the race detector", ref.name)
			continue
		}
		start := time.Now()
		X, y, err := readODDS(filepath.Join(oddsDir, ref.file))
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for seed := range seeds {
			f := mustFit(t, X, Params{Trees: 100, Sample: 256, Seed: uint64(seed)})
			total += rocAUC(mustScore(t, f, X), y)
		}
		ours := total / float64(seeds)
		diff := ours - ref.auc
		t.Logf("%-12s %8.3f %8.3f %+8.3f %7.1fs", ref.name, ref.auc, ours, diff, time.Since(start).Seconds())
		tol := 0.02
		if ref.name == "forestcover" {
			tol = 0.04
		}
		if math.Abs(diff) > tol {
			t.Errorf("%s: AUC %.3f, scikit-learn %.3f: differs by more than %.2f", ref.name, ours, ref.auc, tol)
		}
	}
}

type reference struct {
	name, file string
	n          int
	auc        float64
}

// readReference reads the dataset, file and sklearn121_auc_mean columns.
func readReference(path string) ([]reference, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var refs []reference
	for _, r := range recs[1:] {
		auc, err := strconv.ParseFloat(r[col["sklearn121_auc_mean"]], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		n, err := strconv.Atoi(r[col["n"]])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		refs = append(refs, reference{r[col["dataset"]], r[col["file"]], n, auc})
	}
	return refs, nil
}

// readODDS reads a CSV (gzipped when the name ends in .gz) with a header
// whose last column is the 0/1 label.
func readODDS(path string) (X [][]float64, y []bool, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if filepath.Ext(path) == ".gz" {
		if r, err = gzip.NewReader(fh); err != nil {
			return nil, nil, err
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	header := bytes.Split(lines[0], []byte(","))
	if string(bytes.TrimSpace(header[len(header)-1])) != "label" {
		return nil, nil, fmt.Errorf("%s: last column is %q, want label", path, header[len(header)-1])
	}
	d := len(header) - 1
	flat := make([]float64, (len(lines)-1)*d)
	for i, line := range lines[1:] {
		fields := bytes.Split(bytes.TrimSpace(line), []byte(","))
		if len(fields) != d+1 {
			return nil, nil, fmt.Errorf("%s line %d: %d fields, want %d", path, i+2, len(fields), d+1)
		}
		row := flat[i*d : (i+1)*d : (i+1)*d]
		for j, f := range fields[:d] {
			if row[j], err = strconv.ParseFloat(string(f), 64); err != nil {
				return nil, nil, fmt.Errorf("%s line %d: %w", path, i+2, err)
			}
		}
		X = append(X, row)
		y = append(y, string(fields[d]) == "1")
	}
	return X, y, nil
}

// rocAUC is the area under the ROC curve of scores against labels by the
// Mann–Whitney statistic, with tied scores given their average rank.
func rocAUC(scores []float64, positive []bool) float64 {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareFloat(scores[a], scores[b]) })
	var rankSum float64
	var pos int
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && scores[order[j]] == scores[order[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for _, k := range order[i:j] {
			if positive[k] {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := len(scores) - pos
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRocAUC(t *testing.T) {
	tests := []struct {
		scores []float64
		labels []bool
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{[]float64{4, 3, 2, 1}, []bool{false, false, true, true}, 0},
		{[]float64{1, 1, 1, 1}, []bool{false, true, false, true}, 0.5},
		// sklearn.metrics.roc_auc_score([0,1,0,1], [.1,.4,.4,.8]) = 0.875
		{[]float64{.1, .4, .4, .8}, []bool{false, true, false, true}, 0.875},
	}
	for _, tt := range tests {
		if got := rocAUC(tt.scores, tt.labels); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("rocAUC(%v, %v) = %v, want %v", tt.scores, tt.labels, got, tt.want)
		}
	}
}
