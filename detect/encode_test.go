package detect

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	X := gaussianRows(5000, 4, 3)
	f := mustFit(t, X, Params{Trees: 50, Sample: 200, Seed: 12})
	blob, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var g Forest
	if err := g.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	if g.Params() != f.Params() || g.Features() != f.Features() {
		t.Fatalf("params %+v/%d, want %+v/%d", g.Params(), g.Features(), f.Params(), f.Features())
	}
	if !slices.Equal(mustScore(t, &g, X), mustScore(t, f, X)) {
		t.Fatal("scores changed after a round trip")
	}
	for j := range 4 {
		glo, ghi := g.TypicalRange(j)
		flo, fhi := f.TypicalRange(j)
		if glo != flo || ghi != fhi {
			t.Fatalf("typical range of %d changed", j)
		}
	}
	x := []float64{5, 0, 0, 0}
	if !slices.Equal(g.Explain(x), f.Explain(x)) {
		t.Fatal("explanations changed after a round trip")
	}
	again, _ := g.MarshalBinary()
	if !slices.Equal(again, blob) {
		t.Fatal("re-encoding gives different bytes")
	}
	t.Logf("%d trees of ψ=200 encode to %d bytes", len(f.trees), len(blob))
}

// smallModel is a forest small enough to corrupt byte by byte.
func smallModel(t testing.TB) []byte {
	f := mustFit(t, gaussianRows(40, 2, 1), Params{Trees: 3, Sample: 8, Seed: 1})
	blob, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// Every truncation and every flipped bit is an error, and a failed decode
// leaves the forest as it was.
func TestUnmarshalCorrupt(t *testing.T) {
	blob := smallModel(t)
	var g Forest
	for n := range len(blob) {
		if err := g.UnmarshalBinary(blob[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	for i := range blob {
		for bit := range 8 {
			bad := slices.Clone(blob)
			bad[i] ^= 1 << bit
			if err := g.UnmarshalBinary(bad); err == nil {
				t.Fatalf("byte %d bit %d flipped: no error", i, bit)
			}
		}
	}
	if g.trees != nil {
		t.Fatal("failed decodes changed the forest")
	}
	bad := slices.Clone(blob)
	bad[4] = 9
	if err := g.UnmarshalBinary(bad); !errors.Is(err, ErrVersion) {
		t.Fatalf("version 9: error %v, want ErrVersion", err)
	}
}

// withCRC seals a body so that only the structural checks stand between a
// corrupt model and the scorer.
func withCRC(body []byte) []byte {
	b := append([]byte(magic), formatVersion)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func TestUnmarshalStructure(t *testing.T) {
	head := func(features, sample, trees uint64) []byte {
		b := binary.AppendUvarint(nil, features)
		b = binary.AppendUvarint(b, sample)
		b = binary.AppendUvarint(b, trees)
		b = binary.LittleEndian.AppendUint64(b, 0)
		for range features {
			b = binary.LittleEndian.AppendUint64(b, 0)
			b = binary.LittleEndian.AppendUint64(b, 0x3ff0000000000000) // 1.0
		}
		return b
	}
	split := func(b []byte, feat, offset uint64) []byte {
		b = binary.AppendUvarint(b, feat+1)
		b = binary.LittleEndian.AppendUint64(b, 0)
		return binary.AppendUvarint(b, offset)
	}
	leaf := func(b []byte, size uint64) []byte { return binary.AppendUvarint(append(b, 0), size) }
	tests := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"one leaf tree", leaf(append(head(1, 4, 1), 1), 4), true},
		{"split", leaf(leaf(split(append(head(1, 4, 1), 3), 0, 1), 1), 3), true},
		{"zero features", leaf(append(head(0, 4, 1), 1), 4), false},
		{"root not sample", leaf(append(head(1, 4, 1), 1), 3), false},
		{"empty leaf", leaf(leaf(split(append(head(1, 4, 1), 3), 0, 1), 0), 4), false},
		{"feature out of range", leaf(leaf(split(append(head(1, 4, 1), 3), 1, 1), 1), 3), false},
		{"child before parent", leaf(leaf(split(append(head(1, 4, 1), 3), 0, 0), 1), 3), false},
		{"child past end", leaf(leaf(split(append(head(1, 4, 1), 3), 0, 2), 1), 3), false},
		{"unreachable node", leaf(leaf(leaf(append(head(1, 4, 1), 3), 4), 1), 3), false},
		{"too deep", deepTree(head(1, 4, 1), split, leaf), false},
		{"trailing bytes", append(leaf(append(head(1, 4, 1), 1), 4), 0), false},
		{"huge counts", binary.AppendUvarint(head(1, 1<<30, 1), 1<<31-1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g Forest
			err := g.UnmarshalBinary(withCRC(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("error = %v, want ok=%v", err, tt.ok)
			}
			if err == nil {
				mustScore(t, &g, [][]float64{{0.5}, {-3}})
			}
		})
	}
}

// deepTree encodes a tree of 4 samples with a leaf at depth 3, one more
// than ceil(log2 4) allows.
func deepTree(b []byte, split func([]byte, uint64, uint64) []byte, leaf func([]byte, uint64) []byte) []byte {
	b = split(append(b, 7), 0, 1) // node 0: children 1, 2
	b = split(b, 0, 2)            // node 1: children 3, 4
	b = leaf(b, 1)                // node 2
	b = split(b, 0, 2)            // node 3: children 5, 6
	return leaf(leaf(leaf(b, 1), 1), 1)
}

// FuzzUnmarshalBinary feeds corrupt models to the decoder, both sealed with
// a valid checksum and not: decoding must fail cleanly or give a forest that
// scores, explains and re-encodes without panicking.
func FuzzUnmarshalBinary(f *testing.F) {
	blob := smallModel(f)
	f.Add(blob)
	f.Add(blob[len(magic)+1 : len(blob)-4])
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, withCRC(data)} {
			var g Forest
			if g.UnmarshalBinary(in) != nil {
				continue
			}
			row := make([]float64, g.Features())
			if _, err := g.Score([][]float64{row}); err != nil {
				t.Fatalf("decoded forest cannot score: %v", err)
			}
			g.Explain(row)
			again, err := g.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var h Forest
			if err := h.UnmarshalBinary(again); err != nil {
				t.Fatalf("re-encoded forest does not decode: %v", err)
			}
		}
	})
}
