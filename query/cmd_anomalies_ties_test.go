package query

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestAnomaliesTiesAtThreshold: rows tied at the contamination threshold
// once flagged nothing. Four rare processes that Isolation Forest scores
// alike at the top are all flagged, with a warning that says so; a saved
// model keeps the rule.
func TestAnomaliesTiesAtThreshold(t *testing.T) {
	var rows [][]any
	for i := range 96 {
		rows = append(rows, []any{[]string{"sshd", "cron", "systemd"}[i%3]})
	}
	for _, p := range []string{"nc", "xmrig", "socat", "mimikatz"} {
		rows = append(rows, []any{p})
	}
	in := table([]string{"process"}, rows...)
	var warnings []string
	ms := newMemModels()
	opt := &Options{Models: ms, Warn: func(m string) { warnings = append(warnings, m) }}
	out, err := runAnomaliesOpt(t, "process contamination=0.01 save=rare", in, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := flagged(out); !slices.Equal(got, []int{96, 97, 98, 99}) {
		t.Errorf("flagged %v, want the four rare processes [96 97 98 99] (scores %v)", got, scores(out)[94:])
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "4 rows tie at the threshold score") ||
		!strings.Contains(warnings[0], "4 flagged where contamination=0.01 asks for 1") {
		t.Errorf("warnings %q, want one about 4 tied rows", warnings)
	}
	loaded := mustAnomalies(t, "model=rare", in, ms)
	if got := flagged(loaded); !slices.Equal(got, []int{96, 97, 98, 99}) {
		t.Errorf("model=rare flagged %v, want [96 97 98 99]", got)
	}
}

// TestAnomaliesMADFarOutliers: the exfiltration hunt's shape, per-client
// megabytes mostly 0 to 0.2 and 46 clients far above. MAD once scored all
// 46 exactly 1, so contamination=0.005 flagged none; now the score keeps
// their order and the largest are flagged.
func TestAnomaliesMADFarOutliers(t *testing.T) {
	var rows [][]any
	for i := range 1711 {
		rows = append(rows, []any{fmt.Sprintf("10.0.%d.%d", i/256, i%256), float64(i%3) / 10})
	}
	for i := range 46 {
		rows = append(rows, []any{fmt.Sprintf("203.0.113.%d", i), 12 + 3.1*float64(i)})
	}
	in := table([]string{"clientip", "mb"}, rows...)
	out := mustAnomalies(t, "mb method=mad contamination=0.005", in, nil)
	// 1757 rows: numpy's 99.5th percentile sits between the 10th and 9th
	// largest, so the 9 largest are flagged.
	var want []int
	for r := 1757 - 9; r < 1757; r++ {
		want = append(want, r)
	}
	if got := flagged(out); !slices.Equal(got, want) {
		t.Errorf("flagged %v, want the 9 largest %v", got, want)
	}
	s := scores(out)
	for r := 1712; r < 1757; r++ {
		if !(s[r] > s[r-1]) || s[r] >= 1 {
			t.Fatalf("mb=%v scores %v after mb=%v's %v: want increasing, below 1", in.Get("mb", r), s[r], in.Get("mb", r-1), s[r-1])
		}
	}
}
