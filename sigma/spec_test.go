package sigma

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSpecExamples parses the example documents of the specification's
// tests folder: every rule, filter and correlation must load without
// problems, with the attributes the files give.
func TestSpecExamples(t *testing.T) {
	dir := sigmaDir(t, "specification/tests/schema")
	files, err := RuleFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d example files", len(files))
	}
	nr, nf, nc := 0, 0, 0
	for _, f := range files {
		col, err := ParseFile(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(col.Problems) > 0 {
			t.Errorf("%s: %v", f, col.Problems)
		}
		for _, r := range col.Rules {
			nr++
			if !r.CanRun() {
				t.Errorf("%s: %v", f, r.Problems)
			}
		}
		for _, fl := range col.Filters {
			nf++
			if len(fl.Problems) > 0 || fl.Expr == nil || len(fl.Rules) != 2 {
				t.Errorf("%s: %v", f, fl.Problems)
			}
		}
		for _, c := range col.Correlations {
			nc++
			if len(c.Problems) > 0 || c.Timespan == 0 {
				t.Errorf("%s: %v", f, c.Problems)
			}
		}
	}
	if nr != 2 || nf != 2 || nc != 8 {
		t.Errorf("%d rules, %d filters, %d correlations; want 2, 2, 8", nr, nf, nc)
	}
	col, err := ParseFile(filepath.Join(dir, "correlation", "value_count.yml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := col.Correlations[0]
	if c.Type != ValueCount || c.Timespan != 24*time.Hour || len(c.GroupBy) != 2 || c.Field[0] != "User" ||
		len(c.Condition) != 1 || c.Condition[0] != (Criterion{"gte", 100}) {
		t.Errorf("value_count example read as %+v", c)
	}
	_ = os.Stat
}

// TestSpecCorrelationExamples runs each correlation example of the
// specification on events that must and must not hit.
func TestSpecCorrelationExamples(t *testing.T) {
	dir := filepath.Join(sigmaDir(t, "specification/tests/schema"), "correlation")
	load := func(name string) *Correlation {
		col, err := ParseFile(filepath.Join(dir, name), Options{})
		if err != nil || len(col.Correlations) != 1 || len(col.Correlations[0].Problems) > 0 {
			t.Fatalf("%s: %v %+v", name, err, col)
		}
		return col.Correlations[0]
	}
	type in struct {
		sec   int
		src   int
		group []string
		val   string
	}
	series := func(n, step, src int, group []string, val func(i int) string) []in {
		var out []in
		for i := 0; i < n; i++ {
			v := ""
			if val != nil {
				v = val(i)
			}
			out = append(out, in{i * step, src, group, v})
		}
		return out
	}
	host := []string{"ws1"}
	hostUser := []string{"ws1", "alice"}
	tests := []struct {
		file  string
		ins   []in
		hits  int
		value float64
	}{
		{"event_count.yml", series(100, 35, 0, host, nil), 1, 100}, // 100 in 57m45s
		{"event_count.yml", series(99, 35, 0, host, nil), 0, 0},    // 99
		{"event_count.yml", series(100, 37, 0, host, nil), 0, 0},   // 100 over 61 minutes
		{"value_count.yml", series(100, 60, 0, []string{"dc1", "ws1"}, func(i int) string { return fmt.Sprint("u", i) }), 1, 100},
		{"value_count.yml", series(100, 60, 0, []string{"dc1", "ws1"}, func(i int) string { return fmt.Sprint("u", i%99) }), 0, 0},
		{"temporal.yml", []in{{0, 2, hostUser, ""}, {60, 0, hostUser, ""}, {240, 1, hostUser, ""}}, 1, 3},
		{"temporal.yml", []in{{0, 0, hostUser, ""}, {60, 1, hostUser, ""}, {360, 2, hostUser, ""}}, 0, 0},
		{"temporal.yml", []in{{0, 0, hostUser, ""}, {60, 1, hostUser, ""}, {120, 2, []string{"ws1", "bob"}, ""}}, 0, 0},
		{"temporal_ordered.yml", []in{{0, 0, hostUser, ""}, {60, 1, hostUser, ""}, {240, 2, hostUser, ""}}, 1, 3},
		{"temporal_ordered.yml", []in{{0, 2, hostUser, ""}, {60, 1, hostUser, ""}, {240, 0, hostUser, ""}}, 0, 0},
		{"value_sum.yml", series(3, 600, 0, []string{"10.0.0.1", "alice"}, func(int) string { return "400000" }), 1, 1200000},
		{"value_sum.yml", series(2, 600, 0, []string{"10.0.0.1", "alice"}, func(int) string { return "400000" }), 0, 0},
		{"value_avg.yml", series(4, 3600, 0, []string{"10.0.0.1", "alice"}, func(i int) string { return fmt.Sprint(400 + 100*i) }), 1, 550},
		{"value_avg.yml", series(4, 3600, 0, []string{"10.0.0.1", "alice"}, func(i int) string { return "500" }), 0, 0},
		{"value_percentile.yml", series(200, 60, 0, host, func(i int) string {
			if i == 150 {
				return `C:\evil.exe`
			}
			return `C:\Windows\System32\svchost.exe`
		}), 1, 0.5},
		{"value_percentile.yml", series(100, 60, 0, host, func(i int) string { return fmt.Sprint(i % 2) }), 0, 0},
	}
	for i, tc := range tests {
		c := load(tc.file)
		k := NewCorrelator(c)
		var hits []Hit
		for j, x := range tc.ins {
			h, err := k.Push(Input{Source: x.src, Time: t0.Add(time.Duration(x.sec) * time.Second), Group: x.group,
				Value: x.val, HasValue: x.val != "", Ref: j})
			if err != nil {
				t.Fatal(err)
			}
			hits = append(hits, h...)
		}
		hits = append(hits, k.Flush()...)
		if len(hits) != tc.hits || tc.hits == 1 && hits[0].Value != tc.value {
			for _, h := range hits {
				t.Log(fmtHit(h))
			}
			t.Errorf("case %d %s: %d hits, want %d with value %g", i, tc.file, len(hits), tc.hits, tc.value)
		}
	}
}
