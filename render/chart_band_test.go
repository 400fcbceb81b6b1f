package render

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"

	"loghunt/store"
)

// bandRows is anomalies method=decompose's output for a per-minute count:
// expected 10 with the band 6–14, a burst of 40 at minute 12 and a dip to
// 1 at minute 20 flagged, minutes 25 and 26 without a band (missing
// points).
func bandRows() ([]string, [][]store.Value) {
	fields := []string{"_time", "count", "expected", "lower", "upper", "anomaly_score", "is_anomaly"}
	var rows [][]store.Value
	for m := range 30 {
		n := int64(9 + m%4)
		switch m {
		case 12:
			n = 40
		case 20:
			n = 1
		}
		e, lo, hi := store.Float(10), store.Float(6), store.Float(14)
		if m == 25 || m == 26 {
			e, lo, hi = store.Null, store.Null, store.Null
		}
		rows = append(rows, []store.Value{store.Time(t0 + int64(m)*60e9), store.Int(n), e, lo, hi,
			store.Float(0.1), store.Bool(m == 12 || m == 20)})
	}
	return fields, rows
}

// TestChartBand: the terminal chart draws count as bars with the band
// behind them in ░ (the expected value ·) and the band columns are not
// series of their own; at the dip the band shows above the bar, at the
// burst the bar rises above the band. The golden file is the whole chart.
func TestChartBand(t *testing.T) {
	fields, rows := bandRows()
	var b bytes.Buffer
	// 30 rows at width 68: two columns a row.
	if err := DrawChart(&b, fields, rows, ChartOptions{Width: 68, Height: 10}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	path := filepath.Join("testdata", "chart_band.txt")
	if *update {
		os.WriteFile(path, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("chart:\n%s\nwant:\n%s", out, want)
	}
	lines := strings.Split(out, "\n")
	legend := lines[len(lines)-2]
	if !strings.Contains(legend, "█ count") || !strings.Contains(legend, "░ lower–upper") || !strings.Contains(legend, "· expected") ||
		strings.ContainsAny(legend, "●▲◆■✚") {
		t.Errorf("legend %q", legend)
	}
	// Plot rows: 0 is 40 (the top), 9 is 0; a value v is at row
	// 9 − round(v / 40 · 9). The band 6–14 takes rows 6 to 8 (14 → 3.15
	// above the bottom, 6 → 1.35), the expected value 10 row 7 (2.25); a
	// bar of 9 tops at row 7 (2.03), the dip's 1 fills only row 9.
	grid := lines[:10]
	at := func(row, minute int) rune {
		r := []rune(grid[row])
		bar := slices.Index(r, '│')
		return r[bar+1+2*minute]
	}
	if at(0, 12) != '█' || at(5, 12) != '█' {
		t.Errorf("the burst's bar: %q %q", at(0, 12), at(5, 12))
	}
	if at(5, 20) != ' ' || at(6, 20) != '░' || at(7, 20) != '·' || at(8, 20) != '░' || at(9, 20) != '█' {
		t.Errorf("the band above the dip's bar: %q %q %q %q %q", at(5, 20), at(6, 20), at(7, 20), at(8, 20), at(9, 20))
	}
	if at(5, 0) != ' ' || at(6, 0) != '░' || at(7, 0) != '█' {
		t.Errorf("the band above minute 0's bar of 9: %q %q %q", at(5, 0), at(6, 0), at(7, 0))
	}
	if at(6, 25) != ' ' || at(7, 25) != '█' {
		t.Errorf("no band at a missing point: %q %q", at(6, 25), at(7, 25))
	}
}

// TestPlotBand: the plot's band is a polygon per run of rows with both
// bounds (upper left to right, then lower back), drawn filled in the
// series' colour, see-through, with the expected value dashed; a result
// without band columns has none.
func TestPlotBand(t *testing.T) {
	fields, rows := bandRows()
	d, err := chartable(fields, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.names, []string{"count"}) {
		t.Fatalf("series %v", d.names)
	}
	polys := bandPolygons(d, 0)
	if len(polys) != 2 || len(polys[0]) != 50 || len(polys[1]) != 6 {
		t.Fatalf("%d polygons", len(polys))
	}
	x := func(m int) float64 { return float64(t0+int64(m)*60e9) / 1e9 }
	for k, want := range []plotter.XY{{X: x(0), Y: 14}, {X: x(24), Y: 14}, {X: x(24), Y: 6}, {X: x(0), Y: 6}} {
		i := []int{0, 24, 25, 49}[k]
		if polys[0][i] != want {
			t.Errorf("first polygon point %d: %v, want %v", i, polys[0][i], want)
		}
	}
	if polys[1][0] != (plotter.XY{X: x(27), Y: 14}) || polys[1][5] != (plotter.XY{X: x(27), Y: 6}) {
		t.Errorf("second polygon %v", polys[1])
	}
	svg := func(fields []string, rows [][]store.Value) string {
		path := filepath.Join(t.TempDir(), "p.svg")
		if err := Plot(path, fields, rows); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		return string(b)
	}
	withBand := svg(fields, rows)
	// The fill: the first series' blue (premultiplied and back), a
	// quarter opaque, in the plot and the legend.
	fill := `style="fill:#1E76B3;fill-opacity:0.25098"`
	if strings.Count(withBand, fill) != 2 || strings.Count(withBand, "stroke:#1F77B4;stroke-width:0.8;stroke-dasharray:3,2") != 2 {
		t.Errorf("no band polygon (%s) or dashed expected line in the SVG", fill)
	}
	if !strings.Contains(withBand, "count lower–upper") {
		t.Error("no legend entry for the band")
	}
	var plain [][]store.Value
	for _, r := range rows {
		plain = append(plain, []store.Value{r[0], r[1], r[6]})
	}
	if s := svg([]string{"_time", "count", "is_anomaly"}, plain); strings.Contains(s, "fill-opacity") || strings.Contains(s, "dasharray") {
		t.Error("a band without band columns")
	}
}
