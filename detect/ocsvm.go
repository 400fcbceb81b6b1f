package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SVMParams are the One-Class SVM's parameters.
type SVMParams struct {
	Nu    float64 // in (0, 1], default 0.5 as scikit-learn
	Gamma float64 // RBF γ; 0 means "scale": 1 / (features · variance of X)
	Seed  uint64  // random Fourier features (beyond MaxExactSVM rows)
}

// MaxExactSVM is the largest sample solved exactly: up to it the dual is
// solved by SMO on the RBF kernel as libsvm (and so scikit-learn) does,
// with kernel rows computed on demand and kept (float32, at most
// 5,000² × 4 bytes = 100 MB). Beyond it the kernel is approximated by
// random Fourier features (Rahimi and Recht 2007): z(x) = √(2/D) cos(Wx+b),
// W ~ N(0, 2γI), b ~ U[0, 2π), with D = min(500, 2^25 / rows) ≥ 50
// components (z kept as float32, at most 128 MB), and the same dual is
// solved for the linear kernel z(x)·z(y) by pairwise coordinate steps with
// w = Σ αᵢ z(xᵢ) kept, epochs in random order until one lowers the dual
// objective ½|w|² by less than 1e-3 of itself, at most 60 epochs.
const MaxExactSVM = 5000

// MaxSVMRows bounds a One-Class SVM fit: 2^22 rows (at D = 50 components).
const MaxSVMRows = 1 << 22

// SVM is a fitted One-Class SVM (Schölkopf et al. 2001): the dual
//
//	min ½ αᵀKα  subject to  0 ≤ αᵢ ≤ 1/(νn),  Σ αᵢ = 1
//
// and the decision function f(x) = Σ αᵢ K(xᵢ, x) − ρ, negative outside.
// It is scikit-learn's OneClassSVM with its dual coefficients divided by
// νn (libsvm solves Σ αᵢ = νn with αᵢ ≤ 1), which scales f and leaves its
// sign unchanged.
type SVM struct {
	Nu, Gamma float64
	features  int
	// exact: support vectors and their α
	SV    [][]float64
	Alpha []float64
	Rho   float64
	// approximate: random Fourier features and the weight vector
	W    [][]float64 // D × features
	B    []float64
	Wlin []float64
}

// FitSVM fits a One-Class SVM on X.
func FitSVM(X [][]float64, p SVMParams) (*SVM, []float64, error) {
	if len(X) == 0 {
		return nil, nil, fmt.Errorf("ocsvm: %w", ErrNoRows)
	}
	d := len(X[0])
	if d == 0 {
		return nil, nil, fmt.Errorf("ocsvm: rows have no features")
	}
	if err := checkRows(X, d); err != nil {
		return nil, nil, fmt.Errorf("ocsvm: %w", err)
	}
	if len(X) > MaxSVMRows {
		return nil, nil, fmt.Errorf("ocsvm: %d rows: %w", len(X), errTooBig("the feature table", len(X), MaxSVMRows))
	}
	if p.Nu == 0 {
		p.Nu = 0.5
	}
	if !(p.Nu > 0 && p.Nu <= 1) {
		return nil, nil, fmt.Errorf("ocsvm: nu must be in (0, 1], got %v", p.Nu)
	}
	if p.Gamma < 0 || math.IsNaN(p.Gamma) || math.IsInf(p.Gamma, 0) {
		return nil, nil, fmt.Errorf("ocsvm: gamma must be positive, got %v", p.Gamma)
	}
	if p.Gamma == 0 {
		p.Gamma = ScaleGamma(X)
	}
	m := &SVM{Nu: p.Nu, Gamma: p.Gamma, features: d}
	var alpha []float64
	if len(X) <= MaxExactSVM {
		alpha = m.fitExact(X)
	} else {
		alpha = m.fitFourier(X, p.Seed)
	}
	return m, alpha, nil
}

// ScaleGamma is scikit-learn's gamma="scale": 1 / (features · X.var()),
// the variance taken over every value of X; 1 when that is 0.
func ScaleGamma(X [][]float64) float64 {
	n, mean := 0.0, 0.0
	for _, row := range X {
		for _, v := range row {
			n++
			mean += (v - mean) / n
		}
	}
	ss := 0.0
	for _, row := range X {
		for _, v := range row {
			ss += (v - mean) * (v - mean)
		}
	}
	v := ss / n
	if v == 0 {
		return 1
	}
	return 1 / (float64(len(X[0])) * v)
}

func (m *SVM) rbf(a, b []float64) float64 {
	s := 0.0
	for j, v := range a {
		e := v - b[j]
		s += e * e
	}
	return math.Exp(-m.Gamma * s)
}

