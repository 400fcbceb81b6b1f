package render

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"loghunt/store"
)

// ChartOptions say how to draw a chart in the terminal.
type ChartOptions struct {
	Width  int  // columns, at least 40; 0 means 80
	Height int  // rows of the plot area; 0 means 12
	Color  bool // mark anomalies in red (only on a terminal, never with NO_COLOR)
}

// maxSeries is how many numeric columns a chart draws.
const maxSeries = 6

var seriesMarks = []rune{'█', '●', '▲', '◆', '■', '✚'}

// ErrNotChartable says why a result cannot be drawn.
var ErrNotChartable = errors.New("a chart needs a _time column and at least one numeric column (try | timechart span=1m count)")

// chartData is a result reduced to what a chart draws.
type chartData struct {
	times   []int64
	names   []string
	series  [][]float64 // NaN where a row has no number
	bands   []*band     // per series, nil when it has none
	anomaly []bool
}

// band is the expected value of a series and the range of normal values
// around it, as anomalies method=decompose adds them: the columns
// expected, lower and upper (a single series) or expected_S, lower_S and
// upper_S (series S).
type band struct {
	expected, lower, upper []float64 // NaN where a row has none
}

// bandColumns finds the band columns of fields: for each name, the
// indexes of expected_name, lower_name and upper_name ("" for the plain
// expected, lower and upper), when all three are there.
func bandColumns(fields []string) map[string][3]int {
	at := map[string]int{}
	for i, f := range fields {
		at[f] = i
	}
	out := map[string][3]int{}
	for _, f := range fields {
		name, ok := strings.CutPrefix(f, "expected")
		if !ok || (name != "" && !strings.HasPrefix(name, "_")) {
			continue
		}
		l, okl := at["lower"+name]
		u, oku := at["upper"+name]
		if okl && oku {
			out[strings.TrimPrefix(name, "_")] = [3]int{at[f], l, u}
		}
	}
	return out
}

// isBandColumn reports whether field i is one of the band columns.
func isBandColumn(bands map[string][3]int, i int) bool {
	for _, b := range bands {
		if b[0] == i || b[1] == i || b[2] == i {
			return true
		}
	}
	return false
}

func number(v store.Value) float64 {
	if v.K == store.KindInt || v.K == store.KindFloat {
		f, _ := v.Number()
		return f
	}
	return math.NaN()
}

func chartable(fields []string, rows [][]store.Value) (*chartData, error) {
	tc := -1
	for i, f := range fields {
		if f == store.ColTime {
			tc = i
		}
	}
	if tc < 0 || len(rows) == 0 {
		return nil, ErrNotChartable
	}
	d := &chartData{}
	var cols []int
	bands := bandColumns(fields)
	for i, f := range fields {
		if i == tc || f == "is_anomaly" || f == "anomaly_score" || isBandColumn(bands, i) || len(cols) == maxSeries {
			continue
		}
		numeric := false
		for _, r := range rows {
			if r[i].K == store.KindInt || r[i].K == store.KindFloat {
				numeric = true
				break
			}
		}
		if numeric {
			cols = append(cols, i)
			d.names = append(d.names, f)
		}
	}
	if len(cols) == 0 {
		return nil, ErrNotChartable
	}
	ac := -1
	for i, f := range fields {
		if f == "is_anomaly" {
			ac = i
		}
	}
	d.series = make([][]float64, len(cols))
	d.bands = make([]*band, len(cols))
	bandOf := make([][3]int, len(cols))
	for s, name := range d.names {
		b, ok := bands[name]
		if !ok && len(cols) == 1 {
			b, ok = bands[""]
		}
		if ok {
			d.bands[s], bandOf[s] = &band{}, b
		}
	}
	for _, r := range rows {
		if r[tc].K != store.KindTime {
			continue
		}
		d.times = append(d.times, r[tc].I)
		d.anomaly = append(d.anomaly, ac >= 0 && r[ac].Truthy())
		for s, c := range cols {
			d.series[s] = append(d.series[s], number(r[c]))
			if b := d.bands[s]; b != nil {
				b.expected = append(b.expected, number(r[bandOf[s][0]]))
				b.lower = append(b.lower, number(r[bandOf[s][1]]))
				b.upper = append(b.upper, number(r[bandOf[s][2]]))
			}
		}
	}
	if len(d.times) == 0 {
		return nil, ErrNotChartable
	}
	return d, nil
}

