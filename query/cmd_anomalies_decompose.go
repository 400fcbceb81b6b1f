package query

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"loghunt/detect"
	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// method=decompose: a seasonal baseline of a time series (KQL's
// series_decompose_anomalies). Each listed numeric field, for each value
// of the by field, is one series over _time; detect.Decompose splits it
// into trend + seasonal + residual, and residuals beyond Tukey's fences on
// their 10th–90th percentile range are anomalies. The rows keep their
// order and get the expected value and its band besides the anomaly
// columns.

// The columns method=decompose adds besides the anomaly columns; with
// several features each is suffixed _FIELD (expected_count).
const (
	colExpected = "expected"
	colLower    = "lower"
	colUpper    = "upper"
)

// bandColumns are the names of the expected value and its band for
// feature f of feats: expected, lower, upper for a single feature,
// expected_f, lower_f, upper_f for several.
func bandColumns(f string, several bool) (expected, lower, upper string) {
	if !several {
		return colExpected, colLower, colUpper
	}
	return colExpected + "_" + f, colLower + "_" + f, colUpper + "_" + f
}

// decomposeOptions are the options that go with method=decompose only.
var decomposeOptions = []string{"period", "k"}

// minSeriesPoints is the fewest points a series without a season needs.
const minSeriesPoints = 4

// maxSeriesPoints bounds the points of one series (its time range over
// its step), so that two rows a nanosecond apart and a year apart do not
// make a series of 3·10^16 points.
const maxSeriesPoints = 5_000_000

// checkDecompose reads period= and k=, and refuses them with another
// method and the options of other methods with decompose.
func (c *AnomaliesCmd) checkDecompose(opts optionSet) *posError {
	if c.Method != "decompose" {
		for _, name := range decomposeOptions {
			if o := opts[name]; o != nil {
				return errorfAt(o.Pos.Offset, "%s= goes with method=decompose", name)
			}
		}
		return nil
	}
	for _, name := range []string{"contamination", "trees", "sample", "seed", "n_neighbors", "nu", "gamma"} {
		if o := opts[name]; o != nil {
			return errorfAt(o.Pos.Offset, "%s= does not go with method=decompose (its anomalies are residuals outside Tukey's fences: set k=)", name)
		}
	}
	for _, name := range []string{"save", "model", "replace"} {
		if o := opts[name]; o != nil {
			return errorfAt(o.Pos.Offset, "method=decompose saves no model: it fits each series as it comes; drop %s=", name)
		}
	}
	c.K = 1.5
	if o := opts["k"]; o != nil {
		f, err := strconv.ParseFloat(string(o.Value), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return errorfAt(o.valueOffset(), "k must be a positive number (Tukey's 1.5, or 3 for far out), not %q", o.Value)
		}
		c.K = f
	}
	c.PeriodMode = "auto"
	if o := opts["period"]; o != nil {
		v := strings.ToLower(string(o.Value))
		switch v {
		case "auto", "none":
			c.PeriodMode = v
		default:
			d, err := ParseDuration(v)
			if err != nil || d <= 0 {
				return errorfAt(o.valueOffset(), "period must be auto, none or a duration such as 1d or 1w, not %q", o.Value)
			}
			c.PeriodMode, c.Period = "", d
		}
	}
	return nil
}

// decomposeColumns are the band columns the stage adds, when its features
// are listed.
func (c *AnomaliesCmd) decomposeColumns() []string {
	var out []string
	for _, f := range c.Features {
		e, l, u := bandColumns(f.Name, len(c.Features) > 1)
		out = append(out, e, l, u)
	}
	return out
}

// runError is an *Error at the node's place, for a failure found at run time
// (the caller gives it the query text).
func runError(pos lexer.Position, format string, args ...any) error {
	return &Error{Line: pos.Line, Col: pos.Column, Msg: fmt.Sprintf(format, args...)}
}

// series is the rows of one entity, in time order, on a grid of points.
type series struct {
	label string // "user=bob", or "" without by
	rows  []int  // held rows, by time
	pos   []int  // each row's point
	n     int    // points from the first row's time to the last's
	skip  string // why the series is not scored ("" when it is)
}

