package refeval

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"loghunt/query"
)

// TestShowQuery shows one query's rows from the engine and from refeval
// side by side, on the first generated store of a seed, marking the rows
// that differ: LOGHUNT_DIFF_QUERY='...' LOGHUNT_DIFF_SEED=N go test
// -run TestShowQuery -v ./query/refeval.
func TestShowQuery(t *testing.T) {
	q := os.Getenv("LOGHUNT_DIFF_QUERY")
	if q == "" {
		t.Skip("set LOGHUNT_DIFF_QUERY to show a query's rows")
	}
	seed, _ := strconv.ParseUint(os.Getenv("LOGHUNT_DIFF_SEED"), 10, 64)
	rnd := rand.New(rand.NewPCG(seed, 12))
	db := genStore(t, rnd)
	defer closeStore(t, db)
	ev, _ := Load(context.Background(), db)
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runEngine(db, pq, Options{})
	pq2, _ := query.Parse(q)
	want, err2 := Eval(pq2, ev, Options{})
	t.Log(err, err2, len(got), len(want))
	for i := 0; i < max(len(got), len(want)); i++ {
		var a, b Row
		if i < len(got) {
			a = got[i]
		}
		if i < len(want) {
			b = want[i]
		}
		mark := "  "
		if diffRow(a, b) != "" {
			mark = "XX"
		}
		t.Logf("%s %d\n  E %s\n  R %s", mark, i, showRow(a), showRow(b))
	}
}
