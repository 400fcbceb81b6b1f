package sigma

import (
	"net/netip"
	"regexp"
	"strings"
)

// Node is a compiled detection: a small tree of field tests joined by
// And, Or and Not. It is what a rule's detection and condition compile
// to, and what a query planner translates into its own filter tree.
// The node types are *And, *Or, *Not, *Bool, *FieldTest, *Keyword and
// *FieldRef.
type Node interface{ node() }

// And matches when every argument matches (no arguments: true).
type And struct{ Args []Node }

// Or matches when any argument matches (no arguments: false).
type Or struct {
	Args []Node

	// set by prepareTree when every argument is a case-insensitive string
	// test of one field (or of the raw text), so that the value is read
	// and folded once for all of them
	shared sharedInput
}

type sharedInput uint8

const (
	sharedNone sharedInput = iota
	sharedField
	sharedRaw
)

// prepareTree marks the Or nodes whose arguments can share one folded
// input (see Or). It is idempotent.
func prepareTree(n Node) {
	switch n := n.(type) {
	case *And:
		for _, a := range n.Args {
			prepareTree(a)
		}
	case *Not:
		prepareTree(n.Arg)
	case *Or:
		for _, a := range n.Args {
			prepareTree(a)
		}
		n.shared = sharedKind(n.Args)
	}
}

func sharedKind(args []Node) sharedInput {
	if len(args) < 2 {
		return sharedNone
	}
	kind, field := sharedNone, ""
	for _, a := range args {
		var t *Test
		k := sharedNone
		switch x := a.(type) {
		case *FieldTest:
			if kind == sharedField && x.Field != field {
				return sharedNone
			}
			t, k, field = &x.Test, sharedField, x.Field
		case *Keyword:
			t, k = &x.Test, sharedRaw
		default:
			return sharedNone
		}
		if kind != sharedNone && k != kind || t.Cased || t.Numeric {
			return sharedNone
		}
		switch t.Op {
		case OpEq, OpPrefix, OpSuffix, OpContains, OpGlob:
		default:
			return sharedNone
		}
		kind = k
	}
	return kind
}

// Not matches when its argument does not.
type Not struct{ Arg Node }

// Bool is a constant.
type Bool struct{ V bool }

// FieldTest tests the value of one field (a Sigma field name: mapping
// to the event's own names is the caller's, through Event.Get).
type FieldTest struct {
	Field string
	Test
}

// Keyword tests the event's raw text (Event.Raw) for a string; its Op is
// OpContains, OpGlob or OpRegex.
type Keyword struct{ Test }

// FieldRef compares a field with another field of the same event (the
// fieldref modifier): Op is OpEq, OpPrefix, OpSuffix or OpContains, with
// Other's value as the literal. It fails when either field is absent.
type FieldRef struct {
	Field, Other string
	Op           Op
	Cased        bool
}

func (*And) node()       {}
func (*Or) node()        {}
func (*Not) node()       {}
func (*Bool) node()      {}
func (*FieldTest) node() {}
func (*Keyword) node()   {}
func (*FieldRef) node()  {}

// Op is what a Test does.
type Op uint8

// The operations of a Test. The string operations compare
// case-insensitively unless Test.Cased; see Test.
const (
	OpEq       Op = iota + 1 // whole value equals Value (Numeric: or equal as numbers)
	OpPrefix                 // value starts with Value
	OpSuffix                 // value ends with Value
	OpContains               // value contains Value
	OpGlob                   // value matches Parts as a whole (`*`, `?` wildcards)
	OpRegex                  // Regex finds a match anywhere in the value
	OpCIDR                   // value is an IP address inside Prefix
	OpLT                     // value as a number < Num
	OpLTE                    // value as a number <= Num
	OpGT                     // value as a number > Num
	OpGTE                    // value as a number >= Num
	OpExists                 // field is present (any value, also empty)
	OpNull                   // field is absent or empty (`field: null`)
)

var opNames = map[Op]string{OpEq: "eq", OpPrefix: "startswith", OpSuffix: "endswith",
	OpContains: "contains", OpGlob: "glob", OpRegex: "re", OpCIDR: "cidr", OpLT: "lt",
	OpLTE: "lte", OpGT: "gt", OpGTE: "gte", OpExists: "exists", OpNull: "null"}

