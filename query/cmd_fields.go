package query

import (
	"loghunt/store"
	"slices"

	"github.com/alecthomas/participle/v2/lexer"
)

// FieldsCmd keeps the listed fields (in their current order), or with
// `-` drops them.
type FieldsCmd struct {
	Pos    lexer.Position
	Remove bool     `parser:"'fields':Stage ( @'-' | '+' )?"`
	Fields []*Field `parser:"@@ ( ','? @@ )*"`
	EndPos lexer.Position
}

func (*FieldsCmd) command()                   {}
func (c *FieldsCmd) Position() lexer.Position { return c.Pos }

func (c *FieldsCmd) String() string {
	if c.Remove {
		return "fields - " + fieldList(c.Fields)
	}
	return "fields " + fieldList(c.Fields)
}

func (c *FieldsCmd) inputFields(after fieldSet) fieldSet {
	if c.Remove {
		return after.without(FieldNames(c.Fields)...)
	}
	return fieldsOf(FieldNames(c.Fields)...)
}

func (c *FieldsCmd) rowStage(*plan) (rowStage, error) { return c, nil }

func (c *FieldsCmd) apply(b *Batch) (*Batch, error) {
	names := FieldNames(c.Fields)
	if c.Remove {
		var keep []string
		for _, f := range b.Fields {
			if !slices.Contains(names, f) {
				keep = append(keep, f)
			}
		}
		names = keep
	} else {
		var keep []string
		for _, f := range names {
			if b.Col(f) >= 0 {
				keep = append(keep, f)
			}
		}
		names = keep
	}
	return project(b, names), nil
}

// project returns b with exactly the named columns, in that order, each
// once; a missing one becomes a column of nulls.
func project(b *Batch, names []string) *Batch {
	out := &Batch{Len: b.Len, Order: b.Order}
	for _, f := range names {
		if slices.Contains(out.Fields, f) {
			continue // table a, a: one column a
		}
		out.Fields = append(out.Fields, f)
		if c := b.Col(f); c >= 0 {
			out.Cols = append(out.Cols, b.Cols[c])
		} else {
			out.Cols = append(out.Cols, make([]store.Value, b.Len))
		}
	}
	return out
}
