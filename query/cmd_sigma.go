package query

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/sigma"
	"loghunt/sigmamap"
	"loghunt/store"
)

// The fields the sigma stage adds.
const (
	SigmaIDField    = "sigma_id"
	SigmaTitleField = "sigma_title"
	SigmaLevelField = "sigma_level"
	SigmaTagsField  = "sigma_tags"
)

var sigmaFields = []string{SigmaIDField, SigmaTitleField, SigmaLevelField, SigmaTagsField}

// SigmaCmd keeps the rows that Sigma detection rules match, one row per
// row and matching rule, tagged with the rule: `sigma rules=PATH
// [level>=high] [tags=attack.t1110] [mapping=FILE]`.
type SigmaCmd struct {
	Pos    lexer.Position
	Args   []*SigmaArg `parser:"'sigma':Stage @@*"`
	EndPos lexer.Position

	Rules   string
	Mapping string
	Select  sigmamap.Select
}

// SigmaArg is one argument of sigma: name=value, or level>=value.
type SigmaArg struct {
	Pos    lexer.Position
	Name   string `parser:"@Ident"`
	Op     string `parser:"@('>=' | '=')"`
	Value  Text   `parser:"@(Number | String | Ident | Field | Keyword)"`
	EndPos lexer.Position
}

func (a *SigmaArg) String() string {
	v := string(a.Value)
	if !isArgsIdent(v) && !isNumberOrDuration(v) {
		v = quoteText(v)
	}
	return a.Name + a.Op + v
}

func (*SigmaCmd) command()                   {}
func (c *SigmaCmd) Position() lexer.Position { return c.Pos }

func (c *SigmaCmd) String() string {
	parts := []string{"sigma"}
	for _, a := range c.Args {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, " ")
}

func (c *SigmaCmd) check() *posError {
	c.Rules, c.Mapping, c.Select = "", "", sigmamap.Select{}
	seen := map[string]bool{}
	for _, a := range c.Args {
		name := strings.ToLower(a.Name)
		if seen[name] {
			return errorfAt(a.Pos.Offset, "option %q is given twice", name)
		}
		seen[name] = true
		valueAt := a.Pos.Offset + len(a.Name) + len(a.Op)
		if a.Op == ">=" && name != "level" {
			return errorfAt(a.Pos.Offset+len(a.Name), "only level takes >= (write %s=...)", name)
		}
		v := string(a.Value)
		switch name {
		case "rules":
			c.Rules = v
		case "mapping":
			c.Mapping = v
		case "level":
			l := sigmamap.Levels[strings.ToLower(v)]
			if l == 0 {
				return errorfAt(valueAt, "unknown level %q (want informational, low, medium, high or critical)", v)
			}
			c.Select.MinLevel = l
			if a.Op == "=" {
				c.Select.MaxLevel = l
			}
		case "tags":
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					c.Select.Tags = append(c.Select.Tags, t)
				}
			}
			if len(c.Select.Tags) == 0 {
				return errorfAt(valueAt, "tags needs at least one tag")
			}
		default:
			return errorfAt(a.Pos.Offset, "unknown option %q for sigma%s", a.Name, didYouMean(name, []string{"rules", "level", "tags", "mapping"}))
		}
	}
	if c.Rules == "" {
		return errorfAt(c.Pos.Offset, "sigma needs rules=PATH (a rule file or a directory of them)")
	}
	return nil
}

// inputFields: a rule may read any field and the raw text.
func (c *SigmaCmd) inputFields(fieldSet) fieldSet { return allFields() }

