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
func (m *merger) mergeRows(t int64) *Batch {
	out := &Batch{Fields: unionFields(m.pending)}
	out.Cols = make([][]store.Value, len(out.Fields))
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
		r := pos[best]
		for k, c := range colOf[best] {
			v := store.Null
			if c >= 0 {
				v = b.Cols[c][r]
			}
			out.Cols[k] = append(out.Cols[k], v)
		}
		out.Order = append(out.Order, b.Order[r])
		out.Len++
		pos[best]++
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
