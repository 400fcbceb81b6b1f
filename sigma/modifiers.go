package sigma

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// modifierSet is a parsed chain `field|mod1|mod2`.
type modifierSet struct {
	all, cased, neq, expand bool
	typ                     string   // "", "re", "cidr", "fieldref", "exists", or a comparison gt/gte/lt/lte
	unit                    string   // minute, hour, day, week, month, year
	reFlags                 string   // i, m, s after re
	steps                   []string // transformations and positions, in order
	names                   []string // every modifier, for messages
}

var (
	transformMods = map[string]bool{"contains": true, "startswith": true, "endswith": true,
		"base64": true, "base64offset": true, "utf16le": true, "utf16be": true, "utf16": true,
		"wide": true, "windash": true}
	compareMods = map[string]Op{"gt": OpGT, "gte": OpGTE, "lt": OpLT, "lte": OpLTE}
	unitMods    = map[string]bool{"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true}
)

// maxVariants bounds the values one item may expand to (windash,
// base64offset, placeholders), so that a rule cannot blow up memory.
const maxVariants = 5000

func parseModifiers(mods []string) (modifierSet, error) {
	var m modifierSet
	m.names = mods
	setType := func(t string) error {
		if m.typ != "" {
			return fmt.Errorf("modifiers %q and %q cannot be combined", m.typ, t)
		}
		m.typ = t
		return nil
	}
	for i, mod := range mods {
		switch {
		case mod == "all":
			m.all = true
		case mod == "cased":
			m.cased = true
		case mod == "neq":
			m.neq = true
		case mod == "expand":
			m.expand = true
		case mod == "i" || mod == "m" || mod == "s":
			if m.typ != "re" {
				return m, fmt.Errorf("modifier %q applies only after re", mod)
			}
			if !strings.Contains(m.reFlags, mod) {
				m.reFlags += mod
			}
		case mod == "re" || mod == "cidr" || mod == "fieldref" || mod == "exists":
			if err := setType(mod); err != nil {
				return m, err
			}
		case compareMods[mod] != 0:
			if err := setType(mod); err != nil {
				return m, err
			}
		case unitMods[mod]:
			if m.unit != "" {
				return m, fmt.Errorf("modifiers %q and %q cannot be combined", m.unit, mod)
			}
			if m.typ != "" {
				return m, fmt.Errorf("time modifier %q must come before %q", mod, m.typ)
			}
			m.unit = mod
		case transformMods[mod]:
			m.steps = append(m.steps, mod)
		case mod == "":
			return m, fmt.Errorf("empty modifier (a doubled `|`) at position %d", i+1)
		default:
			return m, fmt.Errorf("unknown modifier %q", mod)
		}
	}
	if m.unit != "" && m.typ == "" {
		m.typ = "eq-number"
	}
	if m.unit != "" && compareMods[m.typ] == 0 && m.typ != "eq-number" {
		return m, fmt.Errorf("time modifier %q cannot be combined with %q", m.unit, m.typ)
	}
	// what each value type allows besides itself
	allowed := map[string]string{
		"re":       "all neq cased",
		"cidr":     "all neq",
		"fieldref": "all neq cased contains startswith endswith",
		"exists":   "",
	}
	if a, ok := allowed[m.typ]; ok {
		for _, mod := range mods {
			if mod == m.typ || m.typ == "re" && (mod == "i" || mod == "m" || mod == "s") {
				continue
			}
			if !strings.Contains(" "+a+" ", " "+mod+" ") {
				return m, fmt.Errorf("modifier %q cannot be combined with %q", mod, m.typ)
			}
		}
	}
	if compareMods[m.typ] != 0 || m.typ == "eq-number" {
		for _, mod := range mods {
			if mod != m.typ && mod != m.unit && mod != "all" {
				return m, fmt.Errorf("modifier %q cannot be combined with %q", mod, m.typ)
			}
		}
	}
	return m, nil
}

// compileItem compiles one `field|mods: values` item of a detection map
// (field "" for keywords on the raw text).
func (c *compiler) compileItem(key *yaml.Node, field string, mods []string, val *yaml.Node) Node {
	m, err := parseModifiers(mods)
	if err != nil {
		c.problem(key, KindModifier, err.Error())
		return nil
	}
	var vals []*yaml.Node
	switch {
	case val.Kind == yaml.SequenceNode:
		if len(val.Content) == 0 {
			c.problem(val, KindBadValue, fmt.Sprintf("%s: empty list of values", key.Value))
			return nil
		}
		for _, v := range val.Content {
			v = deref(v)
			if v.Kind != yaml.ScalarNode {
				c.problem(v, KindBadValue, fmt.Sprintf("%s: a list of values may hold only plain values", key.Value))
				return nil
			}
			if isNull(v) {
				c.problem(v, KindBadValue, fmt.Sprintf("%s: null cannot be part of a list of values", key.Value))
				return nil
			}
			vals = append(vals, v)
		}
	case val.Kind == yaml.ScalarNode:
		vals = []*yaml.Node{val}
	default:
		c.problem(val, KindBadValue, fmt.Sprintf("%s: a value must be a plain value or a list of them", key.Value))
		return nil
	}
	if len(vals) == 1 && isNull(vals[0]) {
		if field == "" || len(mods) > 0 {
			c.problem(val, KindBadValue, fmt.Sprintf("%s: null takes no modifiers", key.Value))
			return nil
		}
		return &FieldTest{Field: field, Test: Test{Op: OpNull}}
	}
	if field == "" && m.typ != "" && m.typ != "re" {
		c.problem(key, KindModifier, fmt.Sprintf("modifier %q needs a field name (keywords search the raw text)", m.typ))
		return nil
	}
	var tests []Node
	switch m.typ {
	case "exists":
		return c.existsItem(key, field, vals)
	case "re":
		tests = c.regexTests(field, m, vals)
	case "cidr":
		tests = c.cidrTests(field, vals)
	case "fieldref":
		tests = c.fieldrefTests(field, m, vals)
	case "gt", "gte", "lt", "lte", "eq-number":
		tests = c.numberTests(field, m, vals)
	default:
		tests = c.stringTests(key, field, m, vals)
	}
	if tests == nil {
		return nil
	}
	var linked Node
	if m.all {
		linked = &And{Args: tests}
	} else {
		linked = &Or{Args: tests}
	}
	if len(tests) == 1 {
		linked = tests[0]
	}
	if m.neq {
		// "the field is different from the values": present and none of them
		return &And{Args: []Node{&FieldTest{Field: field, Test: Test{Op: OpExists}}, &Not{Arg: linked}}}
	}
	return linked
}

func (c *compiler) existsItem(key *yaml.Node, field string, vals []*yaml.Node) Node {
	if len(vals) != 1 || !strings.EqualFold(vals[0].Value, "true") && !strings.EqualFold(vals[0].Value, "false") {
		c.problem(key, KindBadValue, fmt.Sprintf("%s: exists takes true or false", key.Value))
		return nil
	}
	t := &FieldTest{Field: field, Test: Test{Op: OpExists}}
	if strings.EqualFold(vals[0].Value, "true") {
		return t
	}
	return &Not{Arg: t}
}

func (c *compiler) regexTests(field string, m modifierSet, vals []*yaml.Node) []Node {
	var out []Node
	for _, v := range vals {
		expr := v.Value
		if m.reFlags != "" {
			expr = "(?" + m.reFlags + ")" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			c.problem(v, KindRegex, fmt.Sprintf("regular expression %q: %v", v.Value, unwrapRegexErr(err)))
			return nil
		}
		t := Test{Op: OpRegex, Regex: re, Value: v.Value, Cased: true}
		if field == "" {
			out = append(out, &Keyword{Test: t})
		} else {
			out = append(out, &FieldTest{Field: field, Test: t})
		}
	}
	return out
}

func unwrapRegexErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, "error parsing regexp: "); i >= 0 {
		s = s[i+len("error parsing regexp: "):]
	}
	return s + " (Go's RE2 engine has no look-around or back-references)"
}

