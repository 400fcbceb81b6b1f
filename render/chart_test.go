package render

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

var update = flag.Bool("update", false, "rewrite the golden charts in testdata")

var t0 = time.Date(2025, 3, 6, 3, 0, 0, 0, time.UTC).UnixNano()

// attemptsRows is a per-minute count with a burst at minutes 12-14 marked
// as anomalies, like the brute-force hunt's output.
func attemptsRows(withUsers bool) ([]string, [][]store.Value) {
	fields := []string{"_time", "attempts", "is_anomaly"}
	if withUsers {
		fields = []string{"_time", "attempts", "users", "is_anomaly"}
	}
	var rows [][]store.Value
	for m := 0; m < 30; m++ {
		n := int64(2 + m%4)
		burst := m >= 12 && m <= 14
		if burst {
			n = 60
		}
		row := []store.Value{store.Time(t0 + int64(m)*60e9), store.Int(n)}
		if withUsers {
			row = append(row, store.Int(1+int64(m%2)))
		}
		rows = append(rows, append(row, store.Bool(burst)))
	}
	return fields, rows
}

func TestChartGolden(t *testing.T) {
	cases := map[string]struct {
		users bool
		opt   ChartOptions
	}{
		"bars":   {false, ChartOptions{Width: 50, Height: 8}},
		"series": {true, ChartOptions{Width: 50, Height: 8}},
		"narrow": {false, ChartOptions{Width: 40, Height: 6}}, // 30 rows into fewer columns
	}
	for name, c := range cases {
		fields, rows := attemptsRows(c.users)
		var b bytes.Buffer
		if err := DrawChart(&b, fields, rows, c.opt); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "chart_"+name+".txt")
		if *update {
			os.WriteFile(path, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, b.String(), want)
		}
		for _, line := range strings.Split(b.String(), "\n") {
			if n := len([]rune(line)); n > c.opt.Width {
				t.Errorf("%s: line of %d columns is wider than %d: %q", name, n, c.opt.Width, line)
			}
		}
	}
}

func TestChartColorOnlyWhenAsked(t *testing.T) {
	fields, rows := attemptsRows(false)
	var plain, color bytes.Buffer
	DrawChart(&plain, fields, rows, ChartOptions{Width: 60})
	DrawChart(&color, fields, rows, ChartOptions{Width: 60, Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without Color")
	}
	if !strings.Contains(color.String(), "\x1b[31m") {
		t.Error("no red marks with Color")
	}
}

func TestChartNeedsTimeAndNumbers(t *testing.T) {
	err := DrawChart(&bytes.Buffer{}, []string{"user", "count"}, [][]store.Value{{store.Str("a"), store.Int(1)}}, ChartOptions{})
	if !errors.Is(err, ErrNotChartable) {
		t.Errorf("no _time: %v", err)
	}
	err = DrawChart(&bytes.Buffer{}, []string{"_time", "user"}, [][]store.Value{{store.Time(t0), store.Str("a")}}, ChartOptions{})
	if !errors.Is(err, ErrNotChartable) {
		t.Errorf("no numbers: %v", err)
	}
}

func TestPlotFiles(t *testing.T) {
	fields, rows := attemptsRows(true)
	dir := t.TempDir()
	for ext, magic := range map[string]string{".png": "\x89PNG", ".svg": "<?xml"} {
		path := filepath.Join(dir, "attempts"+ext)
		if err := Plot(path, fields, rows); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s does not start with %q", path, magic)
		}
	}
	if err := Plot(filepath.Join(dir, "x.gif"), fields, rows); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Errorf("gif: %v", err)
	}
}
