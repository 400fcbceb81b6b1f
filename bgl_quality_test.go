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
	"strconv"
	"strings"
	"testing"
	"time"
)

// bglLine is one line of BGL_2k.log: its alert tag ("-" is normal) and
// its Unix time.
type bglLine struct {
	label string
	ts    int64
}

func readBGL(path string) ([]bglLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []bglLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		w := strings.Fields(sc.Text())
		if len(w) < 2 {
			return nil, fmt.Errorf("%s line %d: want a label and a time", path, n)
		}
		ts, err := strconv.ParseInt(w[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: time %q: %v", path, n, w[1], err)
		}
		out = append(out, bglLine{w[0], ts})
	}
	return out, sc.Err()
}

// bglQuery splits a BGL line into its fields (the header of logparser's
// BGL format) and mines the templates of the message (Content) only: the
// alert tag leads _raw and must not reach a template.
const bglQuery = `* | rex "^(?<label>\S+) (?<ts>\d+) \S+ (?<node>\S+) \S+ \S+ (?<type>\S+) (?<component>\S+) (?<level>\S+) (?<message>.*)$" | patterns field=message`

// bglTrain is the baseline: the first 30 days of the 7 months.
const bglTrain = 30 * 24 * time.Hour

// TestBGLQuality measures first-seen templates and the detectors on
// per-window template counts against BGL_2k's alert labels, through the
// CLI on a real database: lines after the first 30 days (1,437, 49 alerts)
// and 1-hour windows (an alert window holds an alert line). It checks
// the first-seen flags against a computation in Go on the same templates
// and against loghub's ground-truth templates, prints README's table and
// fails when an F1 drops more than 0.02 below what was measured.
func TestBGLQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a quality measurement")
	}
	path := filepath.Join(shared, "datasets", "loghub", "BGL_2k.log")
	lines, err := readBGL(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("BGL_2k absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, l := range lines {
		if l.label != "-" {
			alerts++
		}
	}
	if len(lines) != 2000 || alerts != 143 {
		t.Fatalf("%s: %d lines, %d alerts; datasets/README.md says 2,000 and 143", path, len(lines), alerts)
	}
	start := lines[0].ts // the file is in time order
	split := start + int64(bglTrain/time.Second)
	const hour = 3600
	alertHour := map[int64]bool{} // by the hour's Unix time
	for _, l := range lines {
		alertHour[l.ts/hour*hour] = alertHour[l.ts/hour*hour] || l.label != "-"
	}
	db := filepath.Join(t.TempDir(), "bgl.db")
	loghuntCSV(t, db, "ingest", path)
	query := func(q string) [][]string { return loghuntCSV(t, db, "query", "--format", "csv", q) }
	isAlert := func(s string) bool { return s != "-" }
	// a window's label, from its _time
	windowLabels := func(rows [][]string) [][]string {
		tc := qualityColumn(t, rows, "_time")
		out := [][]string{append([]string{"window_alert"}, rows[0]...)}
		for _, r := range rows[1:] {
			at, err := time.Parse(time.RFC3339, r[tc])
			if err != nil {
				t.Fatalf("window %q: %v", r[tc], err)
			}
			out = append(out, append([]string{strconv.FormatBool(alertHour[at.Unix()])}, r...))
		}
		return out
	}
	isTrue := func(s string) bool { return s == "true" }

	var rows []qualityRow
	// first seen, line by line; semi-supervised: the baseline's alert
	// lines left out
	// lineFlags runs first seen with the first days as its baseline (with
	// semi, less its alert lines), checks every flag against the same
	// computed here, and counts the later lines' flags, all and FATAL
	// lines only, and the new templates.
	lineFlags := func(days int, semi bool) (c, fatal labelConfusion, newAlert, newNormal int) {
		split := start + int64(days)*24*3600
		filter := ""
		if semi {
			filter = fmt.Sprintf(` | where label="-" OR ts >= %d`, split)
		}
		out := query(bglQuery + filter + fmt.Sprintf(" | firstseen pattern_id train=%dd | table ts, label, pattern_id, is_anomaly, level", days))
		seen := map[string]bool{}
		for _, r := range out[1:] {
			if ts, _ := strconv.ParseInt(r[0], 10, 64); ts < split {
				seen[r[2]] = true
			}
		}
		alertT, normalT := map[string]bool{}, map[string]bool{}
		for _, r := range out[1:] {
			ts, _ := strconv.ParseInt(r[0], 10, 64)
			want := ts >= split && !seen[r[2]]
			if got := r[3] == "true"; got != want {
				t.Fatalf("train=%dd (semi %v): line at %d, template %s: flagged %v, want %v", days, semi, ts, r[2], got, want)
			}
			if ts >= split {
				c.add(isAlert(r[1]), want)
				fatal.add(isAlert(r[1]), want && r[4] == "FATAL")
				if want && isAlert(r[1]) {
					alertT[r[2]] = true
				} else if want {
					normalT[r[2]] = true
				}
			}
		}
		return c, fatal, len(alertT), len(normalT)
	}
	for _, setting := range []struct {
		name, filter string
		semi         bool
	}{
		{"first 30 days as they are", "", false},
		{"first 30 days' normal lines", fmt.Sprintf(` | where label="-" OR ts >= %d`, split), true},
	} {
		c, fatal, newAlert, newNormal := lineFlags(30, setting.semi)
		rows = append(rows, qualityRow{method: "`firstseen pattern_id`, lines", threshold: "new since " + setting.name, c: c, auc: math.NaN(),
			tag: "firstseen lines " + setting.name, extra: fmt.Sprintf(" %d alert, %d normal |", newAlert, newNormal)},
			qualityRow{method: "`firstseen pattern_id \\| where level=\"FATAL\"`, lines", threshold: "new since " + setting.name, c: fatal, auc: math.NaN(),
				tag: "firstseen fatal " + setting.name, extra: " |"})
		win := windowLabels(query(bglQuery + setting.filter + fmt.Sprintf(" | firstseen pattern_id train=30d | where ts >= %d | bin _time span=1h | stats max(anomaly_score) as is_anomaly by _time", split)))
		rows = append(rows, qualityRow{method: "`firstseen pattern_id`, 1-hour windows", threshold: "a new template since " + setting.name, c: labelConfusionOf(t, win, "window_alert", "is_anomaly", isTrue),
			auc: math.NaN(), tag: "firstseen windows " + setting.name, extra: " |"})
	}
	// the reference: the same on loghub's ground-truth templates
	if ref, err := bglTruthFirstseen(path+"_structured.csv", split); err == nil {
		rows = append(rows, ref)
		// equal on 2026-12-03; a change of patterns may move it a little
		if ref.c.recall() != rows[0].c.recall() || math.Abs(ref.c.f1()-rows[0].c.f1()) > 0.02 {
			t.Errorf("first seen on loghunt's templates %+v, on loghub's %+v", rows[0].c, ref.c)
		}
	} else {
		t.Logf("no ground-truth templates: %v", err)
	}

	// the baseline's length: 7 to 90 days, as they are and without their
	// alert lines
	var spans strings.Builder
	spans.WriteString("| baseline | lines after it (alerts) | as they are: P / R / F1 | FATAL lines: P / R / F1 | normal lines only: P / R / F1 | new templates (alert / normal) |\n|---|---|---|---|---|---|\n")
	prf := func(c labelConfusion) string {
		return fmt.Sprintf("%.3f / %.3f / %.3f", c.precision(), c.recall(), c.f1())
	}
	spanF1 := map[string]float64{}
	for _, days := range []int{7, 30, 60, 90} {
		c, fatal, na, nn := lineFlags(days, false)
		semi, _, _, _ := lineFlags(days, true)
		fmt.Fprintf(&spans, "| %d days | %d (%d) | %s | %s | %s | %d / %d |\n", days, c.tp+c.fp+c.fn+c.tn, c.tp+c.fn, prf(c), prf(fatal), prf(semi), na, nn)
		spanF1[fmt.Sprintf("%dd", days)], spanF1[fmt.Sprintf("%dd fatal", days)], spanF1[fmt.Sprintf("%dd semi", days)] = c.f1(), fatal.f1(), semi.f1()
	}
	t.Log("\nBGL_2k: first-seen templates by the baseline's length\n" + spans.String())
	// as measured on 2026-12-03
	for key, want := range map[string]float64{
		"7d": 0.247, "7d fatal": 0.602, "7d semi": 0.248,
		"30d": 0.128, "30d fatal": 0.671, "30d semi": 0.128,
		"60d": 0.148, "60d fatal": 0.667, "60d semi": 0.148,
		"90d": 0.157, "90d fatal": 0.484, "90d semi": 0.273,
	} {
		if spanF1[key] < want-0.02 {
			t.Errorf("first seen, baseline %s: F1 %.3f, measured %.3f", key, spanF1[key], want)
		}
	}

	// the detectors on per-window template counts (a column per template,
	// named t + its pattern_id)
	const windows = ` | eval tpl = printf("t%s", pattern_id) | bin _time span=1h | chart count over _time by tpl limit=0 | fillnull value=0`
	fitRows := query(bglQuery + fmt.Sprintf(" | where ts < %d", split) + windows)
	feats := strings.Join(fitRows[0][1:], ", ")
	for _, m := range []string{"iforest", "lof", "ocsvm"} {
		for _, c := range []string{"0.01", "0.1", "auto"} {
			name := "bgl_" + m + "_" + strings.ReplaceAll(c, ".", "")
			query(bglQuery + fmt.Sprintf(" | where ts < %d", split) + windows + fmt.Sprintf(" | anomalies %s method=%s contamination=%s save=%s | stats count", feats, m, c, name))
			later := windowLabels(query(bglQuery + fmt.Sprintf(" | where ts >= %d", split) + windows + fmt.Sprintf(" %s | anomalies %s model=%s | table _time, is_anomaly, anomaly_score", feats, feats, name)))
			every := windowLabels(query(bglQuery + windows + fmt.Sprintf(" | anomalies method=%s contamination=%s | table _time, is_anomaly, anomaly_score", m, c)))
			for _, s := range []struct {
				what, tag string
				rows      [][]string
			}{{"fit on the first 30 days' windows", "later", later}, {"fit on every window", "every", every}} {
				auc := math.NaN()
				if c == "auto" {
					sc := make([][]string, 0, len(s.rows))
					for _, r := range s.rows {
						sc = append(sc, []string{strings.NewReplacer("true", "1", "false", "0").Replace(r[0]), r[3]})
					}
					if auc, err = rocAUC(sc); err != nil {
						t.Fatal(err)
					}
				}
				rows = append(rows, qualityRow{method: "`" + m + "`, 1-hour template counts, " + s.what, threshold: "contamination=" + c,
					c: labelConfusionOf(t, s.rows, "window_alert", "is_anomaly", isTrue), auc: auc, tag: m + " " + s.tag + " " + c, extra: " |"})
			}
		}
	}
	// F1 as measured on 2026-12-03: a drop of more than 0.02 fails
	asIs, normal := "first 30 days as they are", "first 30 days' normal lines"
	measured := map[string]float64{
		"firstseen lines " + asIs: 0.128, "firstseen fatal " + asIs: 0.671, "firstseen windows " + asIs: 0.332,
		"firstseen lines " + normal: 0.128, "firstseen fatal " + normal: 0.671, "firstseen windows " + normal: 0.332,
		"truth":              0.128,
		"iforest later 0.01": 0, "iforest every 0.01": 0.074, "iforest later 0.1": 0, "iforest every 0.1": 0.189,
		"iforest later auto": 0, "iforest every auto": 0.040,
		"lof later 0.01": 0, "lof every 0.01": 0.037, "lof later 0.1": 0, "lof every 0.1": 0.211,
		"lof later auto": 0, "lof every auto": 0.267,
		"ocsvm later 0.01": 0, "ocsvm every 0.01": 0.037, "ocsvm later 0.1": 0, "ocsvm every 0.1": 0.149,
		"ocsvm later auto": 0, "ocsvm every auto": 0.197,
	}
	checkQualityFloors(t, "", rows, measured)
	t.Log("\n" + qualityTable(fmt.Sprintf("BGL_2k: lines after the first 30 days (%d alert windows of 1 hour)", countAlertWindows(alertHour, split)), " new templates |", rows))
}

