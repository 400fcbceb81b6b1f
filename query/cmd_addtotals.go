package query

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// AddtotalsCmd adds up numbers: `addtotals [row=true] [col=false]
// [fieldname=Total] [labelfield=F] [label=Total] [f, g]` gives each row
// the sum of its numeric fields (the listed ones, else every field whose
// name does not start with _) and, with col=true, appends a row of each
// field's sum over the rows.
type AddtotalsCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'addtotals':Stage @@*"`
	Fields   []*Field  `parser:"( @@ ( ','? @@ )* )?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Row, Col   bool
	FieldName  string // fieldname=, default Total
	LabelField string // labelfield=, "" for none
	Label      string // label=, default Total
}

func (*AddtotalsCmd) command()                   {}
func (c *AddtotalsCmd) Position() lexer.Position { return c.Pos }

func (c *AddtotalsCmd) String() string {
	s := "addtotals"
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

func (c *AddtotalsCmd) check() *posError {
	opts, err := checkOptions("addtotals", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if c.Row, err = opts.boolean("row", true); err != nil {
		return err
	}
	if c.Col, err = opts.boolean("col", false); err != nil {
		return err
	}
	c.FieldName = opts.text("fieldname", "Total")
	c.LabelField = opts.text("labelfield", "")
	c.Label = opts.text("label", "Total")
	if c.FieldName == "" {
		return errorfAt(opts["fieldname"].valueOffset(), "fieldname must name a field")
	}
	if !c.Col && (opts["labelfield"] != nil || opts["label"] != nil) {
		o := opts["labelfield"]
		if o == nil {
			o = opts["label"]
		}
		return errorfAt(o.Pos.Offset, "%s labels the row of column totals: it needs col=true", o.Name)
	}
	return nil
}

// Summed reports whether a field is one addtotals adds up: a listed
// field, or with none every field not starting with _, never the total
// itself.
func (c *AddtotalsCmd) Summed(field string) bool {
	if field == c.FieldName {
		return false
	}
	if len(c.Fields) == 0 {
		return !strings.HasPrefix(field, "_")
	}
	for _, f := range c.Fields {
		if f.Name == field {
			return true
		}
	}
	return false
}

// TotalNumber is v as addtotals adds it: ints and floats, and text
// written as a decimal number; other values (booleans, times) are not
// numbers here.
func TotalNumber(v store.Value) bool {
	switch v.K {
	case store.KindInt, store.KindFloat:
		return true
	case store.KindString:
		_, ok := store.ParseNumber(v.S)
		return ok
	}
	return false
}

func (c *AddtotalsCmd) inputFields(after fieldSet) fieldSet {
	if len(c.Fields) == 0 {
		return allFields()
	}
	return after.with(FieldNames(c.Fields)...)
}

func (c *AddtotalsCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// perRow: row totals alone run per batch; column totals need the end.
func (c *AddtotalsCmd) perRow() bool { return !c.Col }

// operator: after a stage that is not pushed into the scan (head, sort)
// addtotals runs on the ordered stream; a row of column totals is added
// at the end only with col=true (once added always, a copy of the last
// row when it was alone).
func (c *AddtotalsCmd) operator(p *plan, next operator) (operator, error) {
	if !c.Col {
		return &rowOp{stage: c, next: next}, nil
	}
	return &addtotalsOp{c: c, next: next, sums: map[string]*sumAgg{}}, nil
}

// apply sets each row's total: the exact sum of its numeric summed
// fields (an int while they are all ints and it fits), null when it has
// none.
func (c *AddtotalsCmd) apply(b *Batch) (*Batch, error) {
	if !c.Row {
		return b, nil
	}
	var cols [][]store.Value
	for i, f := range b.Fields {
		if c.Summed(f) {
			cols = append(cols, b.Cols[i])
		}
	}
	total := make([]store.Value, b.Len)
	for r := range total {
		var s sumAgg
		for _, col := range cols {
			if v := col[r]; TotalNumber(v) {
				s.add(v, 0)
			}
		}
		if s.n > 0 {
			total[r] = s.result()
		}
	}
	out := *b
	out.Fields, out.Cols = append([]string(nil), b.Fields...), append([][]store.Value(nil), b.Cols...)
	if at := out.Col(c.FieldName); at >= 0 {
		out.Cols[at] = total
	} else {
		out.Fields = append(out.Fields, c.FieldName)
		out.Cols = append(out.Cols, total)
	}
	return &out, nil
}

// addtotalsOp adds row totals and sums each summed field (and the row
// total) over the rows, for the row of column totals at the end.
type addtotalsOp struct {
	c     *AddtotalsCmd
	next  operator
	sums  map[string]*sumAgg
	order []string // the summed fields in order of first appearance
	rows  int
}

func (a *addtotalsOp) push(b *Batch) error {
	b, err := a.c.apply(b)
	if err != nil {
		return err
	}
	a.rows += b.Len
	for i, f := range b.Fields {
		if !a.c.Summed(f) && !(a.c.Row && f == a.c.FieldName) {
			continue
		}
		s := a.sums[f]
		for _, v := range b.Cols[i] {
			if !TotalNumber(v) {
				continue
			}
			if s == nil {
				s = &sumAgg{}
				a.sums[f] = s
				a.order = append(a.order, f)
			}
			s.add(v, 0)
		}
	}
	return a.next.push(b)
}

func (a *addtotalsOp) finish() error {
	if a.rows == 0 {
		return a.next.finish()
	}
	out := &Batch{Len: 1}
	for _, f := range a.order {
		out.Fields = append(out.Fields, f)
		out.Cols = append(out.Cols, []store.Value{a.sums[f].result()})
	}
	if a.c.LabelField != "" {
		col := out.Column(a.c.LabelField)
		col[0] = store.Str(a.c.Label)
	}
	return flush(a.next, out)
}
