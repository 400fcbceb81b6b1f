package refeval

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"loghunt/query"
	"loghunt/store"
)

// timechart makes one row per time bucket from the first bucket with
// rows to the last, every bucket between present; each aggregate (or,
// with by, each series: a by value, NULL for rows without one) is a
// column, 0 where a bucket has no rows or no result. With by, the limit
// series with the largest sum of the aggregate's results over the buckets
// (ties to the smaller value) are columns of their own and the others
// are aggregated together as OTHER.
// maxBuckets bounds the buckets refeval fills: more rows than its
// stages, which hold and rescan them (streamstats is quadratic), handle
// in good time.
const maxBuckets = 10_000

func timechart(c *query.TimechartCmd, rows []Row) ([]Row, error) {
	span := int64(c.Span)
	bucketOf := func(r Row) (int64, bool) {
		t := r.Get(store.ColTime)
		if t.K != store.KindTime {
			return 0, false
		}
		q := t.I / span
		if t.I%span != 0 && t.I < 0 {
			q--
		}
		return q * span, true
	}
	// The series of each row, and each series' rows per bucket.
	type series struct {
		name    string
		value   store.Value // for ranking ties; null for NULL
		buckets map[int64][]Row
		total   *big.Rat
	}
	var order []*series
	byKey := map[string]*series{}
	lo, hi, any := int64(0), int64(0), false
	for _, r := range rows {
		b, ok := bucketOf(r)
		if !ok {
			continue
		}
		if !any || b < lo {
			lo = b
		}
		if !any || b > hi {
			hi = b
		}
		any = true
		key, name, v := "", "", store.Null
		if c.By != nil {
			v = r.Get(c.By.Name)
			if v.K == store.KindNull {
				key, name = "\x00null", "NULL"
			} else {
				key, name = "v"+v.String(), v.String()
			}
		}
		s := byKey[key]
		if s == nil {
			s = &series{name: name, value: v, buckets: map[int64][]Row{}, total: new(big.Rat)}
			byKey[key] = s
			order = append(order, s)
		} else if v.K != store.KindNull && totalOrder(v, s.value) < 0 {
			s.value = v
		}
		s.buckets[b] = append(s.buckets[b], r)
	}
	if !any {
		return nil, nil
	}
	if (hi-lo)/span >= maxBuckets {
		return nil, fmt.Errorf("%w: timechart would have more than %d buckets", ErrLimit, maxBuckets)
	}
	cols := order // the series that are columns, in ranking order
	var other []*series
	if c.By != nil {
		for _, s := range order {
			for _, rs := range s.buckets {
				if f, ok := asFloat(aggregate(c.Aggs[0], samplesOf(c.Aggs[0], rs))); ok {
					s.total.Add(s.total, ratOf(f))
				}
			}
		}
		cols = slices.Clone(order)
		slices.SortFunc(cols, func(a, b *series) int {
			if c := b.total.Cmp(a.total); c != 0 {
				return c
			}
			return totalOrder(denoted(a.value), denoted(b.value))
		})
		if c.Limit > 0 && len(cols) > c.Limit {
			cols, other = cols[:c.Limit], cols[c.Limit:]
		}
	}
	if width := len(cols) + 1; int64(width)*((hi-lo)/span+1) > 5_000_000 {
		return nil, fmt.Errorf("%w: timechart would have more than 5000000 cells", ErrLimit)
	}
	var out []Row
	for b := lo; b <= hi; b += span {
		r := Row{store.ColTime: store.Time(b)}
		cell := func(name string, rs []Row) {
			for _, a := range c.Aggs {
				col := a.OutputName()
				if c.By != nil {
					col = name
				}
				v := store.Int(0)
				if len(rs) > 0 {
					if res := aggregate(a, samplesOf(a, rs)); res.K != store.KindNull {
						v = res
					}
				}
				if unit, per := perUnit[a.Kind]; per {
					v = perSpan(v, unit, span)
				}
				r.Set(col, v)
			}
		}
		for _, s := range cols {
			cell(s.name, s.buckets[b])
		}
		if len(other) > 0 {
			var rs []Row
			for _, s := range other {
				rs = append(rs, s.buckets[b]...)
			}
			cell("OTHER", rs)
		}
		out = append(out, r)
	}
	return out, nil
}

// perUnit is the unit of timechart's per_second, per_minute, per_hour
// and per_day, in seconds.
var perUnit = map[string]int64{"per_second": 1, "per_minute": 60, "per_hour": 3600, "per_day": 86400}

// perSpan scales a bucket's sum to the unit: sum * unit / span, exactly,
// then rounded to a float (an int when whole).
func perSpan(sum store.Value, unit, spanNs int64) store.Value {
	var r *big.Rat
	if sum.K == store.KindInt {
		r = new(big.Rat).SetInt64(sum.I)
	} else {
		f, _ := asFloat(sum)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return store.Float(f)
		}
		r = ratOf(f)
	}
	r.Mul(r, new(big.Rat).SetFrac64(unit*1e9, spanNs))
	f, _ := r.Float64()
	return wholeValue(f)
}
