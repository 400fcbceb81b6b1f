package query

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"loghunt/store"
)

// mergeSink keeps the rows pushed to it.
type mergeSink struct {
	order []int64
	rows  [][]store.Value // per row, the values by field name order of names
	names []string
}

func (c *mergeSink) push(b *Batch) error {
	for r := 0; r < b.Len; r++ {
		row := make([]store.Value, len(c.names))
		for k, n := range c.names {
			if j := b.Col(n); j >= 0 {
				row[k] = b.Cols[j][r]
			}
		}
		c.rows = append(c.rows, row)
		c.order = append(c.order, b.Order[r])
	}
	return nil
}
func (c *mergeSink) finish() error { return nil }

// TestMergerMatchesRowByRow checks the merger against a brute-force merge:
// all rows of all chunks sorted by time, ties in arrival order of the
// chunks, over random chunks that overlap in time, share some fields and
// not others, and arrive by min time.
func TestMergerMatchesRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "b", "c"}
	for iter := 0; iter < 300; iter++ {
		nchunks := 1 + rng.IntN(5)
		type chunk struct {
			b   *Batch
			min int64
			seq int
		}
		var chunks []chunk
		for ci := 0; ci < nchunks; ci++ {
			n := 1 + rng.IntN([]int{20, 3000, 9000}[rng.IntN(3)])
			base := rng.Int64N(2000)
			step := int64(1 + rng.IntN(3))
			ts := make([]int64, n)
			for i := range ts {
				ts[i] = base + int64(i)*step/2 + int64(rng.IntN(2)) // sorted, with ties
			}
			slices.Sort(ts)
			var fields []string
			for _, f := range names {
				if rng.IntN(3) > 0 {
					fields = append(fields, f)
				}
			}
			b := &Batch{Fields: fields, Cols: make([][]store.Value, len(fields)), Order: ts, Len: n}
			for k, f := range fields {
				for i := range n {
					b.Cols[k] = append(b.Cols[k], store.Str(fmt.Sprintf("%s%d.%d", f, ci, i)))
				}
			}
			chunks = append(chunks, chunk{b, ts[0], ci})
		}
		slices.SortStableFunc(chunks, func(x, y chunk) int { return int(x.min - y.min) })
		// brute force: every row with its chunk's arrival index, stable by (time, arrival)
		type row struct {
			o       int64
			arrival int
			vals    []store.Value
		}
		var want []row
		for ai, c := range chunks {
			for r := 0; r < c.b.Len; r++ {
				v := make([]store.Value, len(names))
				for k, n := range names {
					if j := c.b.Col(n); j >= 0 {
						v[k] = c.b.Cols[j][r]
					}
				}
				want = append(want, row{c.b.Order[r], ai, v})
			}
		}
		slices.SortStableFunc(want, func(x, y row) int {
			if x.o != y.o {
				return int(x.o - y.o)
			}
			return x.arrival - y.arrival
		})
		got := &mergeSink{names: names}
		m := &merger{next: got}
		for _, c := range chunks {
			if err := m.add(c.b, c.min); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.finish(); err != nil {
			t.Fatal(err)
		}
		if len(got.order) != len(want) {
			t.Fatalf("iter %d: %d rows, want %d", iter, len(got.order), len(want))
		}
		for i := range want {
			if got.order[i] != want[i].o || !reflect.DeepEqual(got.rows[i], want[i].vals) {
				t.Fatalf("iter %d row %d: got %d %v, want %d %v", iter, i, got.order[i], got.rows[i], want[i].o, want[i].vals)
			}
		}
	}
}
