package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"loghunt/store"
)

// TestMemStoreAgreesWithDB: query.Store is a filter-taking scan, so the
// engine runs as well on chunks in memory (store.Mem) as on a bbolt file,
// and gives the same rows: query tests can do without a file.
func TestMemStoreAgreesWithDB(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	evs := randomEvents(r, 6000)
	db := newTestStore(t)
	db.add("web", evs, 1500)
	mem := &store.Mem{}
	b := store.NewChunkBuilder("web", "test", "key:web")
	for i := 0; i < len(evs); i += 1500 {
		for j := i; j < min(i+1500, len(evs)); j++ {
			b.Add(&evs[j])
		}
		if err := mem.Add(b.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		"* | stats count, sum(bytes), dc(user) by status",
		"user=alice status=404 | table _time, user, bytes",
		"event NOT bob | stats count by user",
		"bytes>50000 | timechart span=10m count",
		"status IN (404, 500) user=c* | stats avg(dur) as d by user | sort -d",
		"* | where isnull(bytes) | stats count",
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		var rows [2][]string
		for i, st := range []Store{db.DB, mem} {
			if _, err := Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
				for r := range b.Len {
					rows[i] = append(rows[i], fmt.Sprint(b.Row(r)))
				}
				return nil
			}); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if len(rows[0]) == 0 || !slices.Equal(rows[0], rows[1]) {
			t.Errorf("%s: db %d rows, mem %d rows\n db %q\nmem %q", q, len(rows[0]), len(rows[1]), rows[0][:min(3, len(rows[0]))], rows[1][:min(3, len(rows[1]))])
		}
	}
}
