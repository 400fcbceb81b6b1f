package query

import (
	"regexp"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// RegexCmd keeps the rows whose field matches a regex, or with != those
// whose field does not: `regex f="RE"`, `regex f!="RE"`, `regex "RE"`
// (of _raw).
type RegexCmd struct {
	Pos    lexer.Position
	Field  *Text      `parser:"'regex':Stage ( @(Ident | Field)"`
	Op     string     `parser:"@('=' | '!=') )?"`
	Regex  *StringLit `parser:"@@"`
	EndPos lexer.Position

	Target string
	re     *regexp.Regexp
}

func (*RegexCmd) command()                   {}
func (c *RegexCmd) Position() lexer.Position { return c.Pos }

func (c *RegexCmd) String() string {
	if c.Field == nil {
		return "regex " + c.Regex.String()
	}
	return "regex " + fieldString(string(*c.Field), modeExpr) + c.Op + c.Regex.String()
}

func (c *RegexCmd) check() *posError {
	c.Target = store.ColRaw
	if c.Field != nil {
		c.Target = string(*c.Field)
	}
	re, err := compileRegex(string(c.Regex.Value))
	if err != nil {
		return errorfAt(c.Regex.Pos.Offset, "bad regex: %v", err)
	}
	c.re = re
	return nil
}

func (c *RegexCmd) inputFields(after fieldSet) fieldSet { return after.with(c.Target) }

func (c *RegexCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply keeps the rows where the regex matches somewhere in the field's
// text (with !=, where it does not). A row without the field does not
// match: = drops it and != keeps it.
func (c *RegexCmd) apply(b *Batch) (*Batch, error) {
	at := b.Col(c.Target)
	keep := make([]bool, b.Len)
	for r := range keep {
		match := false
		if at >= 0 && !b.Cols[at][r].IsNull() {
			match = c.re.MatchString(b.Cols[at][r].String())
		}
		keep[r] = match != (c.Op == "!=")
	}
	b.Select(keep) // in place, as where does
	return b, nil
}
