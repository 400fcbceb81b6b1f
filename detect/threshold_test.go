package detect

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// numpyData and the expected values below come from numpy 1.24's
// np.percentile; the comparisons are exact.
var numpyData = []float64{0.086, 0.237, 0.801, 0.582, 0.094, 0.433, 0.479, 0.16, 0.735, 0.114, 0.391, 0.517, 0.431, 0.587, 0.738, 0.956, 0.284, 0.649, 0.696, 0.293, 0.001, 0.973, 0.298, 0.314, 0.892, 0.585, 0.471, 0.773, 0.03, 0.707, 0.374, 0.091, 0.661, 0.931, 0.207, 0.63, 0.298}

func TestPercentileMatchesNumpy(t *testing.T) {
	sorted := slices.Sorted(slices.Values(numpyData))
	tests := []struct {
		data []float64
		p    float64
		want float64
	}{
		{sorted, 0, 0.001},
		{sorted, 5, 0.07479999999999999},
		{sorted, 33.3, 0.298},
		{sorted, 50, 0.471},
		{sorted, 95, 0.9359999999999999},
		{sorted, 100, 0.973},
		{sorted, -3, 0.001},
		{sorted, 250, 0.973},
		{[]float64{1, 2, 3, 10}, 10, 1.3},
		{[]float64{1, 2, 3, 10}, 33, 1.99},
		{[]float64{1, 2, 3, 10}, 95, 8.949999999999998},
		{[]float64{7}, 40, 7},
		{[]float64{1, 2, 3, 4, 5, 6, 7}, 95, 6.699999999999999},
	}
	for _, tt := range tests {
		if got := Percentile(tt.data, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.data, tt.p, got, tt.want)
		}
		// The unsorted, selection-based variant agrees exactly.
		shuffled := slices.Clone(tt.data)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		})
		if got := selectPercentile(shuffled, tt.p); got != tt.want {
			t.Errorf("selectPercentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) || !math.IsNaN(Percentile(sorted, math.NaN())) {
		t.Error("Percentile of nothing or at NaN is not NaN")
	}
}

func TestThresholdMatchesNumpy(t *testing.T) {
	tests := []struct{ contamination, want float64 }{
		{0.01, 0.96688},
		{0.05, 0.9359999999999999},
		{0.1, 0.8373999999999999},
		{0.3, 0.6514},
		{0.5, 0.471},
		{0, 0.973},
		{-1, 0.973},
		{math.NaN(), 0.973},
		{1, 0.001},
	}
	for _, tt := range tests {
		data := slices.Clone(numpyData)
		if got := Threshold(data, tt.contamination); got != tt.want {
			t.Errorf("Threshold(%v) = %v, want %v", tt.contamination, got, tt.want)
		}
		if !slices.Equal(data, numpyData) {
			t.Fatal("Threshold modified its input")
		}
	}
	if !math.IsNaN(Threshold(nil, 0.1)) {
		t.Error("Threshold(nil) is not NaN")
	}
}

// Large random inputs: selection agrees with sorting at every percentile.
func TestSelectPercentile(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{1, 2, 17, 1000, 100_000} {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Round(rng.NormFloat64() * 10) // many ties
		}
		sorted := slices.Sorted(slices.Values(v))
		for _, p := range []float64{0, 1, 5, 37.5, 50, 95, 99.9, 100} {
			if got, want := selectPercentile(slices.Clone(v), p), Percentile(sorted, p); got != want {
				t.Errorf("n=%d p=%v: select %v, sort %v", n, p, got, want)
			}
		}
	}
}

// poisson draws from Poisson(lambda) by Knuth's method.
func poisson(rng *rand.Rand, lambda float64) float64 {
	limit, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= limit {
			return float64(k)
		}
		k++
	}
}

// SPEC §3: 50 per-minute counts of about 5 followed by 30, 40 and 50 with
// contamination=0.05 flag exactly those three minutes.
func TestThresholdFlagsLoginBurst(t *testing.T) {
	for dataSeed := range uint64(5) {
		for forestSeed := range uint64(5) {
			rng := rand.New(rand.NewPCG(dataSeed, 99))
			X := make([][]float64, 0, 53)
			for range 50 {
				X = append(X, []float64{poisson(rng, 5)})
			}
			X = append(X, []float64{30}, []float64{40}, []float64{50})
			scores := mustScore(t, mustFit(t, X, Params{Seed: forestSeed}), X)
			thr := Threshold(scores, 0.05)
			var flagged []int
			for i, s := range scores {
				if s > thr {
					flagged = append(flagged, i)
				}
			}
			if !slices.Equal(flagged, []int{50, 51, 52}) {
				t.Errorf("data seed %d forest seed %d: flagged rows %v, want [50 51 52]", dataSeed, forestSeed, flagged)
			}
		}
	}
}

// Rows tied at the threshold: when the top rows tie at a score above
// 0.5 and reach into the top fraction, all of them are flagged, for no
// score can tell them apart; otherwise the cut is numpy's, score >
// threshold. Tied counts a tie that reaches into the top either way.
func TestContaminationCut(t *testing.T) {
	rep := func(v float64, n int) []float64 { return slices.Repeat([]float64{v}, n) }
	tests := []struct {
		name          string
		scores        []float64
		contamination float64
		flagged, tied int
		inclusive     bool
	}{
		{"distinct", []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, 0.1, 1, 0, false},
		// 46 clients scored 1, as MAD once saturated: none was flagged.
		{"top tie", append(rep(0.2, 1711), rep(1, 46)...), 0.005, 46, 46, true},
		// An Isolation Forest tying 4 rows at the top.
		{"four at top", append(rep(0.4, 96), rep(0.75, 4)...), 0.01, 4, 4, true},
		// A tie under rows that score higher is not flagged: small counts
		// (2 errors on 2 paths) tie often, far below the real outliers.
		{"tie below top", append(append(rep(0.3, 90), rep(0.6, 8)...), 0.8, 0.9), 0.05, 2, 8, false},
		// A tie of ordinary rows (score at most 0.5) under one outlier.
		{"ordinary tie", append(append(rep(0.2, 150), rep(0.27, 49)...), 0.8), 0.01, 1, 49, false},
		{"ordinary tie at top", append(rep(0.2, 150), rep(0.27, 50)...), 0.01, 0, 50, false},
		{"tie at 0.5", append(rep(0.2, 150), rep(0.5, 50)...), 0.01, 0, 50, false},
		// Ties below the cut do not matter.
		{"tie under cut", append(rep(0.3, 95), 0.5, 0.6, 0.7, 0.8, 0.9), 0.05, 5, 0, false},
		// Everything tied: nothing stands out, nothing is flagged.
		{"all tied", rep(0.7, 50), 0.1, 0, 50, false},
		{"zero contamination", append(rep(0.2, 9), 1), 0, 0, 0, false},
		{"empty", nil, 0.1, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cut := ContaminationCut(tt.scores, tt.contamination)
			n := 0
			for _, s := range tt.scores {
				if cut.Flag(s) {
					n++
				}
			}
			if n != tt.flagged || cut.Tied != tt.tied || cut.Inclusive != tt.inclusive || cut.Flagged != n {
				t.Errorf("flagged %d, tied %d, inclusive %v; want %d, %d, %v (cut %+v)", n, cut.Tied, cut.Inclusive, tt.flagged, tt.tied, tt.inclusive, cut)
			}
			if th := Threshold(tt.scores, tt.contamination); !(th == cut.Threshold || math.IsNaN(th) && math.IsNaN(cut.Threshold)) {
				t.Errorf("threshold %v, want numpy's %v", cut.Threshold, th)
			}
		})
	}
}