// fitExact is libsvm's solver for the one-class dual (C = 1, Σα = νn,
// second-order working set selection of Fan et al. 2005, stopping at a
// maximal violation below 1e-3), without shrinking. It returns the α of
// every row, divided by νn.
func (m *SVM) fitExact(X [][]float64) []float64 {
	n := len(X)
	const eps, tau = 1e-3, 1e-12
	rows := make([][]float32, n)
	row := func(i int) []float32 {
		if rows[i] == nil {
			r := make([]float32, n)
			xi := X[i]
			parallel(n, func(lo, hi int) {
				for j := lo; j < hi; j++ {
					r[j] = float32(m.rbf(xi, X[j]))
				}
			})
			rows[i] = r
		}
		return rows[i]
	}
	a := make([]float64, n)
	total := m.Nu * float64(n)
	full := int(total)
	for i := range min(full, n) {
		a[i] = 1
	}
	if full < n {
		a[full] = total - float64(full)
	}
	G := make([]float64, n)
	for i := range n {
		if a[i] == 0 {
			continue
		}
		for j, q := range row(i) {
			G[j] += a[i] * float64(q)
		}
	}
	const qd = 1.0 // K(x, x) = 1
	for iter := 0; iter < max(10_000_000, 100*n); iter++ {
		gmax, i := math.Inf(-1), -1
		for t := range n {
			if a[t] < 1 && -G[t] >= gmax {
				gmax, i = -G[t], t
			}
		}
		if i < 0 {
			break
		}
		qi := row(i)
		gmax2, j, best := math.Inf(-1), -1, math.Inf(1)
		for t := range n {
			if a[t] <= 0 {
				continue
			}
			if G[t] >= gmax2 {
				gmax2 = G[t]
			}
			if diff := gmax + G[t]; diff > 0 {
				quad := 2*qd - 2*float64(qi[t])
				if quad <= 0 {
					quad = tau
				}
				if obj := -diff * diff / quad; obj <= best {
					j, best = t, obj
				}
			}
		}
		if gmax+gmax2 < eps || j < 0 {
			break
		}
		qj := row(j)
		quad := 2*qd - 2*float64(qi[j])
		if quad <= 0 {
			quad = tau
		}
		oi, oj := a[i], a[j]
		delta := (G[i] - G[j]) / quad
		sum := a[i] + a[j]
		a[i] -= delta
		a[j] += delta
		if sum > 1 {
			if a[i] > 1 {
				a[i], a[j] = 1, sum-1
			}
		} else if a[j] < 0 {
			a[j], a[i] = 0, sum
		}
		if sum > 1 {
			if a[j] > 1 {
				a[j], a[i] = 1, sum-1
			}
		} else if a[i] < 0 {
			a[i], a[j] = 0, sum
		}
		di, dj := a[i]-oi, a[j]-oj
		for t := range n {
			G[t] += float64(qi[t])*di + float64(qj[t])*dj
		}
	}
	m.Rho = libsvmRho(a, G, 1)
	out := make([]float64, n)
	for i, v := range a {
		out[i] = v / total
		if v > 0 {
			m.SV = append(m.SV, X[i])
			m.Alpha = append(m.Alpha, v/total)
		}
	}
	m.Rho /= total
	return out
}

// libsvmRho is libsvm's calculate_rho for y = +1: the mean gradient over
// free α, or the middle of the bounds the bounded ones give.
func libsvmRho(a, G []float64, c float64) float64 {
	ub, lb := math.Inf(1), math.Inf(-1)
	free, sum := 0, 0.0
	for i, v := range a {
		switch {
		case v >= c:
			lb = max(lb, G[i])
		case v <= 0:
			ub = min(ub, G[i])
		default:
			free++
			sum += G[i]
		}
	}
	if free > 0 {
		return sum / float64(free)
	}
	return (ub + lb) / 2
}

