package query

import "loghunt/store"

// filter compiles a search term to the store's filter, which the store
// evaluates on its chunks. What a comparison means (numbers as numbers,
// wildcards, case) stays here, in Term.MatchValue; the store calls it.
// Earliest and latest terms match every row: the time range is applied
// by the scan.
func (t *Term) filter() *store.Filter {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case TermWord:
		return store.Word(t.Value)
	case TermPhrase:
		return store.Phrase(t.Value)
	case TermCompare, TermIn:
		f := store.FieldTest(t.Field, t.MatchValue)
		if t.Kind == TermCompare && t.isNum && !t.Wildcard && t.Op != "!=" {
			// A number compared as a number: the column's range can rule
			// a chunk out (text values give a column no range).
			f.Cmp, f.Num = t.Op, t.num
		}
		return f
	case TermAnd, TermOr:
		args := make([]*store.Filter, len(t.Args))
		for i, a := range t.Args {
			args[i] = a.filter()
		}
		if t.Kind == TermAnd {
			return store.And(args...)
		}
		return store.Or(args...)
	case TermNot:
		return store.Not(t.Args[0].filter())
	case TermSubsearch:
		// Never met: a run replaces subsearches first (plan.resolveTerm).
		return store.Not(&store.Filter{Kind: store.FilterAll})
	}
	return &store.Filter{Kind: store.FilterAll}
}

// RequiredTokens returns the tokens (lower-case, sorted) that every event
// matching t contains as whole tokens of _raw, for the store's token
// filter. Nil means nothing can be skipped.
func RequiredTokens(t *Term) []string { return t.filter().Tokens() }

// usesRaw reports whether a term searches _raw (a word or a phrase).
func usesRaw(t *Term) bool {
	if t.Kind == TermWord || t.Kind == TermPhrase {
		return true
	}
	for _, a := range t.Args {
		if usesRaw(a) {
			return true
		}
	}
	return false
}
