package query

import (
	"loghunt/store"
	"strings"
)

// Tokens calls fn with every token of raw, lower-cased for ASCII.
//
// A token is a maximal run of ASCII letters, digits and '_' and of bytes
// >= 0x80 (so UTF-8 words stay whole); everything else separates tokens.
// This is what "a whole token of _raw" means for a bare search word, and
// the store's chunk token filter (store.Tokens, store.TokenHash) uses the
// same definition, so a word that is in an event is always in its chunk's
// filter.
func Tokens(raw string, fn func(tok string)) {
	store.Tokens(raw, func(tok string) { fn(strings.Map(lowerASCIIRune, tok)) })
}

// lowerASCIIRune lowers ASCII letters only, as TokenHash does: folding
// other letters would look for a hash the filter never stored.
func lowerASCIIRune(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// isTokenByte reports whether c belongs to a token (store.IsTokenByte).
func isTokenByte(c byte) bool { return store.IsTokenByte(c) }

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
