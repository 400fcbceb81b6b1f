package query

import (
	"slices"
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// FillnullCmd replaces null values: `fillnull [value=V] [f, g]`.
type FillnullCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'fillnull':Stage @@*"`
	Fields   []*Field  `parser:"( @@ ( ','? @@ )* )?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Value store.Value // value=, 0 by default
}

func (*FillnullCmd) command()                   {}
func (c *FillnullCmd) Position() lexer.Position { return c.Pos }

func (c *FillnullCmd) String() string {
	s := "fillnull"
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	if len(c.Fields) > 0 {
		s += " " + fieldList(c.Fields)
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *FillnullCmd) check() *posError {
	opts, err := checkOptions("fillnull", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	c.Value = fillValue(opts.text("value", "0"))
	return nil
}

// fillValue is the value fillnull writes: an int or a float when the text
// is a decimal number (so the 0 it writes by default adds up as one), else
// the text.
func fillValue(s string) store.Value {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return store.Int(i)
	}
	if f, ok := store.ParseNumber(s); ok {
		return store.Float(f)
	}
	return store.Str(s)
}

func (c *FillnullCmd) inputFields(after fieldSet) fieldSet { return after }

func (c *FillnullCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// perRow: with fields each row is filled alone, in the scan workers;
// without, the fields of every row are needed first.
func (c *FillnullCmd) perRow() bool { return len(c.Fields) > 0 }

func (c *FillnullCmd) operator(p *plan, next operator) (operator, error) {
	if len(c.Fields) > 0 {
		return &rowOp{stage: c, next: next}, nil
	}
	return &fillAllOp{value: c.Value, next: next, limit: p.opt.MaxRows}, nil
}

// apply fills the listed fields of every row, adding the columns a batch
// lacks.
func (c *FillnullCmd) apply(b *Batch) (*Batch, error) {
	for _, f := range c.Fields {
		at := b.Col(f.Name)
		var col []store.Value
		if at < 0 {
			col = b.Column(f.Name) // a new column of this batch alone
		} else {
			col = append([]store.Value(nil), b.Cols[at]...) // the scan's may be shared
			b.Cols[at] = col
		}
		for r := range col {
			if col[r].IsNull() {
				col[r] = c.Value
			}
		}
	}
	return b, nil
}

// fillAllOp fills every field of the results: it holds them all, as
// Splunk's fillnull without fields does, to know the fields any row has
// (a column with no value in any row, as table makes of a field no row
// has, is no field: it stays empty).
type fillAllOp struct {
	value store.Value
	buf   rowBuffer
	limit int
	next  operator
}

func (f *fillAllOp) push(b *Batch) error { return f.buf.add(b, f.limit, "fillnull") }

func (f *fillAllOp) finish() error {
	if f.buf.n == 0 {
		return f.next.finish()
	}
	b := f.buf.batch()
	out := &Batch{Len: b.Len, Fields: b.Fields, Cols: make([][]store.Value, len(b.Cols))}
	for k, col := range b.Cols {
		out.Cols[k] = col
		if !slices.ContainsFunc(col, func(v store.Value) bool { return !v.IsNull() }) {
			continue // no row has it: no field, left empty
		}
		nc := make([]store.Value, len(col))
		for r, v := range col {
			if v.IsNull() {
				v = f.value
			}
			nc[r] = v
		}
		out.Cols[k] = nc
	}
	return flush(f.next, out)
}
