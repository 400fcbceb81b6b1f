package query

import (
	"slices"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// UntableCmd is the inverse of xyseries: `untable X NAME VALUE` makes of
// each row one row per other field with a value, holding X, the field's
// name in NAME and its value in VALUE.
type UntableCmd struct {
	Pos    lexer.Position
	X      *Field `parser:"'untable':Stage @@ ','?"`
	Name   *Field `parser:"@@ ','?"`
	Value  *Field `parser:"@@"`
	EndPos lexer.Position
}

func (*UntableCmd) command()                   {}
func (c *UntableCmd) Position() lexer.Position { return c.Pos }

func (c *UntableCmd) String() string {
	return "untable " + c.X.String() + ", " + c.Name.String() + ", " + c.Value.String()
}

func (c *UntableCmd) check() *posError {
	switch {
	case c.Name.Name == c.X.Name:
		return errorfAt(c.Name.Pos.Offset, "untable needs three different field names (untable X NAME VALUE), not %s twice", c.Name.Name)
	case c.Value.Name == c.X.Name || c.Value.Name == c.Name.Name:
		return errorfAt(c.Value.Pos.Offset, "untable needs three different field names (untable X NAME VALUE), not %s twice", c.Value.Name)
	}
	return nil
}

// inputFields: every field of a row becomes a row.
func (c *UntableCmd) inputFields(fieldSet) fieldSet { return allFields() }

func (c *UntableCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply makes, of each row, one row per field other than X whose value
// is not null, in the order of the fields' names (a batch's columns are
// in no order that every run shares).
func (c *UntableCmd) apply(b *Batch) (*Batch, error) {
	var names []string
	for _, f := range b.Fields {
		if f != c.X.Name {
			names = append(names, f)
		}
	}
	slices.Sort(names)
	cols := make([][]store.Value, len(names))
	for i, f := range names {
		cols[i] = b.Cols[b.Col(f)]
	}
	xs := b.Column(c.X.Name)
	out := &Batch{Fields: []string{c.X.Name, c.Name.Name, c.Value.Name}, Cols: make([][]store.Value, 3)}
	if b.Order != nil {
		out.Order = []int64{}
	}
	nameVals := make([]store.Value, len(names))
	for i, f := range names {
		nameVals[i] = store.Str(f)
	}
	for r := 0; r < b.Len; r++ {
		for i, col := range cols {
			if col[r].IsNull() {
				continue
			}
			out.Cols[0] = append(out.Cols[0], xs[r])
			out.Cols[1] = append(out.Cols[1], nameVals[i])
			out.Cols[2] = append(out.Cols[2], col[r])
			if b.Order != nil {
				out.Order = append(out.Order, b.Order[r])
			}
			out.Len++
		}
	}
	for i := range out.Cols {
		if out.Cols[i] == nil {
			out.Cols[i] = []store.Value{}
		}
	}
	return out, nil
}
