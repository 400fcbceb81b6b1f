package detect

import (
	"fmt"
	"math"
	"slices"
)

// MAD scores a single feature by its robust z-score (Iglewicz and Hoaglin's
// modified z-score):
//
//	z = 0.6745 (x − median) / MAD
//
// where MAD is the median absolute deviation from the median. When more than
// half the values equal the median (MAD = 0) it falls back to the mean
// absolute deviation from the median: z = (x − median) / (1.2533 · MeanAD),
// 1.2533 ≈ √(π/2) being the factor that makes MeanAD estimate a normal
// standard deviation. When all values are equal every z is 0.
//
// The anomaly score maps |z| monotonically into [0, 1):
//
//	s = 1 − 2^(−|z|/3.5)
//
// so that |z| = 3.5, Iglewicz and Hoaglin's outlier cut-off, scores 0.5
// like Isolation Forest's default cut-off, and Threshold works on it the
// same way. z keeps its sign (below or above the median).
// Empty x gives ErrNoRows; a NaN or infinity is reported by its zero-based
// row index.
func MAD(x []float64) (scores, z []float64, err error) {
	if len(x) == 0 {
		return nil, nil, fmt.Errorf("mad: %w", ErrNoRows)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("mad: row %d is %v", i, v)
		}
	}
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	med := Percentile(sorted, 50)
	dev := make([]float64, len(x))
	for i, v := range sorted {
		dev[i] = math.Abs(v - med)
	}
	slices.Sort(dev)
	scale := Percentile(dev, 50) / 0.6745
	if scale == 0 {
		sum := 0.0
		for _, d := range dev {
			sum += d
		}
		scale = 1.2533 * sum / float64(len(dev))
	}
	scores = make([]float64, len(x))
	z = make([]float64, len(x))
	if scale == 0 {
		return scores, z, nil
	}
	for i, v := range x {
		z[i] = (v - med) / scale
		scores[i] = 1 - math.Exp2(-math.Abs(z[i])/3.5)
	}
	return scores, z, nil
}
