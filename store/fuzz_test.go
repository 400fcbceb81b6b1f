package store

import (
	"math/rand/v2"
	"testing"
)

// FuzzChunk feeds arbitrary bytes to the chunk decoder: parsing the header
// and decoding every column must return an error or values, never panic
// or allocate without bound. Seeds are real chunks.
func FuzzChunk(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 1))
	b := NewChunkBuilder("src", "test", "key")
	for _, n := range []int{1, 7, 300} {
		for _, row := range randomRows(r, n, "src") {
			b.Add(&Event{Time: row.time, Raw: row.raw, Fields: row.fields})
		}
		f.Add(b.Encode().Blob)
	}
	for _, row := range webRows(r, 600) { // fields cut out of _raw
		b.Add(&Event{Time: row.time, Raw: row.raw, Fields: row.fields})
	}
	f.Add(b.Encode().Blob)
	f.Fuzz(func(t *testing.T, blob []byte) {
		c, err := parseChunkVerify(1, blob, false)
		if err != nil {
			return
		}
		c.Times()
		c.mayContainAll([]uint64{TokenHash("x")})
		if cand, err := c.rawCandidates([]string{"a", "b"}); err == nil && cand != nil {
			c.rawValues(cand)
			if d, _ := c.rawDir(); d != nil {
				c.rawBlockAppend(0, nil, make([]uint32, d.blocks[0].nrows))
			}
		}
		for _, ci := range c.Cols {
			c.Values(ci.Name)
			c.dictNamed(ci.Name)
			c.ints(ci.Name)
		}
	})
}
