package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// writeBenchAccessLog writes n combined-log lines shaped like the
// reference corpus (../shared/bench/genlogs.py access): internal client
// IPs, a dozen paths, three agents, random sizes.
func writeBenchAccessLog(b *testing.B, n int) (string, int64) {
	b.Helper()
	r := rand.New(rand.NewPCG(13, 13))
	paths := []string{"/", "/index.html", "/login", "/api/v1/items", "/api/v1/items/42", "/static/app.js",
		"/static/style.css", "/images/logo.png", "/account", "/search?q=shoes", "/cart", "/checkout"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"}
	var sb strings.Builder
	t := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(250)) * time.Millisecond)
		fmt.Fprintf(&sb, "10.0.%d.%d - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"\n", r.IntN(8), 2+r.IntN(248),
			t.Format("02/Jan/2006:15:04:05 -0700"), paths[r.IntN(len(paths))], []int{200, 200, 200, 304, 404}[r.IntN(5)],
			r.IntN(60000), agents[r.IntN(3)])
	}
	path := filepath.Join(b.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(sb.Len())
}

// BenchmarkIngestApache ingests 500k combined-log lines into a new store
// on disk per iteration, through the whole pipeline.
func BenchmarkIngestApache(b *testing.B) {
	const lines = 500000
	path, size := writeBenchAccessLog(b, lines)
	b.SetBytes(size)
	b.ResetTimer()
	var dbSize int64
	for i := 0; i < b.N; i++ {
		dbPath := filepath.Join(b.TempDir(), "bench.db")
		db, err := store.Open(dbPath, store.OpenOptions{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := Ingest(context.Background(), db, Config{}, []string{path}, nil)
		if err != nil || sum.Events != lines {
			b.Fatalf("%+v %v", sum, err)
		}
		db.Close()
		fi, _ := os.Stat(dbPath)
		dbSize = fi.Size()
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(100*float64(dbSize)/float64(size), "store%")
}
