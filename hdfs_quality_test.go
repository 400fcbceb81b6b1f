package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hdfsSession is one HDFS_v1 block: its DeepLog event ids (1–28) in order.
type hdfsSession struct {
	events  []int
	anomaly bool
}

// signature is the session's distinct event ids, ascending, joined by a
// blank: the `events` column of the generated CSV.
func (s hdfsSession) signature() string {
	ids := slices.Clone(s.events)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, " ")
}

// readHDFSLabelled reads logdeep's "Sequence,label" CSV.
func readHDFSLabelled(path string) ([]hdfsSession, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 || rows[0][0] != "Sequence" || rows[0][1] != "label" {
		return nil, fmt.Errorf("%s: want a Sequence,label header", path)
	}
	var out []hdfsSession
	for i, r := range rows[1:] {
		ids, err := hdfsIDs(r[0])
		if err != nil || (r[1] != "0" && r[1] != "1") {
			return nil, fmt.Errorf("%s line %d: %q,%q: %v", path, i+2, r[0], r[1], err)
		}
		out = append(out, hdfsSession{ids, r[1] == "1"})
	}
	return out, nil
}

// readHDFSSequences reads DeepLog's one-session-a-line files.
func readHDFSSequences(path string, anomaly bool) ([]hdfsSession, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []hdfsSession
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		ids, err := hdfsIDs(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, hdfsSession{ids, anomaly})
	}
	return out, sc.Err()
}

