package drain

import "strings"

// MaskVariables replaces the variable parts of a log line with <*> before
// Drain splits it, so lines that differ only in them share a template. A
// variable starts after a non-word byte (word bytes are ASCII letters and
// digits, and every byte of a non-ASCII character; so `_`, `=`, `/`, `:`
// and the like end a word), but not after a `.` that follows a digit
// (v1.2 stays whole; core.42 becomes core.<*>), and ends before a non-word
// byte. The variables are:
//
//   - hex numbers: 0x1f, 0XDEADBEEF
//   - UUIDs: 123e4567-e89b-12d3-a456-426614174000
//   - hex ids: eight or more hex digits, both letters and decimal digits
//     (3f2a9c1e, a commit hash, a session id)
//   - colon-separated hex groups with three or more colons: MAC and IPv6
//     addresses (00:1a:2b:3c:4d:5e, fe80::1:2:3) when they hold a digit
//   - numbers, with an optional sign, and runs of digit groups joined by
//     `.`, `:`, `-`, `/`, `_` or a `T` between date and time, so an IPv4
//     address with its port (10.0.0.1:8080), a version (2.6.32), a time
//     (10:42:07.123), a date (2025-03-06, 2025-03-06T10:42:07) or an id
//     of numbers (30546174_3296323778) is one <*>. A number may be followed by a unit in letters, which stays:
//     10ms becomes <*>ms, 64KB <*>KB; but not by more digits (5e3, 1a2b
//     stay as they are).
//   - host names: labels of letters, digits and `-` joined by `.`, the
//     last one a top-level domain (com, net, org, edu, gov, io and the
//     like, local, lan, internal; or, after two dots or more, two
//     lowercase letters, a country's domain, but not a file's extension
//     such as gz or js), with an optional `:port`; or, with a port, any
//     last label of two to six lowercase letters, but not a source file
//     and its line (Foo.java:42): www.example.com:443, csdnimg.cn:80,
//     proxy.cse.cuhk.edu.hk, MSRA-SA-39.fareast.corp.microsoft.com.
//     Dotted names of code (org.apache.hadoop.Foo, com.apple.xpc) end in
//     no such domain and stay.
//   - English month and weekday abbreviations: Jan to Dec, Mon to Sun, as
//     in syslog and ctime timestamps.
func MaskVariables(s string) string {
	var out []byte // nil until the first variable
	last := 0      // s[last:i] is not yet copied to out
	dot := -1      // the first '.' at or after i, len(s) for none; -1 not yet looked for
	for i := 0; i < len(s); i++ {
		if i > 0 && maskIsWord(s[i-1]) || i > 1 && s[i-1] == '.' && maskIsDigit(s[i-2]) {
			continue
		}
		if dot < i {
			if dot = strings.IndexByte(s[i:], '.'); dot < 0 {
				dot = len(s)
			} else {
				dot += i
			}
		}
		n := variableLen(s, i, dot < len(s))
		if n == 0 {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(s))
		}
		out = append(out, s[last:i]...)
		out = append(out, Wild...)
		i += n - 1
		last = i + 1
	}
	if out == nil {
		return s
	}
	return string(append(out, s[last:]...))
}

// variableLen returns the length of the variable that starts s[i:], or 0;
// a host name only when dotted (s has a '.' after i).
func variableLen(s string, i int, dotted bool) int {
	c := s[i]
	switch {
	case c == '-' || c == '+':
		return numberLen(s, i)
	case !maskIsHex(c):
		if !maskIsLetter(c) {
			return 0
		}
		if dotted {
			if n := hostLen(s, i); n > 0 {
				return n
			}
		}
		return calendarLen(s, i)
	}
	if n := hexNumberLen(s, i); n > 0 {
		return n
	}
	if n := uuidLen(s, i); n > 0 {
		return n
	}
	if n := hexColonLen(s, i); n > 0 {
		return n
	}
	if n := hexIDLen(s, i); n > 0 {
		return n
	}
	if dotted {
		if n := hostLen(s, i); n > 0 {
			return n
		}
	}
	if maskIsDigit(c) {
		return numberLen(s, i)
	}
	return calendarLen(s, i)
}

// maskEnds reports whether a variable may end at s[j].
func maskEnds(s string, j int) bool { return j >= len(s) || !maskIsWord(s[j]) }

func hexNumberLen(s string, i int) int {
	if i+2 >= len(s) || s[i] != '0' || (s[i+1] != 'x' && s[i+1] != 'X') {
		return 0
	}
	j := i + 2 + maskHexRun(s[i+2:])
	if j == i+2 || !maskEnds(s, j) {
		return 0
	}
	return j - i
}

func uuidLen(s string, i int) int {
	j := i
	for g, want := range [...]int{8, 4, 4, 4, 12} {
		if g > 0 {
			if j >= len(s) || s[j] != '-' {
				return 0
			}
			j++
		}
		if maskHexRun(s[j:]) != want {
			return 0
		}
		j += want
	}
	if !maskEnds(s, j) {
		return 0
	}
	return j - i
}

func hexColonLen(s string, i int) int {
	j, colons, digit := i, 0, false
	for j < len(s) {
		n := maskHexRun(s[j:])
		if n > 4 {
			return 0
		}
		digit = digit || drainHasDigit(s[j:j+n])
		j += n
		if j >= len(s) || s[j] != ':' {
			break
		}
		colons++
		j++
	}
	if colons > 0 && s[j-1] == ':' { // a trailing colon is punctuation
		j--
		colons--
	}
	if colons < 3 || !digit || !maskEnds(s, j) {
		return 0
	}
	return j - i
}

