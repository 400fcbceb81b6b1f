// Package rules reads detection rules (YAML files), checks them, and
// evaluates them over the events of a database in event time: the Engine
// runs each rule's query on its windows, raises alerts per entity, merges
// re-detections into the open alert (suppression) and keeps its progress,
// all in one write transaction, so live watching (Advance after every
// commit) and replay (loghunt detect) end with the same alerts.
package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"loghunt/alert"
	"loghunt/query"
)

// A Rule is one detection rule, parsed and checked.
type Rule struct {
	Name        string
	Description string
	Query       string        // as written
	Window      time.Duration // look-back, event time
	Every       time.Duration // schedule, event time (boundaries aligned to the epoch)
	Entity      []string      // fields whose values make an alert's entity
	Tiers       []Tier        // in increasing severity; at least one
	Suppress    time.Duration // re-detection within this of an open alert's Last updates it
	Allow       []string      // CIDRs, addresses, user:NAME, host:NAME: on top of the global allow-list
	File        string
	Line        int // of the rule's name

	q      *query.Query
	prefix *query.Query // the row-wise stages before the first aggregation: what finds the contributing events
	early  bool         // the open window may be evaluated (every threshold only grows with the window)
	qLine  int          // where the query starts in the file
	qCol   int
	qBlock bool // the query is a block scalar (| or >): its text starts on the next line
	// declared are the tiers under severity:, good thresholds or not
	declared []string
}

// A Tier is one severity: a threshold on a result column and its actions.
type Tier struct {
	Severity string // alert.Low, alert.Medium or alert.High
	Column   string // count, attempts, anomaly_score, ...
	Op       string // >=, >, <=, <, ==, !=
	Value    float64
	Text     string // as written: "count >= 20"
	Actions  []alert.ActionSpec
}

// Met reports whether v meets the tier's threshold.
func (t *Tier) Met(v float64) bool {
	switch t.Op {
	case ">=":
		return v >= t.Value
	case ">":
		return v > t.Value
	case "<=":
		return v <= t.Value
	case "<":
		return v < t.Value
	case "==", "=":
		return v == t.Value
	case "!=":
		return v != t.Value
	}
	return false
}

// Severities lists the tiers in increasing order.
var Severities = []string{alert.Low, alert.Medium, alert.High}

// SeverityRank is 1, 2, 3 for low, medium, high; 0 for anything else.
func SeverityRank(s string) int { return slices.Index(Severities, s) + 1 }

// A Problem is one thing wrong with a rule file, at a line of it.
type Problem struct {
	File string
	Line int // 0 when it is the whole file
	Col  int
	Rule string // the rule's name when known
	Msg  string // may hold several lines (a query with its caret)
}

func (p Problem) String() string {
	where := p.File
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, p.Line)
		if p.Col > 0 {
			where = fmt.Sprintf("%s:%d", where, p.Col)
		}
	}
	if p.Rule != "" {
		where += ": rule " + p.Rule
	}
	return where + ": " + p.Msg
}

// Problems is every problem found in a set of rule files: the error of
// Load and Check.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Files lists the rule files of paths: a file as named, a directory's
// .yml and .yaml files (recursively), in name order.
func Files(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isRuleFile(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("rules: %s holds no rule files (.yml or .yaml)", p)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

func isRuleFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yml" || ext == ".yaml"
}

// Load reads and checks the rules of paths (files or directories). The
// error, when some rule is bad, is a Problems listing every problem of
// every file; rules are returned in file order either way (the good ones).
func Load(paths []string) ([]*Rule, error) {
	files, err := Files(paths)
	if err != nil {
		return nil, err
	}
	var rules []*Rule
	var probs Problems
	seen := map[string]*Rule{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			probs = append(probs, Problem{File: f, Msg: err.Error()})
			continue
		}
		r, ps := Parse(f, data)
		probs = append(probs, ps...)
		if r == nil {
			continue
		}
		if prev := seen[r.Name]; prev != nil {
			probs = append(probs, Problem{File: f, Line: r.Line, Rule: r.Name,
				Msg: fmt.Sprintf("a rule of this name is already in %s:%d (names must be unique: they key the alerts)", prev.File, prev.Line)})
			continue
		}
		seen[r.Name] = r
		if len(ps) == 0 {
			rules = append(rules, r)
		}
	}
	if len(probs) > 0 {
		return rules, probs
	}
	return rules, nil
}

