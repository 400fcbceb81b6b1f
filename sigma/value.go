package sigma

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

// PartKind tells a literal run from a wildcard in a Sigma string value.
type PartKind uint8

// The parts of a Sigma string: literal text, `*` (any run of
// characters, also empty) and `?` (exactly one character).
const (
	PartLit PartKind = iota
	PartStar
	PartOne
	partPlaceholder // %name% under |expand, replaced before compiling
)

// Part is one piece of a value: Lit holds the text of a PartLit (or the
// name of a placeholder).
type Part struct {
	Kind PartKind
	Lit  string
}

// sstring is a Sigma string value after escape processing: literal
// runs and wildcards.
type sstring []Part

// parseValue applies the escape rules of the specification: `\*`, `\?`
// and `\\` stand for the plain characters, any other backslash
// (including a trailing one) is a plain backslash, and unescaped `*` and
// `?` are wildcards. With placeholders, `%name%` is a placeholder and
// `\%` a plain percent sign.
func parseValue(s string, placeholders bool) sstring {
	var out sstring
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, Part{Kind: PartLit, Lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\' || placeholders && s[i+1] == '%'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*':
			flush()
			out = append(out, Part{Kind: PartStar})
		case c == '?':
			flush()
			out = append(out, Part{Kind: PartOne})
		case c == '%' && placeholders:
			end := strings.IndexByte(s[i+1:], '%')
			if end <= 0 || !isPlaceholderName(s[i+1:i+1+end]) {
				lit.WriteByte(c)
				continue
			}
			flush()
			out = append(out, Part{Kind: partPlaceholder, Lit: s[i+1 : i+1+end]})
			i += end + 1
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out
}

func isPlaceholderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return s != ""
}

// plain is a value without wildcards.
func plain(s string) sstring {
	if s == "" {
		return sstring{}
	}
	return sstring{{Kind: PartLit, Lit: s}}
}

// literal returns the text of a value and whether it has no wildcards.
func (v sstring) literal() (string, bool) {
	var b strings.Builder
	for _, p := range v {
		if p.Kind != PartLit {
			return "", false
		}
		b.WriteString(p.Lit)
	}
	return b.String(), true
}

// normalize merges adjacent literals and collapses runs of stars.
func (v sstring) normalize() sstring {
	out := make(sstring, 0, len(v))
	for _, p := range v {
		n := len(out)
		switch {
		case p.Kind == PartLit && p.Lit == "":
			continue
		case p.Kind == PartLit && n > 0 && out[n-1].Kind == PartLit:
			out[n-1].Lit += p.Lit
			continue
		case p.Kind == PartStar && n > 0 && out[n-1].Kind == PartStar:
			continue
		}
		out = append(out, p)
	}
	return out
}

func (v sstring) withPrefixStar() sstring {
	if len(v) > 0 && v[0].Kind == PartStar {
		return v
	}
	return append(sstring{{Kind: PartStar}}, v...)
}

func (v sstring) withSuffixStar() sstring {
	if len(v) > 0 && v[len(v)-1].Kind == PartStar {
		return v
	}
	return append(append(sstring{}, v...), Part{Kind: PartStar})
}

// mapLiterals applies fn to each literal run, keeping wildcards.
func (v sstring) mapLiterals(fn func(string) string) sstring {
	out := make(sstring, len(v))
	for i, p := range v {
		if p.Kind == PartLit {
			p.Lit = fn(p.Lit)
		}
		out[i] = p
	}
	return out
}

// String renders the value back in Sigma's escaped notation.
func (v sstring) String() string {
	var b strings.Builder
	for _, p := range v {
		switch p.Kind {
		case PartStar:
			b.WriteByte('*')
		case PartOne:
			b.WriteByte('?')
		case partPlaceholder:
			b.WriteString("%" + p.Lit + "%")
		default:
			for i := 0; i < len(p.Lit); i++ {
				c := p.Lit[i]
				if c == '*' || c == '?' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// utf16Bytes encodes s as UTF-16 (little- or big-endian) and returns the
// bytes as a Go string, as the utf16le/utf16be/wide modifiers do before
// a base64 modifier encodes them.
func utf16Bytes(s string, bigEndian bool) string {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// base64Offsets returns the three encodings of s that base64offset
// searches for: s may start at any of the three byte positions of a
// base64 group, so for shifts of 0, 1 and 2 bytes the value is encoded
// after that many filler bytes, and only the characters determined by s
// alone are kept (the leading ones mixed with the filler and the
// trailing one mixed with whatever follows are dropped, and so is
// padding).
func base64Offsets(s string) []string {
	out := make([]string, 0, 3)
	for shift := 0; shift < 3; shift++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), s...))
		start := [3]int{0, 2, 3}[shift]
		end := (shift + len(s)) * 8 / 6 // characters made of known bits only
		if end <= start {
			continue
		}
		out = append(out, enc[start:end])
	}
	return out
}

// windashChars are the characters windash treats as interchangeable.
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// windashVariants returns every value obtained by replacing each dash
// character of v's literals by any of windashChars; max bounds the
// number of variants (ok false beyond).
func windashVariants(v sstring, max int) ([]sstring, bool) {
	out := []sstring{{}}
	for _, p := range v {
		if p.Kind != PartLit {
			for i := range out {
				out[i] = append(out[i], p)
			}
			continue
		}
		for _, piece := range splitDashes(p.Lit) {
			if !piece.dash {
				for i := range out {
					out[i] = append(out[i], Part{Kind: PartLit, Lit: piece.text})
				}
				continue
			}
			if len(out)*len(windashChars) > max {
				return nil, false
			}
			next := make([]sstring, 0, len(out)*len(windashChars))
			for _, o := range out {
				for _, d := range windashChars {
					next = append(next, append(append(sstring{}, o...), Part{Kind: PartLit, Lit: d}))
				}
			}
			out = next
		}
	}
	for i := range out {
		out[i] = out[i].normalize()
	}
	return out, true
}

type dashPiece struct {
	text string
	dash bool
}

func splitDashes(s string) []dashPiece {
	var out []dashPiece
	start := 0
	for i, r := range s {
		d := ""
		for _, w := range windashChars {
			if string(r) == w {
				d = w
			}
		}
		if d == "" {
			continue
		}
		if i > start {
			out = append(out, dashPiece{text: s[start:i]})
		}
		out = append(out, dashPiece{text: d, dash: true})
		start = i + len(d)
	}
	if start < len(s) {
		out = append(out, dashPiece{text: s[start:]})
	}
	return out
}
