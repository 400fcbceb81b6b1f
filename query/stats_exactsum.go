package query

import (
	"math"
	"math/big"
	"slices"
)

// exactSum adds floats without rounding error, so the sum does not
// depend on the order of the values: the scan workers fold chunks in
// whatever order they get them, and a query gives the same sums at any
// core count, run after run. The exact sum is hi + lo + the partials p:
// each value goes into hi and lo by two error-free additions (TwoSum),
// and only when lo cannot take the error exactly does that error go to
// the partials (Shewchuk's algorithm, as Python's math.fsum). The value
// is the exact sum rounded once.
type exactSum struct {
	hi, lo float64
	p      []float64 // partials, by increasing magnitude
	// special is the sum of the values that are not finite, and of a sum
	// that overflowed (past ±1.8e308): such a sum is ±Inf (or NaN),
	// whatever the order.
	special float64
}

func (s *exactSum) add(x float64) {
	if x-x != 0 { // ±Inf or NaN
		s.special += x
		return
	}
	a := s.hi + x
	if a > math.MaxFloat64 || a < -math.MaxFloat64 {
		s.special += a
		return
	}
	b := a - s.hi
	e := (s.hi - (a - b)) + (x - b) // a + e == hi + x exactly
	t := s.lo + e
	b = t - s.lo
	f := (s.lo - (t - b)) + (e - b) // t + f == lo + e exactly
	s.hi, s.lo = a, t
	if f != 0 {
		s.p = addPartial(s.p, f)
	}
}

// addPartial adds x to the exact sum of the partials p (Shewchuk).
func addPartial(p []float64, x float64) []float64 {
	i := 0
	for _, y := range p {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			p[i] = lo
			i++
		}
		x = hi
	}
	return append(p[:i], x)
}

// addInt adds an int64 exactly: as two halves that floats hold exactly.
func (s *exactSum) addInt(n int64) {
	hi := n >> 32 << 32
	s.add(float64(hi))
	s.add(float64(n - hi))
}

// merge adds another sum's value into s.
func (s *exactSum) merge(o *exactSum) {
	s.add(o.hi)
	s.add(o.lo)
	for _, x := range o.p {
		s.add(x)
	}
	s.special += o.special
}

// value is the exact sum rounded to the nearest float (ties to even).
func (s *exactSum) value() float64 {
	if s.special != 0 || math.IsNaN(s.special) {
		return s.special
	}
	if len(s.p) == 0 && s.lo == 0 {
		return s.hi
	}
	p := addPartial(addPartial(slices.Clone(s.p), s.lo), s.hi)
	n := len(p)
	// As CPython's math_fsum: add the partials from the largest down
	// until one addition is inexact, then round that half-way case right.
	hi := p[n-1]
	lo := 0.0
	n--
	for n > 0 {
		x, y := hi, p[n-1]
		n--
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	if n > 0 && ((lo < 0 && p[n-1] < 0) || (lo > 0 && p[n-1] > 0)) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}

// mean is the sum divided by n (n > 0), rounded once: the rounded sum
// divided by n rounds twice, and the mean of three equal times then
// missed the time by an ulp (found by the differential test).
func (s *exactSum) mean(n int) float64 {
	v := s.value()
	if s.special != 0 || math.IsNaN(s.special) || math.IsInf(v, 0) || math.IsNaN(v) {
		return v / float64(n)
	}
	f := s.bigAt(meanPrec)
	m, _ := f.Quo(f, new(big.Float).SetPrec(meanPrec).SetInt64(int64(n))).Float64()
	return m
}

// meanPrec is the precision of mean's sum and quotient: far more than a
// float64's 53 bits, so the quotient rounds to the float64 nearest the
// exact mean.
const meanPrec = 256

// big is the exact sum as a big.Float (finite sums only).
func (s *exactSum) big() *big.Float { return s.bigAt(exactPrec) }

// bigAt is the sum as a big.Float of precision prec (exact at exactPrec;
// at a smaller prec within 2^-prec of it).
func (s *exactSum) bigAt(prec uint) *big.Float {
	f := new(big.Float).SetPrec(prec)
	for _, x := range append([]float64{s.hi, s.lo}, s.p...) {
		f.Add(f, new(big.Float).SetFloat64(x))
	}
	return f
}

// exactPrec holds the product of two exact sums of float64s, which span
// 2^-2148 to 2^2048 as squares: big.Float's products are then exact.
const exactPrec = 4400

// exactVariance is the variance of n values from the exact sums of the
// values and of their squares, rounded once: (n·Σx² − (Σx)²) / (n·d),
// where d is n−1 for the sample and n for the population. It does not
// depend on the order of the values, and unlike a running mean it loses
// nothing when the mean is large against the spread.
func exactVariance(sum, squares *exactSum, n int64, population bool) float64 {
	if sum.special != 0 || squares.special != 0 || math.IsNaN(sum.special) || math.IsNaN(squares.special) {
		return math.NaN()
	}
	nb := new(big.Float).SetPrec(exactPrec).SetInt64(n)
	num := new(big.Float).SetPrec(exactPrec).Mul(nb, squares.big())
	s := sum.big()
	num.Sub(num, new(big.Float).SetPrec(exactPrec).Mul(s, s))
	if num.Sign() < 0 { // (cannot be: Σx² ≥ (Σx)²/n)
		return 0
	}
	d := n - 1
	if population {
		d = n
	}
	den := new(big.Float).SetPrec(exactPrec).SetInt64(n)
	den.Mul(den, new(big.Float).SetPrec(exactPrec).SetInt64(d))
	v, _ := num.Quo(num, den).Float64()
	return v
}

// addSquare adds x² exactly: the rounded product and its error (by FMA).
func (s *exactSum) addSquare(x float64) {
	p := x * x
	s.add(p)
	if !math.IsInf(p, 0) && !math.IsNaN(p) {
		s.add(math.FMA(x, x, -p))
	}
}
