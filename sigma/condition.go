package sigma

import (
	"fmt"
	"sort"
	"strings"
)

// The condition grammar, least to most binding as the specification
// orders it:
//
//	expr    = and { "or" and }
//	and     = not { "and" not }
//	not     = "not" not | primary
//	primary = "(" expr ")" | quant | IDENT
//	quant   = ( "1" | "all" ) "of" ( PATTERN | "them" )
//
// Keywords are matched without regard to case. PATTERN may hold `*`
// wildcards; `them` means every search identifier not starting with `_`.

type condNode interface{ condPos() int }

type condBin struct {
	and  bool
	l, r condNode
	pos  int
}
type condNot struct {
	arg condNode
	pos int
}
type condIdent struct {
	name string
	pos  int
}
type condOf struct {
	all     bool
	pattern string // "" for them
	pos     int
}

func (c *condBin) condPos() int   { return c.pos }
func (c *condNot) condPos() int   { return c.pos }
func (c *condIdent) condPos() int { return c.pos }
func (c *condOf) condPos() int    { return c.pos }

// condError is a condition problem at a 1-based column.
type condError struct {
	col int
	msg string
}

func (e *condError) Error() string { return fmt.Sprintf("%s at column %d", e.msg, e.col) }

type condToken struct {
	text string
	pos  int // 1-based column
}

func lexCondition(s string) ([]condToken, *condError) {
	var toks []condToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{string(c), i + 1})
			i++
		case c == '|':
			return nil, &condError{i + 1, "aggregation expressions (`| count() ...`) are Sigma 1 syntax: write a correlation rule instead"}
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, condToken{s[i:j], i + 1})
			i = j
		default:
			return nil, &condError{i + 1, fmt.Sprintf("unexpected character %q", c)}
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '*' || c >= 0x80
}

type condParser struct {
	toks []condToken
	i    int
	end  int // column just past the text
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return strings.ToLower(p.toks[p.i].text)
	}
	return ""
}

func (p *condParser) pos() int {
	if p.i < len(p.toks) {
		return p.toks[p.i].pos
	}
	return p.end
}

// parseCondition parses one condition string.
func parseCondition(s string) (condNode, *condError) {
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks, end: len(s) + 1}
	if len(toks) == 0 {
		return nil, &condError{1, "empty condition"}
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, &condError{p.pos(), fmt.Sprintf("unexpected %q", p.toks[p.i].text)}
	}
	return n, nil
}

func (p *condParser) or() (condNode, *condError) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "or" {
		pos := p.pos()
		p.i++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &condBin{and: false, l: l, r: r, pos: pos}
	}
	return l, nil
}

func (p *condParser) and() (condNode, *condError) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.peek() == "and" {
		pos := p.pos()
		p.i++
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &condBin{and: true, l: l, r: r, pos: pos}
	}
	return l, nil
}

func (p *condParser) not() (condNode, *condError) {
	if p.peek() == "not" {
		pos := p.pos()
		p.i++
		a, err := p.not()
		if err != nil {
			return nil, err
		}
		return &condNot{arg: a, pos: pos}, nil
	}
	return p.primary()
}

func (p *condParser) primary() (condNode, *condError) {
	pos := p.pos()
	switch w := p.peek(); {
	case w == "":
		return nil, &condError{pos, "condition ends where an identifier or `(` is expected"}
	case w == "(":
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, &condError{p.pos(), fmt.Sprintf("missing `)` for the `(` at column %d", pos)}
		}
		p.i++
		return n, nil
	case w == ")":
		return nil, &condError{pos, "unexpected `)`"}
	case w == "and" || w == "or" || w == "of" || w == "them":
		return nil, &condError{pos, fmt.Sprintf("unexpected %q where an identifier is expected", p.toks[p.i].text)}
	}
	if p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].text, "of") {
		q := p.peek()
		if q != "1" && q != "all" {
			return nil, &condError{pos, fmt.Sprintf("`%s of` is not Sigma: only `1 of` and `all of` are", p.toks[p.i].text)}
		}
		p.i += 2
		if p.i >= len(p.toks) {
			return nil, &condError{p.pos(), "`of` must be followed by a pattern or `them`"}
		}
		t := p.toks[p.i]
		if t.text == "(" || t.text == ")" || isCondKeyword(t.text) && !strings.EqualFold(t.text, "them") {
			return nil, &condError{t.pos, "`of` must be followed by a pattern or `them`"}
		}
		p.i++
		pat := t.text
		if strings.EqualFold(pat, "them") {
			pat = ""
		}
		return &condOf{all: q == "all", pattern: pat, pos: pos}, nil
	}
	t := p.toks[p.i]
	p.i++
	if strings.Contains(t.text, "*") {
		return nil, &condError{t.pos, fmt.Sprintf("wildcard %q is only allowed after `1 of` or `all of`", t.text)}
	}
	return &condIdent{name: t.text, pos: t.pos}, nil
}

func isCondKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "of", "them":
		return true
	}
	return false
}

// resolveCondition turns a parsed condition into a Node over the
// compiled search identifiers.
func resolveCondition(c condNode, idents map[string]Node) (Node, *condError) {
	switch c := c.(type) {
	case *condBin:
		l, err := resolveCondition(c.l, idents)
		if err != nil {
			return nil, err
		}
		r, err := resolveCondition(c.r, idents)
		if err != nil {
			return nil, err
		}
		if c.and {
			return flatAnd(l, r), nil
		}
		return flatOr(l, r), nil
	case *condNot:
		a, err := resolveCondition(c.arg, idents)
		if err != nil {
			return nil, err
		}
		return &Not{Arg: a}, nil
	case *condIdent:
		n, ok := idents[c.name]
		if !ok {
			return nil, &condError{c.pos, fmt.Sprintf("unknown search identifier %q%s", c.name, suggest(c.name, idents))}
		}
		return n, nil
	case *condOf:
		var names []string
		for name := range idents {
			if c.pattern == "" && !strings.HasPrefix(name, "_") || c.pattern != "" && identMatch(c.pattern, name) {
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			what := "them"
			if c.pattern != "" {
				what = c.pattern
			}
			return nil, &condError{c.pos, fmt.Sprintf("%q matches no search identifier", what)}
		}
		sort.Strings(names)
		args := make([]Node, len(names))
		for i, name := range names {
			args[i] = idents[name]
		}
		if c.all {
			return &And{Args: args}, nil
		}
		return &Or{Args: args}, nil
	}
	panic("BUG: unknown condition node")
}

// identMatch matches a search identifier against a pattern with `*`.
func identMatch(pattern, name string) bool {
	return globMatch(parseValue(pattern, false).normalize(), name, false)
}

func suggest(name string, idents map[string]Node) string {
	best, bestD := "", 3
	for k := range idents {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD || d == bestD && best != "" && k < best {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func flatAnd(l, r Node) Node {
	var args []Node
	for _, n := range []Node{l, r} {
		if a, ok := n.(*And); ok {
			args = append(args, a.Args...)
		} else {
			args = append(args, n)
		}
	}
	return &And{Args: args}
}

func flatOr(l, r Node) Node {
	var args []Node
	for _, n := range []Node{l, r} {
		if o, ok := n.(*Or); ok {
			args = append(args, o.Args...)
		} else {
			args = append(args, n)
		}
	}
	return &Or{Args: args}
}