func hexIDLen(s string, i int) int {
	n := maskHexRun(s[i:])
	if n < 8 || !drainHasDigit(s[i:i+n]) || maskDigitRun(s[i:]) == n || !maskEnds(s, i+n) {
		return 0
	}
	return n
}

func numberLen(s string, i int) int {
	j := i
	if s[j] == '-' || s[j] == '+' {
		j++
	}
	if j >= len(s) || !maskIsDigit(s[j]) {
		return 0
	}
	j += maskDigitRun(s[j:])
	for j+1 < len(s) && maskIsDigit(s[j+1]) && maskIsJoin(s[j]) {
		j++
		j += maskDigitRun(s[j:])
	}
	k := j
	for k < len(s) && maskIsLetter(s[k]) {
		k++
	}
	if !maskEnds(s, k) {
		return 0
	}
	return j - i
}

func maskIsJoin(c byte) bool {
	return c == '.' || c == ':' || c == '-' || c == '/' || c == 'T' || c == '_'
}

func maskHexRun(s string) int {
	n := 0
	for n < len(s) && maskIsHex(s[n]) {
		n++
	}
	return n
}

// genericTLDs are the top-level domains a host name may end in at any
// number of dots.
var genericTLDs = map[string]bool{}

func init() {
	for _, d := range strings.Fields(`com net org edu gov mil int info biz io local localdomain lan internal
		intranet corp home arpa asia eu xyz app dev cloud online site top tech mobi name pro tel travel jobs
		museum aero coop`) {
		genericTLDs[d] = true
	}
}

func maskLetterOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !maskIsLetter(s[i]) {
			return false
		}
	}
	return true
}

// portTLD reports whether the last label of a host name with a port may
// be a top-level domain: two to six lowercase letters.
func portTLD(label string) bool {
	if len(label) < 2 || len(label) > 6 {
		return false
	}
	switch label { // a source file and its line: Foo.java:42
	case "java", "kt", "scala", "go", "py", "rb", "js", "ts", "cpp", "cc", "cxx", "hpp", "hh", "cs", "rs",
		"php", "pl", "pm", "lua", "swift", "mm", "sh", "erl", "ex", "exs", "clj", "groovy":
		return false
	}
	for i := 0; i < len(label); i++ {
		if label[i] < 'a' || label[i] > 'z' {
			return false
		}
	}
	return true
}

func maskDigitRun(s string) int {
	n := 0
	for n < len(s) && maskIsDigit(s[n]) {
		n++
	}
	return n
}

func maskIsDigit(c byte) bool  { return '0' <= c && c <= '9' }
func maskIsLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func maskIsHex(c byte) bool    { return maskIsDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// maskIsWord reports whether c is part of a word: an ASCII letter or
// digit, or a byte of a non-ASCII character.
func maskIsWord(c byte) bool { return maskIsDigit(c) || maskIsLetter(c) || c >= 0x80 }

// calendarLen matches an English month or weekday abbreviation (Jan, Mon).
func calendarLen(s string, i int) int {
	if i+3 > len(s) || !maskEnds(s, i+3) {
		return 0
	}
	switch s[i : i+3] {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return 3
	}
	return 0
}

// hostLen matches a host name with an optional port (see MaskVariables).
func hostLen(s string, i int) int {
	j, dots, last := i, 0, i
	for {
		n := 0
		for j+n < len(s) && (maskIsDigit(s[j+n]) || maskIsLetter(s[j+n]) || s[j+n] == '-') {
			n++
		}
		if n == 0 || s[j] == '-' || s[j+n-1] == '-' {
			return 0
		}
		last = j
		j += n
		if j+1 < len(s) && s[j] == '.' && (maskIsDigit(s[j+1]) || maskIsLetter(s[j+1])) {
			dots++
			j++
			continue
		}
		break
	}
	port := j+1 < len(s) && s[j] == ':' && maskIsDigit(s[j+1])
	if dots == 0 || !topLevelDomain(s[last:j], dots) && !(port && portTLD(s[last:j])) {
		return 0
	}
	if port {
		j += 1 + maskDigitRun(s[j+1:])
	}
	if !maskEnds(s, j) {
		return 0
	}
	return j - i
}

// topLevelDomain reports whether the last label of a host name with this
// many dots is a top-level domain.
func topLevelDomain(label string, dots int) bool {
	var low [16]byte
	if len(label) <= len(low) {
		for i := 0; i < len(label); i++ {
			low[i] = label[i] | 0x20 // lowercase for letters; maskLetterOnly rejects the rest
		}
		if genericTLDs[string(low[:len(label)])] && maskLetterOnly(label) {
			return true
		}
	}
	if dots < 2 || len(label) != 2 || !('a' <= label[0] && label[0] <= 'z' && 'a' <= label[1] && label[1] <= 'z') {
		return false
	}
	switch label { // file extensions, not countries
	case "gz", "xz", "bz", "js", "py", "sh", "so", "go", "rb", "pl", "md", "ps", "db", "cs", "rs", "ts", "hs",
		"el", "ml", "mk", "ko", "mo", "po", "cc", "hh", "pm", "am", "in", "ui", "os":
		return false
	}
	return true
}
