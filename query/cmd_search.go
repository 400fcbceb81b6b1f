package query

import (
	"fmt"
	"loghunt/store"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// SearchCmd filters events by search terms: the first stage of every
// query (written with or without the word `search`) and the `search`
// stage. See Term for the meaning of each term.
type SearchCmd struct {
	Pos    lexer.Position
	Expr   *SearchAnd `parser:"( 'search':Stage | Start ) @@?"`
	EndPos lexer.Position

	// Term is Expr as a plain tree; nil when the search matches every
	// event (no terms, or only `*`, earliest and latest).
	Term *Term
}

func (*SearchCmd) command()                   {}
func (c *SearchCmd) Position() lexer.Position { return c.Pos }

func (c *SearchCmd) String() string {
	if c.Expr == nil {
		return "search"
	}
	return "search " + c.termsString()
}

// termsString prints the terms alone, as the first stage shows them.
func (c *SearchCmd) termsString() string {
	if c.Expr == nil {
		return ""
	}
	return c.Expr.String()
}

func (c *SearchCmd) check() *posError {
	if c.Expr == nil {
		return nil
	}
	t, err := termBuilder{}.and(c.Expr, true)
	if err != nil {
		return err
	}
	if t.Kind == TermAll {
		t = nil
	}
	c.Term = t
	return nil
}

// TimeRange resolves the earliest= and latest= terms against now (the
// newest event in the store, for relative times). A zero time means no
// bound; several bounds of one kind narrow the range.
func (c *SearchCmd) TimeRange(now time.Time) (earliest, latest time.Time, err error) {
	if c.Term == nil {
		return
	}
	terms := []*Term{c.Term}
	if c.Term.Kind == TermAnd {
		terms = c.Term.Args
	}
	for _, t := range terms {
		if t.Kind != TermEarliest && t.Kind != TermLatest {
			continue
		}
		at, perr := ParseTimeSpec(t.Value, now)
		if perr != nil {
			return earliest, latest, fmt.Errorf("%s=%s: %w", t.Kind, t.Value, perr)
		}
		if t.Kind == TermEarliest && (earliest.IsZero() || at.After(earliest)) {
			earliest = at
		}
		if t.Kind == TermLatest && (latest.IsZero() || at.Before(latest)) {
			latest = at
		}
	}
	return earliest, latest, nil
}

func (c *SearchCmd) inputFields(after fieldSet) fieldSet {
	if c.Term == nil {
		return after
	}
	if hasSubsearch(c.Term) {
		return allFields() // its rows say which fields it compares
	}
	need := after.with(searchFields(c.Term)...)
	if usesRaw(c.Term) {
		need = need.with(store.ColRaw)
	}
	return need
}

func (c *SearchCmd) rowStage(p *plan) (rowStage, error) {
	t, err := p.resolveTerm(c.Term)
	if err != nil {
		return nil, err
	}
	return &searchStage{filter: t.filter()}, nil // nil Term: every row
}

// searchStage filters rows by the search terms, as a later `| search`
// stage, with the filter compiled once for all batches.
type searchStage struct{ filter *store.Filter }

func (s *searchStage) apply(b *Batch) (*Batch, error) {
	if s.filter == nil {
		return b, nil
	}
	var raw []store.Value
	if i := b.Col(store.ColRaw); i >= 0 {
		raw = b.Cols[i]
	}
	row := 0
	get := func(f string) store.Value { return b.Get(f, row) }
	keep := make([]bool, b.Len)
	for row = 0; row < b.Len; row++ {
		text := ""
		if raw != nil {
			text = raw[row].S
		}
		keep[row] = s.filter.MatchRow(text, get)
	}
	b.Select(keep)
	return b, nil
}
