package refeval

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"loghunt/query"
)

func TestZZDebug(t *testing.T) {
	q := os.Getenv("ZZQ")
	if q == "" {
		t.Skip()
	}
	rnd := rand.New(rand.NewPCG(3, 12))
	db := genStore(t, rnd)
	ev, _ := Load(context.Background(), db)
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runEngine(db, pq)
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
