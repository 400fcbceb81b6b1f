package detect

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func gaussRows(rng *rand.Rand, n, d int) [][]float64 {
	X := make([][]float64, n)
	for i := range X {
		X[i] = make([]float64, d)
		for j := range X[i] {
			X[i][j] = rng.NormFloat64()
		}
	}
	return X
}

// checkDual: 0 ≤ α ≤ 1/(νn) and Σα = 1; the share of training rows with
// f < 0 is at most ν and the share with α > 0 at least ν (Schölkopf et
// al. 2001, Proposition 4), each within slack for the solver's tolerance.
func checkDual(t *testing.T, name string, m *SVM, alpha []float64, X [][]float64, slack float64) {
	t.Helper()
	n := float64(len(X))
	c := 1 / (m.Nu * n)
	sum, sv := 0.0, 0
	for i, a := range alpha {
		if a < 0 || a > c*(1+1e-12) {
			t.Fatalf("%s: α[%d] = %v outside [0, %v]", name, i, a, c)
		}
		sum += a
		if a > 0 {
			sv++
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("%s: Σα = %v, want 1", name, sum)
	}
	f, err := m.Decision(X)
	if err != nil {
		t.Fatal(err)
	}
	out := 0
	for _, v := range f {
		if v < 0 {
			out++
		}
	}
	if fo := float64(out) / n; fo > m.Nu+slack || fo < m.Nu-slack-0.05 {
		t.Errorf("%s: %.3f of rows outside, ν = %v", name, fo, m.Nu)
	}
	if fs := float64(sv) / n; fs < m.Nu-slack {
		t.Errorf("%s: %.3f of rows are support vectors, want ≥ ν = %v", name, fs, m.Nu)
	}
}

// TestSVMExactDual: the exact solver's α satisfy the dual's constraints
// and about ν of the rows fall outside, for several ν.
func TestSVMExactDual(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	X := gaussRows(rng, 400, 3)
	for _, nu := range []float64{0.05, 0.2, 0.5, 0.9} {
		m, alpha, err := FitSVM(X, SVMParams{Nu: nu})
		if err != nil {
			t.Fatal(err)
		}
		if !m.Exact() {
			t.Fatal("400 rows solved approximately")
		}
		checkDual(t, "exact", m, alpha, X, 0.02)
	}
}

// TestSVMFourierDual: beyond MaxExactSVM rows the random Fourier features
// solver keeps the same constraints and about ν outside, and its
// decisions agree in sign with the exact solver's on most rows.
func TestSVMFourierDual(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	X := gaussRows(rng, MaxExactSVM+1000, 2)
	m, alpha, err := FitSVM(X, SVMParams{Nu: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.Exact() {
		t.Fatal("solved exactly beyond MaxExactSVM")
	}
	checkDual(t, "fourier", m, alpha, X, 0.03)
	ex, _, err := FitSVM(X[:MaxExactSVM], SVMParams{Nu: 0.3, Gamma: m.Gamma})
	if err != nil {
		t.Fatal(err)
	}
	fa, _ := m.Decision(X[:2000])
	fe, _ := ex.Decision(X[:2000])
	agree := 0
	for i := range fa {
		if (fa[i] < 0) == (fe[i] < 0) {
			agree++
		}
	}
	if agree < 1800 {
		t.Errorf("approximate and exact agree on %d of 2000 signs", agree)
	}
}

// TestSVMSeparable: a tight cluster with ν small: points far away are
// outside (f < 0, score > 0.5), the cluster's centre inside.
func TestSVMSeparable(t *testing.T) {
	X := [][]float64{{0, 0}, {0.1, 0}, {0, 0.1}, {0.1, 0.1}, {0.05, 0.05}, {-0.05, 0.02}, {0.02, -0.05}, {0.07, 0.03}}
	m, alpha, err := FitSVM(X, SVMParams{Nu: 0.1, Gamma: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkDual(t, "tiny", m, alpha, X, 0.15)
	f, _ := m.Decision([][]float64{{0.05, 0.05}, {3, 3}, {-2, 1}})
	if !(f[0] > 0 && f[1] < 0 && f[2] < 0) {
		t.Errorf("decisions %v, want +, −, −", f)
	}
	if !(m.Score(f[0]) < 0.5 && m.Score(f[1]) > 0.5) {
		t.Errorf("scores %v %v", m.Score(f[0]), m.Score(f[1]))
	}
	// Far away there is no kernel mass: f = −ρ, score 1/(1+e^−4).
	if s := m.Score(f[1]); math.Abs(s-1/(1+math.Exp(-4))) > 1e-6 {
		t.Errorf("far score %v", s)
	}
}

func TestScaleGamma(t *testing.T) {
	// values 0, 2, 4, 6: variance 5, two features → 1/10
	if g := ScaleGamma([][]float64{{0, 2}, {4, 6}}); math.Abs(g-0.1) > 1e-15 {
		t.Errorf("gamma %v, want 0.1", g)
	}
	if g := ScaleGamma([][]float64{{3}, {3}}); g != 1 {
		t.Errorf("constant gamma %v, want 1", g)
	}
}

func TestSVMErrors(t *testing.T) {
	for _, c := range []struct {
		X    [][]float64
		p    SVMParams
		want string
	}{
		{nil, SVMParams{}, "no rows"},
		{col(1, 2), SVMParams{Nu: 1.5}, "nu must be in (0, 1]"},
		{col(1, 2), SVMParams{Gamma: -1}, "gamma must be positive"},
		{[][]float64{{1}, {math.Inf(1)}}, SVMParams{}, "row 1 feature 0 is +Inf"},
	} {
		if _, _, err := FitSVM(c.X, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FitSVM(%v, %+v): %v, want %q", c.X, c.p, err, c.want)
		}
	}
}
