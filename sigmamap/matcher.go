package sigmamap

import (
	"fmt"
	"strings"

	"loghunt/sigma"
)

// Compiled is a rule ready to run on loghunt's events: its log source
// and the raw-text tokens a match needs, for pruning.
type Compiled struct {
	Rule   *sigma.Rule
	Source *Source
	// PlanRaw is the condition on the tokens of the raw text every match
	// meets (nil: none) when the event's field values stand whole in its
	// raw text, as in the XML of a Windows event read from an .evtx file;
	// PlanKeywords is the condition from the keywords alone, for events
	// whose raw text may escape a value (JSON's \u0026 for &). For a rule
	// not on Windows events both are the keywords'.
	PlanRaw, PlanKeywords *sigma.TokenExpr
	// Windows tells whether every branch of the source names a Channel.
	Windows bool
}

// Plan returns the token condition for events whose field values stand
// whole in the raw text (fieldsInRaw) or not.
func (c *Compiled) Plan(fieldsInRaw bool) *sigma.TokenExpr {
	if fieldsInRaw {
		return c.PlanRaw
	}
	return c.PlanKeywords
}

// FieldsInRaw reports whether a sourcetype's events hold their field
// values whole in _raw: the XML of .evtx records.
func FieldsInRaw(sourcetype string) bool { return sourcetype == "evtx" }

// Matcher finds the rules of a set that match an event: first the rules
// whose log source holds (indexed by Channel), then their token condition
// (when the caller knows the event's tokens), then the rule.
type Matcher struct {
	Rules     []*Compiled
	byChannel map[string][]int
	generic   []int
	sources   map[*Source]int // each distinct source's index, for the per-event cache
	ruleSrc   []int
}

// NewMatcher compiles the rules (those with a source in srcs; others are
// left out).
func NewMatcher(rules []*sigma.Rule, srcs map[*sigma.Rule]*Source) *Matcher {
	m := &Matcher{byChannel: map[string][]int{}, sources: map[*Source]int{}}
	for _, r := range rules {
		src := srcs[r]
		if src == nil || !r.CanRun() {
			continue
		}
		chans, windows := src.channels()
		c := &Compiled{Rule: r, Source: src, Windows: windows}
		c.PlanKeywords = sigma.TokenPlan(r.Expr, nil)
		c.PlanRaw = c.PlanKeywords
		if windows {
			c.PlanRaw = sigma.TokenPlan(r.Expr, func(string) bool { return true })
		}
		i := len(m.Rules)
		m.Rules = append(m.Rules, c)
		si, ok := m.sources[src]
		if !ok {
			si = len(m.sources)
			m.sources[src] = si
		}
		m.ruleSrc = append(m.ruleSrc, si)
		if windows {
			for _, ch := range chans {
				m.byChannel[ch] = append(m.byChannel[ch], i)
			}
		} else {
			m.generic = append(m.generic, i)
		}
	}
	return m
}

// channels returns the lower-cased Channel values every branch requires,
// when each branch requires a literal one.
func (s *Source) channels() ([]string, bool) {
	var out []string
	seen := map[string]bool{}
	for _, b := range s.Branches {
		found := false
		for _, c := range b.Conds {
			if c.Field != "Channel" {
				continue
			}
			for _, v := range c.Values {
				if strings.ContainsRune(v, '*') {
					return nil, false
				}
			}
			found = true
			for _, v := range c.Values {
				if l := strings.ToLower(v); !seen[l] {
					seen[l] = true
					out = append(out, l)
				}
			}
			break
		}
		if !found {
			return nil, false
		}
	}
	return out, len(out) > 0
}

// Renamed is an event seen through a branch's field renames.
type Renamed struct {
	Event  sigma.Event
	Rename map[string]string
}

// Get returns the renamed field.
func (r Renamed) Get(f string) (string, bool) {
	if to, ok := r.Rename[f]; ok {
		f = to
	}
	return r.Event.Get(f)
}

// Raw returns the event's raw text.
func (r Renamed) Raw() string { return r.Event.Raw() }

// Folded returns the renamed field folded (from the event's cache when it
// keeps one).
func (r Renamed) Folded(f string) (string, bool) {
	if to, ok := r.Rename[f]; ok {
		f = to
	}
	if fe, ok := r.Event.(sigma.Folder); ok {
		return fe.Folded(f)
	}
	return sigma.NewFoldCache(r.Event).Folded(f)
}

// FoldedRaw returns the raw text folded.
func (r Renamed) FoldedRaw() string {
	if fe, ok := r.Event.(sigma.Folder); ok {
		return fe.FoldedRaw()
	}
	return sigma.NewFoldCache(r.Event).FoldedRaw()
}

