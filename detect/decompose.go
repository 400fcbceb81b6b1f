package detect

import (
	"fmt"
	"math"
	"slices"
)

// DecomposeParams say how to split a series into trend, season and
// residual.
type DecomposeParams struct {
	// Period is the length of one season in points (24 for hourly points
	// with a daily cycle); 0 or 1: no seasonal component.
	Period int
	// K is the Tukey fence multiplier; 0 means 1.5.
	K float64
}

// Decomposition is a series split as y = trend + seasonal + residual, with
// the residual's outliers.
type Decomposition struct {
	Period   int
	Trend    []float64
	Seasonal []float64
	Expected []float64 // trend + seasonal
	Residual []float64 // y − expected; NaN where y is NaN
	// Q10 and Q90 are the 10th and 90th percentiles of the residuals; the
	// fences are Q10 − K·(Q90 − Q10) and Q90 + K·(Q90 − Q10).
	Q10, Q90, K  float64
	Lower, Upper []float64 // expected + the fences: the band of normal values
	// Outlier is KQL series_outliers' score: 0 for a residual within
	// [Q10, Q90], else how far beyond in units of Q90 − Q10 (+Inf when the
	// range is 0 and the residual is outside it); NaN where y is NaN.
	Outlier []float64
	Score   []float64 // DecomposeScore of |Outlier|, in [0, 1]
	Flag    []bool    // |Outlier| > K: outside the band
}

// Decompose splits the evenly spaced series y (NaN for a missing point) as
// KQL's series_decompose_anomalies does, with robust components:
//
//   - trend: a moving median over TrendWindow(len(y), Period) points
//     around each point, the window shifted inside the series at its ends
//     (so every point's median is of the same number of points); a median
//     over a whole season is the season's typical level, and a burst shorter
//     than half the window does not move it;
//   - seasonal: for each phase (position in the season, point i's phase is
//     i mod Period) the median of y − trend at that phase;
//   - with a season, the trend is then taken again as the moving median of
//     y − seasonal, and the season again from it, twice (refinements), as
//     STL's inner loop does: a moving median of a series with quiet nights
//     and busy days lies between the two and jumps as the window moves,
//     that of the series less its season follows the level;
//   - residual: y − trend − seasonal;
//   - outliers: Tukey's fences on the 10th–90th percentile range of the
//     residuals (numpy's linear interpolation), a residual beyond
//     Q90 + K·(Q90 − Q10) or below Q10 − K·(Q90 − Q10) is an anomaly.
//
// It fails when y has no number or holds an infinity.
func Decompose(y []float64, p DecomposeParams) (*Decomposition, error) {
	n := len(y)
	known := 0
	for i, v := range y {
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("decompose: point %d is %v", i, v)
		}
		if !math.IsNaN(v) {
			known++
		}
	}
	if known == 0 {
		return nil, fmt.Errorf("decompose: %w", ErrNoRows)
	}
	if p.K == 0 {
		p.K = 1.5
	}
	if p.K < 0 || math.IsNaN(p.K) || math.IsInf(p.K, 0) {
		return nil, fmt.Errorf("decompose: k must be a positive number, not %v", p.K)
	}
	if p.Period < 2 || p.Period > n {
		p.Period = 0
	}
	d := &Decomposition{Period: p.Period, K: p.K}
	w := TrendWindow(n, p.Period)
	d.Trend = MovingMedian(y, w)
	d.Seasonal = make([]float64, n)
	if p.Period > 0 {
		// A median over one season of a series that follows the clock
		// (quiet nights, busy days) falls between the two levels and
		// jumps as the window moves; the median of the series less its
		// season does not. So, as STL's inner loop: season from the
		// trend, trend from the series less the season, twice, then the
		// season of the last trend.
		z := make([]float64, n)
		for range refinements {
			d.Seasonal = seasonal(y, d.Trend, p.Period)
			for i, v := range y {
				z[i] = v - d.Seasonal[i]
			}
			d.Trend = MovingMedian(z, w)
		}
		d.Seasonal = seasonal(y, d.Trend, p.Period)
	}
	d.Expected, d.Residual = make([]float64, n), make([]float64, n)
	var res []float64
	for i, v := range y {
		d.Expected[i] = d.Trend[i] + d.Seasonal[i]
		d.Residual[i] = v - d.Expected[i]
		if !math.IsNaN(v) {
			res = append(res, d.Residual[i])
		}
	}
	slices.Sort(res)
	d.Q10, d.Q90 = Percentile(res, 10), Percentile(res, 90)
	r := d.Q90 - d.Q10
	lo, hi := d.Q10-p.K*r, d.Q90+p.K*r
	d.Lower, d.Upper = make([]float64, n), make([]float64, n)
	d.Outlier, d.Score, d.Flag = make([]float64, n), make([]float64, n), make([]bool, n)
	for i, e := range d.Residual {
		d.Lower[i], d.Upper[i] = d.Expected[i]+lo, d.Expected[i]+hi
		var u float64
		switch {
		case math.IsNaN(e):
			d.Outlier[i], d.Score[i] = math.NaN(), math.NaN()
			continue
		case e > d.Q90:
			u = outside(e-d.Q90, r)
		case e < d.Q10:
			u = -outside(d.Q10-e, r)
		}
		d.Outlier[i] = u
		d.Score[i] = DecomposeScore(math.Abs(u), p.K)
		d.Flag[i] = math.Abs(u) > p.K
	}
	return d, nil
}

// refinements is how many times Decompose re-estimates the trend from
// the series less its season.
const refinements = 2

