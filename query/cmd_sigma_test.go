package query

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"loghunt/sigma"
	"loghunt/sigmamap"
)

func TestSigmaParse(t *testing.T) {
	for q, want := range map[string]string{
		`* | sigma rules=rules/windows level>=high`:                         `sigma rules=rules/windows level>=high`,
		`* | sigma rules="/abs/rules dir" tags="attack.t1110,attack.t1003"`: `sigma rules="/abs/rules dir" tags="attack.t1110,attack.t1003"`,
		`* | sigma rules=/abs/x.yml level=low mapping=../map.yml`:           `sigma rules="/abs/x.yml" level=low mapping="../map.yml"`,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got := pq.Stages[1].String(); got != want {
			t.Errorf("%s: String %q, want %q", q, got, want)
		}
		if again, err := Parse("* | " + pq.Stages[1].String()); err != nil || again.Stages[1].String() != want {
			t.Errorf("%s: does not parse back: %v", q, err)
		}
	}
	c := pq(t, `* | sigma rules=r level>=high tags=attack.t1110`).Stages[1].(*SigmaCmd)
	if c.Rules != "r" || c.Select.MinLevel != sigmamap.Levels["high"] || c.Select.MaxLevel != 0 || !slices.Equal(c.Select.Tags, []string{"attack.t1110"}) {
		t.Errorf("checked: %+v", c)
	}
	for q, col := range map[string]int{
		`* | sigma level=high`:               5,
		`* | sigma rules=r level=severe`:     25,
		`* | sigma rules=r tags>=x`:          23,
		`* | sigma rules=r rulez=x`:          19,
		`* | sigma rules=r rules=s`:          19,
		`* | sigma rules=r level>high`:       24,
		`* | sigma rules=r tags=","`:         24,
		`* | sigma rules=r | where x >= 1`:   0, // >= stays an operator of where
		`* | eval a = 1 | sigma rules=a.yml`: 0,
	} {
		_, err := Parse(q)
		var qe *Error
		switch {
		case col == 0 && err != nil:
			t.Errorf("%s: %v", q, err)
		case col != 0 && (!errors.As(err, &qe) || qe.Col != col):
			t.Errorf("%s: error %v, want one at column %d", q, err, col)
		}
	}
}

