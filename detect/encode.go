package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// The binary model format, all integers unsigned varints unless noted:
//
//	magic "LHIF", format version (1 byte, now 1)
//	features, sample ψ, trees, seed (8 bytes little-endian)
//	per feature: 5th and 95th percentile (float64 bits, 8 bytes LE each)
//	per tree: node count, then per node in index order either
//	    0, leaf size                               for a leaf
//	    feature+1, threshold (8 bytes LE), left−index   for a split
//	CRC-32 (IEEE) of everything before it (4 bytes LE)
//
// A split's children are nodes left and left+1, always after it. Inner node
// sizes, depths and leaf path lengths are derived on load.
const (
	magic         = "LHIF"
	formatVersion = 1
	// Caps that keep a corrupt header from asking for absurd allocations.
	maxFeatures = 1 << 20
	maxTrees    = 1 << 20
	maxSample   = 1 << 30
)

// ErrVersion is returned when a model was written by an unknown format
// version.
var ErrVersion = errors.New("unknown model format version")

// MarshalBinary encodes the forest in the versioned format above.
func (f *Forest) MarshalBinary() ([]byte, error) {
	b := []byte(magic)
	b = append(b, formatVersion)
	b = binary.AppendUvarint(b, uint64(f.features))
	b = binary.AppendUvarint(b, uint64(f.sample))
	b = binary.AppendUvarint(b, uint64(len(f.trees)))
	b = binary.LittleEndian.AppendUint64(b, f.seed)
	for _, r := range f.typical {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r[0]))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r[1]))
	}
	for ti := range f.trees {
		t := &f.trees[ti]
		b = binary.AppendUvarint(b, uint64(len(t.nodes)))
		for i, nd := range t.nodes {
			if t.isLeaf(i) {
				b = binary.AppendUvarint(b, 0)
				b = binary.AppendUvarint(b, uint64(t.size[i]))
				continue
			}
			b = binary.AppendUvarint(b, uint64(nd.feat)+1)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(nd.thr))
			b = binary.AppendUvarint(b, uint64(int(nd.left)-i))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalBinary decodes a forest written by MarshalBinary, checking its
// checksum and every structural invariant; on error f is left unchanged.
func (f *Forest) UnmarshalBinary(data []byte) error {
	if len(data) < len(magic)+1+4 || string(data[:len(magic)]) != magic {
		return errors.New("decode model: not a loghunt forest")
	}
	if v := data[len(magic)]; v != formatVersion {
		return fmt.Errorf("decode model: version %d: %w", v, ErrVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return errors.New("decode model: checksum mismatch")
	}
	g, err := decodeBody(body[len(magic)+1:])
	if err != nil {
		return fmt.Errorf("decode model: %w", err)
	}
	*f = *g
	return nil
}

// reader reads varints and floats, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint(what string, limit uint64) int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	switch {
	case n <= 0:
		r.err = fmt.Errorf("%s: truncated", what)
	case v > limit:
		r.err = fmt.Errorf("%s %d exceeds %d", what, v, limit)
	default:
		r.b = r.b[n:]
		return int(v)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = fmt.Errorf("%s: truncated", what)
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) float(what string) float64 {
	v := math.Float64frombits(r.u64(what))
	if r.err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		r.err = fmt.Errorf("%s is %v", what, v)
	}
	return v
}

