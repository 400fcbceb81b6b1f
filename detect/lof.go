package detect

import (
	"fmt"
	"math"
)

// LOFParams are Local Outlier Factor's parameters.
type LOFParams struct {
	Neighbors int // k, default 20 as scikit-learn; capped at rows − 1
}

// MaxLOFEntries bounds a LOF fit's neighbour table, rows × k entries of
// 16 bytes each (a row index and a squared distance): 2^24 entries,
// 256 MB, e.g. 838,860 rows at k = 20. The model itself keeps the rows
// (8·d bytes each) and two numbers per row; the index adds about 40 bytes
// per distinct row. A fit beyond the bound is refused with an error.
const MaxLOFEntries = 1 << 24

// LOF is a fitted Local Outlier Factor model (Breunig et al. 2000) with
// scikit-learn's definitions: the k-distance of a training row is its
// distance to its k-th nearest other row; the reachability distance of a
// to b is max(dist(a, b), k-distance(b)); the local reachability density
// lrd(a) = 1 / (mean reachability distance of a to its k neighbours +
// 1e-10); LOF(a) = mean lrd of a's neighbours / lrd(a). Distances are
// Euclidean; neighbours come from an exact KD-tree with ties broken by
// row index.
type LOF struct {
	k        int
	features int
	X        [][]float64
	kdist    []float64 // k-distance of each training row
	lrd      []float64 // lrd of each training row
	factor   []float64 // LOF of each training row
	tree     *kdTree
}

// FitLOF fits LOF on X; Factors gives the training rows' LOF, which is
// scikit-learn's −negative_outlier_factor_. X must have at least two rows
// of the same non-zero number of finite features.
func FitLOF(X [][]float64, p LOFParams) (*LOF, error) {
	if len(X) == 0 {
		return nil, fmt.Errorf("lof: %w", ErrNoRows)
	}
	if len(X) < 2 {
		return nil, fmt.Errorf("lof: needs at least 2 rows, got 1")
	}
	d := len(X[0])
	if d == 0 {
		return nil, fmt.Errorf("lof: rows have no features")
	}
	if err := checkRows(X, d); err != nil {
		return nil, fmt.Errorf("lof: %w", err)
	}
	if p.Neighbors == 0 {
		p.Neighbors = 20
	}
	if p.Neighbors < 1 {
		return nil, fmt.Errorf("lof: n_neighbors must be at least 1, got %d", p.Neighbors)
	}
	k := min(p.Neighbors, len(X)-1)
	if len(X)*k > MaxLOFEntries {
		return nil, fmt.Errorf("lof: %d rows × %d neighbours: %w", len(X), k, errTooBig("the neighbour table", len(X)*k, MaxLOFEntries))
	}
	m := &LOF{k: k, features: d, X: X, tree: newKDTree(X, d)}
	n := len(X)
	nb := make([]neighbour, n*k)
	m.kdist = make([]float64, n)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out := nb[i*k : (i+1)*k]
			m.tree.knn(X[i], k, int32(i), out)
			m.kdist[i] = math.Sqrt(out[k-1].d2)
		}
	})
	m.lrd = make([]float64, n)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.lrd[i] = m.density(nb[i*k : (i+1)*k])
		}
	})
	m.factor = make([]float64, n)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.factor[i] = m.ratio(nb[i*k:(i+1)*k], m.lrd[i])
		}
	})
	return m, nil
}

// density is the lrd of a row whose neighbours are nb.
func (m *LOF) density(nb []neighbour) float64 {
	s := 0.0
	for _, c := range nb {
		s += max(math.Sqrt(c.d2), m.kdist[c.row])
	}
	return 1 / (s/float64(len(nb)) + 1e-10)
}

// ratio is the LOF of a row of density lrd whose neighbours are nb.
func (m *LOF) ratio(nb []neighbour, lrd float64) float64 {
	s := 0.0
	for _, c := range nb {
		s += m.lrd[c.row] / lrd
	}
	return s / float64(len(nb))
}

// Factors returns the LOF of each training row (≈ 1 inside a cluster,
// larger for outliers); it is scikit-learn's −negative_outlier_factor_.
func (m *LOF) Factors() []float64 { return m.factor }

// Features is the number of features the model was fitted on.
func (m *LOF) Features() int { return m.features }

// Neighbors is the k in use (n_neighbors capped at rows − 1).
func (m *LOF) Neighbors() int { return m.k }

// Novelty returns the LOF of new rows against the fitted model, as
// scikit-learn's −score_samples with novelty=True: each row's k nearest
// training rows (a training row given again counts as its own neighbour,
// as in scikit-learn), its lrd by their k-distances, and the mean ratio of
// their lrd to its own.
func (m *LOF) Novelty(X [][]float64) ([]float64, error) {
	if err := checkRows(X, m.features); err != nil {
		return nil, fmt.Errorf("lof: %w", err)
	}
	out := make([]float64, len(X))
	parallel(len(X), func(lo, hi int) {
		nb := make([]neighbour, m.k)
		for i := lo; i < hi; i++ {
			m.tree.knn(X[i], m.k, -1, nb)
			out[i] = m.ratio(nb, m.density(nb))
		}
	})
	return out, nil
}

// LOFScore maps a LOF to an anomaly score in (0, 1), strictly increasing:
// s = LOF / (LOF + 1.5), so that 1.5, scikit-learn's cut-off for
// contamination="auto" (offset_ = −1.5), scores 0.5 like Isolation
// Forest's, and a LOF of 1 (a row as dense as its neighbours) 0.4.
func LOFScore(factor float64) float64 {
	if math.IsInf(factor, 1) {
		return math.Nextafter(1, 0)
	}
	return factor / (factor + 1.5)
}