// decompose scores every listed (or numeric) field of every series.
func (o *anomaliesOp) decompose(all *Batch) error {
	c := o.cmd
	times, err := o.seriesTimes(all)
	if err != nil {
		return err
	}
	feats, err := o.decomposeFeatures(all)
	if err != nil {
		return err
	}
	ss, step, err := o.splitSeries(all, times)
	if err != nil {
		return err
	}
	period, err := o.fixedPeriod(step)
	if err != nil {
		return err
	}
	need := max(minSeriesPoints, 2*period)
	usable := 0
	for _, s := range ss {
		if s.n < need {
			s.skip = fmt.Sprintf("the series%s has %d points, too few for %s", s.of(), s.n, o.tooFewFor(period, need))
		} else {
			usable++
		}
	}
	if usable == 0 {
		s := ss[0]
		for _, t := range ss {
			if t.n > s.n {
				s = t
			}
		}
		p := c.Pos
		if o := c.option("period"); o != nil {
			p = o.Pos
		}
		return runError(p, "anomalies method=decompose: the series%s has %d points of %s, too few for %s", s.of(), s.n, formatDuration(step), o.tooFewFor(period, need))
	}
	res := newDecomposeResult(all.Len, len(feats))
	if c.By != nil {
		for r, v := range all.Column(c.By.Name) {
			if v.K == store.KindNull {
				res.note(r, c.By.Name+" is null")
			}
		}
	}
	for j, f := range feats {
		col := all.Column(f.Name)
		for _, s := range ss {
			if err := o.decomposeSeries(res, j, f.Name, col, s, step, period); err != nil {
				return err
			}
		}
	}
	res.write(all, FieldNames(feats))
	return nil
}

func (s *series) of() string {
	if s.label == "" {
		return ""
	}
	return " of " + s.label
}

// tooFewFor says what a series needs: two periods, or minSeriesPoints.
func (o *anomaliesOp) tooFewFor(period, need int) string {
	if period > 0 {
		return fmt.Sprintf("period=%s (two periods: %d points)", o.cmd.option("period").Value, need)
	}
	return fmt.Sprintf("a baseline (at least %d)", need)
}

// option is the named option as written, or nil.
func (c *AnomaliesCmd) option(name string) *Option {
	for _, o := range slices.Concat(c.Options, c.Trailing) {
		if strings.EqualFold(o.Name, name) {
			return o
		}
	}
	return nil
}

// seriesTimes reads _time, which every row must have as a time.
func (o *anomaliesOp) seriesTimes(all *Batch) ([]int64, error) {
	pos := o.cmd.Pos
	tc := all.Col(store.ColTime)
	if tc < 0 {
		return nil, runError(pos, "anomalies method=decompose needs a time series, rows with _time at even steps such as | timechart span=1h count makes; these rows have no _time (fields: %s)", fieldsHint(all))
	}
	times := make([]int64, all.Len)
	for r, v := range all.Cols[tc] {
		if v.K != store.KindTime {
			what := "no _time"
			if v.K != store.KindNull {
				what = "_time " + quoteIfNeeded(v.String()) + ", not a time"
			}
			return nil, runError(pos, "anomalies method=decompose needs a time on every row; row %d has %s", r+1, what)
		}
		times[r] = v.I
	}
	return times, nil
}

// decomposeFeatures are the listed fields, each of which must be numeric,
// or every numeric field but _time, the by field and the columns the
// anomaly stages add.
func (o *anomaliesOp) decomposeFeatures(all *Batch) ([]*Field, error) {
	c := o.cmd
	for _, f := range c.Features {
		numeric, present := numericColumn(all, f.Name)
		if !present {
			return nil, runError(f.Pos, "anomalies method=decompose: no row has the field %s (fields: %s)", f.Name, fieldsHint(all))
		}
		if !numeric {
			for r, v := range all.Column(f.Name) {
				if _, ok := v.Number(); !ok && v.K != store.KindNull {
					return nil, runError(f.Pos, "anomalies method=decompose: %s is not a number in row %d (%s); a series is of numbers", f.Name, r+1, quoteIfNeeded(v.String()))
				}
			}
		}
	}
	if len(c.Features) > 0 {
		return c.Features, nil
	}
	skip := map[string]bool{store.ColTime: true, colExpected: true, colLower: true, colUpper: true}
	for _, n := range anomalyColumns {
		skip[n] = true
	}
	if c.By != nil {
		skip[c.By.Name] = true
	}
	var feats []*Field
	for _, name := range all.Fields {
		band := strings.HasPrefix(name, colExpected+"_") || strings.HasPrefix(name, colLower+"_") || strings.HasPrefix(name, colUpper+"_")
		if numeric, present := numericColumn(all, name); numeric && present && !skip[name] && !band {
			feats = append(feats, &Field{Pos: c.Pos, Name: name})
		}
	}
	if len(feats) == 0 {
		return nil, runError(c.Pos, "anomalies method=decompose: no numeric field to score (fields: %s); list one, e.g. anomalies method=decompose count", fieldsHint(all))
	}
	return feats, nil
}

