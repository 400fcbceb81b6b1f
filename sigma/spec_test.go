package sigma

import (
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
