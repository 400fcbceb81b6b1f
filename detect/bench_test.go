package detect

import (
	"math/rand/v2"
	"testing"
)

// gaussianRows mirrors the data of shared/bench/sk_iforest_speed.py: n rows
// of d standard normal features, the first 1% shifted by +6.
func gaussianRows(n, d int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	flat := make([]float64, n*d)
	X := make([][]float64, n)
	for i := range X {
		X[i] = flat[i*d : (i+1)*d : (i+1)*d]
		for j := range X[i] {
			X[i][j] = rng.NormFloat64()
			if i < n/100 {
				X[i][j] += 6
			}
		}
	}
	return X
}

// BenchmarkFitScore1Mx5 fits 100 trees of ψ=256 on 1M rows × 5 features and
// scores every row, the workload of sk_iforest_speed.py 1000000 5.
func BenchmarkFitScore1Mx5(b *testing.B) {
	const n, d = 1_000_000, 5
	X := gaussianRows(n, d, 1)
	b.ResetTimer()
	for b.Loop() {
		f, err := Fit(X, Params{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Score(X); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}

// BenchmarkFit1Mx5 measures fitting alone (sampling, trees, typical ranges).
func BenchmarkFit1Mx5(b *testing.B) {
	X := gaussianRows(1_000_000, 5, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(X, Params{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLOF100kx4 fits LOF (k = 20) on 100,000 rows × 4 features,
// which gives every row's factor: the workload of
// bench/odds_sklearn.py --speed 100000 4 lof.
func BenchmarkLOF100kx4(b *testing.B) {
	X := gaussianRows(100_000, 4, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitLOF(X, LOFParams{Neighbors: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSVM100kx4 fits the One-Class SVM (nu = 0.5, gamma = scale;
// random Fourier features at this size) on 100,000 rows × 4 features and
// scores them.
func BenchmarkSVM100kx4(b *testing.B) {
	X := gaussianRows(100_000, 4, 1)
	b.ResetTimer()
	for b.Loop() {
		m, _, err := FitSVM(X, SVMParams{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Decision(X); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSVMExact5kx4 is the exact solver at its largest sample.
func BenchmarkSVMExact5kx4(b *testing.B) {
	X := gaussianRows(MaxExactSVM, 4, 1)
	b.ResetTimer()
	for b.Loop() {
		m, _, err := FitSVM(X, SVMParams{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Decision(X); err != nil {
			b.Fatal(err)
		}
	}
}
