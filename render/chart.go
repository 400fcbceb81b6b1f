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
	anomaly []bool
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
	for i, f := range fields {
		if i == tc || f == "is_anomaly" || f == "anomaly_score" || len(cols) == maxSeries {
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
	for _, r := range rows {
		if r[tc].K != store.KindTime {
			continue
		}
		d.times = append(d.times, r[tc].I)
		d.anomaly = append(d.anomaly, ac >= 0 && r[ac].Truthy())
		for s, c := range cols {
			f := math.NaN()
			if r[c].K == store.KindInt || r[c].K == store.KindFloat {
				f, _ = r[c].Number()
			}
			d.series[s] = append(d.series[s], f)
		}
	}
	if len(d.times) == 0 {
		return nil, ErrNotChartable
	}
	return d, nil
}

// DrawChart draws rows with a _time column as a chart of their numeric
// columns, one mark per series; rows whose is_anomaly is true are marked
// under the time axis with ^ (and drawn in red with Color). When there are
// more rows than columns, each column shows the largest value of its rows.
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
	for _, s := range d.series {
		for _, v := range s {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
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
	if anyMark {
		legend = append(legend, "^ is_anomaly")
	}
	fmt.Fprintf(&b, "%*s  %s\n", labelW, "", strings.Join(legend, "   "))
	_, err = io.WriteString(w, b.String())
	return err
}

type chartColumn struct {
	values  []float64
	anomaly bool
}

// bucketColumns spreads the rows over width columns: each column holds the
// largest value of each series among its rows, and is an anomaly when any
// of its rows is.
func bucketColumns(d *chartData, width int) []chartColumn {
	cols := make([]chartColumn, width)
	for x := range cols {
		cols[x].values = make([]float64, len(d.series))
		for s := range cols[x].values {
			cols[x].values[s] = math.NaN()
		}
	}
	n := len(d.times)
	for i := range d.times {
		x := i * width / n
		c := &cols[x]
		c.anomaly = c.anomaly || d.anomaly[i]
		for s := range d.series {
			if v := d.series[s][i]; !math.IsNaN(v) && (math.IsNaN(c.values[s]) || v > c.values[s]) {
				c.values[s] = v
			}
		}
	}
	return cols
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
