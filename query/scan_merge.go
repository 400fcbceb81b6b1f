package query

import (
	"math"
	"slices"
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

// mergeRows passes on the next rows before t of the pending batches,
// smallest time first: a run of at least minSliceRun rows of one batch
// as a slice of it, or else up to BatchSize rows copied into a new batch
// over the union of their fields, run by run, column by column.
func (m *merger) mergeRows(t int64) *Batch {
	// A long run at the head passes on as a slice of its batch, without
	// copying (chunks that overlap by a few out-of-order lines are
	// mostly such runs).
	pos := make([]int, len(m.pending))
	if best, end := m.run(pos, t, math.MaxInt); best >= 0 && end-pos[best] >= minSliceRun {
		b := m.pending[best]
		out := b.Slice(0, end)
		m.pending[best] = b.Slice(end, b.Len)
		if m.pending[best].Len == 0 {
			m.pending = slices.Delete(m.pending, best, best+1)
		}
		return out
	}
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
	for out.Len < BatchSize {
		best, end := m.run(pos, t, BatchSize-out.Len)
		if best < 0 || (end-pos[best] >= minSliceRun && out.Len > 0) {
			break // a long run goes on by itself, in the next call
		}
		b := m.pending[best]
		r := pos[best]
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

// minSliceRun is the shortest run mergeRows passes on as a slice.
const minSliceRun = 256

// run finds the batch whose row comes next, smallest time first (ties to
// the earlier batch), and the end of the run of its rows the row-by-row
// choice would take from pos: before t, before the next row of every
// batch ahead of it and not after that of every batch behind it; at most
// limit rows. best is -1 when no pending row is before t.
func (m *merger) run(pos []int, t int64, limit int) (best, end int) {
	best = -1
	for i, b := range m.pending {
		if pos[i] < b.Len && b.Order[pos[i]] < t && (best < 0 || b.Order[pos[i]] < m.pending[best].Order[pos[best]]) {
			best = i
		}
	}
	if best < 0 {
		return -1, 0
	}
	b := m.pending[best]
	r := pos[best]
	end = r + 1
	for end < b.Len && end-r < limit && b.Order[end] < t && m.ahead(pos, best, b.Order[end]) {
		end++
	}
	return best, end
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
