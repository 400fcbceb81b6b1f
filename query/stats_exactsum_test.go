package query

import (
	"loghunt/store"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExactSum adds values of every magnitude (and cancelling ones) in
// random orders and in pieces merged together, and wants the exact sum of
// big rationals rounded once, the same for every order; ints go in whole.
func TestExactSum(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	for round := range 2000 {
		n := 1 + r.IntN(60)
		xs := make([]float64, n)
		exact := new(big.Rat)
		for i := range xs {
			switch r.IntN(4) {
			case 0:
				xs[i] = r.NormFloat64() * math.Pow(2, float64(r.IntN(200)-100))
			case 1:
				xs[i] = float64(r.IntN(60000)) / 7
			case 2:
				xs[i] = math.Ldexp(1, r.IntN(100)-50) // exact powers, for half-way cases
			default:
				if i > 0 {
					xs[i] = -xs[r.IntN(i)] // cancels an earlier one
				}
			}
			exact.Add(exact, new(big.Rat).SetFloat64(xs[i]))
		}
		ints := r.Int64N(1<<62) - 1<<61
		exact.Add(exact, new(big.Rat).SetInt64(ints))
		want, _ := exact.Float64()
		for range 3 {
			r.Shuffle(n, func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
			var a, b exactSum
			cut := r.IntN(n + 1)
			for _, x := range xs[:cut] {
				a.add(x)
			}
			for _, x := range xs[cut:] {
				b.add(x)
			}
			b.addInt(ints)
			a.merge(&b)
			if got := a.value(); got != want {
				t.Fatalf("round %d: sum %v, want %v (exact)", round, got, want)
			}
		}
	}
	var s exactSum
	for _, x := range []float64{1, math.Inf(1), 2} {
		s.add(x)
	}
	if v := s.value(); !math.IsInf(v, 1) {
		t.Errorf("1 + Inf + 2 = %v", v)
	}
	s = exactSum{}
	s.add(math.MaxFloat64)
	s.add(math.MaxFloat64)
	if v := s.value(); !math.IsInf(v, 1) {
		t.Errorf("max + max = %v", v)
	}
}

func BenchmarkExactSumAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	xs := make([]float64, 4096)
	for i := range xs {
		xs[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(8)))
	}
	var s exactSum
	for i := 0; b.Loop(); i++ {
		s.add(xs[i&4095])
	}
	b.ReportMetric(float64(len(s.p)), "partials")
}

// TestAvgOfEqualValues: the mean of equal values is that value, exactly.
// The rounded sum divided by n rounded twice, and avg(_time) of three
// rows of one second missed it by an ulp, so groups by that mean split
// (found by the differential test: streamstats mean(_time) by _time).
func TestAvgOfEqualValues(t *testing.T) {
	twice := 0
	for i := range 2000 {
		x := 1700005601.52 + float64(i)*0.37
		for _, n := range []int{3, 5, 7} {
			if sum := x * float64(n); sum/float64(n) != x {
				twice++ // the old way misses this one
			}
			a := &avgAgg{}
			for range n {
				a.add(store.Float(x), 0)
			}
			if got := a.result(); got.F != x {
				t.Fatalf("avg of %d × %v = %v", n, x, got.F)
			}
		}
	}
	if twice == 0 {
		t.Fatal("no value where dividing the rounded sum misses: the test tests nothing")
	}
}
