package query

import (
	"loghunt/store"
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
			// A row without From keeps its To.
			need = need.with(r.From.Name)
		}
	}
	return need
}

func (c *RenameCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply renames columns. A row with the field gets its value under the
// new name, replacing what it had there; a row without it keeps what it
// has under the new name (rename renames the fields a row has, as in
// Splunk).
func (c *RenameCmd) apply(b *Batch) (*Batch, error) {
	// The names are the batch's own from here: the pieces of a batch
	// (Slice) share their list of names.
	b.Fields, b.Cols = slices.Clone(b.Fields), slices.Clone(b.Cols)
	for _, r := range c.Renames {
		from := b.Col(r.From.Name)
		if from < 0 {
			continue
		}
		if to := b.Col(r.To.Name); to >= 0 && to != from {
			merged := slices.Clone(b.Cols[to])
			for i, v := range b.Cols[from] {
				if v.K != store.KindNull {
					merged[i] = v
				}
			}
			b.Cols[to] = merged
			b.Fields = slices.Delete(b.Fields, from, from+1)
			b.Cols = slices.Delete(b.Cols, from, from+1)
			continue
		}
		b.Fields[from] = r.To.Name
	}
	return b, nil
}
