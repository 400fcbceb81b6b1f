package sigma

import (
	"fmt"
	"slices"
)

// Set is a linked rule set: filters are applied to the rules they name,
// correlations know the rules and correlations they use.
type Set struct {
	Rules        []*Rule
	Filters      []*Filter
	Correlations []*Correlation
	Problems     []Problem // file-level problems (YAML syntax, non-Sigma documents)

	byRef map[string]any // id and name -> *Rule or *Correlation
}

// NewSet links the collections: filters are AND'ed into the rules they
// target, correlation references are resolved by id or name, chains are
// checked for cycles, and rules and correlations used only by
// correlations without `generate: true` are marked not Standalone.
func NewSet(cols ...*Collection) *Set {
	s := &Set{byRef: map[string]any{}}
	for _, c := range cols {
		s.Rules = append(s.Rules, c.Rules...)
		s.Filters = append(s.Filters, c.Filters...)
		s.Correlations = append(s.Correlations, c.Correlations...)
		s.Problems = append(s.Problems, c.Problems...)
	}
	for _, r := range s.Rules {
		s.index(r.ID, r)
		s.index(r.Name, r)
	}
	for _, c := range s.Correlations {
		s.index(c.ID, c)
		s.index(c.Name, c)
	}
	for _, f := range s.Filters {
		s.applyFilter(f)
	}
	for _, c := range s.Correlations {
		s.linkCorrelation(c)
	}
	for _, c := range s.Correlations {
		if len(c.Problems) == 0 && s.hasCycle(c, nil) {
			c.Problems = append(c.Problems, Problem{File: c.File, Line: c.Line, Rule: c.Ref(),
				Kind: KindCorrelation, Msg: "correlation chain refers back to itself"})
		}
	}
	// a correlation that uses one that cannot run cannot run either
	for changed := true; changed; {
		changed = false
		for _, c := range s.Correlations {
			if len(c.Problems) > 0 {
				continue
			}
			for i, src := range c.Sources {
				if !sourceRuns(src) {
					c.Problems = append(c.Problems, Problem{File: c.File, Line: c.Line, Rule: c.Ref(),
						Kind: KindReference, Msg: fmt.Sprintf("rule %q it uses cannot run", c.Rules[i])})
					changed = true
					break
				}
			}
		}
	}
	return s
}

func (s *Set) index(key string, v any) {
	if key == "" {
		return
	}
	if _, dup := s.byRef[key]; !dup {
		s.byRef[key] = v
	}
}

// Lookup returns the rule or correlation with that id or name.
func (s *Set) Lookup(ref string) any { return s.byRef[ref] }

func sourceRuns(src any) bool {
	switch x := src.(type) {
	case *Rule:
		return x.CanRun()
	case *Correlation:
		return x.CanRun()
	}
	return false
}

func (s *Set) applyFilter(f *Filter) {
	if f.Expr == nil {
		return
	}
	var targets []*Rule
	if f.Any {
		targets = s.Rules
	}
	for _, ref := range f.Rules {
		r, ok := s.byRef[ref].(*Rule)
		if !ok {
			f.Unresolved = append(f.Unresolved, ref)
			continue
		}
		targets = append(targets, r)
	}
	for _, r := range targets {
		if r.Expr == nil || !f.logsourceFits(r) || slices.Contains(r.Filters, f) {
			continue
		}
		r.Expr = &And{Args: []Node{r.Expr, f.Expr}}
		r.Filters = append(r.Filters, f)
	}
}

func (s *Set) linkCorrelation(c *Correlation) {
	prob := func(kind Kind, msg string) {
		c.Problems = append(c.Problems, Problem{File: c.File, Line: c.Line, Rule: c.Ref(), Kind: kind, Msg: msg})
	}
	c.Sources = make([]any, len(c.Rules))
	for i, ref := range c.Rules {
		src, ok := s.byRef[ref]
		if !ok {
			prob(KindReference, fmt.Sprintf("rule %q is not loaded", ref))
			continue
		}
		c.Sources[i] = src
		switch x := src.(type) {
		case *Rule:
			if !x.Correlated {
				x.Standalone = false
			}
			x.Correlated = true
			x.Standalone = x.Standalone || c.Generate
		case *Correlation:
			if !x.used {
				x.Standalone = false
			}
			x.used = true
			x.Standalone = x.Standalone || c.Generate
		}
	}
	if len(c.Problems) > 0 {
		return
	}
	for alias, m := range c.Aliases {
		for ref := range m {
			found := false
			for i := range c.Sources {
				found = found || c.sourceIs(i, ref)
			}
			if !found {
				prob(KindReference, fmt.Sprintf("alias %q names rule %q, which the correlation does not use", alias, ref))
			}
		}
	}
	// a correlation used by this one offers only its own group-by values
	for i, src := range c.Sources {
		child, ok := src.(*Correlation)
		if !ok {
			continue
		}
		for _, f := range append(append([]string(nil), c.GroupBy...), c.Field...) {
			if !slices.Contains(child.GroupBy, c.fieldFor(f, i)) {
				prob(KindCorrelation, fmt.Sprintf("field %q is not a group-by field of correlation %q it uses", c.fieldFor(f, i), c.Rules[i]))
			}
		}
	}
}

func (s *Set) hasCycle(c *Correlation, path []*Correlation) bool {
	if slices.Contains(path, c) {
		return true
	}
	path = append(path, c)
	for _, src := range c.Sources {
		if child, ok := src.(*Correlation); ok && s.hasCycle(child, path) {
			return true
		}
	}
	return false
}

// Check returns every problem of the set: file-level ones, then those of
// each rule, filter and correlation.
func (s *Set) Check() []Problem {
	out := append([]Problem(nil), s.Problems...)
	for _, r := range s.Rules {
		out = append(out, r.Problems...)
	}
	for _, f := range s.Filters {
		out = append(out, f.Problems...)
	}
	for _, c := range s.Correlations {
		out = append(out, c.Problems...)
	}
	return out
}
