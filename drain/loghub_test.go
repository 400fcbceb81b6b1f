package drain

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// loghubDir holds the loghub 2k samples (see shared/datasets/README.md).
var loghubDir = filepath.Join("..", "..", "shared", "datasets", "loghub")

// loghubSetting is logparser's Drain benchmark setting for one dataset
// (logparser/Drain/benchmark.py) and the grouping accuracy published for
// it (Zhu et al., ICSE-SEIP 2019, as re-run in logparser's Drain README).
type loghubSetting struct {
	name      string
	masks     []string
	sim       float64
	depth     int
	published float64
}

var loghubSettings = []loghubSetting{
	{"HDFS", []string{`blk_-?\d+`, `(\d+\.){3}\d+(:\d+)?`}, 0.5, 4, 0.9975},
	{"Hadoop", []string{`(\d+\.){3}\d+`}, 0.5, 4, 0.9475},
	{"Spark", []string{`(\d+\.){3}\d+`, `\b[KGTM]?B\b`, `([\w-]+\.){2,}[\w-]+`}, 0.5, 4, 0.92},
	{"Zookeeper", []string{`(/|)(\d+\.){3}\d+(:\d+)?`}, 0.5, 4, 0.9665},
	{"BGL", []string{`core\.\d+`}, 0.5, 4, 0.9625},
	{"HPC", []string{`=\d+`}, 0.5, 4, 0.887},
	{"Thunderbird", []string{`(\d+\.){3}\d+`}, 0.5, 4, 0.955},
	{"Windows", []string{`0x.*?\s`}, 0.7, 5, 0.997},
	{"Linux", []string{`(\d+\.){3}\d+`, `\d{2}:\d{2}:\d{2}`}, 0.39, 6, 0.69},
	{"Android", []string{`(/[\w-]+)+`, `([\w-]+\.){2,}[\w-]+`, `\b(\-?\+?\d+)\b|\b0[Xx][a-fA-F\d]+\b|\b[a-fA-F\d]{4,}\b`}, 0.2, 6, 0.911},
	{"HealthApp", nil, 0.2, 4, 0.78},
	{"Apache", []string{`(\d+\.){3}\d+`}, 0.5, 4, 1},
	{"Proxifier", []string{`<\d+\ssec`, `([\w-]+\.)+[\w-]+(:\d+)?`, `\d{2}:\d{2}(:\d{2})*`, `[KGTM]B`}, 0.6, 3, 0.5265},
	{"OpenSSH", []string{`(\d+\.){3}\d+`, `([\w-]+\.){2,}[\w-]+`}, 0.6, 5, 0.7875},
	{"OpenStack", []string{`((\d+\.){3}\d+,?)+`, `/.+?\s`, `\d+`}, 0.5, 5, 0.7325},
	{"Mac", []string{`([\w-]+\.){2,}[\w-]+`}, 0.7, 6, 0.7865},
}

// config returns the benchmark's Drain settings for the dataset.
func (s loghubSetting) config() Config {
	cfg := DefaultConfig()
	cfg.Sim, cfg.Depth, cfg.CountMasked, cfg.SplitMax = s.sim, s.depth, false, 0
	cfg.NoMerge, cfg.BareWild = true, true
	var res []*regexp.Regexp
	for _, m := range s.masks {
		res = append(res, regexp.MustCompile(m))
	}
	cfg.Mask = func(line string) string {
		for _, re := range res {
			line = re.ReplaceAllLiteralString(line, Wild)
		}
		return line
	}
	return cfg
}

// loghubTruth is one dataset's messages and a ground truth for them.
type loghubTruth struct {
	content   []string // the Content column: the message without its header
	ids       []string // EventId: the true group of each line
	templates []string // EventTemplate: the true template of each line
}

// readLoghub returns the Content and EventId columns of a dataset's
// structured file, or skips the test when the datasets are absent.
func readLoghub(t testing.TB, name string) (content, truth []string) {
	t.Helper()
	d := readLoghubTruth(t, name, false)
	return d.content, d.ids
}