func pq(t *testing.T, q string) *Query {
	t.Helper()
	p, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rowMaps reads every event of the store with all its fields.
func rowMaps(t *testing.T, s *testStore) []map[string]string {
	var out []map[string]string
	_, err := Run(context.Background(), s.DB, pq(t, "*"), Options{}, func(b *Batch) error {
		for r := 0; r < b.Len; r++ {
			m := map[string]string{}
			for i, f := range b.Fields {
				if v := b.Cols[i][r]; !v.IsNull() {
					m[f] = v.String()
				}
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type mapEv map[string]string

func (m mapEv) Get(f string) (string, bool) {
	if v, ok := m[f]; ok {
		return v, true
	}
	for k, v := range m { // "Source Name" is SourceName
		if strings.ReplaceAll(k, " ", "") == f && k != f {
			return v, true
		}
	}
	return "", false
}
func (m mapEv) Raw() string { return m["_raw"] }

// TestSigmaStageOnRegressionSamples ingests SigmaHQ's regression samples
// (the .evtx files) and a web log excerpt into one store: `| sigma` with
// all SigmaHQ rules gives one row per event and matching rule, the same
// as evaluating every rule (log source, then sigma.Eval) on every event in
// Go, and each sample's own rule is among its rows.
func TestSigmaStageOnRegressionSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: every SigmaHQ rule on real logs (-short)")
	}
	root := filepath.Join("..", "..", "shared", "datasets", "sigma")
	if _, err := os.Stat(filepath.Join(root, "regression_data")); err != nil {
		t.Skip("SigmaHQ regression samples not available")
	}
	var files []string
	own := map[string]string{} // source -> own rule id
	filepath.WalkDir(filepath.Join(root, "regression_data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".evtx") {
			files = append(files, p)
			own[p] = strings.TrimSuffix(filepath.Base(p), ".evtx")
		}
		return nil
	})
	files = append(files, webExcerpt)
	s := excerptDB(t, files...)
	rulesDir := filepath.Join(root, "rules")
	got := s.run(`* | sigma rules="` + rulesDir + `" | table _time, source, sigma_id, sigma_level, sigma_title, sigma_tags`)

	rs, err := sigmamap.LoadRules("test", []string{rulesDir}, "")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range rowMaps(t, s) {
		for _, r := range rs.Set.Rules {
			src := rs.Sources[r]
			if src == nil || !r.CanRun() || !r.Standalone {
				continue
			}
			b := src.Branch(mapEv(ev))
			if b == nil {
				continue
			}
			if sigma.Eval(r.Expr, sigmamap.Renamed{Event: mapEv(ev), Rename: b.Rename}) {
				want = append(want, fmt.Sprintf("%s %s %s %s", ev["_time"], ev["source"], r.Ref(), r.Level))
			}
		}
	}
	var gotKeys []string
	hit := map[string]bool{}
	for r := 1; r < len(got); r++ {
		gotKeys = append(gotKeys, fmt.Sprintf("%s %s %s %s", cell(got, r, "_time"), cell(got, r, "source"), cell(got, r, "sigma_id"), cell(got, r, "sigma_level")))
		hit[cell(got, r, "source")+" "+cell(got, r, "sigma_id")] = true
		if cell(got, r, "sigma_title") == "" {
			t.Errorf("row %d without a title: %q", r, got[r])
		}
	}
	sort.Strings(want)
	sort.Strings(gotKeys)
	if strings.Join(gotKeys, "\n") != strings.Join(want, "\n") {
		t.Errorf("| sigma: %d rows, Go evaluation %d", len(gotKeys), len(want))
	}
	missing := 0
	for src, id := range own {
		if !hit[src+" "+id] && rs.Set.Lookup(id) != nil {
			missing++
			t.Errorf("%s: own rule %s not among its rows", filepath.Base(src), id)
		}
	}
	t.Logf("%d rows for %d samples and the web excerpt; %d samples without their rule", len(gotKeys), len(own), missing)

	// level>=high and tags select; multi-value tags.
	high := s.run(`* | sigma rules="` + rulesDir + `" level>=high tags=attack.t1003 | table sigma_level, sigma_tags`)
	if len(high) < 2 {
		t.Fatal("no high credential-access rows")
	}
	for _, r := range high[1:] {
		if r[0] != "high" && r[0] != "critical" || !strings.Contains("\n"+r[1], "\nattack.t1003") {
			t.Errorf("level>=high tags=attack.t1003: %q", r)
		}
	}
}

// TestSigmaStagePushdown: right after the search, the sigma stage's rules
// join the scan filter: the same rows as without (Options.NoSigmaPushdown),
// for all of SigmaHQ's rules, the web rules alone (which skip the chunks
// of Windows events) and one Windows rule, with and without search terms
// before the stage; and chunks are skipped.
func TestSigmaStagePushdown(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "datasets", "sigma")
	if _, err := os.Stat(filepath.Join(root, "regression_data")); err != nil {
		t.Skip("SigmaHQ regression samples not available")
	}
	var files []string
	filepath.WalkDir(filepath.Join(root, "regression_data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".evtx") && len(files) < 60 {
			files = append(files, p)
		}
		return nil
	})
	files = append(files, webExcerpt)
	s := excerptDB(t, files...)
	run := func(q string, opt Options) ([]string, Stats) {
		t.Helper()
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		st, err := Run(context.Background(), s.DB, pq, opt, func(b *Batch) error {
			for r := 0; r < b.Len; r++ {
				var cells []string
				for i, f := range b.Fields {
					cells = append(cells, f+"="+b.Cols[i][r].String())
				}
				rows = append(rows, strings.Join(cells, " "))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		sort.Strings(rows)
		return rows, st
	}
	skipped := int64(0)
	for _, rules := range []string{filepath.Join(root, "rules"), filepath.Join(root, "rules", "web"),
		filepath.Join(root, "rules", "windows", "process_creation")} {
		for _, search := range []string{"*", "sourcetype=apache OR sourcetype=evtx", `NOT "no such words anywhere"`} {
			q := search + ` | sigma rules="` + rules + `" | fields _time, source, sigma_id`
			got, st := run(q, Options{})
			want, _ := run(q, Options{NoSigmaPushdown: true})
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: %d rows with the pushdown, %d without", q, len(got), len(want))
			}
			skipped += st.SkippedPrune + st.SkippedTokens
			if strings.HasSuffix(rules, "web") && search == "*" {
				if len(got) == 0 {
					t.Errorf("%s: no rows", q)
				}
				if st.SkippedPrune == 0 {
					t.Errorf("%s: no chunk skipped (%+v)", q, st.ScanStats)
				}
			}
		}
	}
	if skipped == 0 {
		t.Error("the pushdown skipped nothing")
	}
}

// TestSigmaInAppendpipeKeepsRows: a sigma stage inside appendpipe runs
// on the copy of the rows; it must not narrow the main search's scan (the
// pushdown is for the stage right after the search only).
func TestSigmaInAppendpipeKeepsRows(t *testing.T) {
	rules := filepath.Join("..", "..", "shared", "datasets", "sigma", "rules", "web")
	if _, err := os.Stat(rules); err != nil {
		t.Skip("SigmaHQ rules not available")
	}
	s := excerptDB(t, webExcerpt, authExcerpt)
	all := s.run(`* | stats count`)
	got := s.run(`* | appendpipe [sigma rules="` + rules + `" | stats count as hits] | stats count`)
	n, _ := strconv.Atoi(all[1][0])
	m, _ := strconv.Atoi(got[1][0])
	if m != n+1 {
		t.Errorf("%d events, %d rows with the appendpipe (want one more)", n, m)
	}
}
