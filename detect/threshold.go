package detect

import (
	"math"
	"slices"
)

// Threshold returns the score above which a row is an anomaly when a
// fraction contamination of the rows is expected to be anomalous: the
// (1 − contamination) quantile of scores with linear interpolation, exactly
// numpy.percentile(scores, 100*(1-contamination)), which is how
// scikit-learn sets offset_. Rows with score > threshold are anomalies.
// contamination is clipped to [0, 1] (0, or NaN, flags nothing); empty
// scores give NaN, which flags nothing. scores is not modified.
func Threshold(scores []float64, contamination float64) float64 {
	if len(scores) == 0 {
		return math.NaN()
	}
	if !(contamination > 0) {
		contamination = 0
	}
	contamination = min(contamination, 1)
	sorted := slices.Clone(scores)
	slices.Sort(sorted)
	return Percentile(sorted, 100*(1-contamination))
}

// Cut decides which scores are anomalies for a contamination.
type Cut struct {
	// Threshold is numpy's (1 − contamination) quantile, as Threshold
	// returns it.
	Threshold float64
	// Inclusive is set when the top rows tie at Threshold (no row scores
	// higher), some rows score lower and Threshold is above
	// AutoThreshold: a score equal to Threshold is then flagged too, since
	// nothing tells the tied rows apart.
	Inclusive bool
	// Tied is the number of rows that score exactly Threshold when some of
	// them are among the top contamination fraction (flagged when
	// Inclusive, else not); 0 when no tie reaches into the top.
	Tied int
	// Wanted is the number of rows above the quantile's position, what
	// the contamination asks for; Flagged is the number of the scores
	// that Flag flags.
	Wanted, Flagged int
}

// Flag reports whether a score is an anomaly under the cut.
func (c Cut) Flag(score float64) bool {
	return score > c.Threshold || c.Inclusive && score == c.Threshold
}

// ContaminationCut is Threshold with ties settled. scikit-learn's rule,
// score > threshold, flags nothing at all when the top rows tie (equally
// extreme rows: 46 clients far above the rest, four processes seen once
// each). So when the rows of the top score reach below the quantile's
// position, their score is above AutoThreshold (anomalous by the
// detector's own cut-off: for MAD |z| > 3.5) and some row scores lower,
// all of them are flagged (Inclusive), more than the contamination asks
// for. A tie below rows that score higher stays unflagged, as does a tie
// of ordinary rows (score 0.5 or less) or of every row: then fewer rows
// than asked for are flagged. Tied counts the rows of a tie that reaches
// into the top fraction either way, for a warning. scores is not
// modified.
func ContaminationCut(scores []float64, contamination float64) Cut {
	cut := Cut{Threshold: Threshold(scores, contamination)}
	n := len(scores)
	if n == 0 || !(contamination > 0) {
		return cut
	}
	sorted := slices.Clone(scores)
	slices.Sort(sorted)
	lo, _ := virtualIndex(n, 100*(1-min(contamination, 1)))
	top := lo + 1 // the first row above the quantile's position
	cut.Wanted = n - top
	first, _ := slices.BinarySearch(sorted, cut.Threshold)
	last := first
	for last < n && sorted[last] == cut.Threshold {
		last++
	}
	cut.Flagged = n - last
	if top >= n || sorted[top] != cut.Threshold {
		return cut // no tie reaches into the top
	}
	cut.Tied = last - first
	if last == n && first > 0 && cut.Threshold > AutoThreshold {
		cut.Inclusive, cut.Flagged = true, n-first
	}
	return cut
}

// Percentile returns the p-th percentile (p in [0, 100], clipped) of an
// ascending slice, interpolating linearly between neighbours as numpy's
// default method does, including its rounding. It returns NaN for an empty
// slice or a NaN p.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	lo, gamma := virtualIndex(len(sorted), p)
	if gamma == 0 {
		return sorted[lo]
	}
	return lerp(sorted[lo], sorted[lo+1], gamma)
}

// virtualIndex splits numpy's fractional index of the p-th percentile of n
// values into the lower neighbour and the weight of the upper one (0 when
// the index falls on or beyond an end).
func virtualIndex(n int, p float64) (lo int, gamma float64) {
	q := min(max(p, 0), 100) / 100
	v := float64(n-1) * q // numpy's "linear" method, rounded as numpy does
	if v >= float64(n-1) {
		return n - 1, 0
	}
	if v < 0 {
		return 0, 0
	}
	fl := math.Floor(v)
	return int(fl), v - fl
}

// lerp interpolates as numpy's _lerp does: from a below one half and from b
// above, which keeps the result within [a, b].
func lerp(a, b, t float64) float64 {
	diff := b - a
	if t >= 0.5 {
		return b - float64(diff*(1-t))
	}
	return a + float64(diff*t)
}

// typicalRanges returns the 5th and 95th percentiles of each column of X.
func typicalRanges(X [][]float64) [][2]float64 {
	d := len(X[0])
	out := make([][2]float64, d)
	parallel(d, func(lo, hi int) {
		col := make([]float64, len(X))
		for j := lo; j < hi; j++ {
			for i, row := range X {
				col[i] = row[j]
			}
			out[j] = [2]float64{selectPercentile(col, 5), selectPercentile(col, 95)}
		}
	})
	return out
}

// selectPercentile is Percentile for unsorted v, in linear time on average;
// it reorders v.
func selectPercentile(v []float64, p float64) float64 {
	lo, gamma := virtualIndex(len(v), p)
	a := nthElement(v, lo)
	if gamma == 0 {
		return a
	}
	// After selection every value right of lo is >= a: the next order
	// statistic is their minimum.
	return lerp(a, slices.Min(v[lo+1:]), gamma)
}

// nthElement reorders v so that v[k] holds the value it would have after
// sorting, with no larger value before it and no smaller after, and returns
// it. It is Hoare's quickselect with a median-of-three pivot, falling back to
// sorting a range that stops shrinking fast.
func nthElement(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for budget := 64; hi > lo; budget-- {
		if budget == 0 || hi-lo < 16 {
			slices.Sort(v[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		pivot := median3(v[lo], v[mid], v[hi])
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

func median3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}
