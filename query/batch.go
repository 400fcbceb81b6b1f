package query

import (
	"slices"

	"loghunt/store"
)

// BatchSize is the number of rows stages aim to pass along at a time.
const BatchSize = 4096

// Batch is a set of rows held by column. Every column has Len values; a
// missing value is store.Null. Stages may add, drop or reorder columns.
type Batch struct {
	Fields []string        // column names, unique
	Cols   [][]store.Value // Cols[i][row] is the value of Fields[i]
	Len    int
	// Order is each row's original _time, kept through stages that change
	// or drop _time, so the engine can merge rows of overlapping chunks
	// into time order. Nil once rows no longer come from events.
	Order []int64
	// dicts, when set, holds the dictionary codes of dictionary-encoded
	// columns (by column index; nil for others) so an aggregation can
	// group by code. Only the scan sets it, for a batch that goes straight
	// into an aggregation, so no stage can change a column under it.
	dicts []*store.Dict
}

// Col returns the index of the named column, or -1.
func (b *Batch) Col(name string) int {
	for i, f := range b.Fields {
		if f == name {
			return i
		}
	}
	return -1
}

// Get returns the value of field name at row, or store.Null.
func (b *Batch) Get(name string, row int) store.Value {
	if i := b.Col(name); i >= 0 {
		return b.Cols[i][row]
	}
	return store.Null
}

// Column returns the named column, adding a column of nulls when it is
// missing.
func (b *Batch) Column(name string) []store.Value {
	if i := b.Col(name); i >= 0 {
		return b.Cols[i]
	}
	col := make([]store.Value, b.Len)
	b.Fields = append(b.Fields, name)
	b.Cols = append(b.Cols, col)
	return col
}

// Select keeps the rows whose keep flag is set, in order, in place.
func (b *Batch) Select(keep []bool) {
	n := 0
	for i, k := range keep {
		if !k {
			continue
		}
		if n != i {
			for _, c := range b.Cols {
				c[n] = c[i]
			}
			if b.Order != nil {
				b.Order[n] = b.Order[i]
			}
		}
		n++
	}
	for i := range b.Cols {
		clear(b.Cols[i][n:])
		b.Cols[i] = b.Cols[i][:n]
	}
	if b.Order != nil {
		b.Order = b.Order[:n]
	}
	b.Len = n
}

// Slice returns rows [i, j) of b, sharing its memory.
func (b *Batch) Slice(i, j int) *Batch {
	// The pieces share the names, clipped: a stage that adds a column to
	// one of them (append) does not write where another's would go.
	out := &Batch{Fields: slices.Clip(b.Fields), Cols: make([][]store.Value, len(b.Cols)), Len: j - i}
	for k, c := range b.Cols {
		out.Cols[k] = c[i:j]
	}
	if b.Order != nil {
		out.Order = b.Order[i:j]
	}
	return out
}

// Row returns the values of one row, in field order.
func (b *Batch) Row(i int) []store.Value {
	r := make([]store.Value, len(b.Cols))
	for k, c := range b.Cols {
		r[k] = c[i]
	}
	return r
}

// unionFields lists the fields of batches, each once, in order of first
// appearance.
func unionFields(batches []*Batch) []string {
	var out []string
	seen := map[string]bool{}
	for _, b := range batches {
		for _, f := range b.Fields {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
