package query

// Tokens calls fn with every token of raw, lower-cased for ASCII.
//
// A token is a maximal run of ASCII letters, digits and '_' and of bytes
// >= 0x80 (so UTF-8 words stay whole); everything else separates tokens.
// This is what "a whole token of _raw" means for a bare search word, and
// the store's chunk token filter (store.Tokens, store.TokenHash) uses the
// same definition, so a word that is in an event is always in its chunk's
// filter.
func Tokens(raw string, fn func(tok string)) {
	var buf []byte
	start := -1
	upper := false
	emit := func(end int) {
		tok := raw[start:end]
		if upper {
			buf = append(buf[:0], tok...)
			for i, c := range buf {
				if c >= 'A' && c <= 'Z' {
					buf[i] = c + 'a' - 'A'
				}
			}
			tok = string(buf)
		}
		fn(tok)
		start, upper = -1, false
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if isTokenByte(c) {
			if start < 0 {
				start = i
			}
			upper = upper || c >= 'A' && c <= 'Z'
		} else if start >= 0 {
			emit(i)
		}
	}
	if start >= 0 {
		emit(len(raw))
	}
}

// isTokenByte reports whether c belongs to a token.
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// lowerASCII is c lower-cased when it is an ASCII letter.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// MatchWildcard reports whether s matches pattern as a whole, where '*'
// matches any run of bytes (also empty) and ASCII letters match
// regardless of case. It is the matcher of field values (`user=adm*`).
func MatchWildcard(pattern, s string) bool {
	return wildMatch(pattern, s, false)
}

// wildMatch matches with '*' greedy-with-backtrack (linear in practice);
// with noSpace, '*' does not cross whitespace.
func wildMatch(p, s string, noSpace bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) && p[pi] == '*' {
			starP, starS = pi, si
			pi++
			continue
		}
		if pi < len(p) && lowerASCII(p[pi]) == lowerASCII(s[si]) {
			pi, si = pi+1, si+1
			continue
		}
		if starP < 0 || noSpace && isSpaceByte(s[starS]) {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
