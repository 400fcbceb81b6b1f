package detect

import (
	"fmt"
	"math"
)

// scoreBlock is how many rows a worker scores at a time: all trees visit
// one block before the next, so a tree stays in L1 while the block's rows do
// too.
const scoreBlock = 256

// Score returns the paper's anomaly score s(x, ψ) = 2^(−E[h(x)]/c(ψ)) for
// each row of X, in (0, 1] with higher meaning more anomalous; it is the
// negative of scikit-learn's score_samples. Rows must have Features()
// finite values; the first bad row is reported by its zero-based index.
// Empty X gives an empty result. A forest fitted on a single row has no
// notion of normal and scores every row 0.5. Rows are scored in parallel;
// the result does not depend on the number of cores.
func (f *Forest) Score(X [][]float64) ([]float64, error) {
	if err := checkRows(X, f.features); err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	scores := make([]float64, len(X))
	norm := avgPathLength(f.sample) * float64(len(f.trees))
	if norm == 0 {
		for i := range scores {
			scores[i] = 0.5
		}
		return scores, nil
	}
	blocks := (len(X) + scoreBlock - 1) / scoreBlock
	parallel(blocks, func(lo, hi int) {
		buf := make([]float64, scoreBlock*f.features)
		var sum [scoreBlock]float64
		for b := lo; b < hi; b++ {
			rows := X[b*scoreBlock : min((b+1)*scoreBlock, len(X))]
			f.pathLengths(rows, buf, sum[:len(rows)])
			out := scores[b*scoreBlock:]
			for i, h := range sum[:len(rows)] {
				out[i] = math.Exp2(-h / norm)
			}
		}
	})
	return scores, nil
}

// pathLengths sets sum[i] to the total over all trees of the path length
// of rows[i]. buf is scratch space for len(rows)×Features() values.
func (f *Forest) pathLengths(rows [][]float64, buf, sum []float64) {
	d := f.features
	buf = buf[:len(rows)*d]
	for i, row := range rows {
		copy(buf[i*d:(i+1)*d], row)
	}
	clear(sum)
	for ti := range f.trees {
		t := &f.trees[ti]
		i := 0
		// Four rows at a time: their walks are independent, so the CPU
		// overlaps them.
		for ; i+4 <= len(rows); i += 4 {
			r0, r1, r2, r3 := buf[i*d:], buf[(i+1)*d:], buf[(i+2)*d:], buf[(i+3)*d:]
			n0, n1, n2, n3 := 0, 0, 0, 0
			for range t.depth {
				n0 = step(t.nodes, n0, r0)
				n1 = step(t.nodes, n1, r1)
				n2 = step(t.nodes, n2, r2)
				n3 = step(t.nodes, n3, r3)
			}
			sum[i] += t.pathLen[n0]
			sum[i+1] += t.pathLen[n1]
			sum[i+2] += t.pathLen[n2]
			sum[i+3] += t.pathLen[n3]
		}
		for ; i < len(rows); i++ {
			r, n := buf[i*d:], 0
			for range t.depth {
				n = step(t.nodes, n, r)
			}
			sum[i] += t.pathLen[n]
		}
	}
}

// step moves one level down from node n for row x; a leaf steps to itself.
// The child is chosen without a branch, which the CPU could not predict: the
// sign bit of thr − x is 1 exactly when x > thr (thresholds are never −0, a
// difference of two distinct finite floats is never zero, and +Inf − x is
// +Inf for a leaf, as long as x is finite).
func step(nodes []node, n int, x []float64) int {
	nd := nodes[n]
	return int(nd.left) + int(math.Float64bits(nd.thr-x[nd.feat])>>63)
}
