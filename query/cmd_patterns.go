package query

import "github.com/alecthomas/participle/v2/lexer"

// PatternsCmd mines log templates (Drain-style) from a field and adds
// `pattern_id` and `pattern` to each row.
type PatternsCmd struct {
	Pos     lexer.Position
	Options []*Option `parser:"'patterns':Stage @@*"`
	EndPos  lexer.Position

	Field string // field=, default _raw
}

func (*PatternsCmd) command()                   {}
func (c *PatternsCmd) Position() lexer.Position { return c.Pos }

func (c *PatternsCmd) String() string {
	if len(c.Options) == 0 {
		return "patterns"
	}
	return "patterns " + optionList(c.Options)
}

func (c *PatternsCmd) check() *posError {
	opts, err := checkOptions("patterns", c.Options)
	if err != nil {
		return err
	}
	c.Field = opts.text("field", "_raw")
	return nil
}
