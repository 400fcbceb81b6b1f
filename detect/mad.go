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
// The anomaly score maps |z| strictly increasingly into [0, 1):
//
//	s = 1 − 1 / (1 + log2(1 + |z|/3.5))
//
// so that |z| = 3.5, Iglewicz and Hoaglin's outlier cut-off, scores 0.5
// like Isolation Forest's default cut-off, and Threshold works on it the
// same way; |z| = 10 scores 0.66, 100 scores 0.83, 1,000 scores 0.89. The
// logarithm keeps far outliers apart: the score never reaches 1 (not even
// in floating point, s ≤ 1 − 1/1025), so rows with different |z| keep
// their order where 1 − 2^(−|z|/3.5) rounded every |z| above ~190 to 1.
// z keeps its sign (below or above the median).
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
	m := FitMAD(x)
	scores = make([]float64, len(x))
	z = make([]float64, len(x))
	if m.Scale == 0 {
		return scores, z, nil
	}
	for i, v := range x {
		z[i] = m.Z(v)
		scores[i] = MADScore(z[i])
	}
	return scores, z, nil
}

// MADModel is what MAD learns of the training values: their median and
// the scale z divides by (MAD / 0.6745, or 1.2533 · MeanAD when the MAD is
// 0, or 0 when every value is equal). It scores new values as MAD scored
// the training ones.
type MADModel struct {
	Median, Scale float64
}

// FitMAD computes the median and scale of finite values x (len ≥ 1).
func FitMAD(x []float64) MADModel {
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
	return MADModel{med, scale}
}

// Z is the robust z-score of v; 0 when the scale is 0.
func (m MADModel) Z(v float64) float64 {
	if m.Scale == 0 {
		return 0
	}
	return (v - m.Median) / m.Scale
}

// MADScore maps a robust z-score to the anomaly score (see MAD).
func MADScore(z float64) float64 {
	if math.IsInf(z, 0) { // a deviation over a scale of almost 0
		return math.Nextafter(1, 0)
	}
	return 1 - 1/(1+math.Log2(1+math.Abs(z)/3.5))
}
