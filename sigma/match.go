package sigma

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is what a rule matches against. Get returns the value of a
// field under its Sigma name (the caller maps names) and whether the
// field is present; Raw returns the event's raw text, which keyword
// searches scan.
type Event interface {
	Get(field string) (string, bool)
	Raw() string
}

// Folder is an Event that also gives its values case-folded, as the
// rules' case-insensitive tests compare them; FoldCache folds each value
// once for every rule of a set that tests it.
type Folder interface {
	Folded(field string) (string, bool)
	FoldedRaw() string
}

// FoldCache is an Event that keeps the folded values asked for.
type FoldCache struct {
	Event
	folded  map[string]string
	raw     string
	haveRaw bool
}

// NewFoldCache wraps ev for the rules of a set to share its folded values.
func NewFoldCache(ev Event) *FoldCache { return &FoldCache{Event: ev} }

// Folded is the field's value folded; false when the event has no field.
func (c *FoldCache) Folded(field string) (string, bool) {
	if s, ok := c.folded[field]; ok {
		return s, true
	}
	v, ok := c.Get(field)
	if !ok {
		return "", false
	}
	if c.folded == nil {
		c.folded = map[string]string{}
	}
	s := fold(v)
	c.folded[field] = s
	return s, true
}

// FoldedRaw is the raw text folded.
func (c *FoldCache) FoldedRaw() string {
	if !c.haveRaw {
		c.raw, c.haveRaw = fold(c.Raw()), true
	}
	return c.raw
}

// Eval reports whether the node matches ev.
func Eval(n Node, ev Event) bool {
	switch n := n.(type) {
	case *And:
		for _, a := range n.Args {
			if !Eval(a, ev) {
				return false
			}
		}
		return true
	case *Or:
		if n.shared != sharedNone {
			return evalShared(n, ev)
		}
		for _, a := range n.Args {
			if Eval(a, ev) {
				return true
			}
		}
		return false
	case *Not:
		return !Eval(n.Arg, ev)
	case *Bool:
		return n.V
	case *FieldTest:
		v, ok := ev.Get(n.Field)
		return n.Test.match(v, ok)
	case *Keyword:
		return n.Test.match(ev.Raw(), true)
	case *FieldRef:
		v, ok := ev.Get(n.Field)
		if !ok {
			return false
		}
		o, ok := ev.Get(n.Other)
		if !ok {
			return false
		}
		t := Test{Op: n.Op, Value: o, Cased: n.Cased}
		t.prepare()
		return t.match(v, true)
	}
	panic("BUG: unknown sigma node")
}

// evalShared evaluates an Or of case-insensitive string tests of one
// input, reading and folding the input once.
func evalShared(n *Or, ev Event) bool {
	var s string
	if fe, ok := ev.(Folder); ok {
		if n.shared == sharedRaw {
			s = fe.FoldedRaw()
		} else if s, ok = fe.Folded(n.Args[0].(*FieldTest).Field); !ok {
			return false
		}
	} else {
		var v string
		if n.shared == sharedRaw {
			v = ev.Raw()
		} else if v, ok = ev.Get(n.Args[0].(*FieldTest).Field); !ok {
			return false
		}
		s = fold(v) // one copy, then the standard library's fast searches
	}
	for _, a := range n.Args {
		var t *Test
		if ft, ok := a.(*FieldTest); ok {
			t = &ft.Test
		} else {
			t = &a.(*Keyword).Test
		}
		if matchOp(t.Op, s, t.folded, t.foldedParts, false) {
			return true
		}
	}
	return false
}

