package store

import "math/bits"

// bloomK is the number of bit positions set per token.
const bloomK = 4

// bloom is a token filter: a bit array of a power-of-two size. A token's
// positions come from its 64-bit hash (double hashing of the two halves).
type bloom []byte

// newBloom sizes a filter for n distinct tokens at about 10 bits each
// (about 1% false positives with bloomK = 4).
func newBloom(n int) bloom {
	nbits := 1 << bits.Len(uint(n*10))
	if nbits < 512 {
		nbits = 512
	}
	return make(bloom, nbits/8)
}

func (b bloom) positions(h uint64, fn func(bit uint64) bool) bool {
	h |= 1 // hashes are stored with bit 0 set (see hashSet)
	mask := uint64(len(b)*8 - 1)
	h1, h2 := h, h>>32|h<<32
	for i := uint64(0); i < bloomK; i++ {
		if !fn((h1 + i*h2) & mask) {
			return false
		}
	}
	return true
}

func (b bloom) add(h uint64) {
	b.positions(h, func(bit uint64) bool {
		b[bit/8] |= 1 << (bit % 8)
		return true
	})
}

// mayContain reports whether the token with hash h may be in the filter.
// An empty filter (a chunk written without one) may contain anything.
func (b bloom) mayContain(h uint64) bool {
	if len(b) == 0 {
		return true
	}
	return b.positions(h, func(bit uint64) bool {
		return b[bit/8]&(1<<(bit%8)) != 0
	})
}
