package detect

import "math"

// Explain attributes the isolation of row x to its features, for telling a
// user why a row was flagged. In every tree it walks x's path; a split on
// the path that keeps k of the node's n samples on x's side cuts away
// log2(n/k) bits of x's neighbourhood, while an average sample of the node
// loses only the split's entropy H (at most one bit). The split's feature is
// credited with the excess, log2(n/k) − H: much when the split set x apart
// from nearly everyone, nothing on average when it treated x like the
// crowd, and negative when x went with the larger side. Per-feature totals
// over all trees are clipped at zero and normalised to sum to 1.
//
// The result has one share per feature. It is all zeros when no split set x
// apart (a forest of identical rows, or x deep inside the data), and nil when
// x does not have Features() values.
func (f *Forest) Explain(x []float64) []float64 {
	if len(x) != f.features {
		return nil
	}
	credit := make([]float64, f.features)
	for ti := range f.trees {
		t := &f.trees[ti]
		for n := 0; !t.isLeaf(n); {
			c := step(t.nodes, n, x)
			credit[t.nodes[n].feat] += t.surprise(n, c)
			n = c
		}
	}
	total := 0.0
	for j, c := range credit {
		credit[j] = max(c, 0)
		total += credit[j]
	}
	if total > 0 {
		for j := range credit {
			credit[j] /= total
		}
	}
	return credit
}

// surprise is the information, in bits, that going from inner node n to its
// child c carries beyond the split's average: log2(n/k) − H(split).
func (t *tree) surprise(n, c int) float64 {
	l := int(t.nodes[n].left)
	size := float64(t.size[n])
	pl, pr := float64(t.size[l])/size, float64(t.size[l+1])/size
	entropy := -pl*math.Log2(pl) - pr*math.Log2(pr)
	return math.Log2(size/float64(t.size[c])) - entropy
}
