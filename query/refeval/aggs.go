package refeval

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// sample is what an aggregate sees of one row: the value of its field
// (null for a bare count) and the row's _time.
type sample struct {
	v store.Value
	t int64
}

func samplesOf(a *query.Aggregate, rows []Row) []sample {
	out := make([]sample, len(rows))
	for i, r := range rows {
		out[i] = sample{t: r.Get(store.ColTime).I}
		if f := a.Field(); f != "" {
			out[i].v = r.Get(f)
		}
	}
	return out
}

// aggregate computes one aggregate over samples, by .help's definitions.
func aggregate(a *query.Aggregate, all []sample) store.Value {
	var vals []sample // the non-null ones
	for _, s := range all {
		if s.v.K != store.KindNull {
			vals = append(vals, s)
		}
	}
	var nums []float64 // the numeric ones
	for _, s := range vals {
		if f, ok := asFloat(s.v); ok {
			nums = append(nums, f)
		}
	}
	switch a.Kind {
	case "sparkline":
		return store.Null // sparkStats fills it: it needs the time range
	case "count":
		if a.Field() == "" {
			return store.Int(int64(len(all)))
		}
		return store.Int(int64(len(vals)))
	case "dc":
		return store.Int(int64(len(distinctText(vals))))
	case "values":
		return store.Str(strings.Join(distinctText(vals), ", "))
	case "sum", "per_second", "per_minute", "per_hour", "per_day": // timechart scales per_*
		if len(nums) == 0 {
			return store.Null
		}
		sum, allInts := new(big.Rat), true
		for _, s := range vals {
			if f, ok := asFloat(s.v); ok {
				if s.v.K == store.KindInt {
					sum.Add(sum, new(big.Rat).SetInt64(s.v.I))
				} else {
					sum.Add(sum, ratOf(f))
					allInts = false
				}
			}
		}
		if allInts && sum.IsInt() && sum.Num().IsInt64() {
			return store.Int(sum.Num().Int64())
		}
		f, _ := sum.Float64()
		return store.Float(f)
	case "avg":
		if len(nums) == 0 {
			return store.Null
		}
		sum := new(big.Rat)
		for _, s := range vals {
			if s.v.K == store.KindInt {
				sum.Add(sum, new(big.Rat).SetInt64(s.v.I))
			} else if f, ok := asFloat(s.v); ok {
				sum.Add(sum, ratOf(f))
			}
		}
		f, _ := sum.Quo(sum, big.NewRat(int64(len(nums)), 1)).Float64()
		return store.Float(f)
	case "min", "max":
		if len(vals) == 0 {
			return store.Null
		}
		best := vals[0].v
		for _, s := range vals[1:] {
			c := totalOrder(s.v, best)
			if a.Kind == "min" && c < 0 || a.Kind == "max" && c > 0 {
				best = s.v
			}
		}
		return best
	case "range":
		if len(nums) == 0 {
			return store.Null
		}
		return wholeValue(slices.Max(nums) - slices.Min(nums))
	case "median", "perc":
		if len(nums) == 0 {
			return store.Null
		}
		p := a.Perc
		if a.Kind == "median" {
			p = 50
		}
		s := slices.Clone(nums)
		slices.Sort(s)
		rank := p / 100 * float64(len(s)-1)
		lo := int(math.Floor(rank))
		hi := min(lo+1, len(s)-1)
		return wholeValue(s[lo] + (rank-float64(lo))*(s[hi]-s[lo]))
	case "stdev", "var", "stdevp", "varp":
		n := len(nums)
		population := strings.HasSuffix(a.Kind, "p")
		if n == 0 || n == 1 && !population {
			return store.Null
		}
		mean := new(big.Rat)
		for _, f := range nums {
			mean.Add(mean, ratOf(f))
		}
		mean.Quo(mean, big.NewRat(int64(n), 1))
		ss := new(big.Rat)
		for _, f := range nums {
			d := new(big.Rat).Sub(ratOf(f), mean)
			ss.Add(ss, d.Mul(d, d))
		}
		div := int64(n - 1)
		if population {
			div = int64(n)
		}
		v, _ := ss.Quo(ss, big.NewRat(div, 1)).Float64()
		if strings.HasPrefix(a.Kind, "stdev") {
			v = math.Sqrt(v)
		}
		return store.Float(v)
	case "earliest", "latest":
		if len(vals) == 0 {
			return store.Null
		}
		best := vals[0]
		for _, s := range vals[1:] {
			if a.Kind == "earliest" && (s.t < best.t || s.t == best.t && totalOrder(s.v, best.v) < 0) ||
				a.Kind == "latest" && (s.t > best.t || s.t == best.t && totalOrder(s.v, best.v) > 0) {
				best = s
			}
		}
		return best.v
	}
	if v, ok := moreAggregate(a, vals); ok {
		return v
	}
	panic("BUG: refeval has no aggregate " + a.Kind)
}

