package store

import "strings"

// The matching of search words and phrases in _raw. It is part of the
// store because the store searches its own _raw blocks (reader.go); query
// uses the same functions on rows it has in hand.

// MatchWord reports whether raw holds the bare search word: the word
// occurs ignoring ASCII case, starting where a token starts and ending
// where a token ends (so `fail` does not match "failed", but `fail*`
// does), with '*' matching any run of characters except whitespace. A
// word with separators (`wp-login`, `10.0.*`) matches that exact
// sequence: its tokens in order, with the same separators between them.
func MatchWord(word, raw string) bool {
	if word == "" {
		return true
	}
	if strings.IndexByte(word, '*') < 0 {
		return MatchPhrase(word, raw) // the same test, with a faster scan
	}
	segs := strings.Split(word, "*")
	if strings.Trim(word, "*") == "" {
		return true // stars alone: any run, as `*` itself
	}
	needStart := IsTokenByte(word[0])
	needEnd := IsTokenByte(word[len(word)-1])
	// '*' does not cross whitespace, nor does a word hold any: a match
	// lies within one run of other bytes.
	for lo := 0; lo < len(raw); {
		if isSpaceByte(raw[lo]) {
			lo++
			continue
		}
		hi := lo
		for hi < len(raw) && !isSpaceByte(raw[hi]) {
			hi++
		}
		if matchWildRun(segs, raw, lo, hi, needStart, needEnd) {
			return true
		}
		lo = hi
	}
	return false
}

// matchWildRun reports whether raw[lo:hi] holds a match of the word cut
// at its stars into segs, in time linear in the run (times the word): of
// the places where the first segment fits (at a token start if need be),
// the first leaves the most room, so it alone is tried; the middle
// segments are then taken where they first occur, and the last must end
// at some token end (if need be) after them: the last such place is the
// one to test.
func matchWildRun(segs []string, raw string, lo, hi int, needStart, needEnd bool) bool {
	first, last := segs[0], segs[len(segs)-1]
	p := -1
	for s := lo; s+len(first) <= hi; s++ {
		if needStart && s > 0 && IsTokenByte(raw[s-1]) {
			continue
		}
		if EqualFoldASCII(raw[s:s+len(first)], first) {
			p = s + len(first)
			break
		}
	}
	if p < 0 {
		return false
	}
	for _, m := range segs[1 : len(segs)-1] {
		k := indexFoldASCII(raw[p:hi], m)
		if k < 0 {
			return false
		}
		p += k + len(m)
	}
	for e := hi; e-len(last) >= p; e-- {
		if needEnd && e < len(raw) && IsTokenByte(raw[e]) {
			continue
		}
		if EqualFoldASCII(raw[e-len(last):e], last) {
			return true
		}
	}
	return false
}

// indexFoldASCII is the first index of sub in s, ASCII case ignored, or -1.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if EqualFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// MatchPhrase reports whether raw contains phrase, ignoring ASCII case,
// starting where a token starts and ending where a token ends when the
// phrase's own first and last characters are token characters (as Splunk
// matches phrases): "wp-login" finds /wp-login.php and "Failed password"
// finds "Failed password for", but "ogin" does not find "login" (write
// *ogin* for that). Unlike a word, a phrase takes '*' literally. Because
// every word of a phrase is then a whole token, the store's token filter
// can skip chunks that lack one.
func MatchPhrase(phrase, raw string) bool {
	if phrase == "" {
		return true
	}
	needStart := IsTokenByte(phrase[0])
	needEnd := IsTokenByte(phrase[len(phrase)-1])
	f := newFoldFinder(phrase, raw)
	for i := f.next(0); i >= 0; i = f.next(i + 1) {
		if needStart && i > 0 && IsTokenByte(raw[i-1]) {
			continue
		}
		end := i + len(phrase)
		if needEnd && end < len(raw) && IsTokenByte(raw[end]) {
			continue
		}
		if EqualFoldASCII(raw[i:end], phrase) {
			return true
		}
	}
	return false
}

// matchPhraseRows marks the rows of text that MatchPhrase(phrase, row)
// holds for. text is the rows back to back; ends[i] is where row i ends.
// One scan of the whole text finds the phrase's occurrences, instead of a
// search per row: most rows of a block lack a rare phrase.
func matchPhraseRows(phrase, text string, ends []int, match []bool) {
	matchPhraseRowsIn(phrase, text, ends, match, true)
}

// matchPhraseRowsIn is matchPhraseRows, with bounds false: the phrase as
// a plain substring, token boundaries or not.
func matchPhraseRowsIn(phrase, text string, ends []int, match []bool, bounds bool) {
	needStart := bounds && IsTokenByte(phrase[0])
	needEnd := bounds && IsTokenByte(phrase[len(phrase)-1])
	f := newFoldFinder(phrase, text)
	r, start := 0, 0 // the row at p, and where it starts
	for p := 0; ; {
		q := f.next(p)
		if q < 0 {
			return
		}
		for ends[r] <= q {
			start = ends[r]
			r++
		}
		end := q + len(phrase)
		if end > ends[r] ||
			needStart && q > start && IsTokenByte(text[q-1]) ||
			needEnd && end < ends[r] && IsTokenByte(text[end]) ||
			!EqualFoldASCII(text[q:end], phrase) {
			p = q + 1
			continue
		}
		match[r] = true
		p = ends[r] // on to the next row
	}
}

