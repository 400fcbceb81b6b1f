package detect

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLOFSVMRoundTrip: decoded models score new rows exactly as the
// fitted ones; truncated or altered encodings are refused with an error.
func TestLOFSVMRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	X := gaussRows(rng, 300, 3)
	Q := gaussRows(rng, 50, 3)
	lof, err := FitLOF(X, LOFParams{Neighbors: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := lof.MarshalBinary()
	var lof2 LOF
	if err := lof2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	a1, _ := lof.Novelty(Q)
	a2, _ := lof2.Novelty(Q)
	if !slices.Equal(a1, a2) {
		t.Error("decoded LOF scores differ")
	}
	for _, cut := range []int{3, 10, len(b) - 1} {
		if err := new(LOF).UnmarshalBinary(b[:cut]); err == nil {
			t.Errorf("LOF truncated at %d decoded", cut)
		}
	}
	for _, big := range []bool{false, true} {
		Y := X
		if big {
			Y = gaussRows(rng, MaxExactSVM+10, 2)
			Q = gaussRows(rng, 50, 2)
		}
		m, _, err := FitSVM(Y, SVMParams{Nu: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.MarshalBinary()
		var m2 SVM
		if err := m2.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		d1, _ := m.Decision(Q)
		d2, _ := m2.Decision(Q)
		if !slices.Equal(d1, d2) || m2.Exact() == big {
			t.Errorf("big=%v: decoded SVM differs", big)
		}
		if err := new(SVM).UnmarshalBinary(b[:len(b)-3]); err == nil {
			t.Errorf("big=%v: truncated SVM decoded", big)
		}
	}
}

// TestMADModel: FitMAD and Z give MAD's z-scores.
func TestMADModel(t *testing.T) {
	x := []float64{1, 2, 3, 4, 100}
	_, z, err := MAD(x)
	if err != nil {
		t.Fatal(err)
	}
	m := FitMAD(x)
	for i, v := range x {
		if m.Z(v) != z[i] {
			t.Errorf("Z(%v) = %v, MAD z %v", v, m.Z(v), z[i])
		}
	}
}
