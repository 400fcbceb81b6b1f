package sigma

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold is the case folding of case-insensitive tests: ASCII letters and
// other letters are lowered, except that a non-ASCII character whose
// lower case is ASCII (the Kelvin sign, dotted capital I) is kept, so
// that an ASCII word of a rule matches exactly the events whose raw
// text holds that word in ASCII, which is what a token filter can
// promise.
func fold(s string) string {
	ascii, upper := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if !upper {
			return s
		}
		b := []byte(s)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	return strings.Map(foldRune, s)
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	l := unicode.ToLower(r)
	if l < utf8.RuneSelf {
		return r
	}
	return l
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether ASCII s starts with the folded prefix p.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerByte(s[i]) != p[i] {
			return false
		}
	}
	return true
}

// indexFold returns the first index of the folded needle in ASCII s, or -1.
func indexFold(s, needle string) int {
	if needle == "" {
		return 0
	}
	c0 := needle[0]
	up := c0
	if c0 >= 'a' && c0 <= 'z' {
		up = c0 - 'a' + 'A'
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		if c := s[i]; c != c0 && c != up {
			continue
		}
		if hasPrefixFold(s[i:], needle) {
			return i
		}
	}
	return -1
}

// foldedView returns s ready to compare with folded literals: for an
// ASCII s the caller compares byte-wise with lowerByte (no copy), so
// asciiView is true and s is returned unchanged; otherwise the folded
// copy.
func foldedView(s string) (string, bool) {
	if isASCII(s) {
		return s, true
	}
	return fold(s), false
}
