package query

import (
	"loghunt/store"
	"regexp"

	"github.com/alecthomas/participle/v2/lexer"
)

// RexCmd extracts fields with a regular expression: every named group
// (`(?<name>...)` or `(?P<name>...)`) becomes a field. Go's RE2 syntax.
type RexCmd struct {
	Pos     lexer.Position
	Options []*Option  `parser:"'rex':Stage @@*"`
	Regex   *StringLit `parser:"@@"`
	EndPos  lexer.Position

	Field string // the field matched: field= or _raw
}

func (*RexCmd) command()                   {}
func (c *RexCmd) Position() lexer.Position { return c.Pos }

func (c *RexCmd) String() string {
	s := "rex "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	return s + c.Regex.String()
}

// Compile returns the regular expression (already checked by Parse).
func (c *RexCmd) Compile() (*regexp.Regexp, error) { return compileRegex(string(c.Regex.Value)) }

func (c *RexCmd) check() *posError {
	opts, err := checkOptions("rex", c.Options)
	if err != nil {
		return err
	}
	c.Field = opts.text("field", "_raw")
	off := c.Regex.Pos.Offset
	re, rerr := c.Compile()
	if rerr != nil {
		return errorfAt(off, "bad regex: %v", rerr)
	}
	for _, n := range re.SubexpNames() {
		if n != "" {
			return nil
		}
	}
	return errorfAt(off, "the regex of rex has no named group such as (?<name>...)")
}

// inputFields: rex reads its field, and the fields of its groups are
// still needed from the store, since a row the regex does not match (or
// a group that takes no part) keeps the value it had.
func (c *RexCmd) inputFields(after fieldSet) fieldSet { return after.with(c.Field) }

func (c *RexCmd) rowStage(p *plan) (rowStage, error) {
	re, err := c.Compile()
	if err != nil {
		return nil, err
	}
	s := &rexStage{re: re, field: c.Field}
	for i, name := range re.SubexpNames() {
		if name != "" {
			s.groups = append(s.groups, i)
			s.names = append(s.names, name)
		}
	}
	return s, nil
}

// rexStage extracts the named groups of a regex into fields; a row that
// does not match keeps its fields as they were.
type rexStage struct {
	re     *regexp.Regexp
	field  string
	groups []int
	names  []string
}

func (s *rexStage) apply(b *Batch) (*Batch, error) {
	src := b.Column(s.field)
	outs := make([][]store.Value, len(s.names))
	for i, name := range s.names {
		if c := b.Col(name); c >= 0 {
			outs[i] = b.Cols[c]
		} else {
			outs[i] = b.Column(name)
		}
	}
	var idx []int
	for r := 0; r < b.Len; r++ {
		text := src[r].String()
		if src[r].K == store.KindNull {
			continue
		}
		idx = s.re.FindStringSubmatchIndex(text)
		if idx == nil {
			continue
		}
		for i, g := range s.groups {
			if idx[2*g] >= 0 {
				outs[i][r] = store.Str(text[idx[2*g]:idx[2*g+1]])
			}
		}
	}
	return b, nil
}
