package sigma

import (
	"path/filepath"
	"testing"
)

// BenchmarkMatchWebRules evaluates every SigmaHQ web rule on one
// access-log event (the direct evaluator, no pruning).
func BenchmarkMatchWebRules(b *testing.B) {
	set, err := Load(Options{}, filepath.Join(sigmaDir(b, "rules"), "web"))
	if err != nil {
		b.Fatal(err)
	}
	e := ev("cs-method", "GET", "cs-uri-query", "/index.php?id=1%20UNION%20SELECT%20password%20FROM%20users",
		"cs-uri-stem", "/index.php", "sc-status", "200", "c-ip", "203.0.113.5",
		"cs-user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "cs-referer", "-")
	e.raw = `203.0.113.5 - - [01/Mar/2024:04:00:00 +0000] "GET /index.php?id=1%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"`
	var rules []*Rule
	for _, r := range set.Rules {
		if r.CanRun() {
			rules = append(rules, r)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range rules {
			r.Match(e)
		}
	}
	b.ReportMetric(float64(len(rules)), "rules")
}
