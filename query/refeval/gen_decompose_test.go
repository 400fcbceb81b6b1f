package refeval

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDifferentialDecompose: random timechart series (spans, aggregates,
// a by field, rows dropped by where so that points go missing) through
// anomalies method=decompose with random periods, k and by, on the engine
// and on refeval's naive decomposition; the rows must agree, errors both
// fail. The random queries of TestDifferential reach decompose only now
// and then; this gives it a few hundred. LOGHUNT_DECOMPOSE_N sets the
// number per store (default 40).
func TestDifferentialDecompose(t *testing.T) {
	n := 40
	if s := os.Getenv("LOGHUNT_DECOMPOSE_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LOGHUNT_DIFF_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("LOGHUNT_DIFF_SEED=%d", seed)
	rnd := rand.New(rand.NewPCG(seed, 16))
	compared, failed := 0, 0
	for _, name := range []string{"gen", "auth", "web", "zeek"} {
		d := newDiffer(t, name, rnd)
		if d == nil {
			continue
		}
		prefixOff := 0
		for range n {
			q := d.gen.decomposeQuery()
			before := d.decomposed
			msg := d.check(q)
			if msg != "" && d.check(q[:strings.LastIndex(q, " | ")]) != "" {
				// The series already differ (TestDifferential's to find,
				// e.g. stats groups of -0 and 0 in another order): not
				// decompose's.
				prefixOff++
				continue
			}
			if msg != "" {
				failed++
				t.Errorf("store %s: %s\n%s", name, q, msg)
				if failed >= 5 {
					return
				}
			}
			compared += d.decomposed - before
		}
		t.Logf("store %s: %d both errors, %d queries with rows compared, %d whose series differ before decompose", name, d.bothErrors, d.decomposed, prefixOff)
		closeStore(t, d.db)
	}
	// The generator's point is series that decompose: most must be.
	if compared < n {
		t.Errorf("only %d queries decomposed a series", compared)
	}
}

// decomposeQuery is search | timechart (or bin and stats by _time and a
// field: a series per value, with gaps) | [where] | anomalies
// method=decompose.
func (g *gen) decomposeQuery() string {
	s := schema{fields: g.c.fields, hasTime: true, ordered: true, hasRaw: true}
	span := pickOf(g, []string{"1m", "2m", "5m", "10s", "30s", "1h"})
	// The last hours of the store: series of tens to thousands of points.
	window := pickOf(g, []string{"earliest=-6h", "earliest=-2h", "earliest=-1d"})
	var parts []string
	var out schema
	by := ""
	if g.chance(0.35) {
		by = g.field(s)
		agg := pickOf(g, []string{"count", "dc(user)", "sum(bytes)", "max(status)", "avg(dur)"})
		parts = []string{window, "bin _time span=" + span, "stats " + agg + " as v by _time, " + argField(by)}
		out = schema{fields: []string{"_time", by, "v"}, hasTime: true, ordered: true, series: true}
		if g.chance(0.3) {
			by = "" // one series per time over values: two rows at a time
		}
	} else {
		aggs, names := g.aggs(s, 1+g.pick(2), false)
		parts = []string{window, "timechart span=" + span + " " + aggs}
		out = schema{fields: append([]string{"_time"}, names...), hasTime: true, ordered: true, series: true}
	}
	if g.chance(0.2) {
		parts = append(parts, "where "+argField(out.fields[len(out.fields)-1])+" != 1")
	}
	st, _ := g.decomposeBy(out, by)
	st = strings.Replace(st, "period=1d", "period="+pickOf(g, []string{"1d", "4m", "10m", "30m"}), 1)
	return strings.Join(parts, " | ") + " | " + st
}
