package detect

import "math"

// Explain attributes the isolation of row x to its features. In every tree
// it walks x's path, and each split on the path credits its feature with
// log2(samples in the node / samples in the child x goes to): the bits of
// neighbourhood that split cut away. A split that separates x from nearly
// everything earns much; one that halves the crowd earns one bit. The
// credits of a tree add up to log2(ψ / leaf size). The result, one share per
// feature, sums to 1 over all trees; it is all zeros when no tree split x's
// neighbourhood (a forest of one row or of identical rows) and nil when x
// does not have Features() values.
func (f *Forest) Explain(x []float64) []float64 {
	if len(x) != f.features {
		return nil
	}
	credit := make([]float64, f.features)
	for ti := range f.trees {
		t := &f.trees[ti]
		n := 0
		for !t.isLeaf(n) {
			c := step(t.nodes, n, x)
			credit[t.nodes[n].feat] += math.Log2(float64(t.size[n]) / float64(t.size[c]))
			n = c
		}
	}
	total := 0.0
	for _, c := range credit {
		total += c
	}
	if total > 0 {
		for j := range credit {
			credit[j] /= total
		}
	}
	return credit
}
