package refeval

import (
	"fmt"
	"math"
	"slices"

	"loghunt/query"
	"loghunt/store"
)

// decompose is anomalies method=decompose by .help anomalies and the
// README, written out naively: each listed field, for each value of the
// by field, is a series over _time on a grid of the smallest step between
// two of its rows; trend is the median of the period's points around
// each point (the window kept inside the series), season the median of
// y − trend per phase, then trend again of y − season and season again,
// twice; a residual beyond Q10 − k·(Q90 − Q10) or Q90 + k·(Q90 − Q10)
// (numpy's percentiles of the series' residuals) is an anomaly.
// period=auto takes a day or a week of points, whichever has the higher
// autocorrelation (above 0.3, fitting twice) of y less its moving median.
func decompose(c *query.AnomaliesCmd, rows []Row) ([]Row, error) {
	if len(c.Features) == 0 {
		return nil, fmt.Errorf("refeval: anomalies method=decompose needs listed features")
	}
	if len(rows) == 0 {
		return rows, nil
	}
	names := query.FieldNames(c.Features)
	for _, f := range names {
		present := false
		for _, r := range rows {
			v := r.Get(f)
			if v.K == store.KindNull {
				continue
			}
			present = true
			if _, ok := asFloat(v); !ok {
				return nil, fmt.Errorf("anomalies method=decompose: %s is not a number", f)
			}
		}
		if !present {
			return nil, fmt.Errorf("anomalies method=decompose: no row has the field %s", f)
		}
	}
	times := make([]int64, len(rows))
	for i, r := range rows {
		v := r.Get(store.ColTime)
		if v.K != store.KindTime {
			return nil, fmt.Errorf("anomalies method=decompose: row %d has no time", i+1)
		}
		times[i] = v.I
	}
	notes := make([][]string, len(rows))
	addNote := func(i int, s string) {
		if !slices.Contains(notes[i], s) {
			notes[i] = append(notes[i], s)
		}
	}
	// The series: row indexes by entity, in order of first appearance.
	var groups [][]int
	if c.By == nil {
		groups = [][]int{make([]int, len(rows))}
		for i := range rows {
			groups[0][i] = i
		}
	} else {
		at := map[string]int{}
		for i, r := range rows {
			v := r.Get(c.By.Name)
			if v.K == store.KindNull {
				addNote(i, c.By.Name+" is null")
				continue
			}
			k, ok := at[v.String()]
			if !ok {
				k = len(groups)
				at[v.String()] = k
				groups = append(groups, nil)
			}
			groups[k] = append(groups[k], i)
		}
		if len(groups) == 0 {
			return nil, fmt.Errorf("anomalies method=decompose: no row has the by field")
		}
	}
	var step int64
	for _, g := range groups {
		slices.SortStableFunc(g, func(a, b int) int { return int(sign(times[a] - times[b])) })
		for k := 1; k < len(g); k++ {
			d := times[g[k]] - times[g[k-1]]
			if d == 0 {
				return nil, fmt.Errorf("anomalies method=decompose: two rows at one time")
			}
			if step == 0 || d < step {
				step = d
			}
		}
	}
	points := make([]int, len(groups)) // each series' length in steps
	for s, g := range groups {
		for _, i := range g {
			d := times[i] - times[g[0]]
			if step > 0 && d%step != 0 {
				return nil, fmt.Errorf("anomalies method=decompose: irregular spacing")
			}
			if step > 0 && d/step >= 5_000_000 {
				return nil, fmt.Errorf("%w: a series of more than 5,000,000 points", ErrLimit)
			}
		}
		points[s] = 1
		if step > 0 {
			points[s] = int((times[g[len(g)-1]]-times[g[0]])/step) + 1
		}
		if points[s] > 4000 { // the naive medians cost points × window
			return nil, fmt.Errorf("%w: refeval decomposes series of at most 4000 points", ErrLimit)
		}
	}
	period := 0
	if c.PeriodMode == "" && step > 0 {
		if int64(c.Period)%step != 0 || int64(c.Period)/step < 2 {
			return nil, fmt.Errorf("anomalies method=decompose: the period is not whole steps")
		}
		period = int(int64(c.Period) / step)
	}
	need := max(4, 2*period)
	long := 0
	for _, n := range points {
		if n >= need {
			long++
		}
	}
	if long == 0 {
		return nil, fmt.Errorf("anomalies method=decompose: every series is too short")
	}
	several := len(names) > 1
	score := make([]float64, len(rows))
	for i := range score {
		score[i] = math.NaN()
	}
	flagged := make([][]string, len(rows)) // the features each row is flagged on
	band := map[string][]float64{}         // column → value per row
	for _, f := range names {
		e, lo, hi := "expected", "lower", "upper"
		if several {
			e, lo, hi = e+"_"+f, lo+"_"+f, hi+"_"+f
		}
		for _, col := range []string{e, lo, hi} {
			if band[col] == nil {
				band[col] = nanRow(len(rows))
			}
		}
		for s, g := range groups {
			if points[s] < need {
				for _, i := range g {
					addNote(i, "series too short")
				}
				continue
			}
			y := nanRow(points[s])
			at := make([]int, len(g))
			for k, i := range g {
				at[k] = 0
				if step > 0 {
					at[k] = int((times[i] - times[g[0]]) / step)
				}
				v := rows[i].Get(f)
				x, _ := asFloat(v)
				if v.K == store.KindNull || math.IsNaN(x) || math.IsInf(x, 0) {
					addNote(i, f+" is not a finite number")
					continue
				}
				y[at[k]] = x
			}
			if !slices.ContainsFunc(y, func(v float64) bool { return !math.IsNaN(v) }) {
				continue
			}
			p := period
			if c.PeriodMode == "auto" {
				p = naivePeriod(y, step)
			}
			ex, low, up, u := naiveDecompose(y, p, c.K)
			for k, i := range g {
				band[e][i], band[lo][i], band[hi][i] = ex[at[k]], low[at[k]], up[at[k]]
				if math.IsNaN(u[at[k]]) {
					continue
				}
				sc := 1.0
				if !math.IsInf(u[at[k]], 0) {
					sc = 1 - 1/(1+math.Log2(1+math.Abs(u[at[k]])/c.K))
				}
				if math.IsNaN(score[i]) || sc > score[i] {
					score[i] = sc
				}
				if math.Abs(u[at[k]]) > c.K {
					flagged[i] = append(flagged[i], f)
				}
			}
		}
	}
	for i, r := range rows {
		for col, vs := range band {
			r.Set(col, store.Null)
			if !math.IsNaN(vs[i]) {
				r.Set(col, store.Float(math.Round(vs[i]*1e4)/1e4))
			}
		}
		r.Set("anomaly_score", store.Null)
		if !math.IsNaN(score[i]) {
			r.Set("anomaly_score", store.Float(math.Round(score[i]*1e6)/1e6))
		}
		r.Set("is_anomaly", store.Bool(len(flagged[i]) > 0))
		r.Set("anomaly_reason", store.Null)
		switch {
		case len(flagged[i]) > 0:
			r.Set("anomaly_reason", store.Str(PrefixMark+flagged[i][0]+" "))
		case len(notes[i]) > 0:
			r.Set("anomaly_reason", store.Str(PrefixMark+"not scored: "))
		}
	}
	return rows, nil
}

