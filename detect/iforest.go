// Package detect finds unusual rows in a float matrix.
//
// It holds an Isolation Forest (Liu, Ting and Zhou, ICDM 2008) that follows
// scikit-learn's IsolationForest in every choice that changes its scores, a
// robust z-score detector for a single feature (MAD), and the threshold and
// percentile helpers that turn scores into flags and explanations.
//
// The package knows nothing of logs: callers turn events into rows of
// float64 features. Everything is deterministic for a given seed, whatever
// the number of cores.
package detect

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Defaults used when the matching Params field is zero.
const (
	DefaultTrees  = 100
	DefaultSample = 256
)

// AutoThreshold is the paper's cut-off: a score above 0.5 marks an anomaly
// when no contamination is given (scikit-learn's contamination="auto").
const AutoThreshold = 0.5

// ErrNoRows is returned when there is nothing to fit or score.
var ErrNoRows = errors.New("no rows")

// Params configures Fit. Zero values mean the defaults.
type Params struct {
	// Trees is the number of isolation trees t (default 100).
	Trees int
	// Sample is the subsample size ψ drawn without replacement for each
	// tree (default 256); it is clipped to the number of rows.
	Sample int
	// Seed makes the forest reproducible: tree i draws from
	// rand.NewPCG(Seed, i). Zero is an ordinary seed.
	Seed uint64
}

// Forest is a fitted Isolation Forest. It is immutable after Fit or
// UnmarshalBinary and safe for concurrent use.
type Forest struct {
	features int
	sample   int // ψ actually used: min(Params.Sample, rows)
	seed     uint64
	trees    []tree
	// typical holds, per feature, the 5th and 95th percentiles of the
	// training rows, for explanations ("typical 2–8").
	typical [][2]float64
}

// Fit builds a forest on the rows of X. Every row must have the same,
// non-zero number of finite features; an empty X gives ErrNoRows. A single
// row fits (every row then scores 0.5, see Score). Trees above 2^20 or
// Sample above 2^30 are errors, as are negative values. Trees are built in
// parallel on GOMAXPROCS cores; the result depends only on X and p.
func Fit(X [][]float64, p Params) (*Forest, error) {
	if p.Trees < 0 || p.Sample < 0 || p.Trees > maxTrees || p.Sample > maxSample {
		return nil, fmt.Errorf("fit: trees=%d sample=%d: want 0..%d and 0..%d", p.Trees, p.Sample, maxTrees, maxSample)
	}
	if len(X) == 0 {
		return nil, fmt.Errorf("fit: %w", ErrNoRows)
	}
	d := len(X[0])
	if d == 0 {
		return nil, errors.New("fit: rows have no features")
	}
	if err := checkRows(X, d); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	if p.Trees == 0 {
		p.Trees = DefaultTrees
	}
	if p.Sample == 0 {
		p.Sample = DefaultSample
	}
	f := &Forest{
		features: d,
		sample:   min(p.Sample, len(X)),
		seed:     p.Seed,
		trees:    make([]tree, p.Trees),
	}
	parallel(p.Trees, func(lo, hi int) {
		b := newBuilder(X, f.sample)
		for i := lo; i < hi; i++ {
			f.trees[i] = b.build(p.Seed, uint64(i))
		}
	})
	f.typical = typicalRanges(X)
	return f, nil
}

// Features is the number of features each row must have.
func (f *Forest) Features() int { return f.features }

// Params returns the parameters the forest was built with; Sample is the
// subsample size actually used.
func (f *Forest) Params() Params {
	return Params{Trees: len(f.trees), Sample: f.sample, Seed: f.seed}
}

// TypicalRange returns the 5th and 95th percentiles of feature j over the
// rows the forest was fitted on (NaN, NaN for an out-of-range j).
func (f *Forest) TypicalRange(j int) (lo, hi float64) {
	if j < 0 || j >= len(f.typical) {
		return math.NaN(), math.NaN()
	}
	return f.typical[j][0], f.typical[j][1]
}

// checkRows reports the first row whose width differs from d or that holds a
// NaN or an infinity. Row and feature numbers are zero-based indexes.
func checkRows(X [][]float64, d int) error {
	for i, row := range X {
		if len(row) != d {
			return fmt.Errorf("row %d has %d features, want %d", i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("row %d feature %d is %v", i, j, v)
			}
		}
	}
	return nil
}

// avgPathLength is c(n), the average path length of an unsuccessful search
// in a binary search tree of n keys, which the paper adds for the unbuilt
// subtree under a leaf of n samples: c(n) = 2H(n−1) − 2(n−1)/n with
// H(i) ≈ ln(i) + γ, c(1) = 0 and c(2) = 1, as scikit-learn computes it.
func avgPathLength(n int) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	x := float64(n)
	return 2*(math.Log(x-1)+eulerGamma) - 2*(x-1)/x
}

const eulerGamma = 0.5772156649015329

// parallel splits [0, n) into contiguous chunks run on up to GOMAXPROCS
// goroutines and waits for them. Work must not depend on chunk boundaries.
func parallel(n int, work func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		work(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { work(lo, hi) })
	}
	wg.Wait()
}
