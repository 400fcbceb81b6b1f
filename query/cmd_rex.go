package query

import (
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
