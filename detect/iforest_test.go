package detect

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestFitErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		X    [][]float64
		p    Params
		want string
	}{
		{"no rows", nil, Params{}, "no rows"},
		{"no features", [][]float64{{}, {}}, Params{}, "no features"},
		{"ragged", [][]float64{{1, 2}, {3}}, Params{}, "row 1 has 1 features, want 2"},
		{"nan", [][]float64{{1, 2}, {3, 4}, {5, nan}}, Params{}, "row 2 feature 1 is NaN"},
		{"inf", [][]float64{{inf}}, Params{}, "row 0 feature 0 is +Inf"},
		{"-inf", [][]float64{{1}, {-inf}}, Params{}, "row 1 feature 0 is -Inf"},
		{"negative trees", [][]float64{{1}}, Params{Trees: -1}, "trees=-1 sample=0: want 0..1048576"},
		{"negative sample", [][]float64{{1}}, Params{Sample: -5}, "sample=-5"},
		{"too many trees", [][]float64{{1}}, Params{Trees: 1 << 40}, "trees=1099511627776"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Fit(tt.X, tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Fit() = %v, %v; want error containing %q", f, err, tt.want)
			}
		})
	}
}

func TestScoreErrors(t *testing.T) {
	f := mustFit(t, gaussianRows(100, 3, 1), Params{Trees: 10})
	tests := []struct {
		name string
		X    [][]float64
		want string
	}{
		{"narrow", [][]float64{{1, 2, 3}, {1, 2}}, "row 1 has 2 features, want 3"},
		{"wide", [][]float64{{1, 2, 3, 4}}, "row 0 has 4 features, want 3"},
		{"nan", [][]float64{{1, math.NaN(), 3}}, "row 0 feature 1 is NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.Score(tt.X); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Score() error = %v, want %q", err, tt.want)
			}
		})
	}
	if s, err := f.Score(nil); err != nil || len(s) != 0 {
		t.Fatalf("Score(nil) = %v, %v; want empty", s, err)
	}
}

func mustFit(t testing.TB, X [][]float64, p Params) *Forest {
	t.Helper()
	f, err := Fit(X, p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustScore(t testing.TB, f *Forest, X [][]float64) []float64 {
	t.Helper()
	s, err := f.Score(X)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDegenerateData(t *testing.T) {
	tests := []struct {
		name string
		X    [][]float64
		want float64 // every row's score
	}{
		// One row: no notion of normal, c(1) = 0, so 0.5 by definition.
		{"one row", [][]float64{{3, 4}}, 0.5},
		// Identical rows: every tree is one leaf of ψ samples, so
		// E[h] = c(ψ) and s = 0.5 exactly.
		{"identical rows", slices.Repeat([][]float64{{1, -2, 0}}, 300), 0.5},
		{"two identical rows", [][]float64{{7}, {7}}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFit(t, tt.X, Params{Trees: 20})
			for i, s := range mustScore(t, f, append(tt.X, []float64{1e9, 1e9, 1e9}[:len(tt.X[0])])) {
				if s != tt.want {
					t.Fatalf("row %d scores %v, want %v", i, s, tt.want)
				}
			}
			if got := f.Params().Sample; got != min(len(tt.X), DefaultSample) {
				t.Errorf("sample = %d, want %d", got, min(len(tt.X), DefaultSample))
			}
		})
	}
}

// A constant feature is never split on; the others still isolate outliers.
func TestConstantFeature(t *testing.T) {
	X := gaussianRows(1000, 3, 2)
	for _, row := range X {
		row[1] = 42
	}
	f := mustFit(t, X, Params{Seed: 3})
	for ti, tr := range f.trees {
		for i, nd := range tr.nodes {
			if !tr.isLeaf(i) && nd.feat == 1 {
				t.Fatalf("tree %d node %d splits on the constant feature", ti, i)
			}
		}
	}
	s := mustScore(t, f, [][]float64{{0, 42, 0}, {8, 42, 8}})
	if !(s[1] > 0.6 && s[0] < 0.5) {
		t.Fatalf("scores inlier %.3f outlier %.3f, want < 0.5 and > 0.6", s[0], s[1])
	}
}

// Every tree respects the paper's invariants: root holds ψ samples, leaves
// partition them, depth at most ceil(log2 ψ), children after parents.
func TestTreeInvariants(t *testing.T) {
	for _, n := range []int{1, 2, 3, 100, 256, 257, 5000} {
		X := gaussianRows(n, 4, uint64(n))
		f := mustFit(t, X, Params{Trees: 30, Seed: 9})
		psi := min(n, DefaultSample)
		limit := int(math.Ceil(math.Log2(float64(max(psi, 2)))))
		for ti, tr := range f.trees {
			if int(tr.size[0]) != psi || tr.depth > limit {
				t.Fatalf("n=%d tree %d: root %d samples, depth %d; want %d, <= %d", n, ti, tr.size[0], tr.depth, psi, limit)
			}
			leaves := 0
			for i, nd := range tr.nodes {
				if tr.isLeaf(i) {
					leaves += int(tr.size[i])
					continue
				}
				l := int(nd.left)
				if l <= i || tr.size[l]+tr.size[l+1] != tr.size[i] || tr.size[l] == 0 || tr.size[l+1] == 0 {
					t.Fatalf("n=%d tree %d node %d: bad children", n, ti, i)
				}
			}
			if leaves != psi {
				t.Fatalf("n=%d tree %d: leaves hold %d samples, want %d", n, ti, leaves, psi)
			}
		}
	}
}

// The same seed gives the same scores whatever the number of cores; a
// different seed gives different ones.
func TestDeterministic(t *testing.T) {
	X := gaussianRows(3000, 5, 4)
	scoreWith := func(procs int, seed uint64) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return mustScore(t, mustFit(t, X, Params{Seed: seed}), X)
	}
	one, many := scoreWith(1, 7), scoreWith(7, 7)
	if !slices.Equal(one, many) {
		t.Fatal("scores differ between GOMAXPROCS=1 and 7")
	}
	if slices.Equal(one, scoreWith(2, 8)) {
		t.Fatal("seeds 7 and 8 gave identical scores")
	}
}

// Scoring with the flat, branch-free walk agrees with a plain recursive
// definition of the paper's path length.
func TestScoreMatchesDefinition(t *testing.T) {
	X := gaussianRows(2000, 3, 5)
	f := mustFit(t, X, Params{Trees: 50, Sample: 128, Seed: 1})
	got := mustScore(t, f, X[:257])
	for i, x := range X[:257] {
		h := 0.0
		for _, tr := range f.trees {
			n, depth := 0, 0
			for !tr.isLeaf(n) {
				if nd := tr.nodes[n]; x[nd.feat] <= nd.thr {
					n = int(nd.left)
				} else {
					n = int(nd.left) + 1
				}
				depth++
			}
			h += float64(depth) + avgPathLength(int(tr.size[n]))
		}
		want := math.Pow(2, -h/float64(len(f.trees))/avgPathLength(128))
		if math.Abs(got[i]-want) > 1e-12 {
			t.Fatalf("row %d: score %v, want %v", i, got[i], want)
		}
	}
}

// Rows that repeat a few values (counts per minute) are scored once per
// distinct row: the scores are those of scoring every row, and rows that
// mostly differ take the plain path.
func TestScoreRepeatedRows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	X := make([][]float64, 5000)
	for i := range X {
		X[i] = []float64{float64(1 + r.IntN(4)), float64(r.IntN(3))}
		if i%997 == 0 {
			X[i][0] = 40 + float64(i%5)
		}
	}
	f := mustFit(t, X, Params{Seed: 1})
	norm := avgPathLength(f.sample) * float64(len(f.trees))
	if d, _ := distinctRows(X); len(d) == 0 || len(d) > 20 {
		t.Fatalf("distinct rows of 5000 with ≤ 17 values: %d", len(d))
	}
	got, want := mustScore(t, f, X), f.score(X, norm)
	if !slices.Equal(got, want) {
		t.Fatal("scores by distinct row differ from scoring every row")
	}
	if d, _ := distinctRows(gaussianRows(5000, 2, 1)); d != nil {
		t.Fatalf("distinct rows found among 5000 Gaussian rows: %d", len(d))
	}
}

