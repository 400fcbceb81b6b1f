package sigma

// Literal needs: the substrings an event must hold for a rule to match.
//
// A test that matches only values holding a literal (equality, prefix,
// suffix, contains; a glob's literal pieces) is, case folded, a promise
// that the value contains that literal. Combined through And and Or the
// promises of a rule are its Need: a condition a scanner can check for
// many rules at once with one pass over each value (an Aho–Corasick
// automaton, LitScanner), so that the rule itself runs only on the few
// events whose values hold its literals. Negations, regular expressions,
// numbers, cidr, exists, null and fieldref promise nothing.
//
// Only ASCII literals are kept: fold keeps ASCII bytes as they are
// (lowered) and never turns a non-ASCII character into an ASCII one, so
// an ASCII literal is in fold(v) exactly when it is in v with its ASCII
// letters lowered, which is what LitScanner reads.

// NeedKind is what a Need node is.
type NeedKind uint8

// The kinds of Need nodes.
const (
	NeedLit NeedKind = iota + 1 // Field's value (the raw text when Field is "") contains Lit
	NeedAll                     // every Arg holds
	NeedAny                     // at least one Arg holds
)

// Need is a condition on literals that every event a rule matches meets.
// A nil *Need is no condition.
type Need struct {
	Kind  NeedKind
	Field string // NeedLit: the Sigma field, "" for the raw text
	Lit   string // NeedLit: folded (ASCII lowered), never empty
	Args  []*Need
}

// Holds evaluates the need given has, which says whether a field's value
// contains a literal. A nil need holds.
func (n *Need) Holds(has func(field, lit string) bool) bool {
	if n == nil {
		return true
	}
	switch n.Kind {
	case NeedLit:
		return has(n.Field, n.Lit)
	case NeedAll:
		for _, a := range n.Args {
			if !a.Holds(has) {
				return false
			}
		}
		return true
	}
	for _, a := range n.Args {
		if a.Holds(has) {
			return true
		}
	}
	return false
}

// Lits calls fn for every literal of the need.
func (n *Need) Lits(fn func(field, lit string)) {
	if n == nil {
		return
	}
	if n.Kind == NeedLit {
		fn(n.Field, n.Lit)
		return
	}
	for _, a := range n.Args {
		a.Lits(fn)
	}
}

// NeedOf returns the literal need of a compiled detection (nil when it
// promises none).
func NeedOf(n Node) *Need {
	switch n := n.(type) {
	case *And:
		var args []*Need
		for _, a := range n.Args {
			if s := NeedOf(a); s != nil {
				if s.Kind == NeedAll {
					args = append(args, s.Args...)
				} else {
					args = append(args, s)
				}
			}
		}
		return needOf(NeedAll, args)
	case *Or:
		if len(n.Args) == 0 {
			return nil // false: nothing matches, which needs no scan either; kept simple
		}
		var args []*Need
		for _, a := range n.Args {
			s := NeedOf(a)
			if s == nil {
				return nil
			}
			if s.Kind == NeedAny {
				args = append(args, s.Args...)
			} else {
				args = append(args, s)
			}
		}
		return needOf(NeedAny, args)
	case *FieldTest:
		if lit := testLiteral(&n.Test); lit != "" {
			return &Need{Kind: NeedLit, Field: n.Field, Lit: lit}
		}
	case *Keyword:
		if lit := testLiteral(&n.Test); lit != "" {
			return &Need{Kind: NeedLit, Lit: lit}
		}
	}
	return nil
}

func needOf(kind NeedKind, args []*Need) *Need {
	switch len(args) {
	case 0:
		return nil
	case 1:
		return args[0]
	}
	return &Need{Kind: kind, Args: args}
}

// testLiteral is the folded ASCII literal every value the test matches
// contains, or "".
func testLiteral(t *Test) string {
	if t.Numeric && t.Op == OpEq {
		return "" // also matches the number written another way (0x1250)
	}
	var lit string
	switch t.Op {
	case OpEq, OpPrefix, OpSuffix, OpContains:
		if isASCII(t.Value) {
			lit = t.Value
		}
	case OpGlob:
		for _, p := range t.Parts {
			if p.Kind == PartLit && len(p.Lit) > len(lit) && isASCII(p.Lit) {
				lit = p.Lit
			}
		}
	}
	return fold(lit)
}