// DrawChart draws rows with a _time column as a chart of their numeric
// columns, one mark per series; rows whose is_anomaly is true are marked
// under the time axis with ^ (and drawn in red with Color). A series with
// a band (anomalies method=decompose's expected, lower and upper) has it
// drawn behind it in ░ from lower to upper, the expected value as ·. When
// there are more rows than columns, each column shows the largest value
// of its rows (and the widest band: the lowest lower, the highest upper).
func DrawChart(w io.Writer, fields []string, rows [][]store.Value, opt ChartOptions) error {
	d, err := chartable(fields, rows)
	if err != nil {
		return err
	}
	if opt.Width <= 0 {
		opt.Width = 80
	}
	opt.Width = max(opt.Width, 40)
	if opt.Height <= 0 {
		opt.Height = 12
	}
	lo, hi := 0.0, math.Inf(-1)
	for s := range d.series {
		for _, vs := range [][]float64{d.series[s], d.bandValues(s, 1), d.bandValues(s, 2)} {
			for _, v := range vs {
				if !math.IsNaN(v) {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
		}
	}
	if math.IsInf(hi, -1) || hi == lo {
		hi = lo + 1
	}
	mid := niceNumber((lo + hi) / 2)
	midRow := opt.Height - 1 - int(math.Round((mid-lo)/(hi-lo)*float64(opt.Height-1)))
	labelW := max(len(axisLabel(hi)), len(axisLabel(lo)), len(axisLabel(mid)))
	plotW := opt.Width - labelW - 2
	cols := bucketColumns(d, min(plotW, len(d.times)))
	// Few rows: each takes several columns, so the chart is not a sliver.
	if k := plotW / len(cols); k > 1 {
		wide := make([]chartColumn, 0, len(cols)*k)
		for _, c := range cols {
			for range k {
				wide = append(wide, c)
			}
		}
		cols = wide
	}
	plotW = len(cols)
	grid := make([][]rune, opt.Height)
	red := make([][]bool, opt.Height)
	for y := range grid {
		grid[y] = []rune(strings.Repeat(" ", plotW))
		red[y] = make([]bool, plotW)
	}
	marks := make([]bool, plotW)
	rowOf := func(v float64) int { return opt.Height - 1 - int(math.Round((v-lo)/(hi-lo)*float64(opt.Height-1))) }
	anyBand := false
	for x, c := range cols {
		for s := range c.values {
			if math.IsNaN(c.lower[s]) || math.IsNaN(c.upper[s]) {
				continue
			}
			anyBand = true
			for row := rowOf(c.upper[s]); row <= rowOf(c.lower[s]); row++ {
				grid[row][x] = bandMark
			}
			if e := c.expected[s]; !math.IsNaN(e) {
				grid[rowOf(e)][x] = expectedMark
			}
		}
	}
	for x, c := range cols {
		marks[x] = c.anomaly
		for s, v := range c.values {
			if math.IsNaN(v) || (len(d.series) == 1 && v == 0) {
				continue // no bar for nothing
			}
			top := int(math.Round((v - lo) / (hi - lo) * float64(opt.Height-1)))
			from := top
			if len(d.series) == 1 {
				from = int(math.Round(-lo / (hi - lo) * float64(opt.Height-1))) // bars from zero
			}
			for y := min(from, top); y <= max(from, top); y++ {
				row := opt.Height - 1 - y
				grid[row][x] = seriesMarks[s]
				red[row][x] = c.anomaly && opt.Color
			}
		}
	}
	var b strings.Builder
	for y := range grid {
		label := ""
		switch y {
		case 0:
			label = axisLabel(hi)
		case opt.Height - 1:
			label = axisLabel(lo)
		case midRow:
			label = axisLabel(mid)
		}
		fmt.Fprintf(&b, "%*s │", labelW, label)
		for x, r := range grid[y] {
			if red[y][x] {
				b.WriteString("\x1b[31m" + string(r) + "\x1b[0m")
			} else {
				b.WriteRune(r)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%*s └%s\n", labelW, "", strings.Repeat("─", plotW))
	b.WriteString(timeAxis(d.times, labelW, plotW))
	anyMark := false
	for _, m := range marks {
		anyMark = anyMark || m
	}
	if anyMark {
		line := []rune(strings.Repeat(" ", plotW))
		for x, m := range marks {
			if m {
				line[x] = '^'
			}
		}
		fmt.Fprintf(&b, "%*s  %s\n", labelW, "", strings.TrimRight(string(line), " "))
	}
	var legend []string
	for s, n := range d.names {
		legend = append(legend, string(seriesMarks[s])+" "+n)
	}
	if anyBand {
		legend = append(legend, string(bandMark)+" lower–upper", string(expectedMark)+" expected")
	}
	if anyMark {
		legend = append(legend, "^ is_anomaly")
	}
	fmt.Fprintf(&b, "%*s  %s\n", labelW, "", strings.Join(legend, "   "))
	_, err = io.WriteString(w, b.String())
	return err
}

// The band's marks.
const (
	bandMark     = '░'
	expectedMark = '·'
)

// bandValues is series s's expected (k = 0), lower (1) or upper (2)
// values, nil without a band.
func (d *chartData) bandValues(s, k int) []float64 {
	b := d.bands[s]
	if b == nil {
		return nil
	}
	return [][]float64{b.expected, b.lower, b.upper}[k]
}

type chartColumn struct {
	values                 []float64
	expected, lower, upper []float64 // the band of each series, NaN without
	anomaly                bool
}

// bucketColumns spreads the rows over width columns: each column holds the
// largest value of each series among its rows (and of its expected value,
// the lowest lower and the highest upper), and is an anomaly when any of
// its rows is.
func bucketColumns(d *chartData, width int) []chartColumn {
	cols := make([]chartColumn, width)
	for x := range cols {
		c := &cols[x]
		c.values, c.expected, c.lower, c.upper = nanSlice(len(d.series)), nanSlice(len(d.series)), nanSlice(len(d.series)), nanSlice(len(d.series))
	}
	n := len(d.times)
	for i := range d.times {
		x := i * width / n
		c := &cols[x]
		c.anomaly = c.anomaly || d.anomaly[i]
		for s := range d.series {
			keep(&c.values[s], d.series[s][i], math.Max)
			if b := d.bands[s]; b != nil {
				keep(&c.expected[s], b.expected[i], math.Max)
				keep(&c.lower[s], b.lower[i], math.Min)
				keep(&c.upper[s], b.upper[i], math.Max)
			}
		}
	}
	return cols
}

// keep sets *acc to better(*acc, v), or to v when *acc is NaN; NaN v is
// skipped.
func keep(acc *float64, v float64, better func(a, b float64) float64) {
	switch {
	case math.IsNaN(v):
	case math.IsNaN(*acc):
		*acc = v
	default:
		*acc = better(*acc, v)
	}
}

func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func axisLabel(f float64) string {
	switch a := math.Abs(f); {
	case a >= 1e9:
		return fmt.Sprintf("%.1fG", f/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.1fM", f/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.1fk", f/1e3)
	case f == math.Trunc(f) || a >= 10:
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

// timeAxis labels the first, middle and last time under the plot.
func timeAxis(times []int64, labelW, width int) string {
	first, last := time.Unix(0, times[0]).UTC(), time.Unix(0, times[len(times)-1]).UTC()
	layout := "2006-01-02 15:04"
	if first.Format("2006-01-02") == last.Format("2006-01-02") {
		layout = "15:04"
		if last.Sub(first) < time.Hour {
			layout = "15:04:05"
		}
	}
	line := []rune(strings.Repeat(" ", max(width+2, len(layout))))
	put := func(at int, s string) {
		at = max(0, min(at, len(line)-len(s)))
		copy(line[at:], []rune(s))
	}
	put(0, first.Format(layout))
	if width > 3*len(layout) {
		mid := time.Unix(0, times[0]+(times[len(times)-1]-times[0])/2).UTC()
		put(width/2-len(layout)/2, mid.Format(layout))
	}
	put(width, last.Format(layout))
	return fmt.Sprintf("%*s  %s\n", labelW, "", strings.TrimRight(string(line), " "))
}

// niceNumber rounds f to one significant digit (or two below 20), for an
// axis label that reads easily.
func niceNumber(f float64) float64 {
	if f == 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(math.Abs(f))))
	if math.Abs(f)/p < 2 {
		p /= 10
	}
	return math.Round(f/p) * p
}
