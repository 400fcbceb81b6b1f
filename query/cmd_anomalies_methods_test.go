package query

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"loghunt/detect"
)

// TestAnomaliesLOFAndSVM: on five features with one row far off on one of
// them, lof and ocsvm flag it (contamination 1%), give every score in
// [0, 1], and name the feature in the reason.
func TestAnomaliesLOFAndSVM(t *testing.T) {
	for _, method := range []string{"lof", "ocsvm"} {
		in := fiveFeatures(400, 3, 1)
		out := mustAnomalies(t, "f0, f1, f2, f3, f4 method="+method, in, nil)
		last := in.Len - 1
		if !out.Get(colFlag, last).Truthy() || len(flagged(out)) != 4 {
			t.Errorf("%s: flagged %v, want 4 rows with %d", method, flagged(out), last)
		}
		for r, s := range scores(out) {
			if !(s >= 0 && s <= 1) {
				t.Fatalf("%s: row %d score %v", method, r, s)
			}
		}
		if s := scores(out); slices.Max(s) != s[last] {
			t.Errorf("%s: outlier scores %v, max %v", method, s[last], slices.Max(s))
		}
		reason := out.Get(colReason, last).String()
		if !strings.Contains(reason, "; f3=60 (typical ") {
			t.Errorf("%s: reason %q", method, reason)
		}
	}
}

// TestAnomaliesLOFScoreIsSklearns: the scores are LOFScore of the LOF that
// detect computes with n_neighbors as given.
func TestAnomaliesLOFScoreIsSklearns(t *testing.T) {
	in := fiveFeatures(200, 1, 2)
	out := mustAnomalies(t, "f0, f1, f2, f3, f4 method=lof n_neighbors=7", in, nil)
	X := make([][]float64, in.Len)
	for r := range X {
		for j := range 5 {
			X[r] = append(X[r], in.Cols[j][r].F)
		}
	}
	m, err := detect.FitLOF(X, detect.LOFParams{Neighbors: 7})
	if err != nil {
		t.Fatal(err)
	}
	for r, f := range m.Factors() {
		if want := math.Round(detect.LOFScore(f)*1e6) / 1e6; scores(out)[r] != want {
			t.Fatalf("row %d: score %v, want %v", r, scores(out)[r], want)
		}
	}
}

// TestAnomaliesMethodModels: lof and ocsvm save and load, by entity too;
// the SVM's loaded model scores the fitted rows as the fit did, LOF's
// scores new rows by novelty (scikit-learn's score_samples): a training
// row given again is its own neighbour.
func TestAnomaliesMethodModels(t *testing.T) {
	in := byEntityRows()
	for _, method := range []string{"lof", "ocsvm", "mad"} {
		ms := newMemModels()
		out := mustAnomalies(t, "count by user method="+method+" save=m", in, ms)
		if got := flagged(out); !slices.Contains(got, 99) {
			t.Errorf("%s by user: flagged %v, want 99 among them", method, got)
		}
		if out.Get(colBaseline, 0).String() != "big" || out.Get(colBaseline, 105).String() != "all" {
			t.Errorf("%s: baselines %v %v", method, out.Get(colBaseline, 0), out.Get(colBaseline, 105))
		}
		loaded := mustAnomalies(t, "model=m", in, ms)
		if method != "lof" && !slices.Equal(scores(out), scores(loaded)) {
			t.Errorf("%s: model= scores differ from the fit's", method)
		}
		if !loaded.Get(colFlag, 99).Truthy() {
			t.Errorf("%s: model= does not flag row 99", method)
		}
		info, err := DescribeModel(ms.blobs["m"])
		if err != nil || info.Method != method || info.By != "user" {
			t.Errorf("%s: describe %+v %v", method, info, err)
		}
		if _, err := runAnomalies(t, "model=m method=iforest", in, ms); err == nil || !strings.Contains(err.Error(), "fitted with method="+method) {
			t.Errorf("%s: model= with another method: %v", method, err)
		}
	}
	// LOF novelty on rows far from and inside the training rows.
	ms := newMemModels()
	mustAnomalies(t, "count method=lof save=l", in, ms)
	got := mustAnomalies(t, "model=l", table([]string{"count"}, []any{6}, []any{500}), ms)
	if s := scores(got); !(s[0] < 0.5 && s[1] > 0.99) || !got.Get(colFlag, 1).Truthy() || got.Get(colFlag, 0).Truthy() {
		t.Errorf("lof novelty scores %v flags %v %v", s, got.Get(colFlag, 0), got.Get(colFlag, 1))
	}
	if _, err := runAnomalies(t, "model=l n_neighbors=3", in, ms); err == nil || !strings.Contains(err.Error(), "n_neighbors= was fixed") {
		t.Errorf("n_neighbors with model=: %v", err)
	}
}

// TestAnomaliesMethodOptions: each method's options are checked and
// refused with another method, at the option's column.
func TestAnomaliesMethodOptions(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{"| anomalies n_neighbors=5", "n_neighbors= goes with method=lof"},
		{"| anomalies method=lof nu=0.1", "nu= goes with method=ocsvm"},
		{"| anomalies method=lof gamma=1", "gamma= goes with method=ocsvm"},
		{"| anomalies method=lof n_neighbors=0", "n_neighbors must be a whole number of at least 1"},
		{"| anomalies method=ocsvm nu=0", "nu must be a number above 0 and at most 1"},
		{"| anomalies method=ocsvm nu=1.5", "nu must be a number above 0 and at most 1"},
		{"| anomalies method=ocsvm gamma=0", "gamma must be scale or a positive number"},
		{"| anomalies method=svm", `unknown method "svm"`},
	} {
		if _, err := Parse(c.q); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.q, err, c.want)
		}
	}
	for _, q := range []string{"| anomalies method=ocsvm nu=0.1 gamma=scale", "| anomalies method=ocsvm gamma=0.5", "| anomalies method=lof n_neighbors=5"} {
		if _, err := Parse(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// TestDecodeMethodModelMutations: damaged lof, ocsvm and mad models fail
// to decode or score, never panic.
func TestDecodeMethodModelMutations(t *testing.T) {
	in := byEntityRows()
	r := rand.New(rand.NewPCG(2, 2))
	for _, method := range []string{"lof", "ocsvm", "mad"} {
		ms := newMemModels()
		mustAnomalies(t, "count by user method="+method+" save=m", in, ms)
		seed := ms.blobs["m"]
		for range 1500 {
			b := append([]byte(nil), seed...)
			for range 1 + r.IntN(4) {
				b[r.IntN(len(b)-4)] ^= byte(1 + r.IntN(255))
			}
			binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
			decodeAndApply(b, in)
		}
	}
}