// Branch returns the first branch of the source that holds on ev, or nil.
func (s *Source) Branch(ev sigma.Event) *Branch {
	for i := range s.Branches {
		if s.Branches[i].Holds(ev.Get) {
			return &s.Branches[i]
		}
	}
	return nil
}

// Match calls fn for every rule (in Rules order) matching ev, with the
// event as the rule sees it (renamed). has, when not nil, says whether
// the event's raw text holds a token (lower case); fieldsInRaw picks the
// token plan (see Compiled.Plan). keep, when not nil, leaves out the rules it rejects
// (before any test).
func (m *Matcher) Match(ev sigma.Event, has func(tok string) bool, fieldsInRaw bool, keep func(*Compiled) bool, fn func(c *Compiled, ev sigma.Event)) {
	var cand []int
	ev = sigma.NewFoldCache(ev) // each value folded once for all the rules
	if ch, ok := ev.Get("Channel"); ok {
		cand = m.byChannel[strings.ToLower(ch)]
	}
	// The branch of each source, worked out once per event: 0 not yet,
	// -1 none, else index+1.
	branch := make([]int16, len(m.sources))
	try := func(i int) {
		c := m.Rules[i]
		if keep != nil && !keep(c) {
			return
		}
		si := m.ruleSrc[i]
		if branch[si] == 0 {
			branch[si] = -1
			for k := range c.Source.Branches {
				if c.Source.Branches[k].Holds(ev.Get) {
					branch[si] = int16(k + 1)
					break
				}
			}
		}
		if branch[si] < 0 {
			return
		}
		b := &c.Source.Branches[branch[si]-1]
		if has != nil && !c.Plan(fieldsInRaw).Eval(has) {
			return
		}
		var rev sigma.Event = ev
		if len(b.Rename) > 0 {
			rev = Renamed{ev, b.Rename}
		}
		if sigma.Eval(c.Rule.Expr, rev) {
			fn(c, rev)
		}
	}
	// In Rules order: merge the two sorted index lists.
	i, j := 0, 0
	for i < len(cand) || j < len(m.generic) {
		if j >= len(m.generic) || i < len(cand) && cand[i] < m.generic[j] {
			try(cand[i])
			i++
		} else {
			try(m.generic[j])
			j++
		}
	}
}

// Rules is a loaded rule set with each rule's log source resolved.
type Rules struct {
	Set     *sigma.Set
	Mapping *Mapping
	Sources map[*sigma.Rule]*Source
}

// LoadRules reads the rules (files, or directories walked for .yml and
// .yaml files) and the mapping (the built-in one, extended by mappingFile
// when it is not empty), and gives the rules whose log source the mapping
// does not describe a problem of kind unmapped-logsource. what prefixes
// errors ("sigma hunt").
func LoadRules(what string, paths []string, mappingFile string) (*Rules, error) {
	m := Builtin()
	if mappingFile != "" {
		user, err := Load(mappingFile)
		if err != nil {
			return nil, fmt.Errorf("%s: mapping: %w", what, err)
		}
		if m, err = m.Extend(user); err != nil {
			return nil, fmt.Errorf("%s: mapping: %w", what, err)
		}
	}
	files, err := sigma.RuleFiles(paths...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .yml or .yaml files in %s", what, strings.Join(paths, ", "))
	}
	set, err := sigma.Load(sigma.Options{}, files...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	rs := &Rules{Set: set, Mapping: m, Sources: map[*sigma.Rule]*Source{}}
	for _, r := range set.Rules {
		src := m.Resolve(r.Logsource)
		if src == nil {
			r.Problems = append(r.Problems, sigma.Problem{File: r.File, Line: r.Line, Rule: r.Ref(),
				Kind: KindUnmapped, Msg: "no log-source mapping for " + Describe(r.Logsource)})
			continue
		}
		rs.Sources[r] = src
	}
	return rs, nil
}

// Levels orders Sigma's levels (0 for none or an unknown one).
var Levels = map[string]int{"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}

// Select says which rules to report: MinLevel (0: any), MaxLevel (0:
// any) and Tags (any one; a tag also takes its sub-techniques:
// attack.t1110 takes attack.t1110.001).
type Select struct {
	MinLevel, MaxLevel int
	Tags               []string
}

// Keeps reports whether a rule or correlation of this level and tags is
// selected.
func (s Select) Keeps(level string, tags []string) bool {
	l := Levels[strings.ToLower(level)]
	if s.MinLevel > 0 && l < s.MinLevel || s.MaxLevel > 0 && l > s.MaxLevel {
		return false
	}
	if len(s.Tags) == 0 {
		return true
	}
	for _, want := range s.Tags {
		want = strings.ToLower(want)
		for _, t := range tags {
			t = strings.ToLower(t)
			if t == want || strings.HasPrefix(t, want+".") {
				return true
			}
		}
	}
	return false
}
