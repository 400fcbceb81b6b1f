package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// shared is the directory of the benchmark data sets and generators,
// beside the repository.
var shared = filepath.Join("..", "shared")

// loghuntCSV runs loghunt with args on db and returns its CSV output.
func loghuntCSV(t *testing.T, db string, args ...string) [][]string {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"--db", db}, args...)
	if err := cli(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("loghunt %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	if args[2] != "query" {
		return nil
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatalf("loghunt %s: output is not CSV: %v", strings.Join(args, " "), err)
	}
	return rows
}

// TestAnomaliesODDS checks the stage against scikit-learn on two of the
// ODDS benchmark sets, through the CLI: ingest the CSV, score every row,
// compute the ROC AUC of anomaly_score against the label. The mean over
// three seeds must be within 0.02 of scikit-learn 1.2.1's mean AUC.
func TestAnomaliesODDS(t *testing.T) {
	dir := filepath.Join(shared, "datasets", "odds")
	ref, err := referenceAUC(filepath.Join(dir, "reference_auc.csv"))
	if err != nil {
		t.Skipf("ODDS data sets not available: %v", err)
	}
	for _, name := range []string{"breastw", "cardio"} {
		path := filepath.Join(dir, name+".csv")
		if _, err := os.Stat(path); err != nil {
			t.Skipf("%s: %v", name, err)
		}
		db := filepath.Join(t.TempDir(), "odds.db")
		loghuntCSV(t, db, "ingest", "--format", "csv", path)
		feats, err := csvFeatures(path)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for seed := 1; seed <= 3; seed++ {
			q := fmt.Sprintf("* | anomalies %s seed=%d | table label, anomaly_score", strings.Join(feats, ", "), seed)
			auc, err := rocAUC(loghuntCSV(t, db, "query", "--format", "csv", q))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sum += auc
		}
		mean := sum / 3
		t.Logf("%s: ROC AUC %.4f (scikit-learn 1.2.1: %.3f)", name, mean, ref[name])
		if math.Abs(mean-ref[name]) > 0.02 {
			t.Errorf("%s: ROC AUC %.4f, more than 0.02 from scikit-learn's %.3f", name, mean, ref[name])
		}
	}
}

// referenceAUC reads scikit-learn's mean AUC per data set.
func referenceAUC(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "sklearn121_auc_mean" {
			col = i
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("%s: no sklearn121_auc_mean column", path)
	}
	ref := map[string]float64{}
	for _, r := range rows[1:] {
		if v, err := strconv.ParseFloat(r[col], 64); err == nil {
			ref[r[0]] = v
		}
	}
	return ref, nil
}

// csvFeatures returns the header of an ODDS CSV less its label column.
func csvFeatures(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head, err := csv.NewReader(f).Read()
	if err != nil {
		return nil, err
	}
	var feats []string
	for _, h := range head {
		if h != "label" {
			feats = append(feats, h)
		}
	}
	return feats, nil
}

// rocAUC is the probability that an anomaly (label 1) scores above a
// normal row, ties counting a half (the Mann–Whitney statistic), from
// rows of label, score under a header.
func rocAUC(rows [][]string) (float64, error) {
	type item struct {
		score float64
		pos   bool
	}
	var items []item
	for _, r := range rows[1:] {
		s, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			return 0, fmt.Errorf("score %q: %v", r[1], err)
		}
		items = append(items, item{s, r[0] == "1"})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].score < items[j].score })
	var rankSum float64
	var npos int
	for i := 0; i < len(items); {
		j := i
		for j < len(items) && items[j].score == items[i].score {
			j++
		}
		mid := float64(i+j+1) / 2 // the mean 1-based rank of the tie
		for k := i; k < j; k++ {
			if items[k].pos {
				rankSum += mid
				npos++
			}
		}
		i = j
	}
	nneg := len(items) - npos
	if npos == 0 || nneg == 0 {
		return 0, fmt.Errorf("need both labels, have %d anomalies of %d rows", npos, len(items))
	}
	return (rankSum - float64(npos)*float64(npos+1)/2) / (float64(npos) * float64(nneg)), nil
}

// huntQuery is README's brute-force and spray hunt.
const huntQuery = `action=failure auth_method=password | bin _time span=1m | stats count as attempts, dc(user) as users by _time, src_ip | anomalies attempts, users contamination=0.01 | where is_anomaly | table _time, src_ip, attempts, users, anomaly_score`

// TestAnomaliesHunt runs the documented hunt on generated auth logs with
// injected brute force and password spraying: every attack's source IP
// must be flagged, and most flagged rows must be attacks.
func TestAnomaliesHunt(t *testing.T) {
	gen := filepath.Join(shared, "bench", "genlogs.py")
	if _, err := os.Stat(gen); err != nil {
		t.Skipf("log generator not available: %v", err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not available")
	}
	for _, seed := range []int{1, 2, 3} {
		dir := t.TempDir()
		log, labels := filepath.Join(dir, "auth.log"), filepath.Join(dir, "labels.json")
		if out, err := exec.Command("python3", gen, "authlog", "200000", strconv.Itoa(seed), log, labels).CombinedOutput(); err != nil {
			t.Fatalf("genlogs: %v\n%s", err, out)
		}
		attacks, err := attackIPs(labels, "bruteforce", "spray")
		if err != nil {
			t.Fatal(err)
		}
		db := filepath.Join(dir, "hunt.db")
		loghuntCSV(t, db, "ingest", "--year", "2025", log)
		rows := loghuntCSV(t, db, "query", "--format", "csv", huntQuery)[1:]
		caught, hits := map[string]bool{}, 0
		for _, r := range rows {
			if attacks[r[1]] {
				caught[r[1]] = true
				hits++
			}
		}
		precision := float64(hits) / float64(max(len(rows), 1))
		t.Logf("seed %d: %d of %d attacks caught, %d rows flagged, precision %.2f", seed, len(caught), len(attacks), len(rows), precision)
		for ip := range attacks {
			if !caught[ip] {
				t.Errorf("seed %d: attack from %s not flagged", seed, ip)
			}
		}
		if precision < 0.6 {
			t.Errorf("seed %d: precision %.2f: %d of %d flagged rows are false alarms", seed, precision, len(rows)-hits, len(rows))
		}
	}
}

// attackIPs reads genlogs' labels and returns the source IPs of the
// attacks of the given kinds.
func attackIPs(path string, kinds ...string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var labels []struct{ Kind, IP string }
	if err := json.Unmarshal(data, &labels); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ips := map[string]bool{}
	for _, l := range labels {
		for _, k := range kinds {
			if l.Kind == k {
				ips[l.IP] = true
			}
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s: no %s attacks", path, strings.Join(kinds, " or "))
	}
	return ips, nil
}
