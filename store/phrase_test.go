package store

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMatchPhraseRows checks the one-scan search of rows back to back
// against MatchPhrase row by row, with phrases that straddle rows, sit at
// their edges, and differ in case.
func TestMatchPhraseRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	pieces := []string{"wp", "-login", "Login", "a", " ", "x", "wp-login", ".php", "WP", "", "=", "1"}
	for _, phrase := range []string{"wp-login", "login", "a wp", "-", "x=1", "WP-LOGIN.php"} {
		for range 300 {
			var rows []string
			for range 1 + r.IntN(12) {
				var sb strings.Builder
				for range r.IntN(5) {
					sb.WriteString(pieces[r.IntN(len(pieces))])
				}
				rows = append(rows, sb.String())
			}
			ends := make([]int, len(rows))
			total := 0
			for i, row := range rows {
				total += len(row)
				ends[i] = total
			}
			match := make([]bool, len(rows))
			matchPhraseRows(phrase, strings.Join(rows, ""), ends, match)
			for i, row := range rows {
				if match[i] != MatchPhrase(phrase, row) {
					t.Fatalf("%q in %q (rows %q): %v, MatchPhrase says %v", phrase, row, rows, match[i], !match[i])
				}
			}
		}
	}
}

// TestFoldFinder checks the candidates of the phrase scan against every
// start whose anchor byte matches ignoring case, in texts where both
// cases of the phrase's letters come and go.
func TestFoldFinder(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	const alphabet = "aAwWfF d-.Pp@1"
	for _, phrase := range []string{"Failed password", "wp-login", "a", "W", "@1", "-.", "ppp"} {
		for range 500 {
			b := make([]byte, r.IntN(40))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			text := string(b)
			f := newFoldFinder(phrase, text)
			var got, want []int
			for i := f.next(0); i >= 0; i = f.next(i + 1 + r.IntN(2)*r.IntN(3)) {
				got = append(got, i)
			}
			// Calls skip ahead by up to 2 more: want the first candidate
			// at or after each call, as the brute force finds it.
			f = newFoldFinder(phrase, text)
			k := f.anchor
			for i := 0; i+len(phrase) <= len(text); i++ {
				if lowerASCII(text[i+k]) == lowerASCII(phrase[k]) {
					want = append(want, i)
				}
			}
			// got must be a subsequence of want that includes want's first
			// element at or after each call.
			j := 0
			for _, g := range got {
				for j < len(want) && want[j] < g {
					j++
				}
				if j == len(want) || want[j] != g {
					t.Fatalf("%q in %q: candidate %d is not a start (want %v, got %v)", phrase, text, g, want, got)
				}
			}
			if len(want) > 0 && (len(got) == 0 || got[0] != want[0]) {
				t.Fatalf("%q in %q: first candidate %v, want %d", phrase, text, got, want[0])
			}
		}
	}
}

// TestMatchPhraseBruteForce checks MatchPhrase against trying every start.
func TestMatchPhraseBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const alphabet = "aAwWfF d-.Pp@1"
	for _, phrase := range []string{"Failed password", "wp-login", "a", "W", "@1", "-.", "ppp", "f a"} {
		needStart, needEnd := IsTokenByte(phrase[0]), IsTokenByte(phrase[len(phrase)-1])
		for range 500 {
			b := make([]byte, r.IntN(30))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			if r.IntN(3) == 0 && len(b) > len(phrase) { // plant it, in some case
				at := r.IntN(len(b) - len(phrase) + 1)
				for i := range len(phrase) {
					b[at+i] = phrase[i] ^ byte(r.IntN(2)*0x20)*boolByte(isLetter(phrase[i]))
				}
			}
			text := string(b)
			want := false
			for i := 0; i+len(phrase) <= len(text) && !want; i++ {
				end := i + len(phrase)
				want = EqualFoldASCII(text[i:end], phrase) &&
					!(needStart && i > 0 && IsTokenByte(text[i-1])) &&
					!(needEnd && end < len(text) && IsTokenByte(text[end]))
			}
			if got := MatchPhrase(phrase, text); got != want {
				t.Fatalf("MatchPhrase(%q, %q) = %v, want %v", phrase, text, got, want)
			}
		}
	}
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// TestMayTouch checks mayTouch against its definition: some placement of
// v that overlaps the phrase agrees with it, ASCII case ignored, wherever
// they overlap.
func TestMayTouch(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	const alphabet = "abAB-1."
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		p, v := word(1+r.IntN(6)), word(1+r.IntN(6))
		want := false
		for o := -(len(v) - 1); o < len(p) && !want; o++ { // v starts at o in p's frame
			agree := true
			for i := max(0, o); i < min(len(p), o+len(v)); i++ {
				agree = agree && lowerASCII(p[i]) == lowerASCII(v[i-o])
			}
			want = agree
		}
		var in [256]bool
		for i := range len(p) {
			in[lowerASCII(p[i])] = true
		}
		if got := mayTouch(p, v, &in); got != want {
			t.Fatalf("mayTouch(%q, %q) = %v, want %v", p, v, got, want)
		}
	}
}

