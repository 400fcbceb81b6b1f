package query

import (
	"math"
	"sort"

	"loghunt/store"
)

// merger puts the batches of chunks, which arrive by chunk min time, into
// time order: rows before the next chunk's min time are final. Chunks of
// one source rarely overlap, so usually one batch is pending and passes
// on without copying; overlapping chunks (several sources over the same
// hours) are merged row by row, ties going to the earlier chunk.
type merger struct {
	next    operator
	pending []*Batch
}

// add takes the batch of a chunk whose rows start at minTime.
func (m *merger) add(b *Batch, minTime int64) error {
	if err := m.flushBefore(minTime); err != nil {
		return err
	}
	if b.Len > 0 {
		m.pending = append(m.pending, b)
	}
	return nil
}

func (m *merger) finish() error {
	if err := m.flushBefore(math.MaxInt64); err != nil {
		return err
	}
	return m.next.finish()
}

// flushBefore passes on every pending row with Order < t.
func (m *merger) flushBefore(t int64) error {
	if len(m.pending) == 1 {
		b := m.pending[0]
		k := sort.Search(b.Len, func(i int) bool { return b.Order[i] >= t })
		if t == math.MaxInt64 {
			k = b.Len
		}
		if k == 0 {
			return nil
		}
		if k == b.Len {
			m.pending = m.pending[:0]
			return m.next.push(b)
		}
		m.pending[0] = b.Slice(k, b.Len)
		return m.next.push(b.Slice(0, k))
	}
	for len(m.pending) > 0 {
		out := m.mergeRows(t)
		if out == nil || out.Len == 0 {
			return nil
		}
		if err := m.next.push(out); err != nil {
			return err
		}
	}
	return nil
}

// mergeRows takes up to BatchSize rows before t from the pending batches,
// smallest time first, into a new batch over the union of their fields.
// Overlapping chunks still hold long runs of rows that come before every
// other batch's next row: each run is copied column by column.
func (m *merger) mergeRows(t int64) *Batch {
	out := &Batch{Fields: unionFields(m.pending)}
	out.Cols = make([][]store.Value, len(out.Fields))
	n := 0
	for _, b := range m.pending {
		n += b.Len
	}
	n = min(n, BatchSize)
	for k := range out.Cols {
		out.Cols[k] = make([]store.Value, 0, n)
	}
	out.Order = make([]int64, 0, n)
	// Where each output field is in each pending batch, found once and
	// not for every row.
	colOf := make([][]int, len(m.pending))
	for i, b := range m.pending {
		colOf[i] = make([]int, len(out.Fields))
		for k, f := range out.Fields {
			colOf[i][k] = b.Col(f)
		}
	}
	pos := make([]int, len(m.pending))
	for out.Len < BatchSize {
		best := -1
		for i, b := range m.pending {
			if pos[i] < b.Len && b.Order[pos[i]] < t && (best < 0 || b.Order[pos[i]] < m.pending[best].Order[pos[best]]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		b := m.pending[best]
		// The run of best's rows that the row-by-row choice would take
		// next: before t, before the next row of every batch ahead of it
		// and not after that of every batch behind it (ties go to the
		// earlier batch).
		r := pos[best]
		end := r + 1
		for end < b.Len && end-r < BatchSize-out.Len && b.Order[end] < t && m.ahead(pos, best, b.Order[end]) {
			end++
		}
		for k, c := range colOf[best] {
			if c >= 0 {
				out.Cols[k] = append(out.Cols[k], b.Cols[c][r:end]...)
			} else {
				for range end - r {
					out.Cols[k] = append(out.Cols[k], store.Null)
				}
			}
		}
		out.Order = append(out.Order, b.Order[r:end]...)
		out.Len += end - r
		pos[best] = end
	}
	kept := m.pending[:0]
	for i, b := range m.pending {
		if pos[i] < b.Len {
			kept = append(kept, b.Slice(pos[i], b.Len))
		}
	}
	m.pending = kept
	return out
}

// ahead tells whether a row of batch best at time o comes before the next
// row of every other pending batch.
func (m *merger) ahead(pos []int, best int, o int64) bool {
	for i, b := range m.pending {
		if i == best || pos[i] >= b.Len {
			continue
		}
		h := b.Order[pos[i]]
		if o > h || (o == h && i < best) {
			return false
		}
	}
	return true
}
