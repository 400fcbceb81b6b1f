package detect

import (
	"fmt"
	"math"
	"unsafe"
)

// kdTree is an exact k-nearest-neighbour index under the Euclidean
// distance. Identical rows are stored once (a point with the ascending
// list of the rows it stands for), so heavily repeated data (counts per
// minute, HTTP traffic) cost nothing extra, and nodes are split at the
// median of their widest dimension down to kdLeaf points.
//
// Neighbours are ordered by (distance, row index): of two rows at the same
// distance the lower index comes first, so results are deterministic and
// equal those of a naive O(n²) scan with that order.
type kdTree struct {
	d      int
	pts    []float64 // distinct points, flat, in tree order
	first  []int32   // rows of point p: rows[first[p]:first[p+1]]
	rows   []int32
	nodes  []kdNode
	lo, hi []float64 // bounding box of each node, flat
}

type kdNode struct {
	start, end  int32 // points [start, end)
	left, right int32 // children; -1 for a leaf
}

const kdLeaf = 16

// neighbour is one result of a k-NN query: a row and its squared distance.
type neighbour struct {
	d2  float64
	row int32
}

func less(a, b neighbour) bool { return a.d2 < b.d2 || (a.d2 == b.d2 && a.row < b.row) }

// newKDTree indexes X (rows already checked to be d finite values).
func newKDTree(X [][]float64, d int) *kdTree {
	// Group identical rows; distinct points keep the order of their first row.
	seen := make(map[string]int32, len(X))
	var groups [][]int32
	var distinct []int32 // first row of each distinct point
	for i, row := range X {
		k := unsafe.String((*byte)(unsafe.Pointer(unsafe.SliceData(row))), 8*len(row))
		g, ok := seen[k]
		if !ok {
			g = int32(len(groups))
			seen[k] = g
			groups = append(groups, nil)
			distinct = append(distinct, int32(i))
		}
		groups[g] = append(groups[g], int32(i))
	}
	m := len(distinct)
	// The distinct points, flat, in first-seen order; reordered below.
	flat := make([]float64, 0, m*d)
	for _, r := range distinct {
		flat = append(flat, X[r]...)
	}
	order := make([]int32, m)
	for i := range order {
		order[i] = int32(i)
	}
	t := &kdTree{d: d}
	var build func(start, end int) int32
	build = func(start, end int) int32 {
		id := int32(len(t.nodes))
		t.nodes = append(t.nodes, kdNode{int32(start), int32(end), -1, -1})
		lo, hi := make([]float64, d), make([]float64, d)
		for j := range d {
			lo[j], hi[j] = math.Inf(1), math.Inf(-1)
		}
		for _, p := range order[start:end] {
			for j, v := range flat[int(p)*d : int(p+1)*d] {
				lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
			}
		}
		t.lo, t.hi = append(t.lo, lo...), append(t.hi, hi...)
		if end-start <= kdLeaf {
			return id
		}
		wide, span := 0, -1.0
		for j := range d {
			if hi[j]-lo[j] > span {
				wide, span = j, hi[j]-lo[j]
			}
		}
		if span == 0 {
			return id
		}
		mid := start + (end-start)/2
		selectIndex(order[start:end], mid-start, func(p int32) float64 { return flat[int(p)*d+wide] })
		l := build(start, mid)
		r := build(mid, end)
		t.nodes[id].left, t.nodes[id].right = l, r
		return id
	}
	if m > 0 {
		build(0, m)
	}
	t.pts = make([]float64, 0, m*d)
	t.first = make([]int32, 0, m+1)
	t.rows = make([]int32, 0, len(X))
	for _, p := range order {
		t.pts = append(t.pts, flat[int(p)*d:int(p+1)*d]...)
		t.first = append(t.first, int32(len(t.rows)))
		t.rows = append(t.rows, groups[p]...)
	}
	t.first = append(t.first, int32(len(t.rows)))
	return t
}