// EqualFoldASCII reports whether a and b are equal ignoring ASCII case
// only, as search words, phrases and field values compare.
func EqualFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if a == b { // the usual case, compared a word at a time
		return true
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// completeTokens returns the tokens of s that must be whole tokens where s
// matches: those bounded on both sides by a separator in s other than
// '*', or by an edge of s that is anchored (startOK, endOK).
func completeTokens(s string, startOK, endOK bool) map[string]bool {
	set := map[string]bool{}
	for i := 0; i < len(s); {
		if !IsTokenByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && IsTokenByte(s[j]) {
			j++
		}
		left := i == 0 && startOK || i > 0 && s[i-1] != '*'
		right := j == len(s) && endOK || j < len(s) && s[j] != '*'
		if left && right {
			set[strings.Map(lowerASCIIRune, s[i:j])] = true // one whole token
		}
		i = j
	}
	return set
}

// foldFinder finds where a phrase may start in a text, ignoring ASCII
// case: it looks for the phrase's rarest byte (in either case) with the
// vectorized IndexByte, and remembers where each case of that byte comes
// next, so that the case a text hardly has ('W', 'F') is searched for
// once rather than before every occurrence of the other. Candidates still
// need comparing with the phrase.
type foldFinder struct {
	text   string
	anchor int  // the offset of the searched byte in the phrase
	tail   int  // len(phrase) - anchor: no candidate starts later than len(text) - len(phrase)
	lo, up byte // its cases (equal for a byte that is not a letter)
	// What nextUp knows: the first up at or after upFrom is upAt, or
	// with upAt -1, there is none in [upFrom, upTo).
	upFrom, upAt, upTo int
}

func newFoldFinder(phrase, text string) foldFinder {
	k := 0
	for i := 1; i < len(phrase); i++ {
		if byteCommonness(phrase[i]) < byteCommonness(phrase[k]) {
			k = i
		}
	}
	lo, up := lowerASCII(phrase[k]), phrase[k]
	if lo >= 'a' && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	return foldFinder{text: text, anchor: k, tail: len(phrase) - k, lo: lo, up: up, upAt: -1}
}

// next returns the first index i ≥ from where the phrase may start (its
// anchor byte matches in either case), or -1.
func (f *foldFinder) next(from int) int {
	a := from + f.anchor
	last := len(f.text) - f.tail + 1 // anchors lie before last
	if a >= last {
		return -1
	}
	i := strings.IndexByte(f.text[a:last], f.lo)
	limit := last
	if i >= 0 {
		i += a
		limit = i // the other case only matters if it comes earlier
	}
	if f.up != f.lo {
		if k := f.nextUp(a, limit, last); k >= 0 {
			i = k
		}
	}
	if i < 0 {
		return -1
	}
	return i - f.anchor
}

// nextUp returns the first index in [a, limit) of the other case of the
// anchor byte, or -1. It searches ahead of limit and remembers what it
// found, so that calls for the rows of a block share a few searches.
func (f *foldFinder) nextUp(a, limit, last int) int {
	if f.upFrom <= a && (f.upAt >= a || f.upAt < 0 && a < f.upTo) {
		// Known: the first at or after a is f.upAt, or none before f.upTo.
		if f.upAt >= a {
			if f.upAt < limit {
				return f.upAt
			}
			return -1
		}
		if limit <= f.upTo {
			return -1
		}
		a = f.upTo
	}
	end := min(last, max(limit, a+upAhead))
	f.upFrom = a
	if k := strings.IndexByte(f.text[a:end], f.up); k >= 0 {
		f.upAt = a + k
	} else {
		f.upAt, f.upTo = -1, end
	}
	if f.upAt >= 0 && f.upAt < limit {
		return f.upAt
	}
	return -1
}

// upAhead is how far past the needed range nextUp searches.
const upAhead = 4096

// byteCommonness ranks how often a byte occurs in log text, in either
// case, from 0 (rare) up: the order of letters in English text, with
// digits, spaces and common punctuation more frequent than any letter.
func byteCommonness(c byte) int {
	const letters = "zqjxkvbywgpfmucdlhrsnioate" // rare to common
	c = lowerASCII(c)
	switch {
	case c >= 'a' && c <= 'z':
		return 10 + strings.IndexByte(letters, c)
	case c == ' ' || c >= '0' && c <= '9':
		return 100
	case strings.IndexByte(".:/-_=\"[]()", c) >= 0:
		return 50
	}
	return 0
}

// lowerASCIIRune lowers ASCII letters only, as store.TokenHash does:
// folding other letters would look for a hash the filter never stored.
func lowerASCIIRune(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
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

// mayTouch reports whether an occurrence of phrase (ASCII case ignored)
// in a text could overlap v where v lies in that text: v holds the
// phrase, the phrase holds v, or an end of one is the start of the other.
// in holds the phrase's bytes, lower-cased.
func mayTouch(phrase, v string, in *[256]bool) bool {
	if v == "" {
		return false
	}
	// Each way but the first needs v's first or last byte in the phrase.
	first, last := in[lowerASCII(v[0])], in[lowerASCII(v[len(v)-1])]
	if len(v) >= len(phrase) && containsFold(v, phrase) || first && len(v) <= len(phrase) && containsFold(phrase, v) {
		return true
	}
	for k := 1; k < len(phrase) && k <= len(v) && (first || last); k++ {
		if first && EqualFoldASCII(phrase[len(phrase)-k:], v[:k]) || last && EqualFoldASCII(phrase[:k], v[len(v)-k:]) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds sub, ASCII case ignored.
func containsFold(s, sub string) bool {
	if len(sub) == 0 {
		return true
	}
	f := newFoldFinder(sub, s)
	for i := f.next(0); i >= 0; i = f.next(i + 1) {
		if EqualFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// isSpaceByte reports whether c is ASCII white space.
func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
