package query

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Limits on what Parse accepts.
const (
	MaxQueryLen = 64 << 10 // bytes of query text
	MaxDepth    = 100      // nested parentheses plus chained NOT or unary minus
)

// queryGrammar builds the parser on first use. Building it takes about a
// millisecond, so init starts it on another core while the program starts
// up: every command pays for the package's initialization, a query would
// then wait for it.
var queryGrammar = sync.OnceValue(func() *participle.Parser[Query] {
	return participle.MustBuild[Query](
		participle.Lexer(queryLexer{}),
		participle.Union[Command](commandTypes...),
		participle.CaseInsensitive("Keyword", "Stage"),
		participle.UseLookahead(4),
	)
})

func init() { go queryGrammar() }

// checker is implemented by nodes that validate themselves after parsing
// (names of options, aggregates and functions, regexes, times) and fill
// their typed fields.
type checker interface {
	check() *posError
}

// Parse parses and checks a query. Every error is an *Error pointing at
// the place in q.
func Parse(q string) (*Query, error) {
	if len(q) > MaxQueryLen {
		return nil, newError(q, MaxQueryLen, fmt.Sprintf("query is too long (more than %d KiB)", MaxQueryLen>>10))
	}
	if !utf8.ValidString(q) {
		off := 0
		for off < len(q) {
			r, n := utf8.DecodeRuneInString(q[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return nil, newError(q, off, "query is not valid UTF-8")
	}
	if strings.TrimSpace(q) == "" {
		return nil, newError(q, 0, "empty query")
	}
	ast, perr := parseQuery(q)
	if perr != nil {
		return nil, newError(q, perr.off, perr.msg)
	}
	return ast, nil
}

// parseQuery is Parse with the error at a byte offset of q, for a query
// inside another's text (transaction's startswith="...").
func parseQuery(q string) (*Query, *posError) {
	toks, perr := lexQuery(q)
	if perr == nil {
		perr = checkDepth(toks)
	}
	if perr != nil {
		return nil, perr
	}
	pl, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, errorfAt(0, "%s", err.Error())
	}
	ast, err := queryGrammar().ParseFromLexer(pl)
	if err != nil {
		return nil, translateParseError(toks, err)
	}
	if perr := checkStages(ast.Stages); perr != nil {
		return nil, perr
	}
	if perr := checkMakeresultsFirst(ast); perr != nil {
		return nil, perr
	}
	return ast, nil
}

// checkStages checks the stages of a pipeline.
func checkStages(stages []Command) *posError {
	for _, st := range stages {
		if c, ok := st.(checker); ok {
			if perr := c.check(); perr != nil {
				return perr
			}
		}
	}
	return nil
}

// checkDepth rejects unbalanced parentheses and nesting deeper than
// MaxDepth before the recursive parser sees them.
func checkDepth(toks []lexer.Token) *posError {
	var open []int  // offsets of the open parentheses
	var outer []int // len(open) outside each open '['
	base := 0       // len(open) at the current '[' level
	run := 0        // chained prefix operators
	for _, t := range toks {
		switch {
		case t.Type == tokPunct && t.Value == "(":
			open = append(open, t.Pos.Offset)
		case t.Type == tokPunct && t.Value == ")":
			if len(open) == base {
				return errorfAt(t.Pos.Offset, "unexpected ')'")
			}
			open = open[:len(open)-1]
		case t.Type == tokPunct && t.Value == "[":
			outer = append(outer, base)
			base = len(open)
			open = append(open, t.Pos.Offset) // a level of nesting
			base++
		case t.Type == tokPunct && t.Value == "]":
			if len(open) > base {
				return errorfAt(open[len(open)-1], "'(' is not closed")
			}
			open = open[:base-1]
			base = outer[len(outer)-1]
			outer = outer[:len(outer)-1]
		case t.Type == tokPunct && t.Value == "|" || t.EOF():
			if len(open) > base {
				return errorfAt(open[len(open)-1], "'(' is not closed")
			}
		}
		if t.Type == tokKeyword && strings.EqualFold(t.Value, "not") || t.Type == tokPunct && t.Value == "-" {
			run++
		} else {
			run = 0
		}
		if len(open)+run > MaxDepth {
			return errorfAt(t.Pos.Offset, "query is nested too deeply (more than %d levels)", MaxDepth)
		}
	}
	return nil
}

// translate turns a participle error into a friendly message at the
// offending token: participle's own wording (a grammar dump) never reaches
// the user.
func translateParseError(toks []lexer.Token, err error) *posError {
	off := 0
	if pe, ok := err.(participle.Error); ok {
		off = pe.Position().Offset
	}
	i := 0
	for i < len(toks)-1 && toks[i].Pos.Offset < off {
		i++
	}
	// participle may report a zero-width Start token; skip to a real one.
	for i < len(toks)-1 && toks[i].Type == tokStart {
		i++
	}
	t := toks[i]
	msg := "unexpected " + describeToken(t)
	name := stageOf(toks[:i+1])
	if i > 0 {
		if m := expectAfter(toks[i-1], t, stageModes[name]); m != "" {
			msg = m
		}
	}
	if h, ok := Help(name); ok {
		msg += " (usage: " + h.Syntax + ")"
	}
	return errorfAt(t.Pos.Offset, "%s", msg)
}

// describe names a token for a message.
func describeToken(t lexer.Token) string {
	if t.EOF() {
		return "end of query"
	}
	v := t.Value
	if r := []rune(v); len(r) > 24 {
		v = string(r[:24]) + "…"
	}
	return "'" + v + "'"
}

// expectAfter says what should have followed prev, or "".
func expectAfter(prev, t lexer.Token, mode lexMode) string {
	got := ", got " + describeToken(t)
	term := "a term"
	if mode == modeExpr {
		term = "an expression"
	}
	v := strings.ToLower(prev.Value)
	switch {
	case prev.Type == tokKeyword && v == "by":
		return "expected a field name after 'by'" + got
	case prev.Type == tokKeyword && v == "as":
		return "expected a name after 'as'" + got
	case prev.Type == tokKeyword && v == "output":
		return "expected a field name after 'output'" + got
	case prev.Type == tokKeyword && v == "in":
		return "expected '(' after 'in'" + got
	case prev.Type == tokKeyword && (v == "and" || v == "or" || v == "not" || v == "like"):
		return fmt.Sprintf("expected %s after '%s'%s", term, prev.Value, got)
	case prev.Type == tokPunct && prev.Value == "=":
		return "expected a value after '='" + got
	case prev.Type == tokPunct && strings.Contains("+-*/%<>!=,", prev.Value[:1]):
		return fmt.Sprintf("expected an operand after '%s'%s", prev.Value, got)
	}
	return ""
}

// stageOf returns the name of the stage the last token is in ("search"
// for the first stage).
func stageOf(toks []lexer.Token) string {
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].Type == tokStage {
			return strings.ToLower(toks[i].Value)
		}
	}
	return "search"
}