// ruleKeys are the keys a rule file may have.
var ruleKeys = []string{"name", "description", "query", "window", "every", "entity", "severity", "suppress", "allow", "actions"}

var (
	nameRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	thresholdRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|==|!=|>|<|=)\s*(\S+)\s*$`)
	templateRE  = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// AlertFields are the alert's own fields an action template may use, on
// top of the entity's.
var AlertFields = []string{"id", "rule", "severity", "count", "first", "last", "score", "reason", "state"}

// parser collects the problems of one file.
type parser struct {
	file  string
	rule  string
	probs Problems
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	pr := Problem{File: p.file, Rule: p.rule, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Col = n.Line, n.Column
	}
	p.probs = append(p.probs, pr)
}

// Parse reads one rule file. It returns the rule (nil when the file is
// not a rule at all) and its problems.
func Parse(file string, data []byte) (*Rule, Problems) {
	p := &parser{file: file}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		p.probs = append(p.probs, yamlProblem(file, err))
		return nil, p.probs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errorf(&extra, "a rule file holds one rule (a second YAML document starts here)")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		n := &doc
		if len(doc.Content) > 0 {
			n = doc.Content[0]
		}
		p.errorf(n, "a rule is a YAML mapping (name:, query:, window:, ...)")
		return nil, p.probs
	}
	m := doc.Content[0]
	r := &Rule{File: file, Line: m.Line}
	vals := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "name" && m.Content[i+1].Kind == yaml.ScalarNode {
			p.rule = m.Content[i+1].Value // so that every problem names the rule
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !slices.Contains(ruleKeys, k.Value) {
			p.errorf(k, "unknown key %q%s (a rule has: %s)", k.Value, query.DidYouMean(k.Value, ruleKeys), strings.Join(ruleKeys, ", "))
			continue
		}
		if keys[k.Value] != nil {
			p.errorf(k, "key %q is given twice (also on line %d)", k.Value, keys[k.Value].Line)
			continue
		}
		keys[k.Value], vals[k.Value] = k, v
	}
	if n := vals["name"]; n == nil {
		p.errorf(m, "the rule has no name:")
	} else if s, ok := p.str(n, "name"); ok {
		if !nameRE.MatchString(s) {
			p.errorf(n, "name %q: use letters, digits, '-', '_' and '.'", s)
		}
		r.Name, r.Line = s, keys["name"].Line
		p.rule = s
	}
	if n := vals["description"]; n != nil {
		r.Description, _ = p.str(n, "description")
	}
	if n := vals["window"]; n == nil {
		p.errorf(m, "the rule has no window: (its look-back in event time, e.g. 5m)")
	} else {
		r.Window = p.duration(n, "window")
	}
	r.Every = time.Minute
	if n := vals["every"]; n != nil {
		r.Every = p.duration(n, "every")
	} else if r.Window > 0 && r.Window < r.Every {
		r.Every = r.Window
	}
	if r.Window > 0 && r.Every > r.Window {
		p.errorf(vals["every"], "every %s is longer than window %s: the events between two windows would never be looked at", r.Every, r.Window)
	}
	r.Suppress = r.Window
	if n := vals["suppress"]; n != nil {
		r.Suppress = p.durationZero(n, "suppress")
	}
	if n := vals["entity"]; n == nil {
		p.errorf(m, "the rule has no entity: (the fields an alert is about, e.g. [src_ip])")
	} else {
		r.Entity = p.strList(n, "entity")
		if len(r.Entity) == 0 {
			p.errorf(n, "entity: name at least one field")
		}
		for i, f := range r.Entity {
			if slices.Contains(r.Entity[:i], f) {
				p.errorf(n, "entity: field %q is named twice", f)
			}
		}
	}
	if n := vals["allow"]; n != nil {
		r.Allow = p.strList(n, "allow")
		for _, a := range r.Allow {
			if err := checkAllow(a); err != nil {
				p.errorf(n, "allow: %v", err)
			}
		}
	}
	if n := vals["query"]; n == nil {
		p.errorf(m, "the rule has no query:")
	} else if s, ok := p.str(n, "query"); ok {
		r.Query = s
		r.qLine, r.qCol = n.Line, n.Column
		r.qBlock = n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			r.qCol++
		}
		p.parseQuery(r, n)
	}
	if n := vals["severity"]; n == nil {
		p.errorf(m, "the rule has no severity: (thresholds per tier, e.g. low: count >= 20)")
	} else {
		p.tiers(r, n)
	}
	if n := vals["actions"]; n != nil {
		p.actions(r, n)
	}
	if r.q != nil && len(r.Tiers) > 0 {
		r.early = isEarly(r)
	}
	sort.SliceStable(p.probs, func(i, j int) bool {
		a, b := p.probs[i], p.probs[j]
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return r, p.probs
}

func yamlProblem(file string, err error) Problem {
	msg := err.Error()
	line := 0
	// yaml.v3 says "yaml: line N: ..."
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return Problem{File: file, Line: line, Msg: "not valid YAML: " + msg}
}

func (p *parser) str(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s: want a text value", key)
		return "", false
	}
	return n.Value, true
}

func (p *parser) strList(n *yaml.Node, key string) []string {
	if n.Kind == yaml.ScalarNode {
		if s, ok := p.str(n, key); ok {
			return []string{s}
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list, e.g. [a, b]", key)
		return nil
	}
	var out []string
	for _, c := range n.Content {
		if s, ok := p.str(c, key); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) durationZero(n *yaml.Node, key string) time.Duration {
	s, ok := p.str(n, key)
	if !ok || s == "0" {
		return 0
	}
	d, err := query.ParseDuration(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return 0
	}
	if d < 0 {
		p.errorf(n, "%s: %s is negative", key, s)
	}
	return d
}

func (p *parser) duration(n *yaml.Node, key string) time.Duration {
	s, ok := p.str(n, key)
	if !ok {
		return 0
	}
	d, err := query.ParseDuration(s)
	switch {
	case err != nil:
		p.errorf(n, "%s: %v", key, err)
		return 0
	case d <= 0:
		p.errorf(n, "%s: must be longer than 0", key)
	case d < time.Second:
		p.errorf(n, "%s: %s is shorter than a second", key, s)
	}
	return d
}

// parseQuery parses the rule's query, placing a syntax error's caret at
// its line of the file.
func (p *parser) parseQuery(r *Rule, n *yaml.Node) {
	q, err := query.Parse(r.Query)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			line, col := r.fileLineCol(qe.Line, qe.Col)
			p.probs = append(p.probs, Problem{File: p.file, Line: line, Col: col, Rule: p.rule,
				Msg: "query error:\n" + indent(qe.Error())})
			return
		}
		p.errorf(n, "query: %v", err)
		return
	}
	if q.SavesModel() {
		p.errorf(n, "query: anomalies save= writes a model; a rule scores with a saved one (model=NAME), fitted beforehand with loghunt query")
		return
	}
	r.q = q
	r.prefix = prefixOf(q)
}

// fileLineCol maps a line and column of the query to the rule file.
func (r *Rule) fileLineCol(qline, qcol int) (int, int) {
	if !r.qBlock {
		return r.qLine + qline - 1, r.qCol + qcol - 1
	}
	// A block scalar: its text starts on the line after the indicator,
	// indented; yaml.v3 does not say by how much, so read it off the file.
	line := r.qLine + qline
	return line, qcol + r.blockIndent(line)
}

func (r *Rule) blockIndent(line int) int {
	data, err := os.ReadFile(r.File)
	if err != nil {
		return 0
	}
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return 0
	}
	s := lines[line-1]
	return len(s) - len(strings.TrimLeft(s, " "))
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

func (p *parser) tiers(r *Rule, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "severity: want a mapping of tiers (low:, medium:, high:) to thresholds such as count >= 20")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if SeverityRank(k.Value) == 0 {
			p.errorf(k, "severity: unknown tier %q (tiers: low, medium, high)", k.Value)
			continue
		}
		if slices.ContainsFunc(r.Tiers, func(t Tier) bool { return t.Severity == k.Value }) {
			p.errorf(k, "severity: tier %s is given twice", k.Value)
			continue
		}
		r.declared = append(r.declared, k.Value)
		s, ok := p.str(v, "severity "+k.Value)
		if !ok {
			continue
		}
		m := thresholdRE.FindStringSubmatch(s)
		if m == nil {
			p.errorf(v, "severity %s: bad threshold %q (want COLUMN OP NUMBER, e.g. count >= 20 or anomaly_score > 0.7)", k.Value, s)
			continue
		}
		val, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			p.errorf(v, "severity %s: bad threshold %q: %q is not a number", k.Value, s, m[3])
			continue
		}
		r.Tiers = append(r.Tiers, Tier{Severity: k.Value, Column: m[1], Op: m[2], Value: val, Text: strings.TrimSpace(s)})
		if r.q != nil {
			if _, has := query.CheckFields(r.q, nil, true); !has(m[1]) {
				p.errorf(v, "severity %s: column %q is not in the query's result", k.Value, m[1])
			}
		}
	}
	sort.SliceStable(r.Tiers, func(i, j int) bool { return SeverityRank(r.Tiers[i].Severity) < SeverityRank(r.Tiers[j].Severity) })
	if len(r.Tiers) == 0 && len(n.Content) == 0 {
		p.errorf(n, "severity: give at least one tier")
	}
	if r.q != nil {
		_, has := query.CheckFields(r.q, nil, true)
		for _, f := range r.Entity {
			if !has(f) {
				p.errorf(n, "entity field %q is not in the query's result (group by it: stats ... by %s)", f, f)
			}
		}
	}
}

// actionKeys are the keys of each type of action.
var actionKeys = map[string][]string{
	"log":     {"log"},
	"webhook": {"webhook", "slack", "timeout", "retries"},
	"exec":    {"exec", "undo", "for", "timeout"},
}

func (p *parser) actions(r *Rule, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "actions: want a mapping of tiers (low:, medium:, high:) to lists of actions")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ti := slices.IndexFunc(r.Tiers, func(t Tier) bool { return t.Severity == k.Value })
		if ti < 0 && slices.Contains(r.declared, k.Value) {
			// its threshold is bad (said so): check its actions anyway
			r.Tiers = append(r.Tiers, Tier{Severity: k.Value})
			ti = len(r.Tiers) - 1
			defer func() { r.Tiers = slices.DeleteFunc(r.Tiers, func(t Tier) bool { return t.Text == "" }) }()
		}
		if ti < 0 {
			if SeverityRank(k.Value) == 0 {
				p.errorf(k, "actions: unknown tier %q (tiers: low, medium, high)", k.Value)
			} else {
				p.errorf(k, "actions: tier %s has no threshold under severity:", k.Value)
			}
			continue
		}
		if v.Kind != yaml.SequenceNode {
			p.errorf(v, "actions %s: want a list of actions, e.g. [{log: alerts.jsonl}]", k.Value)
			continue
		}
		for _, a := range v.Content {
			if spec, ok := p.action(r, k.Value, a); ok {
				r.Tiers[ti].Actions = append(r.Tiers[ti].Actions, spec)
			}
		}
	}
}

func (p *parser) action(r *Rule, tier string, n *yaml.Node) (alert.ActionSpec, bool) {
	var spec alert.ActionSpec
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "actions %s: an action is a mapping: {log: FILE}, {webhook: URL, ...} or {exec: [ARGV...], ...}", tier)
		return spec, false
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if fields[k.Value] != nil {
			p.errorf(k, "actions %s: key %q is given twice", tier, k.Value)
		}
		fields[k.Value] = n.Content[i+1]
	}
	for _, t := range []string{"log", "webhook", "exec"} {
		if fields[t] != nil {
			if spec.Type != "" {
				p.errorf(n, "actions %s: one action has both %s and %s (make them two actions)", tier, spec.Type, t)
				return spec, false
			}
			spec.Type = t
		}
	}
	if spec.Type == "" {
		var names []string
		for i := 0; i < len(n.Content); i += 2 {
			names = append(names, n.Content[i].Value)
		}
		p.errorf(n, "actions %s: unknown action %s (actions: log, webhook, exec)", tier, strings.Join(quoteAll(names), ", "))
		return spec, false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(actionKeys[spec.Type], k.Value) {
			all := slices.Concat(actionKeys["log"], actionKeys["webhook"], actionKeys["exec"])
			if slices.Contains(all, k.Value) {
				p.errorf(k, "actions %s: key %q is not for a %s action (%s takes: %s)", tier, k.Value, spec.Type, spec.Type, strings.Join(actionKeys[spec.Type], ", "))
			} else {
				p.errorf(k, "actions %s: unknown key %q%s in a %s action (it takes: %s)", tier, k.Value, query.DidYouMean(k.Value, all), spec.Type, strings.Join(actionKeys[spec.Type], ", "))
			}
			ok = false
		}
	}
	before := len(p.probs)
	switch spec.Type {
	case "log":
		v := fields["log"]
		switch {
		case v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Tag == "!!bool" && v.Value == "true" || v.Value == "stderr"):
			// stderr only
		case v.Kind == yaml.ScalarNode && v.Tag != "!!bool":
			spec.File = v.Value
		default:
			p.errorf(v, "actions %s: log takes a JSON-lines file name (or true for stderr only)", tier)
		}
	case "webhook":
		if s, ok := p.str(fields["webhook"], "webhook"); ok {
			if !isHTTPURL(s) {
				p.errorf(fields["webhook"], "actions %s: webhook %q is not an http:// or https:// URL", tier, s)
			}
			spec.URL = s
		}
		if v := fields["slack"]; v != nil {
			b, err := strconv.ParseBool(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				p.errorf(v, "actions %s: slack: want true or false", tier)
			}
			spec.Slack = b
		}
		if v := fields["retries"]; v != nil {
			n, err := strconv.Atoi(v.Value)
			if err != nil || n < 0 || v.Kind != yaml.ScalarNode {
				p.errorf(v, "actions %s: retries: want a whole number, 0 or more", tier)
			}
			spec.Retries = n
		}
	case "exec":
		spec.Argv = p.argv(r, tier, "exec", fields["exec"])
		if v := fields["undo"]; v != nil {
			spec.Undo = p.argv(r, tier, "undo", v)
		}
		if v := fields["for"]; v != nil {
			spec.For = p.duration(v, "actions "+tier+": for")
			if spec.Undo == nil {
				p.errorf(v, "actions %s: for needs an undo argv (what to run when it expires)", tier)
			}
		}
	}
	if v := fields["timeout"]; v != nil && spec.Type != "log" {
		spec.Timeout = p.duration(v, "actions "+tier+": timeout")
	}
	spec.Allow = r.Allow
	return spec, ok && len(p.probs) == before
}

func (p *parser) argv(r *Rule, tier, key string, n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "actions %s: %s takes an argv list, e.g. [\"nft\", \"add\", ...] (it runs without a shell)", tier, key)
		return nil
	}
	var argv []string
	for _, c := range n.Content {
		s, ok := p.str(c, "actions "+tier+": "+key)
		if !ok {
			continue
		}
		for _, m := range templateRE.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(r.Entity, m[1]) && !slices.Contains(AlertFields, m[1]) {
				p.errorf(c, "actions %s: %s: template {%s} is neither an entity field (%s) nor an alert field (%s)",
					tier, key, m[1], strings.Join(r.Entity, ", "), strings.Join(AlertFields, ", "))
			}
		}
		argv = append(argv, s)
	}
	return argv
}

// isHTTPURL reports whether s is an http:// or https:// URL with a host
// (checked by hand: net/url would link networking into the binary, which
// TestNoNetworkCode keeps out of all but the webhook action).
func isHTTPURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "https://")
	}
	host, _, _ := strings.Cut(rest, "/")
	return ok && host != "" && !strings.ContainsAny(s, " \t\n\"<>\\^`{|}") && !strings.HasPrefix(host, ":")
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// checkAllow checks one allow-list entry: an address, a CIDR, user:NAME
// or host:NAME.
func checkAllow(a string) error {
	if name, ok := strings.CutPrefix(a, "user:"); ok {
		if name == "" {
			return fmt.Errorf("%q names no user", a)
		}
		return nil
	}
	if name, ok := strings.CutPrefix(a, "host:"); ok {
		if name == "" {
			return fmt.Errorf("%q names no host", a)
		}
		return nil
	}
	if _, err := netip.ParsePrefix(a); err == nil {
		return nil
	}
	if _, err := netip.ParseAddr(a); err == nil {
		return nil
	}
	return fmt.Errorf("%q is not an address, a CIDR, user:NAME or host:NAME", a)
}