func (o Op) String() string { return opNames[o] }

// Test is one comparison of a value.
//
// For OpEq, OpPrefix, OpSuffix and OpContains, Value is the literal text
// (escapes resolved, no wildcards). For OpGlob, Parts is the pattern.
// Comparisons ignore case (Unicode simple folding, except that no
// non-ASCII character folds to an ASCII one, so that ASCII tokens stay
// token-filter safe) unless Cased. Numeric marks a YAML number written
// in the rule: an OpEq then also matches a value equal as a number
// (EventID: 4688 matches "4688" and "0x1250"). Unit, when set (minute,
// hour, day, week, month, year), makes a numeric Op compare that part of
// the value read as a date and time.
type Test struct {
	Op      Op
	Value   string
	Parts   []Part
	Cased   bool
	Numeric bool
	Regex   *regexp.Regexp
	Prefix  netip.Prefix
	Num     float64
	Unit    string

	folded      string // Value folded, for case-insensitive tests
	foldedParts []Part
}

// newStringTest builds the test a Sigma string value asks for: the
// cheapest Op that is exact for it.
func newStringTest(v sstring, cased bool) Test {
	v = v.normalize()
	t := Test{Cased: cased}
	if lit, ok := v.literal(); ok {
		t.Op, t.Value = OpEq, lit
	} else if n := len(v); n == 2 && v[0].Kind == PartLit && v[1].Kind == PartStar {
		t.Op, t.Value = OpPrefix, v[0].Lit
	} else if n == 2 && v[0].Kind == PartStar && v[1].Kind == PartLit {
		t.Op, t.Value = OpSuffix, v[1].Lit
	} else if n == 3 && v[0].Kind == PartStar && v[1].Kind == PartLit && v[2].Kind == PartStar {
		t.Op, t.Value = OpContains, v[1].Lit
	} else if n == 1 && v[0].Kind == PartStar {
		t.Op, t.Value = OpPrefix, "" // `*`: any value of a present field
	} else {
		t.Op, t.Parts = OpGlob, append([]Part(nil), v...)
	}
	t.prepare()
	return t
}

func (t *Test) prepare() {
	if t.Cased {
		t.folded, t.foldedParts = t.Value, t.Parts
		return
	}
	t.folded = fold(t.Value)
	if t.Parts != nil {
		t.foldedParts = make([]Part, len(t.Parts))
		for i, p := range t.Parts {
			if p.Kind == PartLit {
				p.Lit = fold(p.Lit)
			}
			t.foldedParts[i] = p
		}
	}
}

// String renders a node in a readable, condition-like form (for tests,
// messages and `sigma check` output).
func String(n Node) string {
	var b strings.Builder
	writeNode(&b, n)
	return b.String()
}

func writeNode(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *And:
		writeList(b, "and", n.Args)
	case *Or:
		writeList(b, "or", n.Args)
	case *Not:
		b.WriteString("not ")
		writeNode(b, n.Arg)
	case *Bool:
		if n.V {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case *FieldTest:
		b.WriteString(n.Field)
		writeTest(b, &n.Test)
	case *Keyword:
		b.WriteString("_raw")
		writeTest(b, &n.Test)
	case *FieldRef:
		b.WriteString(n.Field + "|fieldref|" + n.Op.String())
		if n.Cased {
			b.WriteString("|cased")
		}
		b.WriteString(" " + n.Other)
	}
}

func writeList(b *strings.Builder, op string, args []Node) {
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(" " + op + " ")
		}
		writeNode(b, a)
	}
	b.WriteByte(')')
}

func writeTest(b *strings.Builder, t *Test) {
	b.WriteString("|" + t.Op.String())
	if t.Unit != "" {
		b.WriteString("|" + t.Unit)
	}
	if t.Cased {
		b.WriteString("|cased")
	}
	switch t.Op {
	case OpGlob:
		b.WriteString(" " + quote(sstring(t.Parts).String()))
	case OpRegex:
		b.WriteString(" " + quote(t.Regex.String()))
	case OpCIDR:
		b.WriteString(" " + t.Prefix.String())
	case OpLT, OpLTE, OpGT, OpGTE:
		b.WriteString(" " + formatNum(t.Num))
	case OpExists, OpNull:
	default:
		b.WriteString(" " + quote(t.Value))
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