// fitFourier solves the dual on random Fourier features (see MaxExactSVM).
func (m *SVM) fitFourier(X [][]float64, seed uint64) []float64 {
	n, d := len(X), m.features
	D := max(50, min(500, (1<<25)/n))
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	sd := math.Sqrt(2 * m.Gamma)
	m.W = make([][]float64, D)
	m.B = make([]float64, D)
	for k := range D {
		m.W[k] = make([]float64, d)
		for j := range d {
			m.W[k][j] = rng.NormFloat64() * sd
		}
		m.B[k] = rng.Float64() * 2 * math.Pi
	}
	Z := make([]float32, n*D)
	parallel(n, func(lo, hi int) {
		z := make([]float64, D)
		for i := lo; i < hi; i++ {
			m.features64(X[i], z)
			for k, v := range z {
				Z[i*D+k] = float32(v)
			}
		}
	})
	zrow := func(i int) []float32 { return Z[i*D : (i+1)*D] }
	dot := func(w []float64, z []float32) float64 {
		s := 0.0
		for k, v := range z {
			s += w[k] * float64(v)
		}
		return s
	}
	// α in libsvm units (C = 1, Σα = νn), initialised as libsvm does.
	a := make([]float64, n)
	total := m.Nu * float64(n)
	full := int(total)
	for i := range min(full, n) {
		a[i] = 1
	}
	if full < n {
		a[full] = total - float64(full)
	}
	w := make([]float64, D)
	for i, v := range a {
		if v != 0 {
			for k, z := range zrow(i) {
				w[k] += v * float64(z)
			}
		}
	}
	qd := make([]float64, n)
	for i := range n {
		qd[i] = dot64(zrow(i))
	}
	perm := rng.Perm(n)
	half := func() float64 { return 0.5 * dot64f(w) }
	prev := half()
	for epoch := 0; epoch < 60; epoch++ {
		rng.Shuffle(n, func(x, y int) { perm[x], perm[y] = perm[y], perm[x] })
		for t, i := range perm {
			j := perm[(t+1+rng.IntN(n-1))%n]
			if j == i {
				continue
			}
			zi, zj := zrow(i), zrow(j)
			gi, gj := dot(w, zi), dot(w, zj)
			// Move mass from the row with the larger gradient to the other.
			if gi > gj {
				i, j, gi, gj, zi, zj = j, i, gj, gi, zj, zi
			}
			// now gi ≤ gj: α_i up, α_j down
			if a[i] >= 1 || a[j] <= 0 || gj-gi <= 0 {
				continue
			}
			qij := 0.0
			for k, v := range zi {
				qij += float64(v) * float64(zj[k])
			}
			quad := qd[i] + qd[j] - 2*qij
			if quad <= 1e-12 {
				quad = 1e-12
			}
			delta := min((gj-gi)/quad, 1-a[i], a[j])
			a[i] += delta
			a[j] -= delta
			for k := range w {
				w[k] += delta * (float64(zi[k]) - float64(zj[k]))
			}
		}
		obj := half()
		if prev-obj <= 1e-3*obj {
			break
		}
		prev = obj
	}
	G := make([]float64, n)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			G[i] = dot(w, zrow(i))
		}
	})
	m.Rho = libsvmRho(a, G, 1) / total
	m.Wlin = w
	for k := range m.Wlin {
		m.Wlin[k] /= total
	}
	out := make([]float64, n)
	for i, v := range a {
		out[i] = v / total
	}
	return out
}

func dot64f(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += v * v
	}
	return s
}

func dot64(z []float32) float64 {
	s := 0.0
	for _, v := range z {
		s += float64(v) * float64(v)
	}
	return s
}

// features64 writes the random Fourier features of x into z.
func (m *SVM) features64(x, z []float64) {
	c := math.Sqrt(2 / float64(len(m.W)))
	for k, wk := range m.W {
		s := m.B[k]
		for j, v := range x {
			s += wk[j] * v
		}
		z[k] = c * math.Cos(s)
	}
}

// Features is the number of features the model was fitted on.
func (m *SVM) Features() int { return m.features }

// Exact reports whether the model was solved on the kernel itself.
func (m *SVM) Exact() bool { return m.W == nil }

// Decision returns f(x) = Σ αᵢ K(xᵢ, x) − ρ for each row (negative for
// outliers), scikit-learn's decision_function divided by νn.
func (m *SVM) Decision(X [][]float64) ([]float64, error) {
	if err := checkRows(X, m.features); err != nil {
		return nil, fmt.Errorf("ocsvm: %w", err)
	}
	out := make([]float64, len(X))
	parallel(len(X), func(lo, hi int) {
		z := make([]float64, len(m.W))
		for i := lo; i < hi; i++ {
			s := 0.0
			if m.Exact() {
				for k, sv := range m.SV {
					s += m.Alpha[k] * m.rbf(sv, X[i])
				}
			} else {
				m.features64(X[i], z)
				for k, v := range z {
					s += m.Wlin[k] * v
				}
			}
			out[i] = s - m.Rho
		}
	})
	return out, nil
}

// SVMScore maps a decision value to an anomaly score in (0, 1), strictly
// decreasing in f: s = 1 / (1 + e^(4f/ρ)). f/ρ does not depend on how α
// is normalised; the boundary (f = 0) scores 0.5 like Isolation Forest's
// cut-off, a row with no kernel mass at all (f = −ρ) 0.98, and one with
// twice the boundary's (f = ρ) 0.018.
func (m *SVM) Score(f float64) float64 {
	scale := max(math.Abs(m.Rho), 1e-300)
	return 1 / (1 + math.Exp(4*f/scale))
}
