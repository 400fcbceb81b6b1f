package query

import (
	"fmt"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// XyseriesCmd turns rows of (x, name, value) into a table:
// `xyseries X Y V [V...]` makes one row per value of X, in order of
// first appearance, and one column per value of Y (with several V, one
// per V and value of Y, named "V: y"), holding V of the last row with
// that X and Y that has one.
type XyseriesCmd struct {
	Pos    lexer.Position
	X      *Field   `parser:"'xyseries':Stage @@ ','?"`
	Y      *Field   `parser:"@@ ','?"`
	Values []*Field `parser:"@@ ( ','? @@ )*"`
	EndPos lexer.Position
}

func (*XyseriesCmd) command()                   {}
func (c *XyseriesCmd) Position() lexer.Position { return c.Pos }

func (c *XyseriesCmd) String() string {
	return "xyseries " + c.X.String() + ", " + c.Y.String() + ", " + fieldList(c.Values)
}

func (c *XyseriesCmd) check() *posError {
	if c.X.Name == c.Y.Name {
		return errorfAt(c.Y.Pos.Offset, "xyseries takes the rows and the column names from two fields, not %s twice", c.Y.Name)
	}
	return nil
}

func (c *XyseriesCmd) inputFields(fieldSet) fieldSet {
	return fieldsOf(c.X.Name, c.Y.Name).with(FieldNames(c.Values)...)
}

func (c *XyseriesCmd) operator(p *plan, next operator) (operator, error) {
	return &xyseriesOp{c: c, next: next, rowOf: map[store.Value]int{}, colOf: map[store.Value]int{},
		maxBytes: p.opt.MaxAggBytes, maxKeys: p.opt.MaxGroups}, nil
}

// xyseriesOp holds the table as it fills: its row and column values and
// each row's cells, within the memory of an aggregation.
type xyseriesOp struct {
	c        *XyseriesCmd
	next     operator
	rowOf    map[store.Value]int // by normKey, as stats groups values
	xs       []store.Value
	colOf    map[store.Value]int
	ys       []store.Value
	cells    [][]store.Value // cells[row][col*len(Values)+v]
	bytes    int64
	maxBytes int64
	maxKeys  int
}

func (x *xyseriesOp) push(b *Batch) error {
	xc, yc := b.Col(x.c.X.Name), b.Col(x.c.Y.Name)
	if xc < 0 {
		return nil
	}
	vcs := make([]int, len(x.c.Values))
	for i, f := range x.c.Values {
		vcs[i] = b.Col(f.Name)
	}
	nv := len(vcs)
	for r := 0; r < b.Len; r++ {
		xv := b.Cols[xc][r]
		if xv.IsNull() {
			continue
		}
		kx := normKey(xv)
		row, ok := x.rowOf[kx]
		if !ok {
			row = len(x.xs)
			x.rowOf[kx] = row
			x.xs = append(x.xs, xv)
			x.cells = append(x.cells, nil)
			x.bytes += int64(len(xv.S)) + groupOverhead
		}
		if yc < 0 || b.Cols[yc][r].IsNull() {
			continue
		}
		yv := b.Cols[yc][r]
		ky := normKey(yv)
		col, ok := x.colOf[ky]
		if !ok {
			col = len(x.ys)
			x.colOf[ky] = col
			x.ys = append(x.ys, yv)
			x.bytes += int64(len(yv.S)) + groupOverhead
		}
		for i, vc := range vcs {
			if vc < 0 || b.Cols[vc][r].IsNull() {
				continue
			}
			at := col*nv + i
			if n := len(x.cells[row]); at >= n {
				x.cells[row] = append(x.cells[row], make([]store.Value, at+1-n)...)
				x.bytes += int64(at+1-n) * valueBytes
			}
			v := b.Cols[vc][r]
			x.bytes += int64(len(v.S) - len(x.cells[row][at].S))
			x.cells[row][at] = v
		}
		if len(x.xs) > x.maxKeys || len(x.ys) > x.maxKeys {
			return fmt.Errorf("%w: xyseries would have more than %d rows or columns; narrow the search or aggregate first", ErrLimit, x.maxKeys)
		}
		if x.bytes > x.maxBytes {
			return fmt.Errorf("%w: xyseries would hold more than %d MB; narrow the search or aggregate first", ErrLimit, max(x.maxBytes>>20, 1))
		}
	}
	return nil
}

func (x *xyseriesOp) finish() error {
	if len(x.xs) == 0 {
		return x.next.finish()
	}
	nv := len(x.c.Values)
	if cells := int64(len(x.xs)) * int64(len(x.ys)*nv+1); cells*valueBytes > x.maxBytes {
		return fmt.Errorf("%w: xyseries would have %d rows of %d columns, more than %d MB; narrow the search or aggregate first",
			ErrLimit, len(x.xs), len(x.ys)*nv+1, max(x.maxBytes>>20, 1))
	}
	out := &Batch{Len: len(x.xs), Fields: []string{x.c.X.Name}, Cols: [][]store.Value{x.xs}}
	named := map[string]bool{x.c.X.Name: true}
	for i, v := range x.c.Values {
		for col, y := range x.ys {
			name := y.String()
			if nv > 1 {
				name = v.Name + ": " + name
			}
			if named[name] {
				continue // a column's name is taken: the first keeps it
			}
			named[name] = true
			vals := make([]store.Value, len(x.xs))
			at := col*nv + i
			for r, cells := range x.cells {
				if at < len(cells) {
					vals[r] = cells[at]
				}
			}
			out.Fields = append(out.Fields, name)
			out.Cols = append(out.Cols, vals)
		}
	}
	x.cells = nil
	return flush(x.next, out)
}