func hdfsIDs(s string) ([]int, error) {
	var ids []int
	for _, w := range strings.Fields(s) {
		id, err := strconv.Atoi(w)
		if err != nil || id < 1 || id > 28 {
			return nil, fmt.Errorf("event id %q is not 1..28", w)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errors.New("empty session")
	}
	return ids, nil
}

// hdfsStart is the time of the first generated session; session i of the
// file order is one second after session i-1.
var hdfsStart = time.Date(2008, 11, 9, 0, 0, 0, 0, time.UTC)

// writeHDFSCSV writes one row per session: time (file order, a second
// apart, from start), block, seq (its index in the file), part, label
// (0/1), events (the signature), length and the event-count vector
// e1..e28.
func writeHDFSCSV(path, part string, start time.Time, sessions []hdfsSession) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	head := []string{"time", "block", "seq", "part", "label", "events", "length"}
	for id := 1; id <= 28; id++ {
		head = append(head, "e"+strconv.Itoa(id))
	}
	w.Write(head)
	for i, s := range sessions {
		var counts [29]int
		for _, id := range s.events {
			counts[id]++
		}
		label := "0"
		if s.anomaly {
			label = "1"
		}
		row := []string{start.Add(time.Duration(i) * time.Second).Format(time.RFC3339), fmt.Sprintf("%s-%05d", part, i), strconv.Itoa(i), part, label, s.signature(), strconv.Itoa(len(s.events))}
		for id := 1; id <= 28; id++ {
			row = append(row, strconv.Itoa(counts[id]))
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// hdfsFeatures is the event-count vector's fields.
func hdfsFeatures() string {
	var f []string
	for id := 1; id <= 28; id++ {
		f = append(f, "e"+strconv.Itoa(id))
	}
	return strings.Join(f, ", ")
}

// hdfsContaminationGrid is what the tuned rows choose from, by F1 on the
// training part.
var hdfsContaminationGrid = []string{"0.01", "0.03", "0.1", "0.5", "auto"}

// hdfsSetting is which sessions of the earlier part a model is fitted on.
type hdfsSetting struct {
	name, title string
	fit         string                      // the search that selects them
	keep        func(int, hdfsSession) bool // the same in Go (by index in train), for the oracle
}

// hdfsData is the sessions and a store holding them.
type hdfsData struct {
	db                       string
	train, valid             []hdfsSession
	deeplog, deeplogAbnormal []hdfsSession // hdfs_train, hdfs_test_abnormal
}

// hdfsSetup reads ../shared/datasets/hdfs_sessions, writes the sessions
// as CSV (train then valid in one file, a second apart; DeepLog's
// hdfs_train two days before and hdfs_test_abnormal one day before, each
// in its own) and ingests them into a new store.
// It skips the test when the data set is absent, and with -short.
func hdfsSetup(t *testing.T) hdfsData {
	if testing.Short() {
		t.Skip("-short: a quality measurement of a minute")
	}
	dir := filepath.Join(shared, "datasets", "hdfs_sessions")
	train, err := readHDFSLabelled(filepath.Join(dir, "robust_log_train.csv"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("HDFS sessions absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	valid, err := readHDFSLabelled(filepath.Join(dir, "robust_log_valid.csv"))
	if err != nil {
		t.Fatal(err)
	}
	deeplog, err := readHDFSSequences(filepath.Join(dir, "hdfs_train"), false)
	if err != nil {
		t.Fatal(err)
	}
	abnormal, err := readHDFSSequences(filepath.Join(dir, "hdfs_test_abnormal"), true)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	d := hdfsData{db: filepath.Join(tmp, "hdfs.db"), train: train, valid: valid, deeplog: deeplog, deeplogAbnormal: abnormal}
	sessions, dl, ab := filepath.Join(tmp, "sessions.csv"), filepath.Join(tmp, "deeplog_train.csv"), filepath.Join(tmp, "deeplog_abnormal.csv")
	if err := writeHDFSSplit(sessions, train, valid); err != nil {
		t.Fatal(err)
	}
	if err := writeHDFSCSV(dl, "deeplog", hdfsStart.Add(-48*time.Hour), deeplog); err != nil {
		t.Fatal(err)
	}
	if err := writeHDFSCSV(ab, "abnormal", hdfsStart.Add(-24*time.Hour), abnormal); err != nil {
		t.Fatal(err)
	}
	loghuntCSV(t, d.db, "ingest", "--format", "csv", sessions, dl, ab)
	if n := loghuntCSV(t, d.db, "query", "--format", "csv", "part=valid | stats count by label"); len(n) != 3 || n[1][1] != "1000" || n[2][1] != "1000" {
		t.Fatalf("the valid part has %v sessions by label, want 1000 and 1000", n)
	}
	return d
}

// measure scores the later part with every method fitted on the
// setting's sessions: first seen (a session whose set of event types, or
// one of whose event types, the fitted sessions never had), checked
// against the same computed here; the detectors with contamination=0.01
// and with one chosen from hdfsContaminationGrid by F1 on the training part.
func (d hdfsData) measure(t *testing.T, set hdfsSetting) []qualityRow {
	isAnomaly := func(s string) bool { return s == "1" }
	query := func(q string) [][]string { return loghuntCSV(t, d.db, "query", "--format", "csv", q) }
	// the earlier part is the first 12,000 seconds
	stream := "(" + set.fit + ") OR part=valid"
	sig := query(stream + ` | firstseen events train=200m | where part="valid" | table block, label, is_anomaly`)
	evt := query(stream + ` | eval event = split(events, " ") | mvexpand event | firstseen event train=200m | where part="valid" | stats max(anomaly_score) as is_anomaly by block, label`)
	sigs, ids := map[string]bool{}, map[int]bool{}
	for i, s := range d.train {
		if set.keep(i, s) {
			sigs[s.signature()] = true
			for _, id := range s.events {
				ids[id] = true
			}
		}
	}
	// session by session
	newSig, newEvt := make([]bool, len(d.valid)), make([]bool, len(d.valid))
	for i, s := range d.valid {
		newSig[i] = !sigs[s.signature()]
		for _, id := range s.events {
			newEvt[i] = newEvt[i] || !ids[id]
		}
	}
	for _, c := range []struct {
		what string
		rows [][]string
		want []bool
	}{{"events", sig, newSig}, {"event", evt, newEvt}} {
		if len(c.rows) != len(d.valid)+1 {
			t.Fatalf("%s firstseen %s: %d rows for %d sessions", set.name, c.what, len(c.rows)-1, len(d.valid))
		}
		bi, fi := qualityColumn(t, c.rows, "block"), qualityColumn(t, c.rows, "is_anomaly")
		for _, r := range c.rows[1:] {
			var i int
			if _, err := fmt.Sscanf(r[bi], "valid-%d", &i); err != nil || i >= len(d.valid) {
				t.Fatalf("block %q", r[bi])
			}
			if got := r[fi] == "true" || r[fi] == "1"; got != c.want[i] {
				t.Fatalf("%s firstseen %s: session %d (%s) flagged %v, computed %v", set.name, c.what, i, d.valid[i].signature(), got, c.want[i])
			}
		}
	}
	gotSig, gotEvt := labelConfusionOf(t, sig, "label", "is_anomaly", isAnomaly), labelConfusionOf(t, evt, "label", "is_anomaly", isAnomaly)
	rows := []qualityRow{
		{method: "`firstseen events` (the set of event types)", threshold: "new", tag: "firstseen events", c: gotSig, auc: math.NaN()},
		{method: "`firstseen event` (any event type, after `mvexpand`)", threshold: "new", tag: "firstseen event", c: gotEvt, auc: math.NaN()},
	}
	feats := hdfsFeatures()
	for _, m := range []struct{ method, feats, tag, label string }{
		{"iforest", feats, "iforest", "`iforest` e1…e28"},
		{"lof", feats, "lof", "`lof` e1…e28"},
		{"ocsvm", feats, "ocsvm", "`ocsvm` e1…e28"},
		{"mad", "length", "mad", "`mad` length"},
		{"iforest", "events", "iforest events", "`iforest` events (text: its rarity)"},
		{"lof", "events", "lof events", "`lof` events (text: its rarity)"},
	} {
		model := func(c string) string {
			return fmt.Sprintf("%s_%s_%s", set.name, strings.ReplaceAll(m.tag, " ", "_"), strings.ReplaceAll(c, ".", ""))
		}
		score := func(part, c string) [][]string {
			return query(fmt.Sprintf("part=%s | anomalies %s model=%s | table label, is_anomaly, anomaly_score", part, m.feats, model(c)))
		}
		best, bestF1 := "", -1.0
		for _, c := range hdfsContaminationGrid {
			query(fmt.Sprintf("%s | anomalies %s method=%s contamination=%s save=%s | stats count", set.fit, m.feats, m.method, c, model(c)))
			if f := labelConfusionOf(t, score("train", c), "label", "is_anomaly", isAnomaly).f1(); f > bestF1 {
				best, bestF1 = c, f
			}
		}
		for i, c := range []string{"0.01", best} {
			out := score("valid", c)
			table := make([][]string, len(out))
			for i, r := range out {
				table[i] = []string{r[0], r[2]}
			}
			auc, err := rocAUC(table)
			if err != nil {
				t.Fatal(err)
			}
			th := "contamination=" + c
			if i == 1 {
				th += fmt.Sprintf(" (tuned: training F1 %.3f)", bestF1)
			}
			rows = append(rows, qualityRow{method: m.label, threshold: th, tag: m.tag + []string{" default", " tuned"}[i],
				c: labelConfusionOf(t, out, "label", "is_anomaly", isAnomaly), auc: auc})
		}
	}
	for i := range rows {
		rows[i].extra = fmt.Sprintf(" %.3f |", rows[i].c.projectedF1(16838, 558223))
	}
	t.Log("\n" + qualityTable(set.title, " F1 at HDFS_v1's 2.9% |", rows))
	return rows
}

// TestHDFSSessionsQuality measures every method on the HDFS_v1 block
// sessions of ../shared/datasets/hdfs_sessions, semi-supervised as
// DeepLog is, through the CLI on a real database: robust_log_train.csv
// (12,000 sessions, half anomalous) then robust_log_valid.csv (2,000, half
// anomalous) is the file order, taken as time order; the models are fitted
// on the earlier part's 6,000 normal sessions and score the later part.
// It prints the table README shows, checks the first-seen flags against a
// computation in Go and Isolation Forest's AUC against scikit-learn's, and
// fails when an F1 drops more than 0.02 below what was measured or the
// best is below 0.90.
func TestHDFSSessionsQuality(t *testing.T) {
	d := hdfsSetup(t)
	semi := d.measure(t, hdfsSetting{"semi", "Semi-supervised: fit on the 6,000 normal sessions of robust_log_train, score robust_log_valid (1,000 normal, 1,000 anomalous)",
		"part=train label=0", func(_ int, s hdfsSession) bool { return !s.anomaly }})

	// an independent reference: scikit-learn 1.2.1's IsolationForest
	// (t=100, ψ=256, 10 seeds) fitted on DeepLog's hdfs_train and scored
	// on robust_log_valid has ROC AUC 0.667 ± 0.012
	// (datasets/README.md §1.2)
	var aucSum float64
	for seed := 1; seed <= 3; seed++ {
		name := fmt.Sprintf("deeplog_iforest_%d", seed)
		loghuntCSV(t, d.db, "query", "--format", "csv", fmt.Sprintf("part=deeplog | anomalies %s seed=%d save=%s | stats count", hdfsFeatures(), seed, name))
		auc, err := rocAUC(loghuntCSV(t, d.db, "query", "--format", "csv", fmt.Sprintf("part=valid | anomalies %s model=%s | table label, anomaly_score", hdfsFeatures(), name)))
		if err != nil {
			t.Fatal(err)
		}
		aucSum += auc
	}
	if auc := aucSum / 3; math.Abs(auc-0.667) > 0.03 {
		t.Errorf("Isolation Forest fitted on hdfs_train: ROC AUC %.3f, scikit-learn's 0.667", auc)
	} else {
		t.Logf("Isolation Forest fitted on DeepLog's hdfs_train, scored on robust_log_valid: ROC AUC %.3f (scikit-learn 1.2.1: 0.667 ± 0.012)", auc)
	}

	// F1 as measured on 2026-12-03: a drop of more than 0.02 fails
	checkQualityFloors(t, "", semi, map[string]float64{
		"firstseen events": 0.995, "firstseen event": 0.644,
		"iforest default": 0.016, "iforest tuned": 0.698,
		"lof default": 0.977, "lof tuned": 0.982,
		"ocsvm default": 0.100, "ocsvm tuned": 0.847,
		"mad default": 0.608, "mad tuned": 0.823,
		"iforest events default": 0.995, "iforest events tuned": 0.995,
		"lof events default": 0.998, "lof events tuned": 0.998,
	})
	best := 0.0
	for _, r := range semi {
		best = max(best, r.c.f1())
	}
	if best < 0.90 {
		t.Errorf("best semi-supervised F1 %.3f, goal 0.90", best)
	}
}

// TestHDFSDeepLogAnomalies measures the semi-supervised methods in
// DeepLog's own setting, as far as this copy allows: fitted on DeepLog's
// training split (hdfs_train, 4,855 normal sessions), their recall on
// every labelled anomaly of HDFS_v1 (hdfs_test_abnormal, 16,838 sessions)
// and their false-positive rate on robust_log_valid's 1,000 normal
// sessions (DeepLog's 553,366 normal test sessions are not in the copy).
func TestHDFSDeepLogAnomalies(t *testing.T) {
	d := hdfsSetup(t)
	isAnomaly := func(s string) bool { return s == "1" }
	query := func(q string) [][]string { return loghuntCSV(t, d.db, "query", "--format", "csv", q) }
	const scored = "part=abnormal OR (part=valid label=0)"
	sig := map[string]bool{}
	ids := map[int]bool{}
	for _, s := range d.deeplog {
		sig[s.signature()] = true
		for _, id := range s.events {
			ids[id] = true
		}
	}
	var wantSig, wantEvt labelConfusion
	var normal []hdfsSession // robust_log_valid's
	for _, s := range d.valid {
		if !s.anomaly {
			normal = append(normal, s)
		}
	}
	for _, s := range append(slices.Clone(d.deeplogAbnormal), normal...) {
		newID := false
		for _, id := range s.events {
			newID = newID || !ids[id]
		}
		wantSig.add(s.anomaly, !sig[s.signature()])
		wantEvt.add(s.anomaly, newID)
	}
	query("part=deeplog | firstseen events save=dl_events | stats count")
	query(`part=deeplog | eval event = split(events, " ") | mvexpand event | firstseen event save=dl_event | stats count`)
	gotSig := labelConfusionOf(t, query(scored+" | firstseen events model=dl_events | table label, is_anomaly"), "label", "is_anomaly", isAnomaly)
	gotEvt := labelConfusionOf(t, query(scored+` | eval event = split(events, " ") | mvexpand event | firstseen event model=dl_event | stats max(anomaly_score) as is_anomaly by block, label`), "label", "is_anomaly", isAnomaly)
	if gotSig != wantSig || gotEvt != wantEvt || gotSig.tp+gotSig.fn != 16838 || gotSig.fp+gotSig.tn != 1000 {
		t.Errorf("first seen: signature %+v (want %+v), event %+v (want %+v)", gotSig, wantSig, gotEvt, wantEvt)
	}
	rows := []qualityRow{
		{method: "`firstseen events`", threshold: "new", tag: "firstseen events", c: gotSig, auc: math.NaN()},
		{method: "`firstseen event`", threshold: "new", tag: "firstseen event", c: gotEvt, auc: math.NaN()},
	}
	for _, m := range []struct{ method, feats, tag string }{
		{"lof", "events", "lof events"}, {"iforest", "events", "iforest events"},
		{"lof", hdfsFeatures(), "lof"}, {"ocsvm", hdfsFeatures(), "ocsvm"}, {"iforest", hdfsFeatures(), "iforest"}, {"mad", "length", "mad"},
	} {
		for _, c := range []string{"0.01", "auto"} {
			name := "dl_" + strings.ReplaceAll(m.tag, " ", "_") + "_" + strings.ReplaceAll(c, ".", "")
			query(fmt.Sprintf("part=deeplog | anomalies %s method=%s contamination=%s save=%s | stats count", m.feats, m.method, c, name))
			out := query(fmt.Sprintf("%s | anomalies %s model=%s | table label, is_anomaly, anomaly_score", scored, m.feats, name))
			table := make([][]string, len(out))
			for i, r := range out {
				table[i] = []string{r[0], r[2]}
			}
			auc, err := rocAUC(table)
			if err != nil {
				t.Fatal(err)
			}
			feats := m.feats
			if feats == hdfsFeatures() {
				feats = "e1…e28"
			}
			rows = append(rows, qualityRow{method: "`" + m.method + "` " + feats, threshold: "contamination=" + c, tag: m.tag + " " + c,
				c: labelConfusionOf(t, out, "label", "is_anomaly", isAnomaly), auc: auc})
		}
	}
	// precision and F1 of 16,838 anomalies against 1,000 normal sessions
	// say little: the table has recall, the false-positive rate and both
	// projected onto HDFS_v1's 2.9%
	var b strings.Builder
	b.WriteString("Fitted on DeepLog's hdfs_train (4,855 normal sessions): recall on hdfs_test_abnormal (16,838), false positives on robust_log_valid's 1,000 normal sessions\n")
	b.WriteString("| method | threshold | recall | false-positive rate | ROC AUC | F1 at 2.9% |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		auc := "–"
		if !math.IsNaN(r.auc) {
			auc = fmt.Sprintf("%.3f", r.auc)
		}
		fmt.Fprintf(&b, "| %s | %s | %.3f | %.3f | %s | **%.3f** |\n", r.method, r.threshold, r.c.recall(), r.c.fpr(), auc, r.c.projectedF1(16838, 558223))
	}
	t.Log("\n" + b.String())
	// projected F1 as measured on 2026-12-03: a drop of more than 0.02 fails
	measured := map[string]float64{
		"firstseen events": 0.967, "firstseen event": 0.625,
		"lof events 0.01": 0.938, "lof events auto": 0.938,
		"iforest events 0.01": 0.846, "iforest events auto": 0.315,
		"lof 0.01": 0.849, "lof auto": 0.664,
		"ocsvm 0.01": 0.101, "ocsvm auto": 0.133,
		"iforest 0.01": 0.032, "iforest auto": 0.093,
		"mad 0.01": 0.509, "mad auto": 0.491,
	}
	for _, r := range rows {
		if want, ok := measured[r.tag]; !ok {
			t.Errorf("%s: no measured F1 to compare with", r.tag)
		} else if got := r.c.projectedF1(16838, 558223); got < want-0.02 {
			t.Errorf("%s: projected F1 %.3f, measured %.3f", r.tag, got, want)
		}
	}
}

// TestHDFSSessionsUnsupervised is TestHDFSSessionsQuality's measurement
// with models fitted on the earlier part as it is (half anomalous).
func TestHDFSSessionsUnsupervised(t *testing.T) {
	d := hdfsSetup(t)
	asIs := d.measure(t, hdfsSetting{"unsup", "Unsupervised: fit on robust_log_train as it is (12,000 sessions, half anomalous), score robust_log_valid",
		"part=train", func(int, hdfsSession) bool { return true }})
	// F1 as measured on 2026-12-03: a drop of more than 0.02 fails
	checkQualityFloors(t, "", asIs, map[string]float64{
		"firstseen events": 0.006, "firstseen event": 0,
		"iforest default": 0.028, "iforest tuned": 0.845,
		"lof default": 0.033, "lof tuned": 0.170,
		"ocsvm default": 0.010, "ocsvm tuned": 0.793,
		"mad default": 0.039, "mad tuned": 0.670,
		"iforest events default": 0.039, "iforest events tuned": 0.529,
		"lof events default": 0.030, "lof events tuned": 0.030,
	})
}

// TestHDFSSessionsRareAnomalies is TestHDFSSessionsQuality's measurement
// with models fitted, unsupervised, on the earlier part's normal sessions
// and its first anomalies in HDFS_v1's share (180 of 6,180, 2.9%).
func TestHDFSSessionsRareAnomalies(t *testing.T) {
	d := hdfsSetup(t)
	// the session index below which 180 anomalies lie
	n, end := 0, 0
	for i, s := range d.train {
		if s.anomaly {
			if n++; n == 180 {
				end = i + 1
			}
		}
	}
	rare := d.measure(t, hdfsSetting{"rare", "Unsupervised at HDFS_v1's anomaly share: fit on robust_log_train's 6,000 normal sessions and its first 180 anomalous ones (2.9%), score robust_log_valid",
		fmt.Sprintf("part=train (label=0 OR seq<%d)", end), func(i int, s hdfsSession) bool { return !s.anomaly || i < end }})
	// F1 as measured on 2026-12-03: a drop of more than 0.02 fails
	checkQualityFloors(t, "", rare, map[string]float64{
		"firstseen events": 0.071, "firstseen event": 0.002,
		"iforest default": 0.337, "iforest tuned": 0.823,
		"lof default": 0.287, "lof tuned": 0.532,
		"ocsvm default": 0.085, "ocsvm tuned": 0.859,
		"mad default": 0.113, "mad tuned": 0.823,
		"iforest events default": 0.491, "iforest events tuned": 0.969,
		"lof events default": 0.339, "lof events tuned": 0.486,
	})
}

// writeHDFSSplit writes the earlier part (train) and the later part
// (valid) to one CSV, in that order, a second apart.
func writeHDFSSplit(path string, train, valid []hdfsSession) error {
	tmp := path + ".valid"
	if err := writeHDFSCSV(path, "train", hdfsStart, train); err != nil {
		return err
	}
	if err := writeHDFSCSV(tmp, "valid", hdfsStart.Add(time.Duration(len(train))*time.Second), valid); err != nil {
		return err
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	_, rest, _ := strings.Cut(string(b), "\n") // the header
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(rest); err != nil {
		f.Close()
		return err
	}
	os.Remove(tmp)
	return f.Close()
}

// TestHDFSLOFBruteForce checks the semi-supervised lof rows against Local
// Outlier Factor computed here by brute force with scikit-learn's
// definitions (novelty scoring), on data that stress the neighbour
// index: the 6,000 normal training sessions hold few distinct count
// vectors, so most k-distances are 0 and densities 1e10. Every score of
// the 2,000 later sessions must agree to the six decimals printed.
func TestHDFSLOFBruteForce(t *testing.T) {
	d := hdfsSetup(t)
	vec := func(s hdfsSession) []float64 {
		v := make([]float64, 28)
		for _, id := range s.events {
			v[id-1]++
		}
		return v
	}
	var X [][]float64
	for _, s := range d.train {
		if !s.anomaly {
			X = append(X, vec(s))
		}
	}
	const k = 20
	dist := func(a, b []float64) float64 {
		var s float64
		for i := range a {
			s += (a[i] - b[i]) * (a[i] - b[i])
		}
		return math.Sqrt(s)
	}
	// the k nearest training rows of x, ties by row order, skipping row
	// skip
	nearest := func(x []float64, skip int) ([]int, []float64) {
		type nb struct {
			row int
			d   float64
		}
		all := make([]nb, 0, len(X))
		for j, y := range X {
			if j != skip {
				all = append(all, nb{j, dist(x, y)})
			}
		}
		slices.SortStableFunc(all, func(a, b nb) int {
			switch {
			case a.d < b.d:
				return -1
			case a.d > b.d:
				return 1
			}
			return 0
		})
		rows, ds := make([]int, k), make([]float64, k)
		for i := range k {
			rows[i], ds[i] = all[i].row, all[i].d
		}
		return rows, ds
	}
	kdist := make([]float64, len(X))
	nbs := make([][]int, len(X))
	dss := make([][]float64, len(X))
	for i, x := range X {
		nbs[i], dss[i] = nearest(x, i)
		kdist[i] = dss[i][k-1]
	}
	lrdOf := func(rows []int, ds []float64) float64 {
		var sum float64
		for i, j := range rows {
			sum += max(ds[i], kdist[j])
		}
		return 1 / (sum/float64(k) + 1e-10)
	}
	lrd := make([]float64, len(X))
	for i := range X {
		lrd[i] = lrdOf(nbs[i], dss[i])
	}
	loghuntCSV(t, d.db, "query", "--format", "csv", fmt.Sprintf("part=train label=0 | anomalies %s method=lof save=lof_check | stats count", hdfsFeatures()))
	out := loghuntCSV(t, d.db, "query", "--format", "csv", fmt.Sprintf("part=valid | anomalies %s model=lof_check | table seq, anomaly_score", hdfsFeatures()))
	if len(out) != len(d.valid)+1 {
		t.Fatalf("%d scores for %d sessions", len(out)-1, len(d.valid))
	}
	bad := 0
	for _, r := range out[1:] {
		i, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		rows, ds := nearest(vec(d.valid[i]), -1)
		var mean float64
		for _, j := range rows {
			mean += lrd[j]
		}
		factor := mean / float64(k) / lrdOf(rows, ds)
		if want := factor / (factor + 1.5); math.Abs(got-want) > 1e-6 {
			if bad++; bad <= 5 {
				t.Errorf("valid session %d: lof score %v, brute force %v (LOF %v)", i, got, want, factor)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d scores differ", bad, len(d.valid))
	}
}