// readLoghubTruth reads a dataset's structured file: logparser's
// original ground truth, or with corrected the one Khan et al. (ICSE
// 2022) revised (shared/datasets/loghub/README.md). It skips the test
// when the datasets are absent.
func readLoghubTruth(t testing.TB, name string, corrected bool) loghubTruth {
	t.Helper()
	path := filepath.Join(loghubDir, name+"_2k.log_structured.csv")
	if corrected {
		path = filepath.Join(loghubDir, "corrected", name+"_2k.log_structured_corrected.csv")
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("loghub datasets not found in %s", loghubDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ci, ei, ti := -1, -1, -1
	for i, h := range recs[0] {
		switch h {
		case "Content":
			ci = i
		case "EventId":
			ei = i
		case "EventTemplate":
			ti = i
		}
	}
	if ci < 0 || ei < 0 || ti < 0 {
		t.Fatalf("%s: no Content, EventId or EventTemplate column", path)
	}
	var d loghubTruth
	for _, r := range recs[1:] {
		d.content = append(d.content, r[ci])
		d.ids = append(d.ids, r[ei])
		d.templates = append(d.templates, r[ti])
	}
	return d
}

// mineTemplates runs Drain over the lines and returns each line's final
// template: the predicted group, as logparser names groups by template.
func mineTemplates(cfg Config, lines []string) []string {
	d := New(cfg)
	ids := make([]int, len(lines))
	for i, l := range lines {
		ids[i] = d.Add(l)
	}
	out := make([]string, len(lines))
	for i, c := range ids {
		out[i] = d.Template(c)
	}
	return out
}

// groupingAccuracy is logparser's evaluator.get_accuracy: the lines of a
// predicted group count as correct when they all share one ground-truth
// EventId and that ground-truth group has exactly as many lines. Lines
// without a ground truth are left out.
func groupingAccuracy(pred, truth []string) float64 {
	predLines := map[string][]int{}
	truthSize := map[string]int{}
	total := 0
	for i, tr := range truth {
		if tr == "" {
			continue
		}
		total++
		truthSize[tr]++
		predLines[pred[i]] = append(predLines[pred[i]], i)
	}
	correct := 0
	for _, lines := range predLines {
		tr := truth[lines[0]]
		ok := truthSize[tr] == len(lines)
		for _, l := range lines {
			ok = ok && truth[l] == tr
		}
		if ok {
			correct += len(lines)
		}
	}
	if total == 0 {
		return 0
	}
	return float64(correct) / float64(total)
}

// parsingAccuracy is the share of lines whose template is their true
// template (Khan et al., ICSE 2022; loghub-2.0's PA), both with runs of
// white space made one space.
func parsingAccuracy(pred, truth []string) float64 {
	if len(truth) == 0 {
		return 0
	}
	ok := 0
	for i, tr := range truth {
		if strings.Join(strings.Fields(pred[i]), " ") == strings.Join(strings.Fields(tr), " ") {
			ok++
		}
	}
	return float64(ok) / float64(len(truth))
}

// TestLoghubGroupingAccuracy checks that Drain with the benchmark's
// settings groups the loghub 2k samples about as well as the published
// Drain (within 0.05, or better), and that the patterns stage's own
// settings group every dataset at least as well as the published Drain,
// with a mean GA of at least 0.975. It logs the table: GA of both, and the
// stage's grouping and parsing accuracy on the original and on the
// corrected ground truth.
func TestLoghubGroupingAccuracy(t *testing.T) {
	t.Logf("%-12s %9s %9s %9s %9s %9s %9s", "dataset", "published", "bench", "GA", "PA", "GA corr", "PA corr")
	var sumPub, sumBench, sumDef, sumPA, sumGAc, sumPAc float64
	for _, s := range loghubSettings {
		orig, corr := readLoghubTruth(t, s.name, false), readLoghubTruth(t, s.name, true)
		bench := groupingAccuracy(mineTemplates(s.config(), orig.content), orig.ids)
		pred := mineTemplates(DefaultConfig(), orig.content)
		def, pa := groupingAccuracy(pred, orig.ids), parsingAccuracy(pred, orig.templates)
		gac, pac := groupingAccuracy(pred, corr.ids), parsingAccuracy(pred, corr.templates)
		t.Logf("%-12s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f", s.name, s.published, bench, def, pa, gac, pac)
		sumPub, sumBench, sumDef = sumPub+s.published, sumBench+bench, sumDef+def
		sumPA, sumGAc, sumPAc = sumPA+pa, sumGAc+gac, sumPAc+pac
		if bench < s.published-0.05 {
			t.Errorf("%s: grouping accuracy %.4f, published Drain %.4f", s.name, bench, s.published)
		}
		if def < s.published {
			t.Errorf("%s: default settings: grouping accuracy %.4f, below published Drain %.4f", s.name, def, s.published)
		}
	}
	n := float64(len(loghubSettings))
	t.Logf("%-12s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f", "mean", sumPub/n, sumBench/n, sumDef/n, sumPA/n, sumGAc/n, sumPAc/n)
	if sumDef/n < 0.975 {
		t.Errorf("default settings: mean grouping accuracy %.4f, want at least 0.975", sumDef/n)
	}
}

// TestLoghubSweep logs the mean grouping accuracy of the stage's masks
// over the depths and thresholds considered for its defaults.
func TestLoghubSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("sweep")
	}
	for _, depth := range []int{4, 5, 6} {
		for _, sim := range []float64{0.4, 0.5, 0.6, 0.7, 0.8} {
			cfg := DefaultConfig()
			cfg.Sim, cfg.Depth = sim, depth
			var sum float64
			var line string
			for _, s := range loghubSettings {
				content, truth := readLoghub(t, s.name)
				ga := groupingAccuracy(mineTemplates(cfg, content), truth)
				sum += ga
				line += fmt.Sprintf(" %.2f", ga)
			}
			t.Logf("depth %d st %.1f: mean %.4f;%s", depth, sim, sum/float64(len(loghubSettings)), line)
		}
	}
}