// splitSeries groups the rows by the by field (rows without it are not
// scored), orders each group by time, and finds the step: the smallest
// gap between two rows of a series, which every gap must be a whole
// number of (a missing point is a gap of two steps). Two rows of a series
// at one time are an error.
func (o *anomaliesOp) splitSeries(all *Batch, times []int64) ([]*series, int64, error) {
	c := o.cmd
	var ss []*series
	if c.By == nil {
		s := &series{}
		for r := range all.Len {
			s.rows = append(s.rows, r)
		}
		ss = []*series{s}
	} else {
		by := map[string]*series{}
		col := all.Column(c.By.Name)
		for r, v := range col {
			if v.K == store.KindNull {
				continue
			}
			k := v.String()
			s := by[k]
			if s == nil {
				s = &series{label: c.By.Name + "=" + quoteIfNeeded(k)}
				by[k] = s
				ss = append(ss, s)
			}
			s.rows = append(s.rows, r)
		}
		if len(ss) == 0 {
			return nil, 0, runError(c.By.Pos, "anomalies method=decompose: no row has the by field %s", c.By.Name)
		}
	}
	var step int64
	for _, s := range ss {
		slices.SortStableFunc(s.rows, func(a, b int) int { return cmpInt64(times[a], times[b]) })
		for i := 1; i < len(s.rows); i++ {
			d := times[s.rows[i]] - times[s.rows[i-1]]
			if d == 0 {
				return nil, 0, runError(c.Pos, "anomalies method=decompose: rows %d and %d of the series%s have the same _time %s; a series has one row per time (timechart span=..., or stats ... by _time, f and by f)",
					s.rows[i-1]+1, s.rows[i]+1, s.of(), formatTime(times[s.rows[i]]))
			}
			if step == 0 || d < step {
				step = d
			}
		}
	}
	for _, s := range ss {
		first := times[s.rows[0]]
		s.pos = make([]int, len(s.rows))
		for i, r := range s.rows {
			d := times[r] - first
			if step > 0 && d%step != 0 {
				prev := times[s.rows[i-1]]
				return nil, 0, runError(c.Pos, "anomalies method=decompose: irregular spacing: the series steps by %s, but %s and %s%s are %s apart; points must be evenly spaced (timechart span=%s makes them)",
					formatDuration(step), formatTime(prev), formatTime(times[r]), s.of(), formatDuration(times[r]-prev), formatDuration(step))
			}
			if step > 0 && d/step >= maxSeriesPoints {
				return nil, 0, runError(c.Pos, "anomalies method=decompose: the series%s would have more than %d points of %s from %s to %s", s.of(), maxSeriesPoints, formatDuration(step), formatTime(first), formatTime(times[r]))
			}
			if step > 0 {
				s.pos[i] = int(d / step)
			}
		}
		s.n = s.pos[len(s.pos)-1] + 1
	}
	return ss, step, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fixedPeriod is period=DUR in points of step (0 for auto and none): a
// whole number of steps, at least two.
func (o *anomaliesOp) fixedPeriod(step int64) (int, error) {
	c := o.cmd
	if c.PeriodMode != "" || step == 0 {
		return 0, nil
	}
	opt := c.option("period")
	p := int64(c.Period)
	if p%step != 0 || p/step < 2 {
		return 0, runError(opt.Pos, "anomalies method=decompose: period=%s is not a whole number of at least two of the series' %s steps", opt.Value, formatDuration(step))
	}
	return int(p / step), nil
}

// seasonCandidates are the periods period=auto chooses among, in points
// of step: a day (hour of day) and a week (day of week), when a whole
// number of at least two steps.
func seasonCandidates(step int64) []int {
	var out []int
	for _, d := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour} {
		if step > 0 && int64(d)%step == 0 && int64(d)/step >= 2 {
			out = append(out, int(int64(d)/step))
		}
	}
	return out
}

