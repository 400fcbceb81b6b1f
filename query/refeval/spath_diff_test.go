package refeval

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"loghunt/query"
)

// TestSpathDifferential: spath stages the generator makes (on the Zeek
// JSON lines of the real store and on JSON documents eval builds of
// generated fields), then random stages, engine against refeval; enough
// of the queries must extract something for the test to show anything.
func TestSpathDifferential(t *testing.T) {
	rnd := rand.New(rand.NewPCG(31, 12))
	extracted := 0
	for _, name := range []string{"gen", "zeek"} {
		d := newDiffer(t, name, rnd)
		if d == nil {
			t.Skip("../shared/datasets is absent")
		}
		g := d.gen
		s := schema{fields: slices.DeleteFunc(slices.Clone(g.c.fields), func(f string) bool { return !usable(f) }),
			hasTime: true, ordered: true, hasRaw: true}
		for i := 0; i < 30; i++ {
			st, out := d.gen.spath(s)
			q := "* | " + st
			if i%2 == 1 {
				next, _ := d.gen.stage(out)
				q += " | " + next
			}
			if msg := d.check(q); msg != "" {
				t.Errorf("store %s: %s\n%s", name, q, msg)
				continue
			}
			pq, err := query.Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := runEngine(d.db, pq, Options{})
			o := "u" // what auto-extract finds in the documents eval makes
			if strings.Contains(q, "output=") {
				o = strings.Fields(q[strings.Index(q, "output=")+len("output="):])[0]
			} else if !strings.Contains(q, "input=") {
				o = "uid" // in the Zeek lines
			}
			if err == nil {
				for _, r := range rows {
					if !r.Get(o).IsNull() {
						extracted++
						break
					}
				}
			}
		}
		closeStore(t, d.db)
	}
	if extracted < 15 {
		t.Errorf("only %d queries extracted a value", extracted)
	}
}