// TestLoghubAblation logs the stage's GA on every dataset without its
// shared token parts (bare <*>), without its merge steps, and without
// both, to show what each is worth.
func TestLoghubAblation(t *testing.T) {
	if testing.Short() {
		t.Skip("ablation")
	}
	for _, v := range []struct {
		name              string
		noMerge, bareWild bool
	}{{"default", false, false}, {"BareWild", false, true}, {"NoMerge", true, false}, {"NoMerge BareWild", true, true}} {
		cfg := DefaultConfig()
		cfg.NoMerge, cfg.BareWild = v.noMerge, v.bareWild
		var sum float64
		var line string
		for _, s := range loghubSettings {
			content, truth := readLoghub(t, s.name)
			ga := groupingAccuracy(mineTemplates(cfg, content), truth)
			sum += ga
			line += fmt.Sprintf(" %s %.4f", s.name, ga)
		}
		t.Logf("%s: mean %.4f;%s", v.name, sum/float64(len(loghubSettings)), line)
	}
}

// BenchmarkDrain mines the loghub 2k messages, all sixteen datasets in
// turn, with the stage's settings.
func BenchmarkDrain(b *testing.B) {
	var lines []string
	var size int64
	for _, s := range loghubSettings {
		content, _ := readLoghub(b, s.name)
		lines = append(lines, content...)
	}
	for _, l := range lines {
		size += int64(len(l))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		d := New(DefaultConfig())
		for _, l := range lines {
			d.Add(l)
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(lines))/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkDrainTemplates is BenchmarkDrain with every line's final
// template asked for at the end, as the patterns stage does: the cost of
// the miner's merge steps is in it.
func BenchmarkDrainTemplates(b *testing.B) {
	var lines []string
	var size int64
	for _, s := range loghubSettings {
		content, _ := readLoghub(b, s.name)
		lines = append(lines, content...)
	}
	for _, l := range lines {
		size += int64(len(l))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		mineTemplates(DefaultConfig(), lines)
	}
	b.ReportMetric(float64(b.N)*float64(len(lines))/b.Elapsed().Seconds(), "lines/s")
}