// BenchmarkMatchPhraseRows is the phrase scan of the brute-force hunt over
// blocks of 1,024 auth.log-like rows, most holding the phrase.
func BenchmarkMatchPhraseRows(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	templates := []string{
		"Mar  6 00:00:%02d web01 sshd[%d]: Failed password for invalid user admin from 10.0.4.%d port 8905 ssh2\n",
		"Mar  6 00:00:%02d bastion sshd[%d]: Failed password for root from 10.0.7.%d port 50226 ssh2\n",
		"Mar  6 00:00:%02d web02 sshd[%d]: Accepted password for frank from 10.0.1.%d port 28834 ssh2\n",
		"Mar  6 00:00:%02d db01 sshd[%d]: pam_unix(sshd:session): session opened for user carol by (uid=%d)\n",
	}
	var texts []string
	var endss [][]int
	total := 0
	for range 200 {
		var sb strings.Builder
		ends := make([]int, 1024)
		for i := range ends {
			fmt.Fprintf(&sb, templates[r.IntN(len(templates))], r.IntN(60), r.IntN(65536), r.IntN(256))
			ends[i] = sb.Len()
		}
		texts, endss = append(texts, sb.String()), append(endss, ends)
		total += sb.Len()
	}
	match := make([]bool, 1024)
	b.SetBytes(int64(total))
	for b.Loop() {
		for i, text := range texts {
			clear(match)
			matchPhraseRows("Failed password", text, endss[i], match)
		}
	}
}

func TestMatchWildcard(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"adm*", "Admin", true}, {"*min", "admin", true}, {"a*i*n", "admin", true}, {"*", "", true},
		{"adm", "admin", false}, {"a*z", "admin", false}, {"", "", true}, {"**", "x", true}, {"a?", "a?", true},
	}
	for _, c := range cases {
		if got := MatchWildcard(c.p, c.s); got != c.want {
			t.Errorf("MatchWildcard(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestCompleteTokensLowerCase(t *testing.T) {
	got := completeTokens("Failed ROOT* ünïcode_X", true, true)
	want := map[string]bool{"failed": true, "ünïcode_x": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("completeTokens = %v, want %v", got, want)
	}
}

// TestMatchWordWildcardLinear: a wildcard word on a long value without
// spaces (a URL, a base64 blob) takes time linear in its length. Every
// start and end of a candidate was once tried with a backtracking match
// each, cubic: `*1;` on the web logs' query strings timed a query out.
func TestMatchWordWildcardLinear(t *testing.T) {
	long := strings.Repeat("ab1;", 1<<15) // 128 KiB, one run of token and separator bytes
	start := time.Now()
	for _, c := range []struct {
		word string
		want bool
	}{
		{"*1;", true}, {"*1;x", false}, {"a*z", false}, {"ab*1;", true}, {"b*;", false}, {"ab*;ab*1", true},
		{"*;ab1", true}, {"*;ab", false}, {"z*", false}, {"ab1;ab1;*b", false},
	} {
		if got := MatchWord(c.word, long); got != c.want {
			t.Errorf("MatchWord(%q, long) = %v, want %v", c.word, got, c.want)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("9 wildcard words on 128 KiB took %v", d)
	}
}

// TestMatchWordWildcardBruteForce compares MatchWord's wildcard words
// with its definition, tried at every start and end, on random text.
func TestMatchWordWildcardBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "b", "A", "1", " ", "-", ".", "_", "ü", "\t"}
	pats := []string{"a*", "*a", "a*b", "*b*", "a*1", "A*-*b", "*.", "ü*", "**", "a**b", "-*", "*1*a", "b*-", "*_*"}
	for i := 0; i < 3000; i++ {
		var sb strings.Builder
		for n := r.IntN(14); n > 0; n-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		raw, pat := sb.String(), pats[r.IntN(len(pats))]
		if got, want := MatchWord(pat, raw), bruteWildWord(pat, raw); got != want {
			t.Fatalf("MatchWord(%q, %q) = %v, want %v", pat, raw, got, want)
		}
	}
}

// bruteWildWord is MatchWord's definition of a wildcard word: some
// substring without whitespace that starts a token (when the word starts
// with a token byte), ends one (likewise) and matches the pattern, '*'
// any run of bytes, ASCII case ignored. A word of stars alone matches.
func bruteWildWord(word, raw string) bool {
	if strings.Trim(word, "*") == "" {
		return true
	}
	needStart, needEnd := IsTokenByte(word[0]), IsTokenByte(word[len(word)-1])
	for si := 0; si <= len(raw); si++ {
		for e := si; e <= len(raw); e++ {
			if strings.ContainsAny(raw[si:e], " \t\r\n") {
				break
			}
			if needStart && si > 0 && IsTokenByte(raw[si-1]) || needEnd && e < len(raw) && IsTokenByte(raw[e]) {
				continue
			}
			if MatchWildcard(word, raw[si:e]) {
				return true
			}
		}
	}
	return false
}
