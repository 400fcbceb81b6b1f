package detect

import (
	"math"
	"math/rand/v2"
)

// node is one node of an isolation tree, 16 bytes so four share a cache
// line. A row goes to child left when row[feat] <= thr and to left+1
// otherwise. A leaf has thr = +Inf and left pointing at itself, so a walk of
// exactly tree.depth steps ends in the row's leaf without a branch.
type node struct {
	thr  float64
	feat int32
	left int32
}

// tree is one isolation tree in flat arrays indexed by node number; the
// root is node 0 and both children of a node are allocated together.
type tree struct {
	nodes []node
	// size is the number of training samples that reached each node.
	size []int32
	// pathLen is, for a leaf, the path length h(x) of a row ending there:
	// its depth plus c(size). It is zero for inner nodes.
	pathLen []float64
	// depth is the depth of the deepest leaf: the number of steps of a walk.
	depth int
}

func (t *tree) isLeaf(i int) bool { return int(t.nodes[i].left) == i }

// addLeaf turns node i at the given depth into a leaf of n samples.
func (t *tree) addLeaf(i, depth int, n int32) {
	t.nodes[i] = node{thr: math.Inf(1), left: int32(i)}
	t.size[i] = n
	t.pathLen[i] = float64(depth) + avgPathLength(int(n))
	t.depth = max(t.depth, depth)
}

// addChildren appends two unset nodes and returns the index of the first.
func (t *tree) addChildren() int {
	i := len(t.nodes)
	t.nodes = append(t.nodes, node{}, node{})
	t.size = append(t.size, 0, 0)
	t.pathLen = append(t.pathLen, 0, 0)
	return i
}

// builder grows trees on subsamples of X. It holds scratch space reused
// from tree to tree and must not be shared between goroutines.
type builder struct {
	X        [][]float64
	psi      int
	d        int
	maxDepth int
	rng      *rand.Rand
	cols     []float64 // the subsample, column-major: cols[f*psi+k]
	idx      []int32   // subsample positions, partitioned node by node
	picked   map[int]struct{}
	cand     [][]int32 // per depth: features not known to be constant
	t        *tree
}

func newBuilder(X [][]float64, psi int) *builder {
	d := len(X[0])
	maxDepth := int(math.Ceil(math.Log2(float64(max(psi, 2)))))
	b := &builder{
		X: X, psi: psi, d: d, maxDepth: maxDepth,
		cols:   make([]float64, d*psi),
		idx:    make([]int32, psi),
		picked: make(map[int]struct{}, psi),
		cand:   make([][]int32, maxDepth+1),
	}
	for i := range b.cand {
		b.cand[i] = make([]int32, 0, d)
	}
	return b
}

// build grows tree number i of the forest with the given seed: it draws ψ
// rows without replacement and splits them as scikit-learn's
// ExtraTreeRegressor(max_features=1) does under IsolationForest.
func (b *builder) build(seed, i uint64) tree {
	b.rng = rand.New(rand.NewPCG(seed, i))
	b.subsample()
	for k := range b.idx {
		b.idx[k] = int32(k)
	}
	all := make([]int32, b.d)
	for f := range all {
		all[f] = int32(f)
	}
	t := &tree{}
	b.t = t
	t.nodes = make([]node, 1, 2*b.psi-1)
	t.size = make([]int32, 1, 2*b.psi-1)
	t.pathLen = make([]float64, 1, 2*b.psi-1)
	b.split(0, 0, b.psi, 0, all)
	b.t = nil
	return *t
}

// subsample copies ψ distinct rows of X, chosen with Robert Floyd's
// algorithm, into b.cols.
func (b *builder) subsample() {
	n := len(b.X)
	clear(b.picked)
	k := 0
	for j := n - b.psi; j < n; j++ {
		r := b.rng.IntN(j + 1)
		if _, dup := b.picked[r]; dup {
			r = j
		}
		b.picked[r] = struct{}{}
		for f, v := range b.X[r] {
			b.cols[f*b.psi+k] = v
		}
		k++
	}
}

// split makes node i, holding samples idx[lo:hi] at the given depth, a leaf
// or splits it on a random non-constant feature at a threshold drawn
// uniformly between that feature's minimum and maximum in the node. cand
// lists the features not yet found constant above this node; features found
// constant here are dropped for the subtree, and another feature is drawn
// instead, as scikit-learn does.
func (b *builder) split(i, lo, hi, depth int, cand []int32) {
	n := hi - lo
	if depth >= b.maxDepth || n < 2 {
		b.t.addLeaf(i, depth, int32(n))
		return
	}
	own := append(b.cand[depth][:0], cand...)
	for len(own) > 0 {
		k := b.rng.IntN(len(own))
		f := int(own[k])
		col := b.cols[f*b.psi : (f+1)*b.psi]
		lowest, highest := col[b.idx[lo]], col[b.idx[lo]]
		for _, s := range b.idx[lo+1 : hi] {
			v := col[s]
			lowest = min(lowest, v)
			highest = max(highest, v)
		}
		if highest <= lowest {
			own[k] = own[len(own)-1]
			own = own[:len(own)-1]
			continue
		}
		thr := (highest-lowest)*b.rng.Float64() + lowest
		if thr >= highest {
			thr = lowest
		}
		thr += 0 // −0 becomes +0, which step relies on
		mid := partition(b.idx[lo:hi], col, thr) + lo
		left := b.t.addChildren()
		b.t.nodes[i] = node{thr: thr, feat: int32(f), left: int32(left)}
		b.t.size[i] = int32(n)
		b.split(left, lo, mid, depth+1, own)
		b.split(left+1, mid, hi, depth+1, own)
		return
	}
	b.t.addLeaf(i, depth, int32(n))
}

// partition reorders idx so that samples with col[s] <= thr come first and
// returns how many there are.
func partition(idx []int32, col []float64, thr float64) int {
	i, j := 0, len(idx)-1
	for {
		for i <= j && col[idx[i]] <= thr {
			i++
		}
		for i <= j && col[idx[j]] > thr {
			j--
		}
		if i >= j {
			return i
		}
		idx[i], idx[j] = idx[j], idx[i]
	}
}
