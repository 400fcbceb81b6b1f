package sigma

import (
	"gopkg.in/yaml.v3"
)

// Filter is a Sigma filter document (sigma-filters-specification): a
// detection that is added to other rules. As in pySigma (the reference
// implementation), the filter's condition is AND'ed to each target
// rule's condition, so an exclusion is written `condition: not
// selection`. The filter's search identifiers stay its own: they are not
// seen by the rule's `1 of them`.
type Filter struct {
	File      string
	Line      int
	Title     string
	ID        string
	Name      string
	Logsource Logsource
	Rules     []string // ids or names of the rules it applies to; empty: every rule
	Any       bool     // applies to every rule whose logsource fits
	Expr      Node
	Problems  []Problem

	Unresolved []string // entries of Rules that name no loaded rule
}

func parseFilter(file string, doc *yaml.Node, opts Options) *Filter {
	c := &compiler{file: file, opts: opts}
	m := c.readMeta(doc)
	f := &Filter{File: file, Line: doc.Line, Title: m.title, ID: m.id, Name: m.name}
	f.Logsource = c.readLogsource(doc, true)
	sec := mapGet(doc, "filter")
	if sec == nil || sec.Kind != yaml.MappingNode {
		c.problem(doc, KindBadValue, "filter must be a map with rules, search identifiers and a condition")
		f.Problems = c.problems
		return f
	}
	rules := mapGet(sec, "rules")
	if s, ok := scalarString(rules); ok && s == "any" || isNull(rules) {
		f.Any = true
	} else if list, ok := stringList(rules); ok {
		f.Rules = list
		f.Any = len(list) == 0
	} else {
		c.problem(rules, KindBadValue, "filter rules must be a list of rule ids or names")
	}
	if n, _ := c.compileDetection(sec, map[string]bool{"rules": true}); n != nil && len(c.problems) == 0 {
		prepareTree(n)
		f.Expr = n
	}
	f.Problems = c.problems
	if len(f.Problems) > 0 {
		f.Expr = nil
	}
	return f
}

// appliesTo reports whether the filter's logsource fits the rule's: every
// attribute the filter sets must be the rule's too.
func (f *Filter) logsourceFits(r *Rule) bool {
	fit := func(want, have string) bool { return want == "" || want == have }
	return fit(f.Logsource.Category, r.Logsource.Category) &&
		fit(f.Logsource.Product, r.Logsource.Product) &&
		fit(f.Logsource.Service, r.Logsource.Service)
}
