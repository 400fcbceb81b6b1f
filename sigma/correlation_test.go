package sigma

import (
	"strings"
	"testing"
	"time"
)

func TestTimespan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"5m", 5 * time.Minute, true}, {"90m", 90 * time.Minute, true}, {"1h", time.Hour, true}, {"2d", 48 * time.Hour, true},
		{"30s", 30 * time.Second, true}, {"5", 0, false}, {"m", 0, false}, {"5w", 0, false}, {"-5m", 0, false}, {"1.5h", 0, false}} {
		got, err := parseTimespan(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q: %v %v", tc.in, got, err)
		}
	}
}

// TestCorrelationProblems checks that correlations that cannot run say why.
func TestCorrelationProblems(t *testing.T) {
	base := "---\ntitle: r\nname: r\nlogsource: {product: x}\ndetection:\n    s: {F: x}\n    condition: s\n"
	tests := []struct{ doc, msg string }{
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [r]\n    group-by: [u]\n    timespan: 5m\n", "has no condition"},
		{"title: c\ncorrelation:\n    type: event_cnt\n    rules: [r]\n    timespan: 5m\n    condition: {gte: 1}\n", "unknown correlation type"},
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [nope]\n    timespan: 5m\n    condition: {gte: 1}\n", `rule "nope" is not loaded`},
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [r]\n    timespan: 5 minutes\n    condition: {gte: 1}\n", "timespan"},
		{"title: c\ncorrelation:\n    type: value_count\n    rules: [r]\n    timespan: 5m\n    condition: {gte: 1}\n", "needs a field"},
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [r]\n    timespan: 5m\n    condition: {gte: many}\n", "needs a number"},
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [r]\n    timespan: 5m\n    condition: {between: 1}\n", "unknown correlation condition"},
		{"title: c\nname: c\ncorrelation:\n    type: temporal\n    rules: [r, d]\n    timespan: 5m\n---\ntitle: d\nname: d\ncorrelation:\n    type: temporal\n    rules: [c, r]\n    timespan: 5m\n", "refers back to itself"},
		{"title: c\ncorrelation:\n    type: temporal\n    rules: [r]\n    group-by: [ip]\n    timespan: 5m\n    aliases:\n        ip:\n            zzz: src\n", `names rule "zzz"`},
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [bad]\n    timespan: 5m\n    condition: {gte: 1}\n---\ntitle: b\nname: bad\nlogsource: {product: x}\ndetection:\n    s: {F|nope: x}\n    condition: s\n", "cannot run"},
		{"title: c\ncorrelation:\n    type: event_count\n    rules: [m]\n    group-by: [host]\n    timespan: 5m\n    condition: {gte: 1}\n---\ntitle: m\nname: m\ncorrelation:\n    type: event_count\n    rules: [r]\n    group-by: [user]\n    timespan: 5m\n    condition: {gte: 1}\n", "not a group-by field"},
	}
	for _, tc := range tests {
		set := NewSet(Parse("c.yml", []byte(tc.doc+base), Options{}))
		found := false
		for _, c := range set.Correlations {
			for _, p := range c.Problems {
				found = found || strings.Contains(p.Msg, tc.msg)
			}
		}
		if !found {
			var all []string
			for _, p := range set.Check() {
				all = append(all, p.String())
			}
			t.Errorf("%q: no problem with %q in %v", tc.doc, tc.msg, all)
		}
	}
}

func TestSourceIndex(t *testing.T) {
	set := NewSet(Parse("chain.yml", []byte(specChain), Options{}))
	top := set.Lookup("b180ead8-d58f-40b2-ae54-c8940995b9b6").(*Correlation)
	for ref, want := range map[string]int{"multiple_failed_login": 0, "a8418a5a-5fc4-46b5-b23b-6c73beb19d41": 0,
		"successful_login": 1, "4d0a2c83-c62c-4ed4-b475-c7e23a9269b8": 1, "failed_login": -1} {
		if got := top.SourceIndex(ref); got != want {
			t.Errorf("%s: %d, want %d", ref, got, want)
		}
	}
}

// TestExtractUnlinked: a correlation parsed alone (no Set) extracts its
// inputs with aliases by the rule references as written.
func TestExtractUnlinked(t *testing.T) {
	col := Parse("a.yml", []byte(aliasChain), Options{})
	c := col.Correlations[0]
	g, _, _, ok := c.Extract(1, ev("source.ip", "10.0.0.1", "destination.ip", "192.0.2.9"))
	if !ok || g[0] != "10.0.0.1" || g[1] != "192.0.2.9" {
		t.Fatalf("%v %v", g, ok)
	}
	if _, _, _, ok := c.Extract(0, ev("source.ip", "10.0.0.1")); ok {
		t.Fatal("an event without the group-by field took part")
	}
}
