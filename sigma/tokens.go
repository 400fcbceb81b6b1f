package sigma

import (
	"slices"
	"sort"
)

// Token pruning: a store that keeps, per chunk, a filter of the whole
// tokens of each event's raw text can skip chunks where a rule cannot
// match. A token is a maximal run of ASCII letters, digits, '_' and
// bytes >= 0x80, lower-cased for ASCII (loghunt's store.Tokens).
//
// A literal of a test yields the token runs that are whole in it: bounded
// inside the literal by bytes that are not token bytes, or lying at an
// edge of the field value that the test anchors (the start for equality
// and startswith, the end for equality and endswith) when the caller
// says that field's values appear in the raw text whole and delimited
// (fieldInRaw). Keywords always search the raw text, unanchored. Tokens
// with non-ASCII bytes, and edges next to control characters, are left
// out: a raw rendering may escape them (JSON \u00e9, \u0000). Tests that
// may match other text than their literal (regex, numbers, cidr,
// negations, fieldref) yield nothing.

// TokenExpr is a condition on the tokens of an event's raw text: with
// Or false, all Tokens and all Subs must hold; with Or true, at least one
// Sub must (Tokens is then empty). A nil *TokenExpr is no condition.
type TokenExpr struct {
	Or     bool
	Tokens []string
	Subs   []*TokenExpr
}

// Eval reports whether the condition may hold given has (does the chunk
// or event have this token). A nil condition holds.
func (t *TokenExpr) Eval(has func(tok string) bool) bool {
	if t == nil {
		return true
	}
	if t.Or {
		for _, s := range t.Subs {
			if s.Eval(has) {
				return true
			}
		}
		return false
	}
	for _, tok := range t.Tokens {
		if !has(tok) {
			return false
		}
	}
	for _, s := range t.Subs {
		if !s.Eval(has) {
			return false
		}
	}
	return true
}

// TokenPlan returns the token condition every event matching n meets
// (nil when there is none).
func TokenPlan(n Node, fieldInRaw func(field string) bool) *TokenExpr {
	switch n := n.(type) {
	case *And:
		out := &TokenExpr{}
		for _, a := range n.Args {
			s := TokenPlan(a, fieldInRaw)
			switch {
			case s == nil:
			case !s.Or:
				out.Tokens = append(out.Tokens, s.Tokens...)
				out.Subs = append(out.Subs, s.Subs...)
			default:
				out.Subs = append(out.Subs, s)
			}
		}
		out.Tokens = dedupe(out.Tokens)
		if len(out.Tokens) == 0 && len(out.Subs) == 0 {
			return nil
		}
		return out
	case *Or:
		out := &TokenExpr{Or: true}
		for _, a := range n.Args {
			s := TokenPlan(a, fieldInRaw)
			if s == nil {
				return nil
			}
			out.Subs = append(out.Subs, s)
		}
		if len(out.Subs) == 0 {
			return nil
		}
		if len(out.Subs) == 1 {
			return out.Subs[0]
		}
		return out
	case *FieldTest:
		if fieldInRaw == nil || !fieldInRaw(n.Field) {
			return nil
		}
		return leafTokens(&n.Test, true)
	case *Keyword:
		return leafTokens(&n.Test, false)
	}
	return nil
}

// RequiredTokens returns the tokens every event matching n has in its
// raw text, sorted (none when the rule gives no such promise).
func RequiredTokens(n Node, fieldInRaw func(field string) bool) []string {
	return required(TokenPlan(n, fieldInRaw))
}

func required(t *TokenExpr) []string {
	if t == nil {
		return nil
	}
	if !t.Or {
		out := append([]string(nil), t.Tokens...)
		for _, s := range t.Subs {
			out = append(out, required(s)...)
		}
		return dedupe(out)
	}
	var common []string
	for i, s := range t.Subs {
		r := required(s)
		if i == 0 {
			common = r
			continue
		}
		common = slices.DeleteFunc(common, func(tok string) bool { return !slices.Contains(r, tok) })
	}
	if len(common) == 0 {
		return nil
	}
	return common
}

func leafTokens(t *Test, anchored bool) *TokenExpr {
	if t.Numeric {
		return nil
	}
	var toks []string
	switch t.Op {
	case OpEq:
		toks = literalTokens(t.Value, anchored, anchored)
	case OpPrefix:
		toks = literalTokens(t.Value, anchored, false)
	case OpSuffix:
		toks = literalTokens(t.Value, false, anchored)
	case OpContains:
		toks = literalTokens(t.Value, false, false)
	case OpGlob:
		for i, p := range t.Parts {
			if p.Kind == PartLit {
				toks = append(toks, literalTokens(p.Lit, anchored && i == 0, anchored && i == len(t.Parts)-1)...)
			}
		}
	}
	toks = dedupe(toks)
	if len(toks) == 0 {
		return nil
	}
	return &TokenExpr{Tokens: toks}
}

// literalTokens returns the whole tokens of lit, lower-cased; startOK and
// endOK say whether lit's first and last bytes are token boundaries.
func literalTokens(lit string, startOK, endOK bool) []string {
	var out []string
	for i := 0; i < len(lit); {
		if !isTokenByte(lit[i]) {
			i++
			continue
		}
		j := i
		ascii := true
		for j < len(lit) && isTokenByte(lit[j]) {
			ascii = ascii && lit[j] < 0x80
			j++
		}
		left := i == 0 && startOK || i > 0 && lit[i-1] >= 0x20 && lit[i-1] != 0x7f
		right := j == len(lit) && endOK || j < len(lit) && lit[j] >= 0x20 && lit[j] != 0x7f
		if left && right && ascii {
			b := []byte(lit[i:j])
			for k, c := range b {
				b[k] = lowerByte(c)
			}
			out = append(out, string(b))
		}
		i = j
	}
	return out
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func dedupe(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	sort.Strings(s)
	return slices.Compact(s)
}
