package query

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"loghunt/ingest"
	"loghunt/store"
)

// The benchmarks of issue 6's three questions. They run on a store made
// from a generated access log shaped like the reference corpus
// (../shared/bench/genlogs.py access: ~2000 internal client IPs, a few
// hundred paths, three agents, and scanners from 203.0.113.0/24 probing
// wp-login and friends in bursts), or, when LOGHUNT_BENCH_DB names a
// store, on that store (e.g. the 4.9M-line reference one made by
// `go run ./bench`).

var benchStore struct {
	once sync.Once
	db   *store.DB
	dir  string
	err  error
}

const benchLines = 1_000_000

func openBenchStore(b *testing.B) *store.DB {
	b.Helper()
	s := &benchStore
	s.once.Do(func() {
		if path := os.Getenv("LOGHUNT_BENCH_DB"); path != "" {
			s.db, s.err = store.Open(path, store.OpenOptions{ReadOnly: true})
			return
		}
		s.dir, s.err = os.MkdirTemp("", "loghunt-bench")
		if s.err != nil {
			return
		}
		log := filepath.Join(s.dir, "access.log")
		if s.err = writeAccessLog(log, benchLines); s.err != nil {
			return
		}
		s.db, s.err = store.Open(filepath.Join(s.dir, "bench.db"), store.OpenOptions{Create: true})
		if s.err != nil {
			return
		}
		_, s.err = ingest.Ingest(context.Background(), s.db, ingest.Config{}, []string{log}, nil)
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.db
}

// writeAccessLog writes n combined-log lines, deterministically.
func writeAccessLog(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(13, 13))
	paths := make([]string, 0, 250)
	for _, p := range []string{"/", "/index.html", "/login", "/account", "/cart", "/checkout", "/search?q=shoes",
		"/static/app.js", "/static/style.css", "/images/logo.png"} {
		paths = append(paths, p)
	}
	for i := len(paths); i < 240; i++ {
		paths = append(paths, fmt.Sprintf("/api/v1/items/%d", i))
	}
	probes := []string{"/wp-login.php", "/.env", "/admin", "/phpmyadmin/", "/.git/config", "/xmlrpc.php"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"}
	t := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC)
	scan := 0 // lines left in the current scanner burst
	scanner := ""
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(36)) * time.Millisecond)
		ip, path, status := fmt.Sprintf("10.0.%d.%d", r.IntN(8), 2+r.IntN(250)), paths[r.IntN(len(paths))], 200
		switch {
		case scan > 0:
			scan--
			ip, path, status = scanner, probes[r.IntN(len(probes))], 404
		case r.IntN(20000) == 0:
			scan, scanner = 20+r.IntN(60), fmt.Sprintf("203.0.113.%d", r.IntN(256))
		case r.IntN(25) == 0:
			status = 404
		case r.IntN(10) == 0:
			status = 304
		}
		fmt.Fprintf(w, "%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"\n", ip,
			t.Format("02/Jan/2006:15:04:05 -0700"), path, status, r.IntN(60000), agents[r.IntN(3)])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func benchQuery(b *testing.B, q string) {
	db := openBenchStore(b)
	pq, err := Parse(q)
	if err != nil {
		b.Fatal(err)
	}
	var st Stats
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		rows := 0
		st, err = Run(context.Background(), db, pq, Options{}, func(bt *Batch) error {
			rows += bt.Len
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if rows == 0 {
			b.Fatalf("%s: no rows", q)
		}
	}
	b.ReportMetric(float64(st.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// CPU time (user + system, all threads) per query: steadier than the
	// wall time on a machine that other work shares.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system time so far, in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkTop404: the top client IPs by 404s.
func BenchmarkTop404(b *testing.B) {
	benchQuery(b, "status=404 | stats count by clientip | sort -count, clientip | head 5")
}

// BenchmarkPerMinute: per-minute count and bytes, over every event.
func BenchmarkPerMinute(b *testing.B) {
	benchQuery(b, "* | bin _time span=1m | stats count, sum(bytes) as bytes by _time | sort -bytes | head 5")
}

// BenchmarkRareWord: a phrase search that the token filter can prune.
func BenchmarkRareWord(b *testing.B) {
	benchQuery(b, `"wp-login" | stats count`)
}

// BenchmarkScan decodes _raw and the parsed fields of every event.
func BenchmarkScan(b *testing.B) {
	benchQuery(b, "* | eval n=len(_raw) | stats sum(n), dc(clientip), dc(path), sum(bytes), max(status), max(_time)")
}

// BenchmarkHunt: the brute-force hunt of the seed pipeline, on the store
// of an auth.log named by LOGHUNT_BENCH_AUTH_DB (e.g. the one `go run
// ./bench` makes); skipped without it.
func BenchmarkHunt(b *testing.B) {
	path := os.Getenv("LOGHUNT_BENCH_AUTH_DB")
	if path == "" {
		b.Skip("LOGHUNT_BENCH_AUTH_DB names no auth.log store")
	}
	db, err := store.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	pq, err := Parse(`"Failed password" | rex "for (invalid user )?(?<user>\S+) from" | bin _time span=1m ` +
		`| stats count as attempts by _time, user | anomalies attempts contamination=0.01 | where is_anomaly | sort -anomaly_score | head 10`)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Run(context.Background(), db, pq, Options{}, func(*Batch) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuery runs the query in LOGHUNT_BENCH_QUERY on the store
// LOGHUNT_BENCH_DB names, for profiling any question
// (go test -bench Query -cpuprofile ...); skipped without them.
func BenchmarkQuery(b *testing.B) {
	if os.Getenv("LOGHUNT_BENCH_QUERY") == "" || os.Getenv("LOGHUNT_BENCH_DB") == "" {
		b.Skip("LOGHUNT_BENCH_QUERY and LOGHUNT_BENCH_DB name no query and store")
	}
	benchQuery(b, os.Getenv("LOGHUNT_BENCH_QUERY"))
}
