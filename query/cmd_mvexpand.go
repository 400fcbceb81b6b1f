package query

import (
	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// MvexpandCmd makes one row per value of a multi-value field:
// `mvexpand f [limit=N]`.
type MvexpandCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'mvexpand':Stage @@*"`
	Field    *Field    `parser:"@@"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Limit int // values per row; 0 for all
}

func (*MvexpandCmd) command()                   {}
func (c *MvexpandCmd) Position() lexer.Position { return c.Pos }

func (c *MvexpandCmd) String() string {
	s := "mvexpand"
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	s += " " + c.Field.String()
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *MvexpandCmd) check() *posError {
	opts, err := checkOptions("mvexpand", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	c.Limit, err = opts.int("limit", 0, 1)
	return err
}

func (c *MvexpandCmd) inputFields(after fieldSet) fieldSet { return after.with(c.Field.Name) }

func (c *MvexpandCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply repeats each row once per value of the field (the first Limit
// values), the field holding that value; a row without the field is
// dropped, as in Splunk. A single value stays as it was, with its type.
func (c *MvexpandCmd) apply(b *Batch) (*Batch, error) {
	at := b.Col(c.Field.Name)
	if at < 0 {
		return &Batch{Fields: b.Fields, Cols: make([][]store.Value, len(b.Cols)), Order: emptyOrder(b)}, nil
	}
	src := b.Cols[at]
	var rows []int
	var vals []store.Value
	for r, v := range src {
		parts := mvValues(v)
		if len(parts) == 1 {
			rows, vals = append(rows, r), append(vals, v)
			continue
		}
		if c.Limit > 0 && len(parts) > c.Limit {
			parts = parts[:c.Limit]
		}
		for _, p := range parts {
			rows, vals = append(rows, r), append(vals, store.Str(p))
		}
	}
	out := &Batch{Fields: b.Fields, Len: len(rows), Cols: make([][]store.Value, len(b.Cols))}
	for k, col := range b.Cols {
		if k == at {
			out.Cols[k] = vals
			continue
		}
		nc := make([]store.Value, len(rows))
		for i, r := range rows {
			nc[i] = col[r]
		}
		out.Cols[k] = nc
	}
	if b.Order != nil {
		out.Order = make([]int64, len(rows))
		for i, r := range rows {
			out.Order[i] = b.Order[r]
		}
	}
	return out, nil
}

// emptyOrder is an empty Order for a batch that has one.
func emptyOrder(b *Batch) []int64 {
	if b.Order == nil {
		return nil
	}
	return []int64{}
}