// decomposeSeries decomposes feature j of series s and records the result.
func (o *anomaliesOp) decomposeSeries(res *decomposeResult, j int, name string, col []store.Value, s *series, step int64, period int) error {
	if s.skip != "" {
		for _, r := range s.rows {
			res.note(r, s.skip)
		}
		return nil
	}
	y := make([]float64, s.n)
	for i := range y {
		y[i] = math.NaN()
	}
	for i, r := range s.rows {
		v := col[r]
		x, ok := v.Number()
		switch {
		case v.K == store.KindNull:
			res.note(r, name+" is null")
		case !ok || math.IsNaN(x) || math.IsInf(x, 0):
			res.note(r, fmt.Sprintf("%s is %s", name, quoteIfNeeded(v.String())))
		default:
			y[s.pos[i]] = x
		}
	}
	if !slices.ContainsFunc(y, func(v float64) bool { return !math.IsNaN(v) }) {
		return nil // every row noted
	}
	p := period
	if o.cmd.PeriodMode == "auto" {
		p = detect.DetectPeriod(y, seasonCandidates(step))
	}
	d, err := detect.Decompose(y, detect.DecomposeParams{Period: p, K: o.cmd.K})
	if err != nil {
		return fmt.Errorf("anomalies method=decompose %s%s: %w", name, s.of(), err)
	}
	for i, r := range s.rows {
		res.set(j, r, d, s.pos[i], name)
	}
	return nil
}

// decomposeResult is what decompose says of each held row.
type decomposeResult struct {
	expected, lower, upper [][]float64 // [feature][row], NaN: none
	score                  []float64   // the largest of the features', NaN: not scored
	flag                   []bool
	reasons, notes         [][]string
}

func newDecomposeResult(rows, feats int) *decomposeResult {
	r := &decomposeResult{score: make([]float64, rows), flag: make([]bool, rows),
		reasons: make([][]string, rows), notes: make([][]string, rows)}
	for range feats {
		e, l, u := nans(rows), nans(rows), nans(rows)
		r.expected, r.lower, r.upper = append(r.expected, e), append(r.lower, l), append(r.upper, u)
	}
	for i := range r.score {
		r.score[i] = math.NaN()
	}
	return r
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func (r *decomposeResult) note(row int, why string) {
	if !slices.Contains(r.notes[row], why) {
		r.notes[row] = append(r.notes[row], why)
	}
}

// set records point i of decomposition d as row's value of feature j.
func (r *decomposeResult) set(j, row int, d *detect.Decomposition, i int, name string) {
	r.expected[j][row], r.lower[j][row], r.upper[j][row] = d.Expected[i], d.Lower[i], d.Upper[i]
	s := d.Score[i]
	if math.IsNaN(s) {
		return
	}
	if math.IsNaN(r.score[row]) || s > r.score[row] {
		r.score[row] = s
	}
	if !d.Flag[i] {
		return
	}
	r.flag[row] = true
	side := "above"
	if d.Residual[i] < 0 {
		side = "below"
	}
	y := d.Expected[i] + d.Residual[i]
	r.reasons[row] = append(r.reasons[row], fmt.Sprintf("%s %s %s expected %s (band %s–%s)", name, formatNumber(y), side,
		formatNumber(round4(d.Expected[i])), formatNumber(round4(d.Lower[i])), formatNumber(round4(d.Upper[i]))))
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// write adds the band columns and the anomaly columns to b.
func (r *decomposeResult) write(b *Batch, feats []string) {
	for j, f := range feats {
		e, l, u := bandColumns(f, len(feats) > 1)
		for _, c := range []struct {
			name string
			v    []float64
		}{{e, r.expected[j]}, {l, r.lower[j]}, {u, r.upper[j]}} {
			col := b.Column(c.name)
			for i, x := range c.v {
				col[i] = store.Null
				if !math.IsNaN(x) {
					col[i] = store.Float(round4(x))
				}
			}
		}
	}
	score, flag, reason := b.Column(colScore), b.Column(colFlag), b.Column(colReason)
	for i := range r.score {
		score[i], reason[i] = store.Null, store.Null
		if !math.IsNaN(r.score[i]) {
			score[i] = store.Float(math.Round(r.score[i]*1e6) / 1e6)
		}
		flag[i] = store.Bool(r.flag[i])
		var parts []string
		parts = append(parts, r.reasons[i]...)
		if len(r.notes[i]) > 0 {
			parts = append(parts, "not scored: "+strings.Join(r.notes[i], ", "))
		}
		if len(parts) > 0 {
			reason[i] = store.Str(strings.Join(parts, "; "))
		}
	}
}

// formatTime is a time as the results show it (UTC, RFC 3339).
func formatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// formatDuration is a step or gap the way a span is written (1h, 5m,
// 90s), or Go's form when it is not a whole number of one unit.
func formatDuration(ns int64) string {
	d := time.Duration(ns)
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{7 * 24 * time.Hour, "w"}, {24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if d >= u.d && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return d.String()
}