// countAlertWindows is how many alert hours begin at or after split.
func countAlertWindows(alertHour map[int64]bool, split int64) int {
	n := 0
	for h, a := range alertHour {
		if a && h >= split {
			n++
		}
	}
	return n
}

// bglTruthFirstseen is first seen, line by line, on loghub's ground-truth
// EventId of BGL_2k.log_structured.csv, computed here.
func bglTruthFirstseen(path string, split int64) (qualityRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return qualityRow{}, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return qualityRow{}, err
	}
	li, ti, ei := -1, -1, -1
	for i, h := range recs[0] {
		switch h {
		case "Label":
			li = i
		case "Timestamp":
			ti = i
		case "EventId":
			ei = i
		}
	}
	if li < 0 || ti < 0 || ei < 0 {
		return qualityRow{}, fmt.Errorf("%s: no Label, Timestamp or EventId column", path)
	}
	seen := map[string]bool{}
	var c labelConfusion
	newAlert, newNormal := map[string]bool{}, map[string]bool{}
	for _, r := range recs[1:] {
		ts, err := strconv.ParseInt(r[ti], 10, 64)
		if err != nil {
			return qualityRow{}, fmt.Errorf("%s: Timestamp %q", path, r[ti])
		}
		if ts < split {
			seen[r[ei]] = true
			continue
		}
		flag := !seen[r[ei]]
		c.add(r[li] != "-", flag)
		if flag && r[li] != "-" {
			newAlert[r[ei]] = true
		} else if flag {
			newNormal[r[ei]] = true
		}
	}
	return qualityRow{method: "first seen EventId (loghub's ground-truth templates, computed in Go)", threshold: "new since first 30 days as they are", c: c,
		auc: math.NaN(), tag: "truth", extra: fmt.Sprintf(" %d alert, %d normal |", len(newAlert), len(newNormal))}, nil
}
