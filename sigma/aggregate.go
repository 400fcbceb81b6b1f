package sigma

import (
	"math"
	"sort"
)

// aggregate keeps what a correlation's condition needs about the open
// window of one group, updated as events enter at the end and leave at
// the start.
type aggregate struct {
	c       *Correlation
	n       int            // events
	counts  map[string]int // value -> events with it (value_count, value_percentile)
	hist    map[int]int    // value_percentile: count -> values with that count
	nval    int            // events with a value
	sum     float64        // value_sum, value_avg: sum of numbers
	sumAbs  float64
	nnum    int
	srcN    []int      // temporal: events per source
	srcSeqs [][]uint64 // temporal_ordered: sequence numbers per source, oldest first
	srcHead []int
}

func newAggregate(c *Correlation) *aggregate {
	a := &aggregate{c: c}
	switch c.Type {
	case ValueCount, ValuePercentile:
		a.counts = map[string]int{}
		a.hist = map[int]int{}
	case Temporal:
		a.srcN = make([]int, len(c.Rules))
	case TemporalOrdered:
		a.srcSeqs = make([][]uint64, len(c.Rules))
		a.srcHead = make([]int, len(c.Rules))
	}
	return a
}

func (a *aggregate) add(e *corrEvent) {
	a.n++
	switch a.c.Type {
	case ValueCount, ValuePercentile:
		if e.hasVal {
			a.nval++
			old := a.counts[e.val]
			a.counts[e.val] = old + 1
			a.histMove(old, old+1)
		}
	case ValueSum, ValueAvg:
		if e.isNum {
			a.sum += e.num
			a.sumAbs += math.Abs(e.num)
			a.nnum++
		}
	case Temporal:
		a.srcN[e.src]++
	case TemporalOrdered:
		a.srcSeqs[e.src] = append(a.srcSeqs[e.src], e.seq)
	}
}

// remove takes out the oldest event of the window.
func (a *aggregate) remove(e *corrEvent) {
	a.n--
	switch a.c.Type {
	case ValueCount, ValuePercentile:
		if e.hasVal {
			a.nval--
			old := a.counts[e.val]
			if old == 1 {
				delete(a.counts, e.val)
			} else {
				a.counts[e.val] = old - 1
			}
			a.histMove(old, old-1)
		}
	case ValueSum, ValueAvg:
		if e.isNum {
			a.sum -= e.num
			a.sumAbs -= math.Abs(e.num)
			a.nnum--
		}
	case Temporal:
		a.srcN[e.src]--
	case TemporalOrdered:
		s := e.src
		a.srcHead[s]++
		if a.srcHead[s] > 32 && 2*a.srcHead[s] > len(a.srcSeqs[s]) {
			a.srcSeqs[s] = append([]uint64(nil), a.srcSeqs[s][a.srcHead[s]:]...)
			a.srcHead[s] = 0
		}
	}
}

func (a *aggregate) histMove(from, to int) {
	if a.hist == nil {
		return
	}
	if from > 0 {
		if a.hist[from] == 1 {
			delete(a.hist, from)
		} else {
			a.hist[from]--
		}
	}
	if to > 0 {
		a.hist[to]++
	}
}

// value returns the window's value and whether it meets the condition;
// w is the window, read only to recompute a sum exactly in window order
// when the running sum is too close to a threshold to trust.
func (a *aggregate) value(w []corrEvent) (float64, bool) {
	var x float64
	switch a.c.Type {
	case EventCount:
		x = float64(a.n)
	case ValueCount:
		x = float64(len(a.counts))
	case ValueSum, ValueAvg:
		if a.nnum == 0 {
			return 0, false
		}
		x = a.sum
		if a.c.Type == ValueAvg {
			x = a.sum / float64(a.nnum)
		}
		if a.nearThreshold(x) {
			x = exactAggregate(a.c.Type, w)
		}
	case Temporal:
		for _, n := range a.srcN {
			if n > 0 {
				x++
			}
		}
	case TemporalOrdered:
		x = float64(a.orderedPrefix())
	case ValuePercentile:
		return a.percentile()
	}
	return x, meets(a.c.Condition, x)
}

func meets(cond []Criterion, x float64) bool {
	for _, c := range cond {
		if !c.holds(x) {
			return false
		}
	}
	return len(cond) > 0
}

func (a *aggregate) nearThreshold(x float64) bool {
	scale := math.Max(1, a.sumAbs)
	for _, c := range a.c.Condition {
		if math.Abs(x-c.Value) <= 1e-9*scale {
			return true
		}
	}
	return false
}

// exactAggregate sums the window's numbers in order, the way the
// definition (and a brute-force check) does.
func exactAggregate(t CorrType, w []corrEvent) float64 {
	var s float64
	n := 0
	for i := range w {
		if w[i].isNum {
			s += w[i].num
			n++
		}
	}
	if t == ValueAvg {
		return s / float64(n)
	}
	return s
}

// orderedPrefix is the length of the longest prefix of the rules whose
// matches occur in order in the window: each rule's earliest match after
// the previous rule's chosen match (greedy, which is optimal).
func (a *aggregate) orderedPrefix() int {
	var last uint64
	for k := range a.srcSeqs {
		seqs := a.srcSeqs[k][a.srcHead[k]:]
		i := sort.Search(len(seqs), func(i int) bool { return seqs[i] > last })
		if i == len(seqs) {
			return k
		}
		last = seqs[i]
	}
	return len(a.srcSeqs)
}

// percentile looks for a value whose share of the valued events meets
// the condition, and returns the smallest such share.
func (a *aggregate) percentile() (float64, bool) {
	if a.nval == 0 {
		return 0, false
	}
	best, found := 0.0, false
	for cnt := range a.hist {
		share := 100 * float64(cnt) / float64(a.nval)
		if meets(a.c.Condition, share) && (!found || share < best) {
			best, found = share, true
		}
	}
	return best, found
}
