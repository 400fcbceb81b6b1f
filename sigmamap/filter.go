package sigmamap

import (
	"math"
	"strconv"

	"loghunt/sigma"
	"loghunt/store"
)

// ChunkFilter is the store filter of the events the rules use selects
// can match: the OR, over those rules, of the rule's log source (each
// branch's conditions as field tests) and its token condition (Plan:
// rawTokens when the field values of Windows events are words of their
// _raw, as in .evtx files). Chunks it rules out hold no match; rows it
// rules out match no rule. Nil when no rule is used.
func (m *Matcher) ChunkFilter(use func(*sigma.Rule) bool, rawTokens bool) *store.Filter {
	var args []*store.Filter
	for _, c := range m.Rules {
		if !use(c.Rule) {
			continue
		}
		var branches []*store.Filter
		for _, b := range c.Source.Branches {
			var conds []*store.Filter
			for _, cond := range b.Conds {
				conds = append(conds, condFilter(cond))
			}
			branches = append(branches, store.And(conds...))
		}
		parts := []*store.Filter{store.Or(branches...)}
		if tf := tokenFilter(c.Plan(rawTokens)); tf != nil {
			parts = append(parts, tf)
		}
		args = append(args, store.And(parts...))
	}
	if len(args) == 0 {
		return nil
	}
	return store.Or(args...)
}

// condFilter is a mapping condition as a store field test; a single
// number also prunes by the column's range.
func condFilter(c Cond) *store.Filter {
	f := store.FieldTest(c.Field, func(v store.Value) bool { return c.Match(v.String()) })
	if len(c.Values) == 1 {
		if n, err := strconv.ParseFloat(c.Values[0], 64); err == nil && !math.IsNaN(n) && !math.IsInf(n, 0) {
			if strconv.FormatFloat(n, 'f', -1, 64) == c.Values[0] {
				f.Cmp, f.Num = "=", n
			}
		}
	}
	return f
}

// tokenFilter turns a rule's token condition into store words.
func tokenFilter(t *sigma.TokenExpr) *store.Filter {
	if t == nil {
		return nil
	}
	var args []*store.Filter
	for _, tok := range t.Tokens {
		args = append(args, store.Word(tok))
	}
	for _, s := range t.Subs {
		if f := tokenFilter(s); f != nil {
			args = append(args, f)
		}
	}
	if t.Or {
		return store.Or(args...)
	}
	return store.And(args...)
}
