package detect

import (
	"math"
	"strings"
	"testing"
)

func TestMAD(t *testing.T) {
	tests := []struct {
		name  string
		x     []float64
		wantZ []float64
	}{
		// median 3, deviations 2 1 0 1 97, MAD 1: z = 0.6745 (x − 3).
		{"mad", []float64{1, 2, 3, 4, 100}, []float64{-1.349, -0.6745, 0, 0.6745, 65.4265}},
		// MAD 0: mean absolute deviation 4/7, z = (x − 5) / (1.2533 · 4/7).
		{"mean fallback", []float64{5, 5, 5, 5, 5, 5, 9}, []float64{0, 0, 0, 0, 0, 0, 7 / 1.2533}},
		{"all equal", []float64{2, 2, 2}, []float64{0, 0, 0}},
		{"one value", []float64{-4}, []float64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scores, z, err := MAD(tt.x)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.x {
				if math.Abs(z[i]-tt.wantZ[i]) > 1e-9 {
					t.Errorf("z[%d] = %v, want %v", i, z[i], tt.wantZ[i])
				}
				if want := 1 - 1/(1+math.Log2(1+math.Abs(tt.wantZ[i])/3.5)); math.Abs(scores[i]-want) > 1e-9 {
					t.Errorf("score[%d] = %v, want %v", i, scores[i], want)
				}
				if scores[i] < 0 || scores[i] >= 1 {
					t.Errorf("score[%d] = %v outside [0, 1)", i, scores[i])
				}
			}
		})
	}
}

// |z| = 3.5, the usual cut-off for the modified z-score, maps to 0.5 like
// Isolation Forest's default threshold.
func TestMADCutoffScoresHalf(t *testing.T) {
	// median 0, MAD 1: z = 0.6745 x, so x = 3.5/0.6745 gives z = 3.5.
	x := []float64{-1, -1, 0, 1, 1, 3.5 / 0.6745, -3.5 / 0.6745}
	scores, _, err := MAD(x)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(scores[5]-0.5) > 1e-12 || math.Abs(scores[6]-0.5) > 1e-12 {
		t.Fatalf("scores at |z| = 3.5: %v, %v; want 0.5", scores[5], scores[6])
	}
}

// The score keeps the order of |z| however far out: the exfiltration
// hunt's clients, z from 50 to over 1,000, once all scored 1.
func TestMADScoreKeepsOrder(t *testing.T) {
	prev := -1.0
	for _, z := range []float64{0, 0.1, 1, 3.5, 10, 53, 82.3, 262, 282, 349, 444, 698, 708, 1080, 1e4, 1e6, 1e9, 1e12, 1e100, math.MaxFloat64, math.Inf(1)} {
		s := MADScore(z)
		if !(s > prev) || s >= 1 {
			t.Errorf("score(|z| = %g) = %v after %v: want increasing and below 1", z, s, prev)
		}
		if MADScore(-z) != s {
			t.Errorf("score(-%g) = %v, score(%g) = %v", z, MADScore(-z), z, s)
		}
		prev = s
	}
	// Distinct values far in the tail still get distinct scores in the
	// order of their values.
	x := []float64{0, 0.1, 0.1, 0.2, 0.1, 0, 0.3, 12.3, 41.9, 51.8, 66, 103.6, 105, 155.4, 160.3}
	scores, _, err := MAD(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := 8; i < len(x); i++ {
		if !(scores[i] > scores[i-1]) || scores[i] >= 1 {
			t.Errorf("x=%v scores %v, x=%v scores %v", x[i-1], scores[i-1], x[i], scores[i])
		}
	}
}

func TestMADErrors(t *testing.T) {
	tests := []struct {
		x    []float64
		want string
	}{
		{nil, "no rows"},
		{[]float64{1, math.NaN()}, "row 1 is NaN"},
		{[]float64{math.Inf(-1)}, "row 0 is -Inf"},
	}
	for _, tt := range tests {
		if _, _, err := MAD(tt.x); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MAD(%v) error = %v, want %q", tt.x, err, tt.want)
		}
	}
}
