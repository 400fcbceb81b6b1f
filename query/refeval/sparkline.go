package refeval

import (
	"fmt"
	"math"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// maxSparkBuckets bounds a sparkline's buckets, as .help says.
const maxSparkBuckets = 1000

func hasSparkline(aggs []*query.Aggregate) bool {
	for _, a := range aggs {
		if a.Kind == "sparkline" {
			return true
		}
	}
	return false
}

// sparkStats is stats with sparklines: each sparkline of a group is its
// inner aggregate over the group's rows of each span bucket, from the
// bucket of the search's earliest time (else of the earliest row with a
// time in any group) to the bucket of its latest (else of the latest such
// row), 0 where the aggregate is null or the bucket has no rows; written
// as ##__SPARKLINE__## and one number per line.
func (ev *evaluator) sparkStats(c *query.StatsCmd, rows []Row) ([]Row, error) {
	by := query.FieldNames(c.By)
	groups := groupRows(by, rows)
	out := stats(c.Aggs, by, rows) // the same groups, in the same order
	for i, a := range c.Aggs {
		if a.Kind != "sparkline" {
			continue
		}
		span := sparkSpan(a)
		bucket := func(t int64) int64 {
			q := t / span
			if t%span != 0 && t < 0 {
				q--
			}
			return q * span
		}
		first, last, any := int64(0), int64(0), false
		for _, g := range groups {
			for _, r := range g.rows {
				if t := r.Get(store.ColTime); t.K == store.KindTime {
					b := bucket(t.I)
					if !any || b < first {
						first = b
					}
					if !any || b > last {
						last = b
					}
					any = true
				}
			}
		}
		if !any {
			first, last = math.MaxInt64, math.MinInt64
		}
		if ev.lo != math.MinInt64 {
			first = bucket(ev.lo)
		}
		if ev.hi != math.MaxInt64 {
			last = bucket(ev.hi - 1) // hi is exclusive
		}
		if first <= last && (last-first)/span+1 > maxSparkBuckets {
			return nil, fmt.Errorf("%w: sparkline of %d buckets", ErrLimit, (last-first)/span+1)
		}
		for gi, g := range groups {
			perBucket := map[int64][]Row{}
			for _, r := range g.rows {
				if t := r.Get(store.ColTime); t.K == store.KindTime {
					perBucket[bucket(t.I)] = append(perBucket[bucket(t.I)], r)
				}
			}
			var b strings.Builder
			b.WriteString(query.SparklineMark)
			for t := first; first <= last && t <= last; t += span {
				v := store.Int(0)
				if rs := perBucket[t]; len(rs) > 0 {
					if res := aggregate(a.Inner, samplesOf(a.Inner, rs)); res.K != store.KindNull {
						v = res
					}
				}
				b.WriteString("\n" + v.String())
			}
			out[gi].Set(c.Aggs[i].OutputName(), store.Str(b.String()))
		}
	}
	return out, nil
}

// sparkSpan is the span of a sparkline in ns, read from its text.
func sparkSpan(a *query.Aggregate) int64 {
	d, err := query.ParseDuration(a.Spark.Span)
	if err != nil {
		panic("refeval: a sparkline that parsed has no span: " + err.Error())
	}
	return int64(d)
}