// seasonal is, at each point, the median of y − trend over the points of
// its phase (i mod period); 0 for a phase with no number.
func seasonal(y, trend []float64, period int) []float64 {
	byPhase := make([][]float64, period)
	for i, v := range y {
		if !math.IsNaN(v) && !math.IsNaN(trend[i]) {
			byPhase[i%period] = append(byPhase[i%period], v-trend[i])
		}
	}
	med := make([]float64, period)
	for ph, vs := range byPhase {
		if len(vs) > 0 {
			med[ph] = median(vs)
		}
	}
	out := make([]float64, len(y))
	for i := range out {
		out[i] = med[i%period]
	}
	return out
}

// outside is excess/r, +Inf when r is 0.
func outside(excess, r float64) float64 {
	if r == 0 {
		return math.Inf(1)
	}
	return excess / r
}

// DecomposeScore maps KQL's outlier score u ≥ 0 (distance beyond the
// 10th–90th percentile range in widths of it) into [0, 1] as MADScore maps
// |z|: s = 1 − 1/(1 + log2(1 + u/k)), so that u = k, the fence, scores 0.5
// like Isolation Forest's default cut-off, 0 scores 0, and +Inf scores 1.
func DecomposeScore(u, k float64) float64 {
	if math.IsInf(u, 1) {
		return 1
	}
	return 1 - 1/(1+math.Log2(1+u/k))
}

// TrendWindow is the moving median's width: with a season, the season
// (every phase once, so the median is the season's typical level);
// without, about a tenth of the series, odd and at least 7; never more
// than n.
func TrendWindow(n, period int) int {
	w := 2*max(3, n/20) + 1
	if period >= 2 {
		w = period
	}
	return max(min(w, n), 1)
}

// MovingMedian is the median of each point i's window of w points, from
// i − w/2 (integer division) on, shifted inside the series at its ends;
// NaN points are skipped, and a window with no number gives NaN. The
// window slides over a Fenwick tree of the values' ranks, so the cost is
// O(n log n) whatever w is.
func MovingMedian(y []float64, w int) []float64 {
	n := len(y)
	out := make([]float64, n)
	half := w / 2
	win := newRankWindow(y)
	inLo, inHi := 0, 0 // the points [inLo, inHi) are in win
	for i := range y {
		lo := min(max(i-half, 0), max(n-w, 0))
		hi := min(lo+w, n)
		for ; inHi < hi; inHi++ {
			win.add(inHi, 1)
		}
		for ; inLo < lo; inLo++ {
			win.add(inLo, -1)
		}
		out[i] = win.median()
	}
	return out
}

// rankWindow counts which values of y are in a window, by their rank
// among y's numbers, in a Fenwick tree.
type rankWindow struct {
	sorted []float64 // y's numbers, sorted
	rank   []int     // each point's rank in sorted (1-based), 0 for NaN
	tree   []int
	count  int
}

func newRankWindow(y []float64) *rankWindow {
	idx := make([]int, 0, len(y))
	for i, v := range y {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(y[a], y[b]) })
	r := &rankWindow{sorted: make([]float64, len(idx)), rank: make([]int, len(y)), tree: make([]int, len(idx)+1)}
	for k, i := range idx {
		r.sorted[k], r.rank[i] = y[i], k+1
	}
	return r
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// add adds (d = 1) or removes (d = −1) point i; NaN points are not counted.
func (r *rankWindow) add(i, d int) {
	k := r.rank[i]
	if k == 0 {
		return
	}
	r.count += d
	for ; k < len(r.tree); k += k & -k {
		r.tree[k] += d
	}
}

// kth is the k-th smallest value in the window (0-based).
func (r *rankWindow) kth(k int) float64 {
	pos, step := 0, 1
	for step*2 < len(r.tree) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next < len(r.tree) && r.tree[next] <= k {
			pos, k = next, k-r.tree[next]
		}
	}
	return r.sorted[pos] // rank pos+1
}

// median is the window's median as median computes it, NaN when empty.
func (r *rankWindow) median() float64 {
	if r.count == 0 {
		return math.NaN()
	}
	m := r.count / 2
	if r.count%2 == 1 {
		return r.kth(m)
	}
	return (r.kth(m-1) + r.kth(m)) / 2
}

// median of v (not empty), which it reorders.
func median(v []float64) float64 {
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}

// DetectPeriod picks the season of y among candidates (in points): the
// one whose lag has the highest autocorrelation of y less its moving
// median over that lag (see Decompose's trend), among those that fit at
// least twice in y and reach minAutocorrelation; 0 when none does.
func DetectPeriod(y []float64, candidates []int) int {
	best, bestR := 0, minAutocorrelation
	for _, p := range candidates {
		if p < 2 || 2*p > len(y) {
			continue
		}
		tr := MovingMedian(y, TrendWindow(len(y), p))
		x := make([]float64, len(y))
		for i, v := range y {
			x[i] = v - tr[i]
		}
		if r := Autocorrelation(x, p); r > bestR {
			best, bestR = p, r
		}
	}
	return best
}

// minAutocorrelation is the least autocorrelation DetectPeriod takes as a
// season.
const minAutocorrelation = 0.3

// Autocorrelation is the sample autocorrelation of x at the lag (the
// covariance of the pairs lag apart over the variance, both about x's
// mean), skipping NaN; 0 when x is constant.
func Autocorrelation(x []float64, lag int) float64 {
	var sum float64
	k := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			sum += v
			k++
		}
	}
	if k == 0 {
		return 0
	}
	mean := sum / float64(k)
	var num, den float64
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		den += (v - mean) * (v - mean)
		if j := i + lag; j < len(x) && !math.IsNaN(x[j]) {
			num += (v - mean) * (x[j] - mean)
		}
	}
	if den == 0 {
		return 0
	}
	return num / den
}
