package sigma

import (
	"os"
	"path/filepath"
	"strings"
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

// BenchmarkScanners: LitScanner's Scan row by row and ScanRows over a
// scanner's web log (or LOGHUNT_SCAN_BENCH_LOG) with the webserver
// rules' literals (bytes/s is the text scanned).
func BenchmarkScanners(b *testing.B) {
	file := filepath.Join("..", "..", "shared", "datasets", "weblogs", "ocatak_acunetix_scan.log")
	if f := os.Getenv("LOGHUNT_SCAN_BENCH_LOG"); f != "" {
		file = f
	}
	data, err := os.ReadFile(file)
	if err != nil {
		b.Skip("web logs not available")
	}
	lits := webKeywordLiterals(b)
	lines := strings.Split(string(data), "\n")
	sc := NewLitScanner(lits)
	b.Run("Scan", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		n := 0
		for b.Loop() {
			for _, l := range lines {
				sc.Scan(l, func(int32) { n++ })
			}
		}
	})
	b.Run("ScanRows", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		n := 0
		for b.Loop() {
			sc.ScanRows(lines, func(int, int32) { n++ })
		}
	})
}
