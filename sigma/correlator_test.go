package sigma

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 1, 4, 0, 0, 0, time.UTC)

// bruteHits evaluates a correlation by its definition, from scratch for
// every anchor: per group, the window of anchor i is every event j >= i
// with time <= time_i + timespan; a window meeting the condition is a hit
// and the next anchor is the first event after it, else the next event.
func bruteHits(c *Correlation, ins []Input) []Hit {
	var order []string
	groups := map[string][]int{}
	for i, in := range ins {
		k := groupKey(in.Group)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var hits []Hit
	for _, k := range order {
		idx := groups[k]
		for i := 0; i < len(idx); {
			end := i
			for end+1 < len(idx) && !ins[idx[end+1]].Time.After(ins[idx[i]].Time.Add(c.Timespan)) {
				end++
			}
			w := make([]Input, 0, end-i+1)
			for _, j := range idx[i : end+1] {
				w = append(w, ins[j])
			}
			v, ok := bruteValue(c, w)
			if !ok {
				i++
				continue
			}
			h := Hit{Correlation: c, Group: w[0].Group, First: w[0].Time, Last: w[len(w)-1].Time,
				Trigger: w[len(w)-1].Time, Count: len(w), Value: v}
			for _, in := range w {
				h.Refs = append(h.Refs, in.Ref)
			}
			for p := 1; p <= len(w); p++ {
				if _, ok := bruteValue(c, w[:p]); ok {
					h.Trigger = w[p-1].Time
					break
				}
			}
			hits = append(hits, h)
			i = end + 1
		}
	}
	sortHits(hits)
	return hits
}

func bruteValue(c *Correlation, w []Input) (float64, bool) {
	holds := func(x float64) bool {
		for _, cr := range c.Condition {
			if !cr.holds(x) {
				return false
			}
		}
		return true
	}
	switch c.Type {
	case EventCount:
		x := float64(len(w))
		return x, holds(x)
	case ValueCount:
		seen := map[string]bool{}
		for _, in := range w {
			if in.HasValue {
				seen[in.Value] = true
			}
		}
		x := float64(len(seen))
		return x, holds(x)
	case ValueSum, ValueAvg:
		s, n := 0.0, 0
		for _, in := range w {
			if !in.HasValue {
				continue
			}
			if f, ok := parseNumber(in.Value); ok {
				s += f
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		if c.Type == ValueAvg {
			s /= float64(n)
		}
		return s, holds(s)
	case Temporal:
		seen := map[int]bool{}
		for _, in := range w {
			seen[in.Source] = true
		}
		x := float64(len(seen))
		return x, holds(x)
	case TemporalOrdered:
		best := 0
		for k := len(c.Rules); k > 0 && best == 0; k-- {
			// is Rules[0:k] a subsequence of the window's sources?
			m := 0
			for _, in := range w {
				if m < k && in.Source == m {
					m++
				}
			}
			if m == k {
				best = k
			}
		}
		x := float64(best)
		return x, holds(x)
	case ValuePercentile:
		counts := map[string]int{}
		n := 0
		for _, in := range w {
			if in.HasValue {
				counts[in.Value]++
				n++
			}
		}
		best, found := 0.0, false
		for _, cnt := range counts {
			share := 100 * float64(cnt) / float64(n)
			if holds(share) && (!found || share < best) {
				best, found = share, true
			}
		}
		return best, found
	}
	panic("type")
}

func runCorrelator(t *testing.T, c *Correlation, ins []Input) []Hit {
	t.Helper()
	k := NewCorrelator(c)
	var hits []Hit
	for _, in := range ins {
		h, err := k.Push(in)
		if err != nil {
			t.Fatal(err)
		}
		hits = append(hits, h...)
	}
	hits = append(hits, k.Flush()...)
	sortHits(hits)
	return hits
}

func sameHits(a, b []Hit) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d hits, want %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if groupKey(x.Group) != groupKey(y.Group) || !x.First.Equal(y.First) || !x.Last.Equal(y.Last) ||
			!x.Trigger.Equal(y.Trigger) || x.Count != y.Count ||
			math.Abs(x.Value-y.Value) > 1e-9*math.Max(1, math.Abs(y.Value)) || fmt.Sprint(x.Refs) != fmt.Sprint(y.Refs) {
			return fmt.Sprintf("hit %d:\n got  %s\n want %s", i, fmtHit(x), fmtHit(y))
		}
	}
	return ""
}

func fmtHit(h Hit) string {
	return fmt.Sprintf("group=%v first=%s last=%s trigger=%s count=%d value=%g refs=%v", h.Group,
		h.First.Sub(t0), h.Last.Sub(t0), h.Trigger.Sub(t0), h.Count, h.Value, h.Refs)
}

// randomCorrelation draws a correlation of type typ with a random
// timespan and condition.
func randomCorrelation(r *rand.Rand, typ CorrType) *Correlation {
	c := &Correlation{Title: string(typ), Type: typ, Timespan: time.Duration(1+r.IntN(60)) * time.Second, GroupBy: []string{"g"}}
	nrules := 1
	if typ == Temporal || typ == TemporalOrdered {
		nrules = 2 + r.IntN(3)
	}
	for i := 0; i < nrules; i++ {
		c.Rules = append(c.Rules, fmt.Sprintf("r%d", i))
	}
	ops := []string{"gt", "gte", "lt", "lte", "eq", "neq"}
	var scale float64
	switch typ {
	case EventCount, ValueCount:
		scale = float64(1 + r.IntN(8))
	case ValueSum:
		scale = float64(r.IntN(40))
	case ValueAvg:
		scale = float64(r.IntN(10))
	case Temporal, TemporalOrdered:
		scale = float64(1 + r.IntN(nrules))
	case ValuePercentile:
		scale = float64(10 * r.IntN(11))
	}
	c.Condition = []Criterion{{Op: ops[r.IntN(len(ops))], Value: scale}}
	if r.IntN(4) == 0 {
		c.Condition = append(c.Condition, Criterion{Op: "lte", Value: scale + float64(r.IntN(5))})
	}
	if typ == Temporal || typ == TemporalOrdered {
		if r.IntN(2) == 0 {
			c.Condition = []Criterion{{Op: "gte", Value: float64(nrules)}} // the default: all rules
		}
	}
	if typ == ValueCount || typ == ValueSum || typ == ValueAvg || typ == ValuePercentile {
		c.Field = []string{"v"}
	}
	return c
}

func randomInputs(r *rand.Rand, c *Correlation) []Input {
	n := r.IntN(400)
	tm := t0
	groups := 1 + r.IntN(4)
	var ins []Input
	for i := 0; i < n; i++ {
		switch r.IntN(4) {
		case 0: // same time
		case 1:
			tm = tm.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
		default:
			tm = tm.Add(time.Duration(r.IntN(20)) * time.Second)
		}
		in := Input{Source: r.IntN(len(c.Rules)), Time: tm, Group: []string{fmt.Sprintf("g%d", r.IntN(groups))}, Ref: i}
		switch c.Type {
		case ValueCount, ValuePercentile:
			in.HasValue = r.IntN(8) != 0
			if in.HasValue {
				in.Value = fmt.Sprintf("v%d", r.IntN(1+r.IntN(6)))
			}
		case ValueSum, ValueAvg:
			in.HasValue = r.IntN(8) != 0
			switch r.IntN(6) {
			case 0:
				in.Value = "n/a"
			case 1:
				in.Value = fmt.Sprintf("%.1f", r.Float64()*10)
			default:
				in.Value = fmt.Sprint(r.IntN(10))
			}
		}
		ins = append(ins, in)
	}
	return ins
}

// TestCorrelatorBruteForce compares the correlator with bruteHits on
// random streams, for every correlation type and many seeds.
func TestCorrelatorBruteForce(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 50
	}
	for _, typ := range []CorrType{EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile} {
		totalHits := 0
		for seed := 1; seed <= seeds; seed++ {
			r := rand.New(rand.NewPCG(uint64(seed), uint64(len(typ))))
			c := randomCorrelation(r, typ)
			ins := randomInputs(r, c)
			got := runCorrelator(t, c, ins)
			want := bruteHits(c, ins)
			totalHits += len(want)
			if d := sameHits(got, want); d != "" {
				t.Fatalf("%s seed %d (span %s, condition %v, %d inputs): %s", typ, seed, c.Timespan, c.Condition, len(ins), d)
			}
		}
		t.Logf("%s: %d seeds, %d hits, all equal to brute force", typ, seeds, totalHits)
		if totalHits == 0 {
			t.Errorf("%s: no hits at all in %d seeds: the test checks nothing", typ, seeds)
		}
	}
}

