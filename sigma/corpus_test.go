package sigma

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const datasets = "../../shared/datasets/sigma"

func sigmaDir(t testing.TB, sub string) string {
	t.Helper()
	for _, base := range []string{"../../shared/datasets/sigma", "../../../shared/datasets/sigma", "/work/shared/datasets/sigma"} {
		p := filepath.Join(base, sub)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("sigma dataset %s not present", sub)
	return ""
}

// TestCorpusParses parses every SigmaHQ rule: none may fail to load
// for a reason other than the ones listed (each with its rule), and the
// summary of reasons is logged for the report.
func TestCorpusParses(t *testing.T) {
	total, runnable := 0, 0
	reasons := map[Kind][]string{}
	for _, dir := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-dfir"} {
		if _, err := os.Stat(filepath.Join(sigmaDir(t, "."), dir)); err != nil {
			continue
		}
		set, err := Load(Options{}, filepath.Join(sigmaDir(t, "."), dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range set.Problems {
			reasons[p.Kind] = append(reasons[p.Kind], p.String())
		}
		for _, r := range set.Rules {
			total++
			if r.CanRun() {
				runnable++
				continue
			}
			for _, p := range r.Problems {
				reasons[p.Kind] = append(reasons[p.Kind], p.String())
			}
		}
	}
	t.Logf("%d rules, %d can run, %d cannot", total, runnable, total-runnable)
	kinds := make([]string, 0, len(reasons))
	for k := range reasons {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "%s: %d\n", k, len(reasons[Kind(k)]))
		for _, r := range reasons[Kind(k)] {
			fmt.Fprintf(&b, "    %s\n", r)
		}
	}
	t.Log("\n" + b.String())
	// at the dataset's commit, the only rules that cannot run are the two
	// that use a placeholder nobody defined
	for k, list := range reasons {
		if k != KindPlaceholder {
			t.Errorf("%d problems of kind %s, e.g. %s", len(list), k, list[0])
		}
	}
	if runnable < total-len(reasons[KindPlaceholder]) || total < 3000 {
		t.Errorf("%d of %d rules can run", runnable, total)
	}
}
