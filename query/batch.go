package query

import "loghunt/store"

// BatchSize is the number of rows stages aim to pass along at a time.
const BatchSize = 4096

// Batch is a set of rows held by column. Every column has Len values; a
// missing value is store.Null. Stages may add, drop or reorder columns.
type Batch struct {
	Fields []string        // column names, unique
	Cols   [][]store.Value // Cols[i][row] is the value of Fields[i]
	Len    int
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