// TestCorrelatorSlidingNotBuckets: ten failures straddling a five-minute
// boundary are one hit (fixed 5-minute buckets would see 5 and 5).
func TestCorrelatorSlidingNotBuckets(t *testing.T) {
	c := &Correlation{Type: EventCount, Rules: []string{"fail"}, GroupBy: []string{"ip"}, Timespan: 5 * time.Minute,
		Condition: []Criterion{{"gte", 10}}}
	var ins []Input
	base := t0.Add(5*time.Minute - 25*time.Second)
	for i := 0; i < 10; i++ {
		ins = append(ins, Input{Time: base.Add(time.Duration(5*i) * time.Second), Group: []string{"203.0.113.5"}, Ref: i})
	}
	ins = append([]Input{{Time: base.Add(-time.Second), Group: []string{"198.51.100.7"}, Ref: 99}}, ins...)
	hits := runCorrelator(t, c, ins)
	if len(hits) != 1 || hits[0].Count != 10 || hits[0].Group[0] != "203.0.113.5" ||
		!hits[0].First.Equal(base) || !hits[0].Last.Equal(base.Add(45*time.Second)) || !hits[0].Trigger.Equal(hits[0].Last) {
		t.Fatalf("hits: %+v", hits)
	}
	// 25 failures in a burst are one hit of 25, not one per event
	ins = ins[:0]
	for i := 0; i < 25; i++ {
		ins = append(ins, Input{Time: t0.Add(time.Duration(i) * time.Second), Group: []string{"a"}, Ref: i})
	}
	hits = runCorrelator(t, c, ins)
	if len(hits) != 1 || hits[0].Count != 25 || !hits[0].Trigger.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("burst: %+v", hits)
	}
	// out of order input is an error
	k := NewCorrelator(c)
	k.Push(Input{Time: t0.Add(time.Minute), Group: []string{"a"}})
	if _, err := k.Push(Input{Time: t0, Group: []string{"a"}}); err == nil {
		t.Fatal("no error for an input out of time order")
	}
}

// TestCorrelatorMemoryBounded: groups whose windows closed are dropped.
func TestCorrelatorMemoryBounded(t *testing.T) {
	c := &Correlation{Type: EventCount, Rules: []string{"r"}, GroupBy: []string{"g"}, Timespan: time.Minute,
		Condition: []Criterion{{"gte", 1000000}}}
	k := NewCorrelator(c)
	for i := 0; i < 200000; i++ {
		if _, err := k.Push(Input{Time: t0.Add(time.Duration(i) * time.Second), Group: []string{fmt.Sprint(i % 1000)}}); err != nil {
			t.Fatal(err)
		}
	}
	open := 0
	for _, g := range k.groups {
		open += len(g.evs) - g.head
	}
	if open > 61 || k.dl.Len() > 2*len(k.groups)+1000 {
		t.Fatalf("%d groups, %d open events, %d deadlines kept", len(k.groups), open, k.dl.Len())
	}
}