func ratOf(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }

// distinctText is the distinct values as text, sorted by bytes.
func distinctText(vals []sample) []string {
	set := map[string]bool{}
	for _, s := range vals {
		set[s.v.String()] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// group is the rows of one combination of by-values.
type group struct {
	key  []store.Value // each by field's value: of the values with the same text, the first in totalOrder
	rows []Row
}

// groupRows groups rows by the text of their values of by (rows with a
// null by-value are in no group), sorted by the key values (order), ties
// (values that order alike but are not the same text, "1" and "1.0") by
// kind and text. Without by, all rows are one group, even no rows.
func groupRows(by []string, rows []Row) []*group {
	if len(by) == 0 {
		return []*group{{rows: rows}}
	}
	index := map[string]*group{}
	var groups []*group
	for _, r := range rows {
		k, ok := groupKey(r, by)
		if !ok {
			continue
		}
		g := index[k]
		if g == nil {
			g = &group{}
			for _, f := range by {
				g.key = append(g.key, r.Get(f))
			}
			index[k] = g
			groups = append(groups, g)
		}
		for i, f := range by {
			if v := r.Get(f); totalOrder(v, g.key[i]) < 0 {
				g.key[i] = v
			}
		}
		g.rows = append(g.rows, r)
	}
	slices.SortFunc(groups, func(a, b *group) int { return compareKeys(a.key, b.key) })
	return groups
}

// compareKeys orders group keys by the value their text denotes (see
// denoted), then by kind and text.
func compareKeys(a, b []store.Value) int {
	for i := range a {
		if c := order(denoted(a[i]), denoted(b[i])); c != 0 {
			return c
		}
	}
	for i := range a {
		if c := totalOrder(denoted(a[i]), denoted(b[i])); c != 0 {
			return c
		}
	}
	return 0
}

// denoted is the typed value that prints as v does, where there is one:
// whole floats and the text of an int are ints, the text of a float its
// float, "true" and "false" bools, RFC 3339 text that prints back the
// same a time. Groups are ordered by it, so that a group's order does not
// depend on which of its values it shows.
func denoted(v store.Value) store.Value {
	s := v.String()
	switch v.K {
	case store.KindFloat:
		if v.F == math.Trunc(v.F) && math.Abs(v.F) < 1<<53 {
			return store.Int(int64(v.F))
		}
		return v
	case store.KindString:
	default:
		return v
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(i, 10) == s {
		return store.Int(i)
	}
	if f, ok := textNumber(s); ok {
		if d := denoted(store.Float(f)); d.String() == s {
			return d
		}
	}
	if s == "true" || s == "false" {
		return store.Bool(s == "true")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil && store.FormatTime(t.UnixNano()) == s {
		return store.Time(t.UnixNano())
	}
	return v
}

// stats makes one row per group: the by fields, then each aggregate.
func stats(aggs []*query.Aggregate, by []string, rows []Row) []Row {
	var out []Row
	for _, g := range groupRows(by, rows) {
		r := Row{}
		for i, f := range by {
			r.Set(f, g.key[i])
		}
		for _, a := range aggs {
			r.Set(a.OutputName(), aggregate(a, samplesOf(a, g.rows)))
		}
		out = append(out, r)
	}
	return out
}

// eventstats adds each group's aggregates to the rows of the group; a row
// with a null by-value is in no group and stays as it is.
func eventstats(c *query.EventstatsCmd, rows []Row) []Row {
	by := query.FieldNames(c.By)
	type result struct {
		g    *group
		vals []store.Value
	}
	var results []result
	for _, g := range groupRows(by, rows) {
		res := result{g: g}
		for _, a := range c.Aggs {
			res.vals = append(res.vals, aggregate(a, samplesOf(a, g.rows)))
		}
		results = append(results, res)
	}
	for _, res := range results {
		for _, r := range res.g.rows {
			for i, a := range c.Aggs {
				r.Set(a.OutputName(), res.vals[i])
			}
		}
	}
	return rows
}

// streamstats adds to each row, in row order, the aggregates over the
// rows of its group so far (itself included): all of them, or the last
// window=N, and only those less than time_window before it. A row with a
// null by-value stays as it is.
func streamstats(c *query.StreamstatsCmd, rows []Row) ([]Row, error) {
	if len(rows) > 20_000 {
		return nil, fmt.Errorf("%w: streamstats of %d rows", ErrLimit, len(rows)) // quadratic here
	}
	by := query.FieldNames(c.By)
	type seen struct {
		vals []store.Value // each aggregate's input
		t    int64
	}
	history := map[string][]seen{}
	for _, r := range rows {
		k, ok := groupKey(r, by)
		if !ok {
			continue
		}
		now := seen{t: r.Get(store.ColTime).I}
		for _, a := range c.Aggs {
			v := store.Null
			if f := a.Field(); f != "" {
				v = r.Get(f)
			}
			now.vals = append(now.vals, v)
		}
		h := append(history[k], now)
		history[k] = h
		var window []seen
		for i, s := range h {
			if c.Window > 0 && i < len(h)-c.Window {
				continue
			}
			if c.TimeWindow > 0 && i < len(h)-1 && now.t-s.t >= int64(c.TimeWindow) {
				continue
			}
			window = append(window, s)
		}
		for j, a := range c.Aggs {
			samples := make([]sample, len(window))
			for i, s := range window {
				samples[i] = sample{v: s.vals[j], t: s.t}
			}
			r.Set(a.OutputName(), aggregate(a, samples))
		}
	}
	return rows, nil
}

// top counts the combinations of fields per combination of by (rows with
// a null in either are left out) and keeps the limit most common of each
// by group (rare: least common), ties to the smaller values, with count
// and percent of the by group's counted rows.
func top(fields, by []string, limit int, rare bool, rows []Row) []Row {
	groups := groupRows(append(slices.Clone(by), fields...), rows)
	nb := len(by)
	totals := map[string]int{}
	for _, g := range groups {
		totals[keyText(g.key[:nb])] += len(g.rows)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		for i := 0; i < nb; i++ {
			if c := order(denoted(a.key[i]), denoted(b.key[i])); c != 0 {
				return c
			}
		}
		if rare {
			return len(a.rows) - len(b.rows)
		}
		return len(b.rows) - len(a.rows)
	})
	kept := map[string]int{}
	var out []Row
	for _, g := range groups {
		bk := keyText(g.key[:nb])
		if limit > 0 && kept[bk] >= limit {
			continue
		}
		kept[bk]++
		r := Row{}
		for i, f := range append(slices.Clone(by), fields...) {
			r.Set(f, g.key[i])
		}
		r.Set("count", store.Int(int64(len(g.rows))))
		r.Set("percent", store.Float(math.Round(10000*float64(len(g.rows))/float64(totals[bk]))/100))
		out = append(out, r)
	}
	return out
}

// keyText is the identity of key values, as groupKey makes it.
func keyText(vals []store.Value) string {
	r := Row{}
	names := make([]string, len(vals))
	for i, v := range vals {
		names[i] = string(rune('a' + i))
		r.Set(names[i], v)
	}
	k, _ := groupKey(r, names)
	return k
}
