package query

import (
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// RenameCmd renames fields: `rename f as g, h as i`.
type RenameCmd struct {
	Pos     lexer.Position
	Renames []*Rename `parser:"'rename':Stage @@ ( ',' @@ )*"`
	EndPos  lexer.Position
}

// Rename is one `from as to`.
type Rename struct {
	Pos    lexer.Position
	From   *Field `parser:"@@ 'as':Keyword"`
	To     *Field `parser:"@@"`
	EndPos lexer.Position
}

func (*RenameCmd) command()                   {}
func (c *RenameCmd) Position() lexer.Position { return c.Pos }

func (c *RenameCmd) String() string {
	parts := make([]string, len(c.Renames))
	for i, r := range c.Renames {
		parts[i] = r.From.String() + " as " + r.To.String()
	}
	return "rename " + strings.Join(parts, ", ")
}

func (c *RenameCmd) inputFields(after fieldSet) fieldSet {
	need := after
	for i := len(c.Renames) - 1; i >= 0; i-- {
		r := c.Renames[i]
		if need.has(r.To.Name) {
			need = need.without(r.To.Name).with(r.From.Name)
		}
	}
	return need
}

func (c *RenameCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply renames columns; a column already named like the target is
// replaced.
func (c *RenameCmd) apply(b *Batch) (*Batch, error) {
	for _, r := range c.Renames {
		from := b.Col(r.From.Name)
		if from < 0 {
			continue
		}
		if to := b.Col(r.To.Name); to >= 0 && to != from {
			b.Cols[to] = b.Cols[from]
			b.Fields = slices.Delete(b.Fields, from, from+1)
			b.Cols = slices.Delete(b.Cols, from, from+1)
			continue
		}
		b.Fields[from] = r.To.Name
	}
	return b, nil
}
