package sigma

import "fmt"

// Kind classifies why a rule cannot run, so that a summary can count
// problems by cause (see Problem).
type Kind string

// The kinds of problems a rule, filter or correlation can have.
const (
	KindYAML        Kind = "yaml"                 // not valid YAML, or not a Sigma document
	KindMissing     Kind = "missing-field"        // a mandatory attribute is absent
	KindBadValue    Kind = "bad-value"            // an attribute or value has the wrong type or form
	KindModifier    Kind = "unsupported-modifier" // an unknown modifier or one that cannot apply here
	KindPlaceholder Kind = "undefined-placeholder"
	KindCondition   Kind = "bad-condition"   // the condition does not parse or names unknown identifiers
	KindRegex       Kind = "bad-regex"       // a regular expression Go's RE2 engine rejects
	KindReference   Kind = "unknown-rule"    // a correlation or filter names a rule that is not loaded
	KindCorrelation Kind = "bad-correlation" // a correlation cannot be evaluated as written
)

// Problem says why a rule cannot run. File, Line and Col locate the
// offending YAML node (Col within the condition string for condition
// errors when CondCol is set); Rule names the rule by id, else title.
type Problem struct {
	File    string
	Line    int
	Col     int
	CondCol int // 1-based column inside the condition text, 0 when not a condition error
	Rule    string
	Kind    Kind
	Msg     string
}

func (p Problem) Error() string { return p.String() }

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	s := loc
	if p.Rule != "" {
		s += " rule " + p.Rule
	}
	s += ": " + p.Msg
	if p.CondCol > 0 {
		s += fmt.Sprintf(" (condition column %d)", p.CondCol)
	}
	return s
}
