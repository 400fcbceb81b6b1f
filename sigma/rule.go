package sigma

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Logsource is a rule's `logsource` section.
type Logsource struct {
	Category, Product, Service, Definition string
	Extra                                  map[string]string // other keys, as written
}

// Rule is one Sigma detection rule.
//
// Detection is the compiled detection and condition as written; Expr is
// what must match once the filters that apply to the rule are added
// (Detection itself when none do). Both are nil when the rule cannot
// run, and Problems then says why.
type Rule struct {
	File      string
	Line      int
	Title     string
	ID        string
	Name      string
	Status    string
	Level     string
	Tags      []string
	Author    string
	Logsource Logsource
	Fields    []string

	Detection Node
	Expr      Node
	Filters   []*Filter // filters applied to Expr
	Problems  []Problem

	// Correlated is set when correlation rules use this rule, and
	// Standalone tells whether its matches are also reported on their
	// own (no correlation uses it, or one says `generate: true`).
	Correlated bool
	Standalone bool

	doc *yaml.Node
}

// CanRun reports whether the rule has no problems.
func (r *Rule) CanRun() bool { return len(r.Problems) == 0 && r.Expr != nil }

// Match reports whether ev matches the rule (filters included); a rule
// that cannot run matches nothing.
func (r *Rule) Match(ev Event) bool {
	if r.Expr == nil {
		return false
	}
	return Eval(r.Expr, ev)
}

// Check returns the problems that keep r from running (none when it
// can run).
func Check(r *Rule) []Problem { return r.Problems }

// Ref is how other documents name the rule: its id, else its name,
// else its title.
func (r *Rule) Ref() string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name != "":
		return r.Name
	}
	return r.Title
}

// meta is what rules, filters and correlations share.
type meta struct {
	title, id, name, status, level, author string
	tags                                   []string
}

func (c *compiler) readMeta(doc *yaml.Node) meta {
	var m meta
	get := func(key string) string {
		v := mapGet(doc, key)
		if v == nil {
			return ""
		}
		s, ok := scalarString(v)
		if !ok {
			c.problem(v, KindBadValue, fmt.Sprintf("%s must be a plain value", key))
		}
		return s
	}
	m.title, m.id, m.name = get("title"), get("id"), get("name")
	m.status, m.level, m.author = get("status"), strings.ToLower(get("level")), get("author")
	if tags, ok := stringList(mapGet(doc, "tags")); ok {
		m.tags = tags
	} else {
		c.problem(mapGet(doc, "tags"), KindBadValue, "tags must be a list of strings")
	}
	c.rule = m.id
	if c.rule == "" {
		c.rule = m.title
	}
	if m.title == "" {
		c.problem(doc, KindMissing, "rule has no title")
	}
	return m
}

func (c *compiler) readLogsource(doc *yaml.Node, required bool) Logsource {
	var ls Logsource
	n := mapGet(doc, "logsource")
	if n == nil {
		if required {
			c.problem(doc, KindMissing, "rule has no logsource")
		}
		return ls
	}
	if n.Kind != yaml.MappingNode {
		c.problem(n, KindBadValue, "logsource must be a map")
		return ls
	}
	mapPairs(n, func(k, v *yaml.Node) {
		s, _ := scalarString(v)
		switch k.Value {
		case "category":
			ls.Category = s
		case "product":
			ls.Product = s
		case "service":
			ls.Service = s
		case "definition":
			ls.Definition = s
		default:
			if ls.Extra == nil {
				ls.Extra = map[string]string{}
			}
			ls.Extra[k.Value] = s
		}
	})
	return ls
}

// parseRule compiles a document that has a detection section.
func parseRule(file string, doc *yaml.Node, opts Options) *Rule {
	c := &compiler{file: file, opts: opts}
	m := c.readMeta(doc)
	r := &Rule{File: file, Line: doc.Line, Title: m.title, ID: m.id, Name: m.name,
		Status: m.status, Level: m.level, Tags: m.tags, Author: m.author, Standalone: true, doc: doc}
	r.Logsource = c.readLogsource(doc, true)
	if f, ok := stringList(mapGet(doc, "fields")); ok {
		r.Fields = f
	}
	if det := mapGet(doc, "detection"); det == nil {
		c.problem(doc, KindMissing, "rule has no detection")
	} else if n, _ := c.compileDetection(det, nil); n != nil && len(c.problems) == 0 {
		prepareTree(n)
		r.Detection, r.Expr = n, n
	}
	r.Problems = c.problems
	if len(r.Problems) > 0 {
		r.Detection, r.Expr = nil, nil
	}
	return r
}