func (c *SigmaCmd) rowStage(p *plan) (rowStage, error) {
	rs, err := sigmamap.LoadRules("sigma", []string{c.Rules}, c.Mapping)
	if err != nil {
		return nil, err
	}
	m := sigmamap.NewMatcher(rs.Set.Rules, rs.Sources)
	st := &sigmaStage{m: m, keep: map[*sigma.Rule]bool{}}
	for _, cr := range m.Rules {
		if cr.Rule.Standalone && c.Select.Keeps(cr.Rule.Level, cr.Rule.Tags) {
			st.keep[cr.Rule] = true
		}
	}
	if len(st.keep) == 0 {
		return nil, fmt.Errorf("sigma: none of the %d rules in %s can run with this selection (see loghunt sigma check; correlations and the rules only they use run in loghunt sigma hunt)", len(rs.Set.Rules), c.Rules)
	}
	if p.leading && !p.opt.NoSigmaPushdown {
		// Right after the search, the rules' log sources and words join
		// the scan's filter: chunks (and rows) no rule can match are not
		// read. Only words of keywords count (a JSON rendering of a
		// Windows event may escape what its .evtx XML holds whole).
		if f := m.ChunkFilter(func(r *sigma.Rule) bool { return st.keep[r] }, false); f != nil {
			if p.filter == nil {
				p.filter = f
			} else {
				p.filter = store.And(p.filter, f)
			}
		}
	}
	return st, nil
}

// sigmaStage runs the rules on each row.
type sigmaStage struct {
	m    *sigmamap.Matcher
	keep map[*sigma.Rule]bool
}

// batchEvent is one row of a batch as a Sigma event.
type batchEvent struct {
	b   *Batch
	idx map[string]int
	raw int
	row int
}

func (e *batchEvent) Get(f string) (string, bool) {
	i, ok := e.idx[f]
	if !ok {
		return "", false
	}
	v := e.b.Cols[i][e.row]
	if v.IsNull() {
		return "", false
	}
	return v.String(), true
}

func (e *batchEvent) Raw() string {
	if e.raw < 0 {
		return ""
	}
	return e.b.Cols[e.raw][e.row].String()
}

// apply repeats each row once per matching rule, with the rule's fields;
// rows no rule matches are dropped.
func (s *sigmaStage) apply(b *Batch) (*Batch, error) {
	ev := &batchEvent{b: b, idx: make(map[string]int, len(b.Fields)), raw: b.Col(store.ColRaw)}
	for i, f := range b.Fields {
		ev.idx[f] = i
	}
	for i, f := range b.Fields {
		if strings.ContainsRune(f, ' ') {
			if a := strings.ReplaceAll(f, " ", ""); b.Col(a) < 0 {
				ev.idx[a] = i // rules name "Source Name" SourceName
			}
		}
	}
	var rows []int
	var rules []*sigma.Rule
	keep := func(c *sigmamap.Compiled) bool { return s.keep[c.Rule] }
	for r := 0; r < b.Len; r++ {
		ev.row = r
		s.m.Match(ev, nil, false, keep, func(c *sigmamap.Compiled, _ sigma.Event) {
			rows, rules = append(rows, r), append(rules, c.Rule)
		})
	}
	out := &Batch{Len: len(rows)}
	for k, f := range b.Fields {
		if isSigmaField(f) {
			continue
		}
		col := b.Cols[k]
		nc := make([]store.Value, len(rows))
		for i, r := range rows {
			nc[i] = col[r]
		}
		out.Fields = append(out.Fields, f)
		out.Cols = append(out.Cols, nc)
	}
	id, title, level, tags := make([]store.Value, len(rows)), make([]store.Value, len(rows)), make([]store.Value, len(rows)), make([]store.Value, len(rows))
	for i, r := range rules {
		id[i], title[i] = store.Str(r.Ref()), store.Str(r.Title)
		if r.Level != "" {
			level[i] = store.Str(r.Level)
		}
		tags[i] = mvValue(r.Tags)
	}
	out.Fields = append(out.Fields, sigmaFields...)
	out.Cols = append(out.Cols, id, title, level, tags)
	if b.Order != nil {
		out.Order = make([]int64, len(rows))
		for i, r := range rows {
			out.Order[i] = b.Order[r]
		}
	}
	return out, nil
}

func isSigmaField(f string) bool {
	for _, s := range sigmaFields {
		if f == s {
			return true
		}
	}
	return false
}