func (c *compiler) cidrTests(field string, vals []*yaml.Node) []Node {
	var out []Node
	for _, v := range vals {
		p, err := netip.ParsePrefix(strings.TrimSpace(v.Value))
		if err != nil {
			a, err2 := netip.ParseAddr(strings.TrimSpace(v.Value))
			if err2 != nil {
				c.problem(v, KindBadValue, fmt.Sprintf("cidr %q: %v", v.Value, err))
				return nil
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, &FieldTest{Field: field, Test: Test{Op: OpCIDR, Prefix: p.Masked(), Value: v.Value}})
	}
	return out
}

func (c *compiler) fieldrefTests(field string, m modifierSet, vals []*yaml.Node) []Node {
	op := OpEq
	for _, s := range m.steps {
		switch s {
		case "contains":
			op = OpContains
		case "startswith":
			op = OpPrefix
		case "endswith":
			op = OpSuffix
		}
	}
	var out []Node
	for _, v := range vals {
		out = append(out, &FieldRef{Field: field, Other: v.Value, Op: op, Cased: m.cased})
	}
	return out
}

func (c *compiler) numberTests(field string, m modifierSet, vals []*yaml.Node) []Node {
	var out []Node
	for _, v := range vals {
		x, ok := parseNumber(v.Value)
		if !ok {
			c.problem(v, KindBadValue, fmt.Sprintf("%s needs a number, not %q", m.typ, v.Value))
			return nil
		}
		if m.typ == "eq-number" {
			out = append(out, &And{Args: []Node{
				&FieldTest{Field: field, Test: Test{Op: OpGTE, Num: x, Unit: m.unit}},
				&FieldTest{Field: field, Test: Test{Op: OpLTE, Num: x, Unit: m.unit}}}})
			continue
		}
		out = append(out, &FieldTest{Field: field, Test: Test{Op: compareMods[m.typ], Num: x, Unit: m.unit}})
	}
	return out
}

// stringTests applies the transformations in the order written. Each
// value becomes a group of alternatives (windash and base64offset make
// several, always OR'ed); `all` links the groups, not the alternatives.
func (c *compiler) stringTests(key *yaml.Node, field string, m modifierSet, vals []*yaml.Node) []Node {
	var out []Node
	for _, v := range vals {
		sv := parseValue(v.Value, m.expand)
		alts, ok := c.expandPlaceholders(v, sv)
		if !ok {
			return nil
		}
		for _, step := range m.steps {
			alts, ok = c.applyStep(v, step, alts)
			if !ok {
				return nil
			}
		}
		var group []Node
		for _, a := range alts {
			if field == "" {
				a = a.withPrefixStar().withSuffixStar()
			}
			t := newStringTest(a, m.cased)
			if t.Op == OpEq && len(m.steps) == 0 && (v.Tag == "!!int" || v.Tag == "!!float") {
				if x, ok := parseNumber(v.Value); ok {
					t.Numeric, t.Num = true, x
				}
			}
			if field == "" {
				group = append(group, &Keyword{Test: t})
			} else {
				group = append(group, &FieldTest{Field: field, Test: t})
			}
		}
		if len(group) == 1 {
			out = append(out, group[0])
		} else {
			out = append(out, &Or{Args: group})
		}
	}
	return out
}

func (c *compiler) applyStep(v *yaml.Node, step string, alts []sstring) ([]sstring, bool) {
	var out []sstring
	for _, a := range alts {
		switch step {
		case "contains":
			out = append(out, a.withPrefixStar().withSuffixStar())
		case "startswith":
			out = append(out, a.withSuffixStar())
		case "endswith":
			out = append(out, a.withPrefixStar())
		case "utf16le", "wide":
			out = append(out, a.mapLiterals(func(s string) string { return utf16Bytes(s, false) }))
		case "utf16be":
			out = append(out, a.mapLiterals(func(s string) string { return utf16Bytes(s, true) }))
		case "utf16":
			out = append(out, append(sstring{{Kind: PartLit, Lit: "\xff\xfe"}}, a.mapLiterals(func(s string) string { return utf16Bytes(s, false) })...).normalize())
		case "base64", "base64offset":
			lit, ok := a.literal()
			if !ok {
				c.problem(v, KindBadValue, fmt.Sprintf("%s of %q: a value with wildcards cannot be encoded (put contains/startswith/endswith after %s)", step, v.Value, step))
				return nil, false
			}
			if step == "base64" {
				out = append(out, plain(base64.StdEncoding.EncodeToString([]byte(lit))))
				continue
			}
			for _, e := range base64Offsets(lit) {
				out = append(out, plain(e))
			}
		case "windash":
			vs, ok := windashVariants(a, maxVariants)
			if !ok {
				c.problem(v, KindBadValue, fmt.Sprintf("windash of %q makes more than %d variants", v.Value, maxVariants))
				return nil, false
			}
			out = append(out, vs...)
		}
		if len(out) > maxVariants {
			c.problem(v, KindBadValue, fmt.Sprintf("%q expands to more than %d values", v.Value, maxVariants))
			return nil, false
		}
	}
	return out, true
}

// expandPlaceholders replaces %name% parts by the values configured for
// them (Options.Placeholders), each value being a Sigma string with
// wildcards; a value with several placeholders takes every combination.
func (c *compiler) expandPlaceholders(v *yaml.Node, sv sstring) ([]sstring, bool) {
	out := []sstring{{}}
	for _, p := range sv {
		if p.Kind != partPlaceholder {
			for i := range out {
				out[i] = append(out[i], p)
			}
			continue
		}
		defs, ok := c.opts.Placeholders[p.Lit]
		if !ok {
			c.problem(v, KindPlaceholder, fmt.Sprintf("placeholder %%%s%% is not defined", p.Lit))
			return nil, false
		}
		if len(defs) == 0 || len(out)*len(defs) > maxVariants {
			c.problem(v, KindPlaceholder, fmt.Sprintf("placeholder %%%s%% has no values or too many combinations", p.Lit))
			return nil, false
		}
		var next []sstring
		for _, o := range out {
			for _, d := range defs {
				next = append(next, append(append(sstring{}, o...), parseValue(d, false)...))
			}
		}
		out = next
	}
	for i := range out {
		out[i] = out[i].normalize()
	}
	return out, true
}