// decodeBody decodes everything between the version byte and the checksum.
func decodeBody(b []byte) (*Forest, error) {
	r := &reader{b: b}
	f := &Forest{}
	f.features = r.uvarint("features", maxFeatures)
	f.sample = r.uvarint("sample", maxSample)
	ntrees := r.uvarint("trees", maxTrees)
	f.seed = r.u64("seed")
	if r.err == nil && (f.features == 0 || f.sample == 0 || ntrees == 0) {
		return nil, fmt.Errorf("features=%d sample=%d trees=%d: must be positive", f.features, f.sample, ntrees)
	}
	if r.err == nil && len(r.b) < 16*f.features+2*ntrees {
		return nil, errors.New("truncated")
	}
	f.typical = make([][2]float64, f.features)
	for j := range f.typical {
		lo, hi := r.float("typical low"), r.float("typical high")
		if r.err == nil && lo > hi {
			r.err = fmt.Errorf("feature %d typical range %v > %v", j, lo, hi)
		}
		f.typical[j] = [2]float64{lo, hi}
	}
	if r.err != nil {
		return nil, r.err
	}
	f.trees = make([]tree, ntrees)
	for ti := range f.trees {
		if err := decodeTree(r, &f.trees[ti], f.features, f.sample); err != nil {
			return nil, fmt.Errorf("tree %d: %w", ti, err)
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the last tree", len(r.b))
	}
	return f, nil
}

// decodeTree reads one tree and checks that it is a proper binary tree
// (every node but the root is the child of exactly one earlier node), that
// features, thresholds and sizes are in range, that its root holds ψ
// samples and that no leaf lies deeper than Fit would put it.
func decodeTree(r *reader, t *tree, features, sample int) error {
	count := r.uvarint("node count", uint64(2*sample-1))
	if r.err == nil && (count == 0 || len(r.b) < 2*count) {
		r.err = fmt.Errorf("node count %d: truncated or empty", count)
	}
	if r.err != nil {
		return r.err
	}
	t.nodes = make([]node, count)
	t.size = make([]int32, count)
	t.pathLen = make([]float64, count)
	parent := make([]int32, count)
	for i := range parent {
		parent[i] = -1
	}
	for i := 0; i < count && r.err == nil; i++ {
		tag := r.uvarint("feature", maxFeatures+1)
		if r.err == nil && tag > features {
			r.err = fmt.Errorf("node %d: feature index %d out of range for %d features", i, tag-1, features)
		}
		if tag == 0 {
			size := r.uvarint("leaf size", uint64(sample))
			if r.err == nil && size == 0 {
				r.err = fmt.Errorf("node %d: empty leaf", i)
			}
			t.nodes[i] = node{thr: math.Inf(1), left: int32(i)}
			t.size[i] = int32(size)
			continue
		}
		thr := r.float("threshold")
		left := i + r.uvarint("child offset", uint64(count))
		if r.err != nil {
			break
		}
		if left <= i || left+1 >= count || parent[left] >= 0 || parent[left+1] >= 0 {
			return fmt.Errorf("node %d: bad children %d and %d", i, left, left+1)
		}
		parent[left], parent[left+1] = int32(i), int32(i)
		t.nodes[i] = node{thr: thr, feat: int32(tag - 1), left: int32(left)}
	}
	if r.err != nil {
		return r.err
	}
	return t.derive(parent, sample)
}

// derive fills inner node sizes, leaf path lengths and the depth of a
// decoded tree and checks them against the subsample size.
func (t *tree) derive(parent []int32, sample int) error {
	for i := len(t.nodes) - 1; i >= 0; i-- {
		if i > 0 && parent[i] < 0 {
			return fmt.Errorf("node %d: unreachable", i)
		}
		if !t.isLeaf(i) {
			l := t.nodes[i].left
			s := int(t.size[l]) + int(t.size[l+1])
			if s > sample {
				return fmt.Errorf("node %d: %d samples exceed %d", i, s, sample)
			}
			t.size[i] = int32(s)
		}
	}
	if int(t.size[0]) != sample {
		return fmt.Errorf("root holds %d samples, want %d", t.size[0], sample)
	}
	limit := int(math.Ceil(math.Log2(float64(max(sample, 2)))))
	depth := make([]int, len(t.nodes))
	for i := 1; i < len(t.nodes); i++ {
		depth[i] = depth[parent[i]] + 1
		if depth[i] > limit {
			return fmt.Errorf("node %d: depth %d exceeds %d", i, depth[i], limit)
		}
	}
	for i := range t.nodes {
		if t.isLeaf(i) {
			t.pathLen[i] = float64(depth[i]) + avgPathLength(int(t.size[i]))
			t.depth = max(t.depth, depth[i])
		}
	}
	return nil
}
