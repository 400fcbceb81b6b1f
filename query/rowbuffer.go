package query

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"

	"loghunt/store"
)

// DefaultMaxRowBytes bounds the memory of the rows one blocking stage
// holds (sort, eventstats, anomalies, patterns).
const DefaultMaxRowBytes = 256 << 20

// valueBytes is what a held value costs besides its text.
const valueBytes = 40

// rowBuffer holds the rows of a blocking stage, within a count and a
// memory bound.
type rowBuffer struct {
	batches  []*Batch
	n        int
	bytes    int64
	maxBytes int64 // 0 means DefaultMaxRowBytes
}

func (r *rowBuffer) add(b *Batch, limit int, stage string) error {
	r.n += b.Len
	if r.n > limit {
		return fmt.Errorf("%w: %s would hold more than %d rows; narrow the search or aggregate first", ErrLimit, stage, limit)
	}
	r.bytes += batchBytes(b)
	if bound := cmp.Or(r.maxBytes, DefaultMaxRowBytes); r.bytes > bound {
		return fmt.Errorf("%w: %s would hold more than %d MB of rows; narrow the search, keep fewer fields (| fields ...) or aggregate first",
			ErrLimit, stage, bound>>20)
	}
	r.batches = append(r.batches, b)
	return nil
}

// batchBytes estimates the memory of a batch's values.
func batchBytes(b *Batch) int64 {
	n := int64(b.Len) * int64(len(b.Cols)) * valueBytes
	for _, c := range b.Cols {
		for i := range c {
			n += int64(len(c[i].S))
		}
	}
	return n
}

// batch returns every held row as one batch over the union of fields.
func (r *rowBuffer) batch() *Batch {
	if b := r.joined(); b != nil {
		r.batches = nil
		return b
	}
	out := &Batch{Len: r.n, Fields: unionFields(r.batches)}
	out.Cols = make([][]store.Value, len(out.Fields))
	for i := range out.Cols {
		out.Cols[i] = make([]store.Value, 0, r.n)
	}
	for _, b := range r.batches {
		for i, f := range out.Fields {
			if c := b.Col(f); c >= 0 {
				out.Cols[i] = append(out.Cols[i], b.Cols[c]...)
			} else {
				out.Cols[i] = append(out.Cols[i], make([]store.Value, b.Len)...)
			}
		}
	}
	r.batches = nil
	return out
}

// joined returns the held batches as one without copying when they are
// consecutive slices of one batch, as an aggregation's output flushed in
// pieces is; otherwise nil. The columns are clipped so that appending a
// column or a row cannot touch the source.
func (r *rowBuffer) joined() *Batch {
	if len(r.batches) == 0 {
		return nil
	}
	first := r.batches[0]
	for k, b := range r.batches[1:] {
		prev := r.batches[k]
		if !slices.Equal(b.Fields, first.Fields) {
			return nil
		}
		for c := range b.Cols {
			if !follows(prev.Cols[c], b.Cols[c]) {
				return nil
			}
		}
	}
	out := &Batch{Len: r.n, Fields: slices.Clip(first.Fields), Cols: make([][]store.Value, len(first.Cols))}
	for c, col := range first.Cols {
		out.Cols[c] = slices.Clip(col[:r.n])
	}
	return out
}

// follows reports whether b starts where a ends in the same array.
func follows(a, b []store.Value) bool {
	return len(b) == 0 || cap(a) > len(a) && unsafe.SliceData(a[len(a):cap(a)]) == unsafe.SliceData(b)
}

// permute returns the rows of b in the order perm gives.
func (b *Batch) permute(perm []int) *Batch {
	out := &Batch{Fields: b.Fields, Len: len(perm), Cols: make([][]store.Value, len(b.Cols))}
	for k, c := range b.Cols {
		nc := make([]store.Value, len(perm))
		for i, p := range perm {
			nc[i] = c[p]
		}
		out.Cols[k] = nc
	}
	return out
}