func sign(d int64) int64 {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

func nanRow(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// naiveMedian is the median of the numbers among vs (NaN when none).
func naiveMedian(vs []float64) float64 {
	var s []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// trendWindow is the period, or without one 2·max(3, n/20) + 1, at most n.
func trendWindow(n, period int) int {
	w := 2*max(3, n/20) + 1
	if period >= 2 {
		w = period
	}
	return max(1, min(w, n))
}

// movingMedian: point i's window is the w points from i − w/2, moved
// inside the series at its ends.
func movingMedian(y []float64, w int) []float64 {
	out := make([]float64, len(y))
	for i := range y {
		lo := i - w/2
		if lo+w > len(y) {
			lo = len(y) - w
		}
		if lo < 0 {
			lo = 0
		}
		out[i] = naiveMedian(y[lo:min(lo+w, len(y))])
	}
	return out
}

// phaseMedians is, at each point, the median of y − trend over the points
// of its phase, 0 when that phase has none.
func phaseMedians(y, trend []float64, period int) []float64 {
	out := make([]float64, len(y))
	for ph := range period {
		var d []float64
		for i := ph; i < len(y); i += period {
			d = append(d, y[i]-trend[i]) // NaN when either is
		}
		m := naiveMedian(d)
		if math.IsNaN(m) {
			m = 0
		}
		for i := ph; i < len(y); i += period {
			out[i] = m
		}
	}
	return out
}

// naiveDecompose returns each point's expected value, band and outlier
// score u (NaN for a missing point).
func naiveDecompose(y []float64, period int, k float64) (expected, lower, upper, u []float64) {
	n := len(y)
	if period < 2 || period > n {
		period = 0
	}
	w := trendWindow(n, period)
	trend := movingMedian(y, w)
	season := make([]float64, n)
	if period > 0 {
		for range 2 {
			season = phaseMedians(y, trend, period)
			less := make([]float64, n)
			for i := range y {
				less[i] = y[i] - season[i]
			}
			trend = movingMedian(less, w)
		}
		season = phaseMedians(y, trend, period)
	}
	expected, lower, upper, u = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	var res []float64
	for i := range y {
		expected[i] = trend[i] + season[i]
		if !math.IsNaN(y[i]) {
			res = append(res, y[i]-expected[i])
		}
	}
	slices.Sort(res)
	q10, q90 := numpyQuantile(res, 0.1), numpyQuantile(res, 0.9)
	r := q90 - q10
	lo, hi := q10-k*r, q90+k*r
	for i := range y {
		lower[i], upper[i] = expected[i]+lo, expected[i]+hi
		e := y[i] - expected[i]
		switch {
		case math.IsNaN(e):
			u[i] = math.NaN()
		case e > q90 && r == 0:
			u[i] = math.Inf(1)
		case e > q90:
			u[i] = (e - q90) / r
		case e < q10 && r == 0:
			u[i] = math.Inf(-1)
		case e < q10:
			u[i] = -(q10 - e) / r
		}
	}
	return expected, lower, upper, u
}

// naivePeriod is period=auto: among a day and a week of points (whole
// steps, at least two, fitting twice in y) the one with the highest
// autocorrelation at its lag of y less its moving median, above 0.3; 0
// when none.
func naivePeriod(y []float64, step int64) int {
	best, bestR := 0, 0.3
	for _, hours := range []int64{24, 7 * 24} {
		d := hours * 3600e9
		if step <= 0 || d%step != 0 || d/step < 2 {
			continue
		}
		p := int(d / step)
		if 2*p > len(y) {
			continue
		}
		tr := movingMedian(y, trendWindow(len(y), p))
		x := make([]float64, len(y))
		var sum float64
		cnt := 0
		for i := range y {
			x[i] = y[i] - tr[i]
			if !math.IsNaN(x[i]) {
				sum += x[i]
				cnt++
			}
		}
		mean := sum / float64(cnt)
		var num, den float64
		for i := range x {
			if math.IsNaN(x[i]) {
				continue
			}
			den += (x[i] - mean) * (x[i] - mean)
			if i+p < len(x) && !math.IsNaN(x[i+p]) {
				num += (x[i] - mean) * (x[i+p] - mean)
			}
		}
		r := 0.0
		if den != 0 {
			r = num / den
		}
		if r > bestR {
			best, bestR = p, r
		}
	}
	return best
}

// numpyQuantile is numpy.quantile(s, q) of sorted s, with numpy's order of
// operations (the index q·(n − 1), then _lerp), which matters on a fence:
// a lone extreme of 7 residuals lies exactly on the lower one.
func numpyQuantile(s []float64, q float64) float64 {
	v := q * float64(len(s)-1)
	if v >= float64(len(s)-1) {
		return s[len(s)-1]
	}
	lo := math.Floor(v)
	g := v - lo
	a, b := s[int(lo)], s[min(int(lo)+1, len(s)-1)]
	if g >= 0.5 {
		return b - (b-a)*(1-g)
	}
	return a + (b-a)*g
}