// selectIndex reorders idx so that idx[k] has the k-th smallest key, with
// no larger key before it and no smaller after (Hoare's quickselect with
// a median-of-three pivot; deterministic). Which of equal keys lands where
// does not matter: queries order neighbours by (distance, row) whatever
// the tree's shape.
func selectIndex(idx []int32, k int, key func(int32) float64) {
	lo, hi := 0, len(idx)-1
	for hi > lo {
		a, b, c := key(idx[lo]), key(idx[(lo+hi)/2]), key(idx[hi])
		pivot := median3(a, b, c)
		i, j := lo, hi
		for i <= j {
			for key(idx[i]) < pivot {
				i++
			}
			for key(idx[j]) > pivot {
				j--
			}
			if i <= j {
				idx[i], idx[j] = idx[j], idx[i]
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
			return
		}
	}
}

// knn fills out (len k, sorted by (distance, row)) with the k nearest rows
// to x, skipping row exclude (-1 for none), and returns how many it found
// (fewer than k only when the index holds fewer rows). heap is scratch of
// capacity k.
func (t *kdTree) knn(x []float64, k int, exclude int32, out []neighbour) int {
	h := out[:0]
	if len(t.nodes) == 0 || k == 0 {
		return 0
	}
	worst := math.Inf(1) // the k-th best squared distance once h holds k
	var stack [64]int32  // depth is at most log2(rows) + 1
	sp := 0
	stack[sp] = 0
	sp++
	var bound [64]float64
	bound[0] = 0
	for sp > 0 {
		sp--
		n := stack[sp]
		if bound[sp] > worst {
			continue
		}
		node := t.nodes[n]
		if node.left < 0 {
			for p := node.start; p < node.end; p++ {
				pt := t.pts[int(p)*t.d : int(p+1)*t.d]
				d2 := 0.0
				for j, v := range pt {
					e := v - x[j]
					d2 += e * e
				}
				if d2 > worst {
					continue
				}
				for _, r := range t.rows[t.first[p]:t.first[p+1]] {
					if r == exclude {
						continue
					}
					c := neighbour{d2, r}
					if len(h) < k {
						h = append(h, c)
						siftUp(h, len(h)-1)
					} else if less(c, h[0]) {
						h[0] = c
						siftDown(h, 0)
					} else {
						break // rows ascend: the rest are no better
					}
					if len(h) == k {
						worst = h[0].d2
					}
				}
			}
			continue
		}
		dl, dr := t.boxDist(node.left, x), t.boxDist(node.right, x)
		a, b, da, db := node.left, node.right, dl, dr
		if dr < dl {
			a, b, da, db = b, a, db, da
		}
		// Push the farther child first so the nearer is visited next.
		stack[sp], bound[sp] = b, db
		sp++
		stack[sp], bound[sp] = a, da
		sp++
	}
	// Heap sort in place: the max-heap yields the worst last.
	for end := len(h) - 1; end > 0; end-- {
		h[0], h[end] = h[end], h[0]
		siftDown(h[:end], 0)
	}
	return len(h)
}

// boxDist is the squared distance from x to node n's bounding box.
func (t *kdTree) boxDist(n int32, x []float64) float64 {
	lo, hi := t.lo[int(n)*t.d:int(n+1)*t.d], t.hi[int(n)*t.d:int(n+1)*t.d]
	s := 0.0
	for j, v := range x {
		if v < lo[j] {
			e := lo[j] - v
			s += e * e
		} else if v > hi[j] {
			e := v - hi[j]
			s += e * e
		}
	}
	return s
}

// siftUp and siftDown keep h a max-heap under less.
func siftUp(h []neighbour, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func siftDown(h []neighbour, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && less(h[l], h[r]) {
			c = r
		}
		if !less(h[i], h[c]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// errTooBig names a memory bound that a fit would exceed.
func errTooBig(what string, need, limit int) error {
	return fmt.Errorf("%s needs %d entries, more than the bound of %d; fit on fewer rows or lower the parameter", what, need, limit)
}
