package render

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"loghunt/store"
)

// TestCutKeepsTheEndOfPaths: a path cut for a table keeps its end, which
// names the file (or the member of an archive); other text keeps its
// start.
func TestCutKeepsTheEndOfPaths(t *testing.T) {
	long := "/work/shared/datasets/windows_otrf/empire_mimikatz_logonpasswords.zip!empire_mimikatz_logonpasswords_2020.json"
	if got := cut(long, 30); !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "_2020.json") || utf8.RuneCountInString(got) != 30 {
		t.Errorf("path cut to %q", got)
	}
	text := "Accepted password for root from 10.0.0.1 port 22 ssh2 and more words here"
	if got := cut(text, 20); got != "Accepted password f…" {
		t.Errorf("text cut to %q", got)
	}
	if got := cut("https://example.com/a/very/long/path/of/a/web/page.html", 20); !strings.HasSuffix(got, "…") {
		t.Errorf("URL cut to %q", got)
	}
}

// TestFloatDigits: floats print with at most 15 significant digits in
// every format, so sums of decimals read as decimals (20.1795, not
// 20.179499999999997), and the JSON stays a number.
func TestFloatDigits(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{20.179499999999997, "20.1795"},
		{0.1 + 0.2, "0.3"},
		{1.0 / 3, "0.333333333333333"},
		{-2.0 / 3, "-0.666666666666667"},
		{123456.789, "123456.789"},
		{0.8843, "0.8843"},
		{42, "42"},
		{1e15 + 0.3, "1000000000000000"},
		{1234567890123456789, "1234567890123460000"},
		{1e-7, "1e-07"},
		{1.0000000000000002e-7, "1e-07"},
		{3e21, "3e+21"},
		{math.MaxFloat64, "1.79769313486231e+308"},
		{-math.MaxFloat64, "-1.79769313486231e+308"},
		{5e-324, "5e-324"},
		{0, "0"},
		{math.Inf(1), "inf"},
	}
	for _, c := range cases {
		v := store.Float(c.f)
		if got := Text(v); got != c.want {
			t.Errorf("Text(%v) = %q, want %q", c.f, got, c.want)
		}
		for _, format := range []Format{Table, CSV, JSON} {
			var b strings.Builder
			w := New(&b, format, []string{"x"})
			w.Write([][]store.Value{{v}})
			w.Flush()
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			got, want := strings.TrimSpace(lines[len(lines)-1]), c.want
			if format == JSON {
				got = strings.TrimSuffix(strings.TrimPrefix(got, `{"x":`), "}")
				if math.IsInf(c.f, 0) {
					want = `"` + want + `"`
				} else if err := json.Unmarshal([]byte(got), new(float64)); err != nil {
					t.Errorf("json of %v: %q is not a number: %v", c.f, got, err)
				}
			}
			if got != want {
				t.Errorf("%s of %v: %q, want %q", format, c.f, got, want)
			}
		}
	}
}

// TestSparkline: a sparkline (stats sparkline(...)) is drawn in a table
// as blocks from the lowest (0, or the least value below it) to the
// highest, and written as its numbers: comma-separated in CSV, an array
// in JSON.
func TestSparkline(t *testing.T) {
	cases := []struct {
		vals []string
		want string
	}{
		{[]string{"0", "1", "2", "7"}, "▁▂▃█"},
		{[]string{"2", "0", "0", "0", "0", "0", "2"}, "█▁▁▁▁▁█"},
		{[]string{"0", "0", "0", "0", "0", "386", "21"}, "▁▁▁▁▁█▁"},
		{[]string{"0", "0"}, "▁▁"},
		{[]string{"5", "5"}, "██"},
		{[]string{"-4", "0", "4"}, "▁▅█"},
		{[]string{"1", "x", "3"}, "▃ █"},
	}
	for _, c := range cases {
		if got := Sparkline(c.vals); got != c.want {
			t.Errorf("Sparkline(%q) = %q, want %q", c.vals, got, c.want)
		}
	}
	// A long one keeps its latest buckets in a table.
	long := "##__SPARKLINE__##" + strings.Repeat("\n0", 100) + "\n7"
	var lb strings.Builder
	lw := New(&lb, Table, []string{"t"})
	lw.Write([][]store.Value{{store.Str(long)}})
	lw.Flush()
	if want := "…" + strings.Repeat("▁", MaxCell-2) + "█"; strings.Split(lb.String(), "\n")[2] != want {
		t.Errorf("long sparkline: %q", lb.String())
	}
	v := store.Str("##__SPARKLINE__##\n0\n2.5\n10")
	rows := [][]store.Value{{store.Str("sshd"), v}}
	for _, c := range []struct {
		f    Format
		want string
	}{
		{Table, "app   trend\n----  -----\nsshd  ▁▃█\n"},
		{CSV, "app,trend\nsshd,\"0,2.5,10\"\n"},
		{JSON, `{"app":"sshd","trend":[0,2.5,10]}` + "\n"},
	} {
		var b strings.Builder
		w := New(&b, c.f, []string{"app", "trend"})
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if b.String() != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.f, b.String(), c.want)
		}
		if c.f == JSON {
			var x map[string]any
			if err := json.Unmarshal([]byte(b.String()), &x); err != nil {
				t.Errorf("JSON: %v", err)
			}
		}
	}
}
