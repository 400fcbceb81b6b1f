package query

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer is hand-written because what a character means depends on the
// stage it is in, and only the first word of a stage says which:
//
//   - search mode (the first stage and `search`): a Word is any run of
//     characters up to whitespace or one of | ( ) = < > , and != — so
//     `fail*`, `10.0.*`, `-1d@d`, `/wp-login.php` and
//     `2025-03-06T08:00:00Z` are single words. A quote starts a String
//     only at the start of a token (`don't` is one word).
//   - expression mode (where, eval): identifiers are letters, digits, `_`
//     and `.` (so `a.b` is a field and `-` is always minus), numbers,
//     durations (`5m`), and the operators + - * / % = == != < <= > >=.
//   - argument mode (every other stage): identifiers may also contain `-`
//     and `/` (`user-agent`, `intel/ti.csv`), a leading `-` is its own
//     token (`sort -count`), and `=` separates an option from its value.
//
// In every mode "..." and '...' are strings (a backslash escapes the quote
// and itself; any other backslash is kept, so regexes read naturally) and
// `...` is a field name. Keywords are case-insensitive; the keywords of a
// mode are lexed as Keyword, never as a field name or word: write a field
// named like a keyword in backquotes. After `|` the next word must be a
// stage name: anything else is an error, never a search word.

// Token types of the query lexer.
const (
	tokStart    lexer.TokenType = -(iota + 2) // zero-width: a first stage without `search`
	tokStage                                  // a stage name at the start of a stage
	tokWord                                   // a search-mode word
	tokIdent                                  // an identifier in expression or argument mode
	tokKeyword                                // a keyword of the current mode
	tokString                                 // "..." or '...', value still quoted
	tokField                                  // `...`, value still quoted
	tokNumber                                 // 42, 1.5, 1e3
	tokDuration                               // 5m, 1h, 30s
	tokPunct                                  // | , ( ) = == != < <= > >= + - * / %
)

var symbols = map[string]lexer.TokenType{
	"EOF": lexer.EOF, "Start": tokStart, "Stage": tokStage, "Word": tokWord,
	"Ident": tokIdent, "Keyword": tokKeyword, "String": tokString, "Field": tokField,
	"Number": tokNumber, "Duration": tokDuration, "Punct": tokPunct,
}

type lexMode uint8

const (
	modeSearch lexMode = iota
	modeExpr
	modeArgs
)

// stageModes maps every stage name to the lexer mode of its arguments.
var stageModes = map[string]lexMode{
	"search": modeSearch, "where": modeExpr, "eval": modeExpr,
	"rex": modeArgs, "fields": modeArgs, "table": modeArgs, "rename": modeArgs,
	"stats": modeArgs, "bin": modeArgs, "timechart": modeArgs, "eventstats": modeArgs,
	"streamstats": modeArgs, "sort": modeArgs, "head": modeArgs, "tail": modeArgs,
	"dedup": modeArgs, "top": modeArgs, "rare": modeArgs, "lookup": modeArgs,
	"anomalies": modeArgs, "patterns": modeArgs, "context": modeArgs, "explain": modeArgs, "firstseen": modeArgs, "iplocation": modeArgs,
	"mvexpand": modeArgs, "fillnull": modeArgs, "makeresults": modeArgs, "reverse": modeArgs,
	"regex": modeExpr, "delta": modeArgs, "autoregress": modeArgs,
	"sigma": modeArgs, "transaction": modeExpr,
	"join": modeArgs, "append": modeArgs, "appendpipe": modeArgs,
	"spath": modeArgs, "inputlookup": modeArgs, "outputlookup": modeArgs, "chart": modeArgs, "xyseries": modeArgs, "untable": modeArgs, "addtotals": modeArgs, "convert": modeArgs,
}

// modeKeywords are the reserved words of each mode, lower-case.
var modeKeywords = [...]map[string]bool{
	modeSearch: {"and": true, "or": true, "not": true, "in": true},
	modeExpr: {"and": true, "or": true, "not": true, "like": true, "in": true,
		"true": true, "false": true, "null": true},
	modeArgs: {"by": true, "as": true, "output": true},
}

// queryLexer is the participle lexer.Definition over lex.
type queryLexer struct{}

func (queryLexer) Symbols() map[string]lexer.TokenType { return symbols }