func TestStepNegativeZero(t *testing.T) {
	nodes := []node{{thr: 0, feat: 0, left: 1}, {thr: math.Inf(1), left: 1}, {thr: math.Inf(1), left: 2}}
	tests := []struct {
		x    float64
		want int
	}{{math.Copysign(0, -1), 1}, {0, 1}, {-1e-300, 1}, {5e-324, 2}, {math.MaxFloat64, 2}, {-math.MaxFloat64, 1}}
	for _, tt := range tests {
		if got := step(nodes, 0, []float64{tt.x}); got != tt.want {
			t.Errorf("step(%v) = %d, want %d", tt.x, got, tt.want)
		}
	}
	for _, x := range []float64{0, -1, math.MaxFloat64, -math.MaxFloat64} {
		if got := step(nodes, 1, []float64{x}); got != 1 {
			t.Errorf("leaf step(%v) = %d, want 1", x, got)
		}
	}
}

func TestAvgPathLength(t *testing.T) {
	// Values from scikit-learn's _average_path_length.
	tests := []struct {
		n    int
		want float64
	}{{0, 0}, {1, 0}, {2, 1}, {3, 1.207392357589623}, {256, 10.244770920119917}}
	for _, tt := range tests {
		if got := avgPathLength(tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("c(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestTypicalRange(t *testing.T) {
	X := make([][]float64, 101)
	for i := range X {
		X[i] = []float64{float64(100 - i), 3}
	}
	f := mustFit(t, X, Params{Trees: 1})
	if lo, hi := f.TypicalRange(0); lo != 5 || hi != 95 {
		t.Errorf("feature 0 range %v–%v, want 5–95", lo, hi)
	}
	if lo, hi := f.TypicalRange(1); lo != 3 || hi != 3 {
		t.Errorf("feature 1 range %v–%v, want 3–3", lo, hi)
	}
	if lo, _ := f.TypicalRange(2); !math.IsNaN(lo) {
		t.Errorf("feature 2 range %v, want NaN", lo)
	}
}
