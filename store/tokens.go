package store

// Tokens calls fn with every token of s, as it stands in s (TokenHash
// and the token filter ignore ASCII case).
//
// A token is a maximal run of ASCII letters, digits and '_' and of bytes
// >= 0x80 (so UTF-8 words stay whole). Everything else separates tokens.
// The query language's bare-word search and the chunk token filter both
// use this definition, so a word that is in an event is always in the
// filter of its chunk.
func Tokens(s string, fn func(tok string)) {
	start := -1
	for i := 0; i < len(s); i++ {
		if IsTokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// IsTokenByte reports whether c belongs to a token: the one definition
// that search words and the token filter share.
func IsTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// TokenHash is the 64-bit FNV-1a hash of tok lower-cased for ASCII. It is
// part of the on-disk format (token filters store its bits).
func TokenHash(tok string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// tokenLower maps a byte to itself lower-cased if it belongs in a token,
// else to 0.
var tokenLower = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		if IsTokenByte(byte(c)) {
			t[c] = byte(c)
			if c >= 'A' && c <= 'Z' {
				t[c] += 'a' - 'A'
			}
		}
	}
	return t
}()

// hashTokens adds the hash of every token of s to set.
func hashTokens(s string, set *hashSet) {
	const offset = 14695981039346656037
	h := uint64(offset)
	in := false
	for i := 0; i < len(s); i++ {
		if c := tokenLower[s[i]]; c != 0 {
			h = (h ^ uint64(c)) * 1099511628211
			in = true
		} else if in {
			set.add(h)
			h, in = offset, false
		}
	}
	if in {
		set.add(h)
	}
}

// hashSet is an open-addressing set of non-zero-mixed uint64 hashes, far
// cheaper than a map on the ingest hot path.
type hashSet struct {
	slots []uint64 // 0 is empty; hashes are stored with bit 0 set
	n     int
}

func (s *hashSet) reset() {
	if s.slots == nil {
		s.slots = make([]uint64, 1<<12)
	}
	clear(s.slots)
	s.n = 0
}

func (s *hashSet) add(h uint64) {
	h |= 1
	if s.n*2 >= len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := (h * 0x9E3779B97F4A7C15) >> 7 & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return
		case 0:
			s.slots[i] = h
			s.n++
			return
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, len(old)*2)
	s.n = 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
}

func (s *hashSet) each(fn func(h uint64)) {
	for _, h := range s.slots {
		if h != 0 {
			fn(h)
		}
	}
}
