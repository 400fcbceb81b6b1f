// Package sigmamap maps Sigma log sources (a rule's logsource: product,
// category, service) to loghunt's events, in the shape of SigmaHQ's
// tests/thor.yml: which events a rule looks at (Windows channels and
// EventIDs, syslog apps, web access logs) and how its field names become
// the events' (Security 4688: Image is NewProcessName; webserver: cs-method
// is method).
//
// A Mapping is a list of entries. An entry applies to a rule when every
// attribute (category, product, service) the entry names has the rule's
// value, and every attribute the rule names is named by the entry or by its
// rewrite. Its events are those where all its conditions hold and, when it
// has sources or a rewrite, one of its sources (or one of the sources of
// the entries its rewrite names) holds. A rule whose logsource no entry
// applies to is unmapped: it cannot run. Of the entries that apply, the
// first (in file order) whose test holds on an event gives the event's
// field renames.
package sigmamap

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"loghunt/sigma"
)

//go:embed builtin.yml
var builtinYAML []byte

// KindUnmapped is the problem kind of a rule whose log source no entry of
// the mapping describes.
const KindUnmapped sigma.Kind = "unmapped-logsource"

// Entry is one logsource entry of a mapping file.
type Entry struct {
	Name                       string
	Category, Product, Service string
	// Conditions: event field -> accepted values (any one); all fields must
	// hold. A value may hold * wildcards; comparisons ignore ASCII case.
	Conditions []Cond
	// Sources: alternatives, each a Cond (WinEventLog:X is Channel=X,
	// File:glob is source matching glob).
	Sources         []Cond
	RewriteProduct  string
	RewriteService  string
	HasRewrite      bool
	FieldMappings   map[string]string
	File            string
	Line            int
	rewriteResolved []*Entry
}

// Cond is one field test: the field has one of Values.
type Cond struct {
	Field  string
	Values []string
	parts  [][]string // per value with a *, its pieces between the stars
}

func newCond(field string, values []string) Cond {
	c := Cond{Field: field, Values: values, parts: make([][]string, len(values))}
	for i, v := range values {
		if strings.ContainsRune(v, '*') {
			c.parts[i] = strings.Split(v, "*")
		}
	}
	return c
}

// Mapping is an ordered list of entries.
type Mapping struct {
	Entries  []*Entry
	mu       sync.Mutex
	resolved map[string]*Source
}

// Builtin returns loghunt's built-in mapping.
func Builtin() *Mapping {
	m, err := Parse("builtin.yml", builtinYAML)
	if err != nil {
		panic("sigmamap: built-in mapping: " + err.Error())
	}
	return m
}

// Load reads a mapping file.
func Load(file string) (*Mapping, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, data)
}

func nodeErr(file string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", file, n.Line, n.Column, fmt.Sprintf(format, args...))
}

func mapPairs(n *yaml.Node, fn func(k, v *yaml.Node) error) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := fn(n.Content[i], n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func scalar(file string, n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", nodeErr(file, n, "%s must be a plain value", what)
	}
	return n.Value, nil
}

func scalars(file string, n *yaml.Node, what string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nodeErr(file, n, "%s has no value", what)
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			s, err := scalar(file, c, what)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil, nodeErr(file, n, "%s is an empty list", what)
		}
		return out, nil
	}
	return nil, nodeErr(file, n, "%s must be a value or a list of values", what)
}

