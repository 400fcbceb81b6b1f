package query

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"loghunt/store"
)

// More aggregates: list, mode, estdc, earliest_time, latest_time, rate
// and upperpercN. Each is deterministic: whatever order the rows come
// in and however chunks are split among workers, the answer is the same.

// MaxList is the number of values list() keeps, as Splunk's list.
const MaxList = 100

// listAgg keeps the first MaxList values in time order (oldest first, as
// loghunt's results come), of rows at the same time in value order.
type listAgg struct {
	items  []listItem
	budget *memBudget
}

type listItem struct {
	t int64
	v store.Value
}

func compareListItems(a, b listItem) int {
	if c := cmp.Compare(a.t, b.t); c != 0 {
		return c
	}
	return compareTotal(a.v, b.v)
}

func (a *listAgg) add(v store.Value, t int64) {
	if v.K == store.KindNull {
		return
	}
	it := listItem{t, v}
	if len(a.items) == MaxList && compareListItems(it, a.items[MaxList-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(a.items, it, compareListItems)
	if len(a.items) < MaxList {
		a.budget.charge(int64(len(v.S)) + 64)
		a.items = slices.Insert(a.items, i, it)
		return
	}
	copy(a.items[i+1:], a.items[i:MaxList-1])
	a.items[i] = it
}

// result is a multi-value: the values one per line (see mvcount).
func (a *listAgg) result() store.Value {
	if len(a.items) == 0 {
		return store.Null
	}
	parts := make([]string, len(a.items))
	for i, it := range a.items {
		parts[i] = it.v.String()
	}
	return mvValue(parts)
}

// modeAgg counts each value as text (as dc and values see them).
type modeAgg struct {
	counts map[string]int64
	budget *memBudget
}

func (a *modeAgg) add(v store.Value, _ int64) {
	if v.K == store.KindNull {
		return
	}
	s := v.String()
	if _, ok := a.counts[s]; !ok {
		a.budget.charge(int64(len(s)) + 64)
	}
	a.counts[s]++
}

// result is the most common value as text; of values as common, the
// first in byte order (values() order).
func (a *modeAgg) result() store.Value {
	best, n := "", int64(0)
	for s, c := range a.counts {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	if n == 0 {
		return store.Null
	}
	return store.Str(best)
}

// estdc is a HyperLogLog of 2^14 registers (a standard error of 0.8%)
// over the values as text, exact while it has seen at most estdcExact
// values (it keeps them until then).
const (
	estdcBits  = 14
	estdcExact = 2048
)

type estdcAgg struct {
	exact  map[uint64]struct{} // hashes, until there are estdcExact
	regs   []uint8             // the registers, once exact is full
	budget *memBudget
}

// estdcHash is FNV-1a of the text, mixed (murmur3's finalizer) so every
// bit is as good as any other.
func estdcHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func (a *estdcAgg) add(v store.Value, _ int64) {
	if v.K == store.KindNull {
		return
	}
	a.addHash(estdcHash(v.String()))
}

func (a *estdcAgg) addHash(h uint64) {
	if a.regs == nil {
		if _, ok := a.exact[h]; ok {
			return
		}
		if len(a.exact) < estdcExact {
			a.exact[h] = struct{}{}
			a.budget.charge(24)
			return
		}
		a.regs = make([]uint8, 1<<estdcBits)
		a.budget.charge(1 << estdcBits)
		for e := range a.exact {
			a.setReg(e)
		}
		a.exact = nil
	}
	a.setReg(h)
}

func (a *estdcAgg) setReg(h uint64) {
	idx := h >> (64 - estdcBits)
	rank := uint8(bits.LeadingZeros64(h<<estdcBits|1<<(estdcBits-1)) + 1)
	a.regs[idx] = max(a.regs[idx], rank)
}

func (a *estdcAgg) merge(b *estdcAgg) {
	if b.regs == nil {
		for h := range b.exact {
			a.addHash(h)
		}
		return
	}
	if a.regs == nil {
		ex := a.exact
		a.regs, a.exact = slices.Clone(b.regs), nil
		a.budget.charge(1 << estdcBits)
		for h := range ex {
			a.setReg(h)
		}
		return
	}
	for i, r := range b.regs {
		a.regs[i] = max(a.regs[i], r)
	}
}

func (a *estdcAgg) result() store.Value {
	if a.regs == nil {
		return store.Int(int64(len(a.exact)))
	}
	return store.Int(int64(math.Round(hllEstimate(a.regs))))
}

// hllEstimate is HyperLogLog's estimate, with linear counting while
// registers are empty enough (Flajolet et al. 2007; Whang et al. 1990).
func hllEstimate(regs []uint8) float64 {
	m := float64(len(regs))
	sum, zeros := 0.0, 0
	for _, r := range regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	// Linear counting while its error (1.1% at 3m values) is about the
	// registers' 0.8%; past that, the raw estimate, whose bias is small there.
	if zeros > 0 {
		if lc := m * math.Log(m/float64(zeros)); lc <= 3*m {
			return lc
		}
	}
	return 0.7213 / (1 + 1.079/m) * m * m / sum
}

// timeOfAgg is earliest_time(f) / latest_time(f): the _time of the
// earliest / latest row where f is not null.
type timeOfAgg struct {
	latest bool
	t      int64
	set    bool
}

func (a *timeOfAgg) add(v store.Value, t int64) {
	if v.K == store.KindNull {
		return
	}
	if !a.set || a.latest && t > a.t || !a.latest && t < a.t {
		a.t, a.set = t, true
	}
}

func (a *timeOfAgg) result() store.Value {
	if !a.set {
		return store.Null
	}
	return store.Time(a.t)
}

// rateAgg is rate(f): (f at the latest row - f at the earliest) / the
// seconds between them, over the rows where f is a number, as Splunk
// defines it for counters. Of rows at the same time, the earliest takes
// the smallest value and the latest the largest. Null with fewer than two
// such rows or no time between them.
type rateAgg struct {
	first, last rateEnd
	n           int64
}

type rateEnd struct {
	t int64
	f float64
}

func (a *rateAgg) add(v store.Value, t int64) {
	f, ok := number(v)
	if !ok || math.IsNaN(f) {
		return
	}
	a.addEnd(rateEnd{t, f}, rateEnd{t, f}, 1)
}

func (a *rateAgg) addEnd(first, last rateEnd, n int64) {
	if a.n == 0 || first.t < a.first.t || first.t == a.first.t && first.f < a.first.f {
		a.first = first
	}
	if a.n == 0 || last.t > a.last.t || last.t == a.last.t && last.f > a.last.f {
		a.last = last
	}
	a.n += n
}

func (a *rateAgg) result() store.Value {
	if a.n < 2 || a.last.t == a.first.t {
		return store.Null
	}
	return floatOrNull((a.last.f - a.first.f) / (float64(a.last.t-a.first.t) / 1e9))
}

// upperPerc is the upper of the two ranks percN interpolates between:
// sorted[ceil(p/100 * (n-1))], a value of f itself and never below percN.
func upperPerc(sorted []float64, p float64) float64 {
	rank := p / 100 * float64(len(sorted)-1)
	return sorted[min(int(math.Ceil(rank)), len(sorted)-1)]
}