// match applies the test to a field's value (present reports whether
// the field exists at all).
func (t *Test) match(v string, present bool) bool {
	switch t.Op {
	case OpExists:
		return present
	case OpNull:
		return !present || v == ""
	}
	if !present {
		return false
	}
	switch t.Op {
	case OpEq:
		if t.matchString(v) {
			return true
		}
		if t.Numeric {
			a, ok := parseNumber(v)
			return ok && a == t.Num
		}
		return false
	case OpPrefix, OpSuffix, OpContains, OpGlob:
		return t.matchString(v)
	case OpRegex:
		return t.Regex.MatchString(v)
	case OpCIDR:
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]"))
		if err != nil {
			return false
		}
		a = a.WithZone("")
		if t.Prefix.Addr().Is4() {
			a = a.Unmap()
		}
		return t.Prefix.Contains(a)
	case OpLT, OpLTE, OpGT, OpGTE:
		x, ok := t.number(v)
		if !ok {
			return false
		}
		switch t.Op {
		case OpLT:
			return x < t.Num
		case OpLTE:
			return x <= t.Num
		case OpGT:
			return x > t.Num
		default:
			return x >= t.Num
		}
	}
	return false
}

// number reads v as a number, or the Unit part of v read as a time.
func (t *Test) number(v string) (float64, bool) {
	if t.Unit == "" {
		return parseNumber(v)
	}
	tm, ok := parseTime(v)
	if !ok {
		return 0, false
	}
	switch t.Unit {
	case "minute":
		return float64(tm.Minute()), true
	case "hour":
		return float64(tm.Hour()), true
	case "day":
		return float64(tm.Day()), true
	case "week":
		_, w := tm.ISOWeek()
		return float64(w), true
	case "month":
		return float64(tm.Month()), true
	case "year":
		return float64(tm.Year()), true
	}
	return 0, false
}

func (t *Test) matchString(v string) bool {
	if t.Cased {
		return matchOp(t.Op, v, t.Value, t.Parts, false)
	}
	s, ascii := foldedView(v)
	return matchOp(t.Op, s, t.folded, t.foldedParts, ascii)
}

// matchOp compares s with a folded literal or pattern; with asciiFold, s
// is ASCII and not yet folded, so bytes are lowered as they are compared.
func matchOp(op Op, s, lit string, parts []Part, asciiFold bool) bool {
	switch op {
	case OpEq:
		if asciiFold {
			return len(s) == len(lit) && hasPrefixFold(s, lit)
		}
		return s == lit
	case OpPrefix:
		if asciiFold {
			return hasPrefixFold(s, lit)
		}
		return strings.HasPrefix(s, lit)
	case OpSuffix:
		if asciiFold {
			return len(s) >= len(lit) && hasPrefixFold(s[len(s)-len(lit):], lit)
		}
		return strings.HasSuffix(s, lit)
	case OpContains:
		if asciiFold {
			return indexFold(s, lit) >= 0
		}
		return strings.Contains(s, lit)
	case OpGlob:
		return globMatch(parts, s, asciiFold)
	}
	return false
}

// globMatch matches s as a whole against parts, where PartStar matches
// any run of characters and PartOne exactly one character (rune). It is
// the two-pointer matcher with backtracking to the last star, linear in
// practice. Literals in parts are already folded when asciiFold.
func globMatch(parts []Part, s string, asciiFold bool) bool {
	// pattern position: part index pi and byte offset li inside a literal
	pi, li, si := 0, 0, 0
	starPI, starSI := -1, 0
	for {
		if pi < len(parts) {
			p := parts[pi]
			switch p.Kind {
			case PartStar:
				starPI, starSI = pi, si
				pi, li = pi+1, 0
				continue
			case PartOne:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					pi, li = pi+1, 0
					continue
				}
			case PartLit:
				if li == len(p.Lit) {
					pi, li = pi+1, 0
					continue
				}
				if si < len(s) {
					c := s[si]
					if asciiFold {
						c = lowerByte(c)
					}
					if c == p.Lit[li] {
						si, li = si+1, li+1
						continue
					}
				}
			}
		} else if si == len(s) {
			return true
		}
		if starPI < 0 || starSI >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSI:])
		starSI += n
		pi, li, si = starPI+1, 0, starSI
	}
}

// parseNumber reads a decimal, float or 0x-hex number.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return float64(u), true
	}
	return 0, false
}

func formatNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
