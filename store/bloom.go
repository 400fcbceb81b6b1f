package store

// bloomK is the number of bit positions set per token.
const bloomK = 4

// bloom is the token filter of a format 1 chunk, read only: a bit array of
// a power-of-two size. A token's positions come from its 64-bit hash
// (double hashing of the two halves). Format 2 chunks have a sizedBloom
// per _raw block instead.
type bloom []byte

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