func (queryLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks, perr := lexQuery(string(b))
	if perr != nil {
		return nil, perr
	}
	return &sliceLexer{toks: toks}, nil
}

// sliceLexer hands out already lexed tokens.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	t := l.toks[l.i]
	if l.i < len(l.toks)-1 {
		l.i++
	}
	return t, nil
}

// queryScanner is the state of one lex call.
type queryScanner struct {
	src        string
	pos        int // byte offset of the next character
	line, col  int // of pos, 1-based, col in bytes
	toks       []lexer.Token
	mode       lexMode
	stage      int    // index of the current stage
	stageNm    string // its name, lower-case
	stageStart bool   // the next token starts a stage
	frames     []lexFrame
	subOpts    bool // the next tokens may be a subsearch's maxout= and maxtime=
}

// lexFrame is the state outside an open '[': a subsearch (a query of its
// own, in search terms or after join and append) or appendpipe's stages.
type lexFrame struct {
	mode    lexMode
	stage   int
	stageNm string
	open    int // offset of the '['
}

// lex splits q into tokens, ending with EOF.
func lexQuery(q string) ([]lexer.Token, *posError) {
	s := &queryScanner{src: q, line: 1, col: 1, stageStart: true}
	for {
		s.skipSpace()
		if s.stageStart {
			if s.subOpts {
				if err := s.subsearchOptions(); err != nil {
					return nil, err
				}
			}
			if err := s.stageName(); err != nil {
				return nil, err
			}
			continue
		}
		if s.pos >= len(s.src) {
			if n := len(s.frames); n > 0 {
				return nil, s.errorf(s.frames[n-1].open, "'[' is not closed")
			}
			s.emit(lexer.EOF, s.pos)
			return s.toks, nil
		}
		switch s.src[s.pos] {
		case '|':
			s.punct(1)
			s.stage++
			s.stageStart = true
			continue
		case '[':
			if err := s.openBracket(); err != nil {
				return nil, err
			}
			continue
		case ']':
			if n := len(s.frames); n > 0 {
				s.punct(1)
				f := s.frames[n-1]
				s.frames = s.frames[:n-1]
				s.mode, s.stage, s.stageNm = f.mode, f.stage, f.stageNm
				continue
			}
		}
		if err := s.token(); err != nil {
			return nil, err
		}
	}
}

func (s *queryScanner) position() lexer.Position {
	return lexer.Position{Offset: s.pos, Line: s.line, Column: s.col}
}

// emit adds a token from the current position to end and moves past it.
func (s *queryScanner) emit(t lexer.TokenType, end int) {
	tok := lexer.Token{Type: t, Value: s.src[s.pos:end], Pos: s.position()}
	s.toks = append(s.toks, tok)
	s.advance(end)
}

func (s *queryScanner) advance(end int) {
	for ; s.pos < end; s.pos++ {
		if s.src[s.pos] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
	}
}

func (s *queryScanner) punct(n int) { s.emit(tokPunct, s.pos+n) }

func (s *queryScanner) errorf(off int, format string, args ...any) *posError {
	return errorfAt(off, format, args...)
}

