package store

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// FilterKind says what a Filter tests.
type FilterKind uint8

// The kinds of filters.
const (
	FilterAll    FilterKind = iota // every row
	FilterAnd                      // every one of Args
	FilterOr                       // any one of Args
	FilterNot                      // not Args[0]
	FilterWord                     // _raw holds the search word Text (MatchWord; '*' a wildcard)
	FilterPhrase                   // _raw holds the phrase Text (MatchPhrase)
	FilterField                    // Match holds for the row's value of Field
)

// Filter is a search the store evaluates on its own chunks: which rows of
// a chunk a query reads (Chunk.Select), and which chunks it need not read
// at all (by their token filters and column ranges). Query compiles its
// search terms to a Filter; what a field comparison means stays query's
// (Match), the store only applies it, once per distinct value of a
// dictionary column.
type Filter struct {
	Kind FilterKind
	Args []*Filter
	Text string // FilterWord, FilterPhrase
	// FilterField: Match reports whether a value matches. A null value
	// (a row without the field) never matches, so a chunk without the
	// column has no matching row.
	Field string
	Match func(Value) bool
	// Cmp and Num, when Cmp is set, let a chunk be skipped by the
	// column's numeric range: every value that matches is a number v
	// with `v Cmp Num` (Cmp is one of = < <= > >=) and the column holds
	// numbers only when it has a range.
	Cmp string
	Num float64

	tokensOnce sync.Once
	tokens_    []string
}

// Word, Phrase, FieldTest, And, Or and Not build filters.
func Word(w string) *Filter   { return &Filter{Kind: FilterWord, Text: w} }
func Phrase(p string) *Filter { return &Filter{Kind: FilterPhrase, Text: p} }
func And(args ...*Filter) *Filter {
	return &Filter{Kind: FilterAnd, Args: args}
}
func Or(args ...*Filter) *Filter { return &Filter{Kind: FilterOr, Args: args} }
func Not(f *Filter) *Filter      { return &Filter{Kind: FilterNot, Args: []*Filter{f}} }
func FieldTest(name string, match func(Value) bool) *Filter {
	return &Filter{Kind: FilterField, Field: name, Match: match}
}

// IsBuiltin reports whether a field is one every row has: the time, the
// text and the source's names.
func IsBuiltin(f string) bool {
	return f == ColTime || f == ColRaw || f == "source" || f == "sourcetype"
}

// Tokens returns the tokens (lower-case, sorted) that every row matching
// f holds as whole tokens of _raw: the complete tokens of the words and
// phrases the filter needs in every case. The store's token filters skip
// chunks and _raw blocks without them. Nil means none.
func (f *Filter) Tokens() []string {
	if f == nil {
		return nil
	}
	// Worked out once: every chunk of a scan asks.
	f.tokensOnce.Do(func() { f.tokens_ = f.tokenList() })
	return f.tokens_
}

func (f *Filter) tokenList() []string {
	set := f.tokens()
	out := make([]string, 0, len(set))
	for tok := range set {
		out = append(out, tok)
	}
	sort.Strings(out)
	return out
}

func (f *Filter) tokens() map[string]bool {
	switch f.Kind {
	case FilterWord:
		if f.Text == "" {
			return nil
		}
		return completeTokens(f.Text, IsTokenByte(f.Text[0]), IsTokenByte(f.Text[len(f.Text)-1]))
	case FilterPhrase:
		if f.Text == "" {
			return nil
		}
		v := strings.ReplaceAll(f.Text, "*", " ") // literal in a phrase: no wildcard
		return completeTokens(v, IsTokenByte(f.Text[0]), IsTokenByte(f.Text[len(f.Text)-1]))
	case FilterAnd:
		set := map[string]bool{}
		for _, a := range f.Args {
			for tok := range a.tokens() {
				set[tok] = true
			}
		}
		return set
	case FilterOr:
		if len(f.Args) == 0 {
			return nil
		}
		set := f.Args[0].tokens()
		for _, a := range f.Args[1:] {
			other := a.tokens()
			for tok := range set {
				if !other[tok] {
					delete(set, tok)
				}
			}
		}
		return set
	}
	return nil
}

// mayMatch reports whether a chunk may hold a matching row, by its header:
// a field test on a column the chunk lacks, or a numeric one outside the
// column's range, rules it out.
func (f *Filter) mayMatch(c *Chunk) bool {
	switch f.Kind {
	case FilterAnd:
		for _, a := range f.Args {
			if !a.mayMatch(c) {
				return false
			}
		}
		return true
	case FilterOr:
		for _, a := range f.Args {
			if a.mayMatch(c) {
				return true
			}
		}
		return len(f.Args) == 0
	case FilterField:
		switch f.Field {
		case "source", "sourcetype":
			// every row of a chunk has its source and sourcetype
			if f.Match == nil {
				return true
			}
			if f.Field == "source" {
				return f.Match(Str(c.Source))
			}
			return f.Match(Str(c.Sourcetype))
		}
		if IsBuiltin(f.Field) {
			return true
		}
		ci := c.Column(f.Field)
		if ci == nil {
			return false // null never matches
		}
		if !ci.HasRange || f.Cmp == "" {
			return true
		}
		switch f.Cmp {
		case "=":
			return f.Num >= ci.Min && f.Num <= ci.Max
		case "<":
			return ci.Min < f.Num
		case "<=":
			return ci.Min <= f.Num
		case ">":
			return ci.Max > f.Num
		case ">=":
			return ci.Max >= f.Num
		}
	}
	return true
}

// usesRaw reports whether the filter searches _raw.
func (f *Filter) usesRaw() bool {
	if f.Kind == FilterWord || f.Kind == FilterPhrase {
		return true
	}
	return slices.ContainsFunc(f.Args, (*Filter).usesRaw)
}

// MatchRow reports whether a row matches the filter: raw is its _raw and
// get returns a field's value (Null when absent). It is the plain
// evaluation, row at a time, that Chunk.Select's must equal.
func (f *Filter) MatchRow(raw string, get func(field string) Value) bool {
	switch f.Kind {
	case FilterWord:
		return MatchWord(f.Text, raw)
	case FilterPhrase:
		return MatchPhrase(f.Text, raw)
	case FilterField:
		v := get(f.Field)
		return !v.IsNull() && f.Match(v)
	case FilterAnd:
		for _, a := range f.Args {
			if !a.MatchRow(raw, get) {
				return false
			}
		}
		return true
	case FilterOr:
		for _, a := range f.Args {
			if a.MatchRow(raw, get) {
				return true
			}
		}
		return false
	case FilterNot:
		return !f.Args[0].MatchRow(raw, get)
	}
	return true
}
