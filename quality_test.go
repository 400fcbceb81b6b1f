package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// Helpers of the labelled quality tests (hdfs_quality_test.go,
// bgl_quality_test.go): precision, recall and F1 of flags against labels,
// and a printed table.

// labelConfusion counts flags against labels.
type labelConfusion struct{ tp, fp, fn, tn int }

func (c *labelConfusion) add(anomaly, flagged bool) {
	switch {
	case anomaly && flagged:
		c.tp++
	case anomaly:
		c.fn++
	case flagged:
		c.fp++
	default:
		c.tn++
	}
}

// precision is tp / (tp + fp), 0 when nothing is flagged.
func (c labelConfusion) precision() float64 {
	if c.tp+c.fp == 0 {
		return 0
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

// recall is tp / (tp + fn), 0 without anomalies.
func (c labelConfusion) recall() float64 {
	if c.tp+c.fn == 0 {
		return 0
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// f1 is the harmonic mean of precision and recall, 0 when both are 0.
func (c labelConfusion) f1() float64 {
	p, r := c.precision(), c.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// fpr is the share of normal rows flagged.
func (c labelConfusion) fpr() float64 {
	if c.fp+c.tn == 0 {
		return 0
	}
	return float64(c.fp) / float64(c.fp+c.tn)
}

// projectedF1 is the F1 the same recall and false-positive rate give on
// a population of pos anomalies and neg normal rows (HDFS_v1: 16,838 and
// 558,223), where a balanced test set hides false positives.
func (c labelConfusion) projectedF1(pos, neg float64) float64 {
	tp, fp := c.recall()*pos, c.fpr()*neg
	if tp == 0 {
		return 0
	}
	p, r := tp/(tp+fp), c.recall()
	return 2 * p * r / (p + r)
}

// labelConfusionOf counts rows (after a header) whose label column says
// anomaly (per isAnomaly) against their flag column ("true" or "1").
func labelConfusionOf(t *testing.T, rows [][]string, label, flag string, isAnomaly func(string) bool) labelConfusion {
	t.Helper()
	li, fi := qualityColumn(t, rows, label), qualityColumn(t, rows, flag)
	var c labelConfusion
	for _, r := range rows[1:] {
		c.add(isAnomaly(r[li]), r[fi] == "true" || r[fi] == "1")
	}
	return c
}

// column is the index of name in rows' header.
func qualityColumn(t *testing.T, rows [][]string, name string) int {
	t.Helper()
	if len(rows) == 0 {
		t.Fatalf("no header, looking for %s", name)
	}
	for i, h := range rows[0] {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %s in %v", name, rows[0])
	return -1
}

// qualityRow is one line of a printed quality table.
type qualityRow struct {
	method, threshold string
	tag               string // the row's name in a test's table of floors
	c                 labelConfusion
	auc               float64 // NaN: not computed
	extra             string
}

func (q qualityRow) String() string {
	auc := "–"
	if !math.IsNaN(q.auc) {
		auc = strconv.FormatFloat(q.auc, 'f', 3, 64)
	}
	return fmt.Sprintf("| %s | %s | %.3f | %.3f | **%.3f** | %s | %d / %d |%s", q.method, q.threshold,
		q.c.precision(), q.c.recall(), q.c.f1(), auc, q.c.tp, q.c.fp, q.extra)
}

// qualityTable prints rows as a Markdown table, as README has them.
func qualityTable(title, extraHead string, rows []qualityRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n| method | threshold | precision | recall | F1 | ROC AUC | TP / FP |%s\n|---|---|---|---|---|---|---|%s\n",
		title, extraHead, strings.Repeat("---|", strings.Count(extraHead, "|")))
	for _, r := range rows {
		b.WriteString(r.String() + "\n")
	}
	return b.String()
}

// checkQualityFloors fails for a row whose F1 is more than 0.02 below the F1
// measured for its tag (prefix + " " + tag), or that has none.
func checkQualityFloors(t *testing.T, prefix string, rows []qualityRow, measured map[string]float64) {
	t.Helper()
	for _, r := range rows {
		key := strings.TrimSpace(prefix + " " + r.tag)
		want, ok := measured[key]
		if !ok {
			t.Errorf("%s: no measured F1 to compare with", key)
		} else if r.c.f1() < want-0.02 {
			t.Errorf("%s: F1 %.3f, measured %.3f", key, r.c.f1(), want)
		}
	}
}

// TestQualityMetrics checks the metric arithmetic on hand-computed cases.
func TestQualityMetrics(t *testing.T) {
	var c labelConfusion
	// 3 anomalies (2 flagged), 5 normal rows (1 flagged)
	for _, x := range [][2]bool{{true, true}, {true, true}, {true, false}, {false, true}, {false, false}, {false, false}, {false, false}, {false, false}} {
		c.add(x[0], x[1])
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if c != (labelConfusion{2, 1, 1, 4}) || !near(c.precision(), 2.0/3) || !near(c.recall(), 2.0/3) || !near(c.f1(), 2.0/3) || !near(c.fpr(), 0.2) {
		t.Errorf("labelConfusion %+v: precision %v recall %v f1 %v fpr %v", c, c.precision(), c.recall(), c.f1(), c.fpr())
	}
	// 10 anomalies, 90 normal: recall 2/3, fpr 0.2 -> tp 6.667, fp 18, p 0.2703
	p := (20.0 / 3) / (20.0/3 + 18)
	if want := 2 * p * (2.0 / 3) / (p + 2.0/3); !near(c.projectedF1(10, 90), want) {
		t.Errorf("projected F1 %v, want %v", c.projectedF1(10, 90), want)
	}
	if (labelConfusion{}).f1() != 0 || (labelConfusion{fn: 3}).precision() != 0 {
		t.Error("empty cases are not 0")
	}
	rows := [][]string{{"label", "is_anomaly"}, {"1", "true"}, {"0", "false"}, {"1", "false"}, {"0", "1"}}
	if got := labelConfusionOf(t, rows, "label", "is_anomaly", func(s string) bool { return s == "1" }); got != (labelConfusion{1, 1, 1, 1}) {
		t.Errorf("labelConfusionOf %+v", got)
	}
}
