package query

import (
	"strings"
)

// exprToken lexes one token in expression or argument mode.
func (s *queryScanner) exprToken() *posError {
	src, i := s.src, s.pos
	c := src[i]
	switch {
	case isDigitByte(c) || c == '.' && i+1 < len(src) && isDigitByte(src[i+1]):
		return s.number()
	case isIdentStart(c) || s.stageNm == "sigma" && (c == '/' || c == '.') || s.stageNm == "spath" && c == '{': // sigma rules=/path, spath {}.a
		end := i + 1
		for end < len(src) && s.isIdentByte(src[end]) {
			end++
		}
		// In argument mode a keyword right before '=' is an option's name
		// (spath output=F), never the keyword.
		optName := s.mode == modeArgs && end < len(src) && src[end] == '='
		if modeKeywords[s.mode][strings.ToLower(src[i:end])] && !optName {
			s.emit(tokKeyword, end)
		} else {
			s.emit(tokIdent, end)
		}
		return nil
	}
	if n := s.operator(); n > 0 {
		s.punct(n)
		return nil
	}
	if c == '.' && s.mode == modeExpr {
		return s.errorf(i, "unexpected '.' (join strings with +)")
	}
	r := []rune(src[i:min(len(src), i+4)])
	return s.errorf(i, "unexpected character %q", r[0])
}

// operator returns the length of the operator at the current position, or
// 0 when there is none in this mode.
func (s *queryScanner) operator() int {
	src, i := s.src, s.pos
	two := ""
	if i+1 < len(src) {
		two = src[i : i+2]
	}
	if s.mode == modeExpr {
		switch two {
		case "==", "!=", "<=", ">=":
			return 2
		}
		if strings.IndexByte("=<>+-*/%(),", src[i]) >= 0 {
			return 1
		}
		return 0
	}
	if two == ">=" && s.stageNm == "sigma" {
		return 2 // sigma level>=high
	}
	if strings.IndexByte("=,()-+", src[i]) >= 0 {
		return 1
	}
	return 0
}

// number lexes a number, or a duration when letters follow it.
func (s *queryScanner) number() *posError {
	src, end := s.src, s.pos
	for end < len(src) && isDigitByte(src[end]) {
		end++
	}
	if end+1 < len(src) && src[end] == '.' && isDigitByte(src[end+1]) {
		end++
		for end < len(src) && isDigitByte(src[end]) {
			end++
		}
	}
	if end+1 < len(src) && (src[end] == 'e' || src[end] == 'E') {
		j := end + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigitByte(src[j]) {
			for end = j; end < len(src) && isDigitByte(src[end]); end++ {
			}
		}
	}
	if end < len(src) && isLetterByte(src[end]) {
		unit := end
		for end < len(src) && isLetterByte(src[end]) {
			end++
		}
		if _, err := ParseDuration(src[s.pos:end]); err != nil {
			return s.errorf(unit, "unknown duration unit %q (use s, m, h, d or w)", src[unit:end])
		}
		s.emit(tokDuration, end)
		return nil
	}
	s.emit(tokNumber, end)
	return nil
}

func isDigitByte(c byte) bool  { return c >= '0' && c <= '9' }
func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isIdentStart(c byte) bool { return isLetterByte(c) || c == '_' || c == '@' || c >= 0x80 }

// isIdentByte reports whether c continues an identifier in this mode.
func (s *queryScanner) isIdentByte(c byte) bool {
	if isLetterByte(c) || isDigitByte(c) || c == '_' || c == '.' || c >= 0x80 {
		return true
	}
	return s.mode == modeArgs && (c == '-' || c == '/') || s.stageNm == "spath" && (c == '{' || c == '}')
}
