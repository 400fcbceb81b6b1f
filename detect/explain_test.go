package detect

import (
	"math"
	"testing"
)

// A row that is extreme on one feature of five and typical on the others is
// explained mostly by that feature, whichever it is.
func TestExplainOneFeatureOutlier(t *testing.T) {
	X := gaussianRows(2000, 5, 11)[20:] // drop the shifted rows
	f := mustFit(t, X, Params{Seed: 2})
	for j := range 5 {
		for _, v := range []float64{9, -7, 4.5} {
			x := []float64{0.1, -0.2, 0.3, 0, -0.1}
			x[j] = v
			share := f.Explain(x)
			sum := 0.0
			for _, s := range share {
				sum += s
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("shares %v sum to %v", share, sum)
			}
			if share[j] < 0.9 {
				t.Errorf("x[%d]=%v: share %.2f of %v, want >= 0.9", j, v, share[j], share)
			}
		}
	}
}

func TestExplainDegenerate(t *testing.T) {
	f := mustFit(t, [][]float64{{1, 2}, {1, 2}, {1, 2}}, Params{})
	if got := f.Explain([]float64{5, 5}); got[0] != 0 || got[1] != 0 {
		t.Errorf("identical rows: Explain = %v, want zeros", got)
	}
	if got := f.Explain([]float64{5}); got != nil {
		t.Errorf("wrong width: Explain = %v, want nil", got)
	}
	// Not finite values do not panic.
	f = mustFit(t, gaussianRows(300, 2, 1), Params{})
	for _, x := range [][]float64{{math.NaN(), 0}, {math.Inf(1), math.Inf(-1)}} {
		if got := f.Explain(x); len(got) != 2 {
			t.Errorf("Explain(%v) = %v", x, got)
		}
	}
}

// A row unusual on two features shares the credit between them.
func TestExplainTwoFeatureOutlier(t *testing.T) {
	f := mustFit(t, gaussianRows(2000, 5, 11)[20:], Params{Seed: 4})
	share := f.Explain([]float64{0, 6, 0.2, -6, -0.3})
	if share[1] < 0.3 || share[3] < 0.3 || share[1]+share[3] < 0.9 {
		t.Errorf("shares %v, want features 1 and 3 to hold >= 0.9 together", share)
	}
}