func (s *queryScanner) skipSpace() {
	end := s.pos
	for end < len(s.src) && isSpaceByte(s.src[end]) {
		end++
	}
	s.advance(end)
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// stageName lexes the name that starts a stage and sets the mode. The
// first stage is a search with or without the word `search`.
func (s *queryScanner) stageName() *posError {
	s.stageStart = false
	end := s.pos
	for end < len(s.src) && isWordByte(s.src[end]) {
		end++
	}
	name := strings.ToLower(s.src[s.pos:end])
	if s.stage == 0 {
		s.mode = modeSearch
		next := byte(' ')
		if end < len(s.src) {
			next = s.src[end]
		}
		if name == "search" && strings.IndexByte("=!<>", next) < 0 && !s.wordByte(end) {
			s.emit(tokStage, end)
		} else {
			s.emit(tokStart, s.pos)
		}
		return nil
	}
	if end == s.pos {
		if n := len(s.toks); n > 0 && s.toks[n-1].Value == "[" {
			return s.errorf(s.pos, "expected a stage name after '['")
		}
		return s.errorf(s.pos, "expected a stage name after '|'")
	}
	mode, ok := stageModes[name]
	if !ok {
		return s.errorf(s.pos, "unknown stage %q%s", s.src[s.pos:end], didYouMean(name, StageNames()))
	}
	s.mode = mode
	s.stageNm = name
	s.emit(tokStage, end)
	return nil
}

// isSearchWordByte reports whether the byte at i continues a search word.
func isSearchWordByte(src string, i int) bool {
	if i >= len(src) {
		return false
	}
	c := src[i]
	if isSpaceByte(c) || strings.IndexByte("|()=<>,", c) >= 0 {
		return false
	}
	return !(c == '!' && i+1 < len(src) && src[i+1] == '=')
}

// isWordByte reports whether c may appear in a stage or function name.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// token lexes one token in the current mode.
func (s *queryScanner) token() *posError {
	c := s.src[s.pos]
	switch {
	case c == '"' || c == '\'':
		return s.quoted(tokString, c)
	case c == '`':
		return s.quoted(tokField, c)
	}
	if s.mode == modeSearch {
		return s.searchToken()
	}
	return s.exprToken()
}

// quoted lexes a string or a backquoted field starting at the quote q.
func (s *queryScanner) quoted(t lexer.TokenType, q byte) *posError {
	for i := s.pos + 1; i < len(s.src); i++ {
		switch s.src[i] {
		case '\\':
			if t == tokString {
				i++
			}
		case q:
			s.emit(t, i+1)
			return nil
		}
	}
	if t == tokField {
		return s.errorf(s.pos, "unclosed backquote")
	}
	return s.errorf(s.pos, "unclosed quote")
}

// searchToken lexes a word, keyword or operator in search mode.
func (s *queryScanner) searchToken() *posError {
	src, i := s.src, s.pos
	switch c := src[i]; {
	case c == '(' || c == ')' || c == ',' || c == '=':
		s.punct(1)
		return nil
	case c == '<' || c == '>' || c == '!' && i+1 < len(src) && src[i+1] == '=':
		if i+1 < len(src) && src[i+1] == '=' {
			s.punct(2)
		} else {
			s.punct(1)
		}
		return nil
	}
	end := i + 1
	for s.wordByte(end) {
		end++
	}
	if modeKeywords[modeSearch][strings.ToLower(src[i:end])] {
		s.emit(tokKeyword, end)
	} else {
		s.emit(tokWord, end)
	}
	return nil
}

// wordByte reports whether the byte at i continues a search word: in a
// subsearch a ']' ends it.
func (s *queryScanner) wordByte(i int) bool {
	return isSearchWordByte(s.src, i) && !(s.src[i] == ']' && len(s.frames) > 0)
}

// openBracket lexes a '[': a subsearch in search terms or after join and
// append, the stages of appendpipe.
func (s *queryScanner) openBracket() *posError {
	stage := 0
	switch {
	case s.mode == modeSearch:
	case s.stageNm == "join" || s.stageNm == "append":
	case s.stageNm == "appendpipe":
		stage = 1 // its stages start with a stage name, as after '|'
	default:
		return s.errorf(s.pos, "a subsearch [...] goes in search terms or after join or append (appendpipe takes [STAGES])")
	}
	s.frames = append(s.frames, lexFrame{mode: s.mode, stage: s.stage, stageNm: s.stageNm, open: s.pos})
	s.subOpts = stage == 0
	s.punct(1)
	s.stage, s.stageStart = stage, true
	return nil
}

// subsearchOptions lexes the maxout=N and maxtime=DUR that may open a
// subsearch in search terms, as argument-mode tokens.
func (s *queryScanner) subsearchOptions() *posError {
	s.subOpts = false
	for {
		s.skipSpace()
		end := s.pos
		for end < len(s.src) && isWordByte(s.src[end]) {
			end++
		}
		name := strings.ToLower(s.src[s.pos:end])
		eq := end
		for eq < len(s.src) && isSpaceByte(s.src[eq]) {
			eq++
		}
		if name != "maxout" && name != "maxtime" || eq >= len(s.src) || s.src[eq] != '=' {
			return nil
		}
		s.emit(tokIdent, end)
		s.skipSpace()
		s.punct(1)
		s.skipSpace()
		if s.pos >= len(s.src) {
			return nil
		}
		mode := s.mode
		s.mode = modeArgs
		err := s.token()
		s.mode = mode
		if err != nil {
			return err
		}
	}
}