// Parse reads a mapping in thor.yml's shape (a top-level `logsources` map;
// other top-level keys are ignored). Errors name the file, line and column.
func Parse(file string, data []byte) (*Mapping, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1:1: a mapping file is a map with a logsources key", file)
	}
	root := doc.Content[0]
	var ls *yaml.Node
	_ = mapPairs(root, func(k, v *yaml.Node) error {
		if k.Value == "logsources" {
			ls = v
		}
		return nil
	})
	if ls == nil {
		return nil, nodeErr(file, root, "no logsources key")
	}
	if ls.Kind != yaml.MappingNode {
		return nil, nodeErr(file, ls, "logsources must be a map of entries")
	}
	m := &Mapping{}
	err := mapPairs(ls, func(k, v *yaml.Node) error {
		e, err := parseEntry(file, k.Value, v)
		if err != nil {
			return err
		}
		m.Entries = append(m.Entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := m.link(); err != nil {
		return nil, err
	}
	return m, nil
}

func parseEntry(file, name string, v *yaml.Node) (*Entry, error) {
	if v.Kind != yaml.MappingNode {
		return nil, nodeErr(file, v, "logsource %q must be a map", name)
	}
	e := &Entry{Name: name, File: file, Line: v.Line}
	err := mapPairs(v, func(k, val *yaml.Node) error {
		var err error
		switch k.Value {
		case "category":
			e.Category, err = scalar(file, val, "category")
		case "product":
			e.Product, err = scalar(file, val, "product")
		case "service":
			e.Service, err = scalar(file, val, "service")
		case "conditions":
			if val.Kind != yaml.MappingNode {
				return nodeErr(file, val, "conditions must be a map of field: value")
			}
			err = mapPairs(val, func(f, fv *yaml.Node) error {
				vals, err := scalars(file, fv, "condition "+f.Value)
				if err != nil {
					return err
				}
				e.Conditions = append(e.Conditions, newCond(f.Value, vals))
				return nil
			})
		case "sources":
			var srcs []string
			if srcs, err = scalars(file, val, "sources"); err != nil {
				return err
			}
			for _, s := range srcs {
				kind, rest, ok := strings.Cut(s, ":")
				switch {
				case ok && kind == "WinEventLog":
					e.Sources = append(e.Sources, newCond("Channel", []string{rest}))
				case ok && kind == "File":
					e.Sources = append(e.Sources, newCond("source", []string{rest}))
				default:
					return nodeErr(file, val, "source %q: want WinEventLog:<channel> or File:<glob>", s)
				}
			}
		case "rewrite":
			if val.Kind != yaml.MappingNode {
				return nodeErr(file, val, "rewrite must be a map of product and service")
			}
			e.HasRewrite = true
			err = mapPairs(val, func(rk, rv *yaml.Node) error {
				s, err := scalar(file, rv, "rewrite "+rk.Value)
				switch rk.Value {
				case "product":
					e.RewriteProduct = s
				case "service":
					e.RewriteService = s
				default:
					return nodeErr(file, rk, "rewrite knows product and service, not %q", rk.Value)
				}
				return err
			})
		case "fieldmappings":
			if val.Kind != yaml.MappingNode {
				return nodeErr(file, val, "fieldmappings must be a map of Sigma field: event field")
			}
			e.FieldMappings = map[string]string{}
			err = mapPairs(val, func(f, fv *yaml.Node) error {
				s, err := scalar(file, fv, "fieldmapping "+f.Value)
				e.FieldMappings[f.Value] = s
				return err
			})
		default:
			return nodeErr(file, k, "logsource %q: unknown key %q (want category, product, service, conditions, sources, rewrite, fieldmappings)", name, k.Value)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if e.Category == "" && e.Product == "" && e.Service == "" {
		return nil, nodeErr(file, v, "logsource %q names no category, product or service", name)
	}
	return e, nil
}

// link resolves each rewrite to the entries without category that name the
// rewrite's product and service (thor.yml's "target system" entries).
func (m *Mapping) link() error {
	for _, e := range m.Entries {
		e.rewriteResolved = nil
		if !e.HasRewrite {
			continue
		}
		for _, t := range m.Entries {
			if t != e && t.Category == "" && t.Product == e.RewriteProduct && t.Service == e.RewriteService && t.Service != "" {
				e.rewriteResolved = append(e.rewriteResolved, t)
			}
		}
		if len(e.rewriteResolved) == 0 {
			return fmt.Errorf("%s:%d: logsource %q rewrites to product %q service %q, which no entry describes", e.File, e.Line, e.Name, e.RewriteProduct, e.RewriteService)
		}
	}
	return nil
}

// Extend returns the mapping with o's entries: an entry of o replaces the
// entry of the same name, the others come first (they are more specific
// than built-in ones for the same log source, in the order of o).
func (m *Mapping) Extend(o *Mapping) (*Mapping, error) {
	names := map[string]bool{}
	out := &Mapping{}
	for _, e := range o.Entries {
		names[e.Name] = true
		c := *e
		out.Entries = append(out.Entries, &c)
	}
	for _, e := range m.Entries {
		if !names[e.Name] {
			c := *e
			out.Entries = append(out.Entries, &c)
		}
	}
	if err := out.link(); err != nil {
		return nil, err
	}
	return out, nil
}

// Source is what a rule's logsource resolves to: alternatives, each with
// the event test and the field renames.
type Source struct {
	Branches []Branch
}

// Branch is one way an event belongs to a log source: every Conds holds
// (a Cond holds when the field has one of its values); Rename maps Sigma
// field names to the event's.
type Branch struct {
	Entry  string
	Conds  []Cond
	Rename map[string]string
}

func (e *Entry) applies(ls sigma.Logsource) bool {
	if e.Category != "" && e.Category != ls.Category || e.Product != "" && e.Product != ls.Product || e.Service != "" && e.Service != ls.Service {
		return false
	}
	covered := func(rule, own, rewrite string) bool {
		return rule == "" || own != "" || rewrite == rule
	}
	return covered(ls.Category, e.Category, "") && covered(ls.Product, e.Product, e.RewriteProduct) &&
		covered(ls.Service, e.Service, e.RewriteService)
}

// Resolve returns the log source of a rule, or nil when it is unmapped.
// Rules with the same logsource get the same *Source.
func (m *Mapping) Resolve(ls sigma.Logsource) *Source {
	ls.Category, ls.Product, ls.Service = strings.ToLower(ls.Category), strings.ToLower(ls.Product), strings.ToLower(ls.Service)
	key := ls.Category + "\x00" + ls.Product + "\x00" + ls.Service
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.resolved[key]; ok {
		return s
	}
	if m.resolved == nil {
		m.resolved = map[string]*Source{}
	}
	s := m.resolve(ls)
	m.resolved[key] = s
	return s
}

func (m *Mapping) resolve(ls sigma.Logsource) *Source {
	var src Source
	for _, e := range m.Entries {
		if !e.applies(ls) {
			continue
		}
		src.Branches = append(src.Branches, e.branches()...)
	}
	if len(src.Branches) == 0 {
		return nil
	}
	return &src
}

// branches expands an entry: its conditions with each of its sources (or
// of its rewrite's entries' sources and conditions).
func (e *Entry) branches() []Branch {
	base := Branch{Entry: e.Name, Conds: e.Conditions, Rename: e.FieldMappings}
	var alts [][]Cond
	for _, s := range e.Sources {
		alts = append(alts, []Cond{s})
	}
	for _, t := range e.rewriteResolved {
		for _, tb := range t.branches() {
			alts = append(alts, tb.Conds)
		}
	}
	if len(alts) == 0 {
		if len(base.Conds) == 0 {
			return nil
		}
		return []Branch{base}
	}
	out := make([]Branch, 0, len(alts))
	for _, a := range alts {
		b := base
		b.Conds = append(append([]Cond(nil), base.Conds...), a...)
		out = append(out, b)
	}
	return out
}

// Holds reports whether the branch's conditions hold on an event.
func (b *Branch) Holds(get func(field string) (string, bool)) bool {
	for _, c := range b.Conds {
		v, ok := get(c.Field)
		if !ok || !c.Match(v) {
			return false
		}
	}
	return true
}

// Match reports whether v is one of the values (ASCII case ignored, *
// any run of characters).
func (c Cond) Match(v string) bool {
	for i, want := range c.Values {
		if i < len(c.parts) && c.parts[i] != nil {
			if wildMatch(c.parts[i], v) {
				return true
			}
		} else if strings.EqualFold(want, v) {
			return true
		}
	}
	return false
}

// wildMatch matches the pieces of a pattern split at its stars (each star
// any run, also across '/'), ignoring case.
func wildMatch(parts []string, s string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first) || !strings.EqualFold(s[:len(first)], first) {
		return false
	}
	s = s[len(first):]
	for _, p := range parts[1 : len(parts)-1] {
		i := indexFold(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.EqualFold(s[len(s)-len(last):], last)
}

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, p string) int {
	if p == "" {
		return 0
	}
	lo, up := p[0], p[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - 'a' + 'A'
	} else if 'A' <= lo && lo <= 'Z' {
		lo = lo - 'A' + 'a'
	}
	for i := 0; i+len(p) <= len(s); i++ {
		if c := s[i]; c != lo && c != up {
			continue
		}
		if strings.EqualFold(s[i:i+len(p)], p) {
			return i
		}
	}
	return -1
}

// Fields lists the event fields the source's conditions test, sorted.
func (s *Source) Fields() []string {
	set := map[string]bool{}
	for _, b := range s.Branches {
		for _, c := range b.Conds {
			set[c.Field] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// String describes the source for messages: `Channel=Security`,
// `EventID=1 Channel=Microsoft-Windows-Sysmon/Operational or ...`.
func (s *Source) String() string {
	var parts []string
	for _, b := range s.Branches {
		var cs []string
		for _, c := range b.Conds {
			vals := make([]string, len(c.Values))
			for i, v := range c.Values {
				vals[i] = strconv.Quote(v)
			}
			cs = append(cs, c.Field+"="+strings.Join(vals, "|"))
		}
		parts = append(parts, strings.Join(cs, " "))
	}
	return strings.Join(parts, " or ")
}

// Describe says what a rule's logsource is, for messages.
func Describe(ls sigma.Logsource) string {
	var parts []string
	for _, kv := range [][2]string{{"product", ls.Product}, {"category", ls.Category}, {"service", ls.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	if len(parts) == 0 {
		return "(empty logsource)"
	}
	return strings.Join(parts, ", ")
}
