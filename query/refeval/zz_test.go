package refeval

import (
	"context"
	"math/rand/v2"
	"testing"

	"loghunt/query"
)

func TestZZParse(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	db := genStore(t, rnd)
	ev, _ := Load(context.Background(), db)
	g := &gen{r: rnd, c: newCorpus(ev, "/tmp/x.csv", rnd)}
	n := 0
	for i := 0; i < 3000 && n < 25; i++ {
		q := g.query()
		if _, err := query.Parse(q); err != nil {
			n++
			t.Logf("%s\n%v", q, err)
		}
	}
}
