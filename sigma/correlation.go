package sigma

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// CorrType is a correlation's type.
type CorrType string

// The correlation types of the specification.
const (
	EventCount      CorrType = "event_count"
	ValueCount      CorrType = "value_count"
	Temporal        CorrType = "temporal"
	TemporalOrdered CorrType = "temporal_ordered"
	ValueSum        CorrType = "value_sum"
	ValueAvg        CorrType = "value_avg"
	ValuePercentile CorrType = "value_percentile"
)

// Criterion is one comparison of a correlation's condition.
type Criterion struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
}

func (c Criterion) holds(x float64) bool {
	switch c.Op {
	case "gt":
		return x > c.Value
	case "gte":
		return x >= c.Value
	case "lt":
		return x < c.Value
	case "lte":
		return x <= c.Value
	case "eq":
		return x == c.Value
	case "neq":
		return x != c.Value
	}
	return false
}

// Correlation is a Sigma correlation rule.
//
// What each type compares with Condition, over the events of one group
// in one window:
//   - event_count: the number of events;
//   - value_count: the number of distinct values of Field (several
//     fields: distinct combinations); events without it are not counted;
//   - value_sum, value_avg: the sum and mean of Field read as a number
//     (events where it is not a number are left out; no number, no hit);
//   - value_percentile: the share, in percent, that one value of Field
//     has among the window's events that have Field: the window is a hit
//     when some value's share meets the condition (so `lte: 1` finds a
//     value seen in at most 1% of the events; the specification's
//     example) and the hit reports the smallest such share;
//   - temporal: the number of distinct rules of Rules that matched (no
//     condition: all of them);
//   - temporal_ordered: the length of the longest prefix of Rules whose
//     matches occur in that order (no condition: all of them).
//
// See Correlator for the windows.
type Correlation struct {
	File      string
	Line      int
	Title     string
	ID        string
	Name      string
	Status    string
	Level     string
	Tags      []string
	Type      CorrType
	Rules     []string // as written: ids or names
	GroupBy   []string
	Aliases   map[string]map[string]string // alias -> rule name -> field
	Timespan  time.Duration
	Condition []Criterion
	Field     []string
	Generate  bool
	Problems  []Problem

	// Sources are the resolved Rules: *Rule or *Correlation, same order.
	Sources []any
	// Standalone tells whether the hits are reported (no correlation uses
	// this one, or one that does says `generate: true`).
	Standalone bool

	used bool // some correlation uses this one
}

// Ref is how other documents name the correlation.
func (c *Correlation) Ref() string {
	switch {
	case c.ID != "":
		return c.ID
	case c.Name != "":
		return c.Name
	}
	return c.Title
}

// CanRun reports whether the correlation and all it depends on can run.
func (c *Correlation) CanRun() bool { return len(c.Problems) == 0 }

func parseCorrelation(file string, doc *yaml.Node) *Correlation {
	cc := &compiler{file: file}
	m := cc.readMeta(doc)
	c := &Correlation{File: file, Line: doc.Line, Title: m.title, ID: m.id, Name: m.name,
		Status: m.status, Level: m.level, Tags: m.tags, Standalone: true}
	sec := mapGet(doc, "correlation")
	if sec == nil || sec.Kind != yaml.MappingNode {
		cc.problem(doc, KindBadValue, "correlation must be a map")
		c.Problems = cc.problems
		return c
	}
	if g := mapGet(doc, "generate"); g != nil {
		c.Generate = strings.EqualFold(g.Value, "true")
	}
	if g := mapGet(sec, "generate"); g != nil {
		c.Generate = strings.EqualFold(g.Value, "true")
	}
	typ, _ := scalarString(mapGet(sec, "type"))
	c.Type = CorrType(typ)
	switch c.Type {
	case EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile:
	case "":
		cc.problem(sec, KindMissing, "correlation has no type")
	default:
		cc.problem(mapGet(sec, "type"), KindCorrelation, fmt.Sprintf("unknown correlation type %q", typ))
	}
	rules, ok := stringList(mapGet(sec, "rules"))
	if !ok || len(rules) == 0 {
		cc.problem(sec, KindMissing, "correlation has no rules")
	}
	c.Rules = rules
	if gb, ok := stringList(mapGet(sec, "group-by")); ok {
		c.GroupBy = gb
	} else {
		cc.problem(mapGet(sec, "group-by"), KindBadValue, "group-by must be a list of field names")
	}
	if ts := mapGet(sec, "timespan"); ts == nil {
		cc.problem(sec, KindMissing, "correlation has no timespan")
	} else if d, err := parseTimespan(ts.Value); err != nil {
		cc.problem(ts, KindBadValue, err.Error())
	} else {
		c.Timespan = d
	}
	c.readAliases(cc, mapGet(sec, "aliases"))
	c.readCondition(cc, mapGet(sec, "condition"))
	c.Problems = cc.problems
	return c
}

