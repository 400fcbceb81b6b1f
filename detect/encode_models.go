package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// LOF and SVM models encode as a magic, then uvarints and little-endian
// float64s; the caller's container checksums them. The floats are checked
// finite and the counts against the bytes left, so damaged input gives an
// error, never a panic or a huge allocation.
const (
	lofMagic = "LOF1"
	svmMagic = "SVM1"
)

func appendFloats(b []byte, v ...float64) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// MarshalBinary encodes what Novelty needs: k, the training rows, their
// k-distances and lrds. The index is rebuilt when decoded.
func (m *LOF) MarshalBinary() ([]byte, error) {
	b := []byte(lofMagic)
	b = binary.AppendUvarint(b, uint64(m.k))
	b = binary.AppendUvarint(b, uint64(m.features))
	b = binary.AppendUvarint(b, uint64(len(m.X)))
	for i, row := range m.X {
		b = appendFloats(b, row...)
		b = appendFloats(b, m.kdist[i], m.lrd[i])
	}
	return b, nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *LOF) UnmarshalBinary(data []byte) error {
	if len(data) < len(lofMagic) || string(data[:len(lofMagic)]) != lofMagic {
		return errors.New("lof model: bad magic")
	}
	r := &reader{b: data[len(lofMagic):]}
	k := r.uvarint("lof neighbours", 1<<20)
	d := r.uvarint("lof features", 1<<16)
	n := r.uvarint("lof rows", uint64(len(data))/8)
	if r.err != nil {
		return fmt.Errorf("lof model: %w", r.err)
	}
	if k < 1 || d < 1 || n < k+1 || len(r.b) != n*(d+2)*8 {
		return fmt.Errorf("lof model: %d rows of %d features with k=%d do not match its %d bytes", n, d, k, len(r.b))
	}
	flat := make([]float64, n*d)
	*m = LOF{k: k, features: d, X: make([][]float64, n), kdist: make([]float64, n), lrd: make([]float64, n)}
	for i := range n {
		row := flat[i*d : (i+1)*d : (i+1)*d]
		for j := range row {
			row[j] = r.float("lof value")
		}
		m.X[i] = row
		m.kdist[i], m.lrd[i] = r.float("lof k-distance"), r.float("lof density")
	}
	if r.err != nil {
		return fmt.Errorf("lof model: %w", r.err)
	}
	m.tree = newKDTree(m.X, d)
	return nil
}

// MarshalBinary encodes the model: ν, γ, ρ, the features, then either the
// support vectors and their α or the Fourier features and the weights.
func (m *SVM) MarshalBinary() ([]byte, error) {
	b := []byte(svmMagic)
	b = appendFloats(b, m.Nu, m.Gamma, m.Rho)
	b = binary.AppendUvarint(b, uint64(m.features))
	if m.Exact() {
		b = append(b, 0)
		b = binary.AppendUvarint(b, uint64(len(m.SV)))
		for i, sv := range m.SV {
			b = appendFloats(b, sv...)
			b = appendFloats(b, m.Alpha[i])
		}
		return b, nil
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(m.W)))
	for k, w := range m.W {
		b = appendFloats(b, w...)
		b = appendFloats(b, m.B[k], m.Wlin[k])
	}
	return b, nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *SVM) UnmarshalBinary(data []byte) error {
	if len(data) < len(svmMagic) || string(data[:len(svmMagic)]) != svmMagic {
		return errors.New("ocsvm model: bad magic")
	}
	r := &reader{b: data[len(svmMagic):]}
	nu, gamma, rho := r.float("ocsvm nu"), r.float("ocsvm gamma"), r.float("ocsvm rho")
	d := r.uvarint("ocsvm features", 1<<16)
	kind := r.uvarint("ocsvm kind", 1)
	n := r.uvarint("ocsvm vectors", uint64(len(data))/8)
	if r.err != nil {
		return fmt.Errorf("ocsvm model: %w", r.err)
	}
	if d < 1 || n < 1 || len(r.b) != n*(d+1+kind)*8 || !(nu > 0 && nu <= 1) || !(gamma > 0) {
		return fmt.Errorf("ocsvm model: %d vectors of %d features do not match its %d bytes", n, d, len(r.b))
	}
	*m = SVM{Nu: nu, Gamma: gamma, Rho: rho, features: d}
	vec := func() []float64 {
		v := make([]float64, d)
		for j := range v {
			v[j] = r.float("ocsvm value")
		}
		return v
	}
	for range n {
		if kind == 0 {
			m.SV = append(m.SV, vec())
			m.Alpha = append(m.Alpha, r.float("ocsvm alpha"))
		} else {
			m.W = append(m.W, vec())
			m.B = append(m.B, r.float("ocsvm offset"))
			m.Wlin = append(m.Wlin, r.float("ocsvm weight"))
		}
	}
	if r.err != nil {
		return fmt.Errorf("ocsvm model: %w", r.err)
	}
	return nil
}

// TypicalRanges returns the 5th and 95th percentiles of each column of X,
// for explanations ("typical 2–8").
func TypicalRanges(X [][]float64) [][2]float64 { return typicalRanges(X) }