// prefixOf returns the row-wise stages at the start of q, before the
// first stage that aggregates, reorders or changes _time: the query that
// finds the events a result row of q stands for.
func prefixOf(q *query.Query) *query.Query {
	n := 0
	for _, st := range q.Stages {
		switch c := st.(type) {
		case *query.SearchCmd, *query.WhereCmd, *query.RexCmd, *query.RenameCmd, *query.LookupCmd:
		case *query.EvalCmd:
			if slices.ContainsFunc(c.Assigns, func(a *query.Assignment) bool { return string(a.Field) == "_time" }) {
				return &query.Query{Stages: q.Stages[:n]}
			}
		default:
			return &query.Query{Stages: q.Stages[:n]}
		}
		n++
	}
	return &query.Query{Stages: q.Stages[:n]}
}

// isEarly reports whether a window may be evaluated before it closes: the
// query is the prefix, one stats by the entity, then only wheres on
// count or dc results, and every threshold is > or >= on a count or dc
// result. Then what the open window finds, the closed window finds too
// (its counts only grow), so live and replay raise the same alerts.
func isEarly(r *Rule) bool {
	stages := r.q.Stages[len(r.prefix.Stages):]
	if len(stages) == 0 {
		return false
	}
	st, ok := stages[0].(*query.StatsCmd)
	if !ok {
		return false
	}
	growing := map[string]bool{}
	for _, a := range st.Aggs {
		if a.Kind == "count" || a.Kind == "dc" {
			growing[a.OutputName()] = true
		}
	}
	for _, s := range stages[1:] {
		w, ok := s.(*query.WhereCmd)
		if !ok {
			return false
		}
		e, err := query.CompileExpr(w.Expr, nil)
		if err != nil {
			return false
		}
		for _, f := range e.Fields() {
			if !growing[f] {
				return false
			}
		}
		if !onlyLowerBounds(w.Expr.String()) {
			return false
		}
	}
	for _, t := range r.Tiers {
		if !growing[t.Column] || (t.Op != ">=" && t.Op != ">") {
			return false
		}
	}
	return true
}

// onlyLowerBounds is a conservative look at a where expression: it holds
// no <, !, NOT, OR or = other than in >=, so it can only become true as
// counts grow.
func onlyLowerBounds(expr string) bool {
	up := strings.ToUpper(expr)
	return !strings.ContainsAny(expr, "<!") && !strings.Contains(up, "NOT") && !strings.Contains(up, " OR ") &&
		!strings.Contains(strings.ReplaceAll(expr, ">=", ""), "=")
}

// Parsed is the parsed query of the rule.
func (r *Rule) Parsed() *query.Query { return r.q }

// EventsQuery is the query that finds the events a result row stands for
// (the stages before the first aggregation), as text.
func (r *Rule) EventsQuery() string { return r.prefix.String() }

// Early reports whether the open window is evaluated before it closes.
func (r *Rule) Early() bool { return r.early }

// tier returns the tier of that severity, or nil.
func (r *Rule) tier(sev string) *Tier {
	for i := range r.Tiers {
		if r.Tiers[i].Severity == sev {
			return &r.Tiers[i]
		}
	}
	return nil
}
