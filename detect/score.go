package detect

import (
	"fmt"
	"math"
	"unsafe"
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
	if distinct, of := distinctRows(X); distinct != nil {
		// A score depends on the row's values alone: score each distinct
		// row once (counts per minute and user repeat a few values).
		ds := f.score(distinct, norm)
		for i, d := range of {
			scores[i] = ds[d]
		}
		return scores, nil
	}
	copy(scores, f.score(X, norm))
	return scores, nil
}

// score scores rows in parallel, norm being c(ψ) times the trees.
func (f *Forest) score(X [][]float64, norm float64) []float64 {
	scores := make([]float64, len(X))
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
	return scores
}

// distinctRows returns the distinct rows of X and, for each row, the index
// of its distinct row, when there are at most half as many distinct rows
// as rows; otherwise nil. A sample of the first rows decides whether
// looking is worth it.
func distinctRows(X [][]float64) ([][]float64, []int32) {
	const sample = 4 * scoreBlock
	if len(X) < 2*sample {
		return nil, nil
	}
	seen := make(map[string]int32)
	var distinct [][]float64
	of := make([]int32, len(X))
	for i, row := range X {
		k := unsafe.String((*byte)(unsafe.Pointer(unsafe.SliceData(row))), 8*len(row))
		d, ok := seen[k]
		if !ok {
			d = int32(len(distinct))
			seen[k] = d
			distinct = append(distinct, row)
			if len(distinct) > len(X)/2 || i < sample && len(distinct) > sample/2 {
				return nil, nil
			}
		}
		of[i] = d
	}
	return distinct, of
}

// pathLengths sets sum[i] to the total over all trees of the path length
// of rows[i], in tree order so the sum does not depend on scheduling. buf
// is scratch space for scoreBlock×Features() values.
func (f *Forest) pathLengths(rows [][]float64, buf, sum []float64) {
	// Column-major: feature j of row i is buf[j*scoreBlock+i].
	for i, row := range rows {
		for j, v := range row {
			buf[j*scoreBlock+i] = v
		}
	}
	clear(sum)
	var at [scoreBlock]int32
	pos := at[:len(rows)]
	for ti := range f.trees {
		t := &f.trees[ti]
		clear(pos)
		descend(t.nodes, buf, pos, t.depth)
		for i, n := range pos {
			sum[i] += t.pathLen[n]
		}
	}
}

// descend moves every row of a block depth levels down a tree: pos[i] is
// row i's node and cols holds the block column-major. Going level by level
// over the whole block keeps many independent walks in flight at once; the
// child is chosen without a branch as in step.
func descend(nodes []node, cols []float64, pos []int32, depth int) {
	for range depth {
		for i, n := range pos {
			nd := nodes[n]
			x := cols[int(nd.feat)*scoreBlock+i]
			pos[i] = nd.left + int32(math.Float64bits(nd.thr-x)>>63)
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
