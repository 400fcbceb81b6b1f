package render

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"loghunt/store"
)

var plotColors = []color.RGBA{{31, 119, 180, 255}, {44, 160, 44, 255}, {148, 103, 189, 255},
	{255, 127, 14, 255}, {140, 86, 75, 255}, {23, 190, 207, 255}}

// Plot writes the chart of rows to a PNG or SVG file (by its extension):
// a line per numeric column over _time, rows whose is_anomaly is true as
// red dots, and a series' band (anomalies method=decompose's expected,
// lower and upper) as a light polygon behind it with the expected value
// dashed.
func Plot(path string, fields []string, rows [][]store.Value) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("plot %s: the file must end in .png or .svg", path)
	}
	p, err := newPlot(fields, rows)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	if err := p.Save(10*vg.Inch, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return nil
}

// PlotPNG draws the chart of rows as Plot does, as a PNG of w by h inches.
func PlotPNG(fields []string, rows [][]store.Value, w, h float64) ([]byte, error) {
	p, err := newPlot(fields, rows)
	if err != nil {
		return nil, err
	}
	wt, err := p.WriterTo(vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch, "png")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newPlot makes the plot of rows: a line per numeric column over _time,
// red dots where is_anomaly is true.
func newPlot(fields []string, rows [][]store.Value) (*plot.Plot, error) {
	d, err := chartable(fields, rows)
	if err != nil {
		return nil, err
	}
	p := plot.New()
	p.X.Label.Text = "time (UTC)"
	p.X.Tick.Marker = plot.TimeTicks{Format: "01-02\n15:04"}
	p.Y.Label.Text = strings.Join(d.names, ", ")
	p.Legend.Top = true
	for s, name := range d.names {
		if err := addBand(p, d, s); err != nil {
			return nil, err
		}
		pts := make(plotter.XYs, 0, len(d.times))
		for i, t := range d.times {
			if v := d.series[s][i]; !math.IsNaN(v) {
				pts = append(pts, plotter.XY{X: float64(t) / 1e9, Y: v})
			}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color = plotColors[s%len(plotColors)]
		line.Width = vg.Points(1.2)
		p.Add(line)
		p.Legend.Add(name, line)
		if err := addAnomalies(p, d, s, s == 0); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addAnomalies draws the anomalous rows of series s as red dots.
func addAnomalies(p *plot.Plot, d *chartData, s int, legend bool) error {
	var pts plotter.XYs
	for i, t := range d.times {
		if v := d.series[s][i]; d.anomaly[i] && !math.IsNaN(v) {
			pts = append(pts, plotter.XY{X: float64(t) / 1e9, Y: v})
		}
	}
	if len(pts) == 0 {
		return nil
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.Color = color.RGBA{214, 39, 40, 255}
	sc.Shape = draw.CircleGlyph{}
	sc.Radius = vg.Points(3.5)
	p.Add(sc)
	if legend {
		p.Legend.Add("is_anomaly", sc)
	}
	return nil
}

// bandAlpha is how opaque a band's fill is.
const bandAlpha = 0x40

// bandPolygons are the outlines of series s's band: for each run of rows
// with both bounds, the upper bound left to right, then the lower bound
// right to left.
func bandPolygons(d *chartData, s int) []plotter.XYs {
	b := d.bands[s]
	if b == nil {
		return nil
	}
	var out []plotter.XYs
	var run []int
	flush := func() {
		if len(run) > 0 {
			poly := make(plotter.XYs, 0, 2*len(run))
			for _, i := range run {
				poly = append(poly, plotter.XY{X: float64(d.times[i]) / 1e9, Y: b.upper[i]})
			}
			for k := len(run) - 1; k >= 0; k-- {
				poly = append(poly, plotter.XY{X: float64(d.times[run[k]]) / 1e9, Y: b.lower[run[k]]})
			}
			out = append(out, poly)
		}
		run = nil
	}
	for i := range d.times {
		if math.IsNaN(b.lower[i]) || math.IsNaN(b.upper[i]) {
			flush()
			continue
		}
		run = append(run, i)
	}
	flush()
	return out
}

// addBand draws series s's band, if it has one, and its expected value.
func addBand(p *plot.Plot, d *chartData, s int) error {
	polys := bandPolygons(d, s)
	if len(polys) == 0 {
		return nil
	}
	c := plotColors[s%len(plotColors)]
	rings := make([]plotter.XYer, len(polys))
	for i, pl := range polys {
		rings[i] = pl
	}
	poly, err := plotter.NewPolygon(rings...)
	if err != nil {
		return err
	}
	poly.Color = color.NRGBA{c.R, c.G, c.B, bandAlpha}
	poly.LineStyle.Width = 0
	p.Add(poly)
	p.Legend.Add(d.names[s]+" lower–upper", poly)
	var pts plotter.XYs
	for i, t := range d.times {
		if e := d.bands[s].expected[i]; !math.IsNaN(e) {
			pts = append(pts, plotter.XY{X: float64(t) / 1e9, Y: e})
		}
	}
	if len(pts) == 0 {
		return nil
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	line.Color = c
	line.Width = vg.Points(0.8)
	line.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
	p.Add(line)
	p.Legend.Add(d.names[s]+" expected", line)
	return nil
}
