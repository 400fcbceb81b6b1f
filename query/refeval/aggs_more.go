package refeval

import (
	"math"
	"slices"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// moreAggregate computes list, mode, estdc, earliest_time, latest_time,
// rate and upperperc over the non-null samples (their .help entries).
func moreAggregate(a *query.Aggregate, vals []sample) (store.Value, bool) {
	switch a.Kind {
	case "list":
		s := slices.Clone(vals)
		slices.SortStableFunc(s, func(x, y sample) int {
			switch {
			case x.t < y.t:
				return -1
			case x.t > y.t:
				return 1
			}
			return totalOrder(x.v, y.v)
		})
		var parts []string
		for _, x := range s[:min(len(s), 100)] {
			parts = append(parts, x.v.String())
		}
		if len(parts) == 0 {
			return store.Null, true
		}
		return store.Str(strings.Join(parts, "\n")), true
	case "mode":
		counts := map[string]int{}
		for _, x := range vals {
			counts[x.v.String()]++
		}
		texts := distinctText(vals) // sorted by bytes: the first of ties wins
		if len(texts) == 0 {
			return store.Null, true
		}
		best := texts[0]
		for _, t := range texts[1:] {
			if counts[t] > counts[best] {
				best = t
			}
		}
		return store.Str(best), true
	case "estdc":
		return store.Int(refEstdc(distinctText(vals))), true
	case "earliest_time", "latest_time":
		if len(vals) == 0 {
			return store.Null, true
		}
		t := vals[0].t
		for _, x := range vals {
			if a.Kind == "earliest_time" && x.t < t || a.Kind == "latest_time" && x.t > t {
				t = x.t
			}
		}
		return store.Time(t), true
	case "rate":
		type pt struct {
			t int64
			f float64
		}
		var pts []pt
		for _, x := range vals {
			if f, ok := asFloat(x.v); ok && !math.IsNaN(f) {
				pts = append(pts, pt{x.t, f})
			}
		}
		if len(pts) < 2 {
			return store.Null, true
		}
		slices.SortFunc(pts, func(x, y pt) int {
			if x.t != y.t {
				if x.t < y.t {
					return -1
				}
				return 1
			}
			if x.f < y.f {
				return -1
			}
			if x.f > y.f {
				return 1
			}
			return 0
		})
		first, last := pts[0], pts[len(pts)-1]
		if first.t == last.t {
			return store.Null, true
		}
		return finite((last.f - first.f) / (float64(last.t-first.t) / 1e9)), true
	case "upperperc":
		var nums []float64
		for _, x := range vals {
			if f, ok := asFloat(x.v); ok {
				nums = append(nums, f)
			}
		}
		if len(nums) == 0 {
			return store.Null, true
		}
		slices.Sort(nums)
		i := int(math.Ceil(a.Perc / 100 * float64(len(nums)-1)))
		return wholeValue(nums[min(i, len(nums)-1)]), true
	}
	return store.Null, false
}

// refEstdc is estdc's definition: the exact count up to 2048 values, else
// HyperLogLog with 2^14 registers over a 64-bit hash (FNV-1a, then
// murmur3's 64-bit finalizer) of each text: linear counting while that
// says at most 3*2^14, else the raw estimate.
func refEstdc(texts []string) int64 {
	if len(texts) <= 2048 {
		return int64(len(texts))
	}
	const p = 14
	m := 1 << p
	regs := make([]int, m)
	for _, s := range texts {
		h := uint64(14695981039346656037)
		for _, c := range []byte(s) {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h = (h ^ h>>33) * 0xff51afd7ed558ccd
		h = (h ^ h>>33) * 0xc4ceb9fe1a85ec53
		h ^= h >> 33
		idx := int(h >> (64 - p))
		rank := 1
		for rest := h << p; rank <= 64-p && rest&(1<<63) == 0; rest <<= 1 {
			rank++
		}
		regs[idx] = max(regs[idx], rank)
	}
	sum, zeros := 0.0, 0
	for _, r := range regs {
		sum += math.Pow(2, -float64(r))
		if r == 0 {
			zeros++
		}
	}
	fm := float64(m)
	if zeros > 0 {
		if lc := fm * math.Log(fm/float64(zeros)); lc <= 3*fm {
			return int64(math.Round(lc))
		}
	}
	return int64(math.Round(0.7213 / (1 + 1.079/fm) * fm * fm / sum))
}
