package detect

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func col(v ...float64) [][]float64 {
	X := make([][]float64, len(v))
	for i, x := range v {
		X[i] = []float64{x}
	}
	return X
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-8*max(1, math.Abs(b)) }

// TestLOFHandComputed: 0, 1, 2, 10 with k = 2, worked by hand.
// Neighbours (ties by index): 0→{1,2} 1→{0,2} 2→{1,0} 10→{2,1};
// k-distances 2, 1, 2, 9; reachability means 1.5, 2, 1.5, 8.5 so
// lrd = 2/3, 1/2, 2/3, 1/8.5; LOF(0) = (1/2+2/3)/2 ÷ 2/3 = 0.875,
// LOF(1) = 2/3 ÷ 1/2 = 4/3, LOF(2) = 0.875, LOF(10) = 7/12 · 8.5.
// A new row at 5: neighbours 2 (3) and 1 (4), reachability max(3, 2) and
// max(4, 1), lrd 1/3.5, LOF 7/12 · 3.5.
func TestLOFHandComputed(t *testing.T) {
	m, err := FitLOF(col(0, 1, 2, 10), LOFParams{Neighbors: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.875, 4.0 / 3, 0.875, 7.0 / 12 * 8.5}
	for i, f := range m.Factors() {
		if !near(f, want[i]) {
			t.Errorf("LOF(row %d) = %v, want %v", i, f, want[i])
		}
	}
	nov, err := m.Novelty(col(5, 1))
	if err != nil {
		t.Fatal(err)
	}
	// Row 1 given again is its own neighbour (distance 0) with row 0 or 2
	// (distance 1, row 0 first): reachability max(0,1), max(1,2) → lrd 2/3;
	// LOF = (1/2 + 2/3)/2 ÷ 2/3 = 0.875.
	if !near(nov[0], 7.0/12*3.5) || !near(nov[1], 0.875) {
		t.Errorf("novelty = %v, want [%v 0.875]", nov, 7.0/12*3.5)
	}
	// k = 1 on 0, 1, 3: LOF 1, 1, 2.
	m, err = FitLOF(col(0, 1, 3), LOFParams{Neighbors: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []float64{1, 1, 2} {
		if !near(m.Factors()[i], w) {
			t.Errorf("k=1: LOF(row %d) = %v, want %v", i, m.Factors()[i], w)
		}
	}
}

// TestLOFDuplicates: rows repeated more than k times have k-distance 0 and
// lrd 1e10 (scikit-learn's 1e-10 guard) and a LOF of 1; the lone row far
// off is far above.
func TestLOFDuplicates(t *testing.T) {
	m, err := FitLOF(col(0, 0, 0, 0, 7), LOFParams{Neighbors: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := m.Factors()
	for i := range 4 {
		if f[i] != 1 {
			t.Errorf("duplicate row %d: LOF %v, want 1", i, f[i])
		}
	}
	if !(f[4] > 1e9) || math.IsInf(f[4], 0) || math.IsNaN(f[4]) {
		t.Errorf("outlier LOF %v, want huge and finite", f[4])
	}
	if s := LOFScore(f[4]); !(s > 0.99 && s < 1) {
		t.Errorf("LOFScore(%v) = %v", f[4], s)
	}
}

// TestLOFCapsNeighbors: n_neighbors above rows − 1 uses rows − 1, as
// scikit-learn does.
func TestLOFCapsNeighbors(t *testing.T) {
	m, err := FitLOF(col(0, 1, 2), LOFParams{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Neighbors() != 2 {
		t.Errorf("k = %d, want 2", m.Neighbors())
	}
}

func TestLOFErrors(t *testing.T) {
	cases := []struct {
		X    [][]float64
		p    LOFParams
		want string
	}{
		{nil, LOFParams{}, "no rows"},
		{col(1), LOFParams{}, "at least 2 rows"},
		{[][]float64{{1}, {math.NaN()}}, LOFParams{}, "row 1 feature 0 is NaN"},
		{[][]float64{{1}, {1, 2}}, LOFParams{}, "row 1 has 2 features"},
		{col(1, 2), LOFParams{Neighbors: -1}, "at least 1"},
	}
	for _, c := range cases {
		if _, err := FitLOF(c.X, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FitLOF(%v): %v, want %q", c.X, err, c.want)
		}
	}
	m, _ := FitLOF(col(1, 2, 3), LOFParams{})
	if _, err := m.Novelty([][]float64{{1, 2}}); err == nil || !strings.Contains(err.Error(), "row 0 has 2 features") {
		t.Errorf("novelty width: %v", err)
	}
}

// naiveKNN is the oracle: every other row sorted by (squared distance, row).
func naiveKNN(X [][]float64, x []float64, k int, exclude int32) []neighbour {
	var all []neighbour
	for i, row := range X {
		if int32(i) == exclude {
			continue
		}
		d2 := 0.0
		for j, v := range row {
			e := v - x[j]
			d2 += e * e
		}
		all = append(all, neighbour{d2, int32(i)})
	}
	slices.SortFunc(all, func(a, b neighbour) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
	return all[:min(k, len(all))]
}

// TestKDTreeMatchesNaive: on random continuous data and on small integer
// grids (many ties at equal distances and repeated rows) the tree returns
// exactly the naive scan's neighbours, rows and distances, in order.
func TestKDTreeMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 24 {
		n := 1 + rng.IntN(600)
		d := 1 + rng.IntN(6)
		grid := trial%2 == 1
		X := make([][]float64, n)
		for i := range X {
			X[i] = make([]float64, d)
			for j := range X[i] {
				if grid {
					X[i][j] = float64(rng.IntN(4))
				} else {
					X[i][j] = rng.NormFloat64()
				}
			}
		}
		tree := newKDTree(X, d)
		k := 1 + rng.IntN(25)
		out := make([]neighbour, k)
		for q := range 50 {
			var x []float64
			exclude := int32(-1)
			if q%2 == 0 {
				exclude = int32(rng.IntN(n))
				x = X[exclude]
			} else {
				x = make([]float64, d)
				for j := range x {
					x[j] = float64(rng.IntN(5)) - 0.5*float64(q%4)
				}
			}
			got := out[:tree.knn(x, k, exclude, out)]
			want := naiveKNN(X, x, k, exclude)
			if !slices.Equal(got, want) {
				t.Fatalf("trial %d (n=%d d=%d k=%d grid=%v) query %v: tree %v, naive %v", trial, n, d, k, grid, x, got, want)
			}
		}
	}
}

// TestLOFAgainstNaive: LOF from the tree equals LOF computed with the
// naive neighbours, on data with duplicates.
func TestLOFAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	X := make([][]float64, 300)
	for i := range X {
		X[i] = []float64{float64(rng.IntN(10)), rng.NormFloat64()}
		if i%7 == 0 {
			X[i] = []float64{3, 0.5}
		}
	}
	k := 10
	m, err := FitLOF(X, LOFParams{Neighbors: k})
	if err != nil {
		t.Fatal(err)
	}
	nb := make([][]neighbour, len(X))
	kd := make([]float64, len(X))
	for i := range X {
		nb[i] = naiveKNN(X, X[i], k, int32(i))
		kd[i] = math.Sqrt(nb[i][k-1].d2)
	}
	lrd := make([]float64, len(X))
	for i := range X {
		s := 0.0
		for _, c := range nb[i] {
			s += max(math.Sqrt(c.d2), kd[c.row])
		}
		lrd[i] = 1 / (s/float64(k) + 1e-10)
	}
	for i := range X {
		s := 0.0
		for _, c := range nb[i] {
			s += lrd[c.row] / lrd[i]
		}
		if want := s / float64(k); !near(m.Factors()[i], want) {
			t.Fatalf("row %d: LOF %v, naive %v", i, m.Factors()[i], want)
		}
	}
}

// TestLOFBound: a fit whose neighbour table would pass MaxLOFEntries is
// refused before any work.
func TestLOFBound(t *testing.T) {
	X := make([][]float64, MaxLOFEntries/100+1)
	row := []float64{1}
	for i := range X {
		X[i] = row
	}
	if _, err := FitLOF(X, LOFParams{Neighbors: 100}); err == nil || !strings.Contains(err.Error(), "more than the bound") {
		t.Errorf("over the bound: %v", err)
	}
}
