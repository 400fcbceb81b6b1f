package query

import (
	"strings"
	"time"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// TermKind is the kind of a search Term.
type TermKind uint8

// The kinds of search term.
const (
	TermAll       TermKind = iota // `*`: every event
	TermWord                      // Value: a bare word, a whole-token match of _raw (see MatchWord)
	TermPhrase                    // Value: a quoted phrase, matched at word boundaries of _raw (see MatchPhrase)
	TermCompare                   // Field Op Value: a field comparison (see Term.MatchValue)
	TermIn                        // Field IN Values: equal to any of Values
	TermAnd                       // every one of Args
	TermOr                        // any one of Args
	TermNot                       // not Args[0]
	TermEarliest                  // Value: the time spec of `earliest=` (see SearchCmd.TimeRange)
	TermLatest                    // Value: the time spec of `latest=`
	TermSubsearch                 // Sub: `[ QUERY ]`, replaced by its rows' terms before a run (see plan.resolveTerm)
)

var termKindNames = [...]string{"all", "word", "phrase", "compare", "in", "and", "or", "not", "earliest", "latest", "subsearch"}

func (k TermKind) String() string { return termKindNames[k] }

// Term is one node of a search, in a plain form for the engine. Earliest
// and latest terms appear only in the top-level AND (or as the whole
// search); Match treats them as true, since the time range is applied
// separately.
type Term struct {
	Pos      lexer.Position
	Kind     TermKind
	Field    string     // TermCompare, TermIn
	Op       string     // TermCompare: "=", "!=", "<", "<=", ">", ">="
	Value    string     // TermWord, TermPhrase, TermCompare, TermEarliest, TermLatest
	Values   []string   // TermIn
	Wildcard bool       // Value (or a value of Values) contains '*'
	Args     []*Term    // TermAnd, TermOr, TermNot
	Sub      *Subsearch // TermSubsearch

	num   float64 // Value as a number, when isNum
	isNum bool
}

// String prints the term as search text.
func (t *Term) String() string {
	switch t.Kind {
	case TermAll:
		return "*"
	case TermWord:
		return t.Value
	case TermPhrase:
		return quoteText(t.Value)
	case TermCompare:
		return fieldString(t.Field, modeSearch) + t.Op + searchValue(t.Value)
	case TermIn:
		vals := make([]string, len(t.Values))
		for i, v := range t.Values {
			vals[i] = searchValue(v)
		}
		return fieldString(t.Field, modeSearch) + " IN (" + strings.Join(vals, ", ") + ")"
	case TermEarliest:
		return "earliest=" + searchValue(t.Value)
	case TermLatest:
		return "latest=" + searchValue(t.Value)
	case TermNot:
		return "NOT " + t.Args[0].groupString()
	case TermSubsearch:
		return t.Sub.String()
	}
	sep := " "
	if t.Kind == TermOr {
		sep = " OR "
	}
	parts := make([]string, len(t.Args))
	for i, a := range t.Args {
		parts[i] = a.groupString()
	}
	return strings.Join(parts, sep)
}

func (t *Term) groupString() string {
	if t.Kind == TermAnd || t.Kind == TermOr {
		return "(" + t.String() + ")"
	}
	return t.String()
}

// termBuilder turns the search grammar into a Term tree.
type termBuilder struct{}

func (b termBuilder) and(s *SearchAnd, top bool) (*Term, *posError) {
	if len(s.Or) == 1 {
		return b.or(s.Or[0], top)
	}
	return b.list(TermAnd, s.Pos, len(s.Or), func(i int) (*Term, *posError) { return b.or(s.Or[i], top) })
}

func (b termBuilder) or(s *SearchOr, top bool) (*Term, *posError) {
	if len(s.Not) == 1 {
		return b.not(s.Not[0], top)
	}
	return b.list(TermOr, s.Pos, len(s.Not), func(i int) (*Term, *posError) { return b.not(s.Not[i], false) })
}

// list builds an AND or OR of n terms, flattening nested ones of the same kind.
func (b termBuilder) list(kind TermKind, pos lexer.Position, n int, arg func(int) (*Term, *posError)) (*Term, *posError) {
	t := &Term{Pos: pos, Kind: kind}
	for i := 0; i < n; i++ {
		a, err := arg(i)
		if err != nil {
			return nil, err
		}
		if a.Kind == kind {
			t.Args = append(t.Args, a.Args...)
		} else {
			t.Args = append(t.Args, a)
		}
	}
	return t, nil
}

func (b termBuilder) not(s *SearchNot, top bool) (*Term, *posError) {
	if s.Not != nil {
		a, err := b.not(s.Not, false)
		if err != nil {
			return nil, err
		}
		return &Term{Pos: s.Pos, Kind: TermNot, Args: []*Term{a}}, nil
	}
	return b.atom(s.Atom, top)
}

func (b termBuilder) atom(s *SearchAtom, top bool) (*Term, *posError) {
	switch {
	case s.Sub != nil:
		if err := s.Sub.check(); err != nil {
			return nil, err
		}
		return &Term{Pos: s.Pos, Kind: TermSubsearch, Sub: s.Sub}, nil
	case s.Group != nil:
		return b.and(s.Group, top)
	case s.In != nil:
		t := &Term{Pos: s.Pos, Kind: TermIn, Field: string(s.In.Field)}
		for _, v := range s.In.Values {
			t.Values = append(t.Values, string(v))
			t.Wildcard = t.Wildcard || strings.Contains(string(v), "*")
		}
		return t, nil
	case s.Cmp != nil:
		return b.compare(s.Cmp, top)
	case s.Phrase != nil:
		return &Term{Pos: s.Pos, Kind: TermPhrase, Value: string(*s.Phrase)}, nil
	}
	if *s.Word == "*" {
		return &Term{Pos: s.Pos, Kind: TermAll}, nil
	}
	return &Term{Pos: s.Pos, Kind: TermWord, Value: *s.Word, Wildcard: strings.Contains(*s.Word, "*")}, nil
}

// compare builds a field comparison or an earliest/latest bound.
func (b termBuilder) compare(c *SearchCmp, top bool) (*Term, *posError) {
	field, val := string(c.Field), string(c.Value)
	if f := strings.ToLower(field); f == "earliest" || f == "latest" {
		if c.Op != "=" {
			return nil, errorfAt(c.Pos.Offset, "%s takes '=', not '%s'", f, c.Op)
		}
		if !top {
			return nil, errorfAt(c.Pos.Offset, "%s= cannot be inside OR or NOT", f)
		}
		if _, err := ParseTimeSpec(val, time.Unix(0, 0).UTC()); err != nil {
			return nil, errorfAt(c.EndPos.Offset-len(val), "%s: %v", f, err)
		}
		kind := TermEarliest
		if f == "latest" {
			kind = TermLatest
		}
		return &Term{Pos: c.Pos, Kind: kind, Value: val}, nil
	}
	t := &Term{Pos: c.Pos, Kind: TermCompare, Field: field, Op: c.Op, Value: val,
		Wildcard: strings.Contains(val, "*")}
	t.num, t.isNum = parseNum(val)
	if !t.isNum && c.Op != "=" && c.Op != "!=" && t.Wildcard {
		return nil, errorfAt(c.Pos.Offset, "wildcards work only with = and !=")
	}
	return t, nil
}

// parseNum reads a search value as a number: decimal number text only
// (store.ParseNumber), so user=nan and port=0x1f compare as text.
func parseNum(s string) (float64, bool) { return store.ParseNumber(s) }