func (c *Correlation) readAliases(cc *compiler, n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		cc.problem(n, KindBadValue, "aliases must be a map")
		return
	}
	c.Aliases = map[string]map[string]string{}
	mapPairs(n, func(k, v *yaml.Node) {
		if v.Kind != yaml.MappingNode {
			cc.problem(v, KindBadValue, fmt.Sprintf("alias %q must map rule names to field names", k.Value))
			return
		}
		m := map[string]string{}
		mapPairs(v, func(rk, rv *yaml.Node) { m[rk.Value] = rv.Value })
		c.Aliases[k.Value] = m
	})
}

func (c *Correlation) readCondition(cc *compiler, n *yaml.Node) {
	needsField := c.Type == ValueCount || c.Type == ValueSum || c.Type == ValueAvg || c.Type == ValuePercentile
	if n == nil {
		switch c.Type {
		case Temporal, TemporalOrdered:
			c.Condition = []Criterion{{Op: "gte", Value: float64(len(c.Rules))}}
		case "":
		default:
			cc.problem(nil, KindMissing, fmt.Sprintf("%s correlation has no condition", c.Type))
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		cc.problem(n, KindBadValue, "correlation condition must be a map such as {gte: 10}")
		return
	}
	mapPairs(n, func(k, v *yaml.Node) {
		switch k.Value {
		case "field":
			f, ok := stringList(v)
			if !ok || len(f) == 0 {
				cc.problem(v, KindBadValue, "condition field must be a field name or a list of them")
			}
			c.Field = f
		case "gt", "gte", "lt", "lte", "eq", "neq":
			x, err := strconv.ParseFloat(v.Value, 64)
			if err != nil {
				cc.problem(v, KindBadValue, fmt.Sprintf("condition %s needs a number, not %q", k.Value, v.Value))
				return
			}
			c.Condition = append(c.Condition, Criterion{Op: k.Value, Value: x})
		default:
			cc.problem(k, KindCorrelation, fmt.Sprintf("unknown correlation condition %q", k.Value))
		}
	})
	if len(c.Condition) == 0 {
		cc.problem(n, KindMissing, "correlation condition has no comparison (gt, gte, lt, lte, eq, neq)")
	}
	if needsField && len(c.Field) == 0 {
		cc.problem(n, KindMissing, fmt.Sprintf("%s correlation condition needs a field", c.Type))
	}
	if !needsField && len(c.Field) > 0 {
		cc.problem(n, KindCorrelation, fmt.Sprintf("%s correlation takes no condition field", c.Type))
	}
	if (c.Type == ValueSum || c.Type == ValueAvg || c.Type == ValuePercentile) && len(c.Field) > 1 {
		cc.problem(n, KindCorrelation, fmt.Sprintf("%s correlation takes one field", c.Type))
	}
}

// parseTimespan reads `number + unit` with unit s, m, h or d.
func parseTimespan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, fmt.Errorf("timespan %q: want a number and a unit (s, m, h, d), such as 5m", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("timespan %q: want a positive whole number and a unit (s, m, h, d), such as 5m", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("timespan %q: unknown unit %q (want s, m, h or d)", s, s[len(s)-1:])
	}
	return time.Duration(n) * unit, nil
}

// fieldFor returns the field that carries the group-by or value field
// name in the events of source i (aliases applied).
func (c *Correlation) fieldFor(name string, i int) string {
	m, ok := c.Aliases[name]
	if !ok {
		return name
	}
	for ref, f := range m {
		if c.sourceIs(i, ref) {
			return f
		}
	}
	return name
}

func (c *Correlation) sourceIs(i int, ref string) bool {
	if i >= len(c.Sources) {
		return i < len(c.Rules) && ref == c.Rules[i] // not linked into a Set
	}
	switch s := c.Sources[i].(type) {
	case *Rule:
		return ref == s.ID || ref == s.Name || ref == s.Title
	case *Correlation:
		return ref == s.ID || ref == s.Name || ref == s.Title
	}
	return ref == c.Rules[i]
}

// Extract reads, from an event matched by source i (an index into
// Rules), the group-by values and the condition field value (several
// fields are joined by "\x1f"), aliases applied. ok is false when a
// group-by field is absent: such events take no part in the correlation
// (as with a `stats ... by` that has no value to group by).
func (c *Correlation) Extract(i int, ev Event) (group []string, value string, hasValue, ok bool) {
	group = make([]string, len(c.GroupBy))
	for j, g := range c.GroupBy {
		v, present := ev.Get(c.fieldFor(g, i))
		if !present {
			return nil, "", false, false
		}
		group[j] = v
	}
	hasValue = len(c.Field) > 0
	var parts []string
	for _, f := range c.Field {
		v, present := ev.Get(c.fieldFor(f, i))
		if !present {
			hasValue = false
			break
		}
		parts = append(parts, v)
	}
	if hasValue {
		value = strings.Join(parts, "\x1f")
	}
	return group, value, hasValue, true
}

// SourceIndex returns the index in Rules of the rule or correlation
// named ref (its id, name or title, or the reference as written), or -1.
func (c *Correlation) SourceIndex(ref string) int {
	for i := range c.Rules {
		if c.Rules[i] == ref || i < len(c.Sources) && c.Sources[i] != nil && c.sourceIs(i, ref) {
			return i
		}
	}
	return -1
}
