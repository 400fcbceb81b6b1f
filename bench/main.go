// Command bench times loghunt and the peers a hunter would otherwise use
// (DuckDB, lnav, pandas + scikit-learn) on the same logs and the same
// questions, in one run, and prints a table with the ratios and the
// targets of DESIGN.md. See bench/README.md.
//
//	go run ./bench [--small] [--dir DIR] [--access FILE] [--auth FILE] [--peers]
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

//go:embed duckdb.mjs
var duckScript []byte

type config struct {
	dir, access, auth string
	small, peers      bool
	runs              int
	loghunt           string
}

func main() {
	var c config
	home, _ := os.UserCacheDir()
	flag.StringVar(&c.dir, "dir", filepath.Join(home, "loghunt-bench"), "where the corpus, the stores and the peers' files go")
	flag.StringVar(&c.access, "access", "", "an Apache combined log to use instead of the generated one")
	flag.StringVar(&c.auth, "auth", "", "an sshd auth.log to use instead of the generated one")
	flag.BoolVar(&c.small, "small", false, "a corpus 10x smaller (about 490k access and 90k auth lines)")
	flag.BoolVar(&c.peers, "peers", true, "also time the peers that are installed (DuckDB, lnav, pandas + scikit-learn)")
	flag.IntVar(&c.runs, "runs", 3, "runs per query; the median counts")
	flag.Parse()
	if err := run(&c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// result is one timed piece of work.
type result struct {
	tool, work string
	secs       float64
	rssMB      float64
	note       string
}

func run(c *config) error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	if err := corpus(c); err != nil {
		return err
	}
	c.loghunt = filepath.Join(c.dir, "loghunt")
	if out, err := exec.Command("go", "build", "-o", c.loghunt, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build (run bench from the repository root): %v\n%s", err, out)
	}
	res, hour, err := timeLoghunt(c)
	if err != nil {
		return err
	}
	if c.peers {
		res = append(res, timePeers(c, hour)...)
	}
	report(c, res)
	return nil
}

// corpus makes the reference logs with the shared generator, unless the
// user named files.
func corpus(c *config) error {
	n := map[string]int{"access": 7_000_000, "authlog": 3_000_000}
	if c.small {
		n["access"], n["authlog"] = 700_000, 300_000
	}
	gen, err := filepath.Abs(filepath.Join("..", "shared", "bench", "genlogs.py"))
	if err != nil {
		return err
	}
	for _, k := range []struct {
		kind string
		path *string
		seed string
	}{{"access", &c.access, "13"}, {"authlog", &c.auth, "11"}} {
		if *k.path != "" {
			continue
		}
		*k.path = filepath.Join(c.dir, fmt.Sprintf("%s-%d.log", k.kind, n[k.kind]))
		if _, err := os.Stat(*k.path); err == nil {
			continue
		}
		if _, err := os.Stat(gen); err != nil {
			return fmt.Errorf("no corpus: %s is missing; name your own logs with --access and --auth", gen)
		}
		fmt.Fprintf(os.Stderr, "generating %s (%d events)...\n", *k.path, n[k.kind])
		if out, err := exec.Command("python3", gen, k.kind, fmt.Sprint(n[k.kind]), k.seed, *k.path, *k.path+".labels.json").CombinedOutput(); err != nil {
			return fmt.Errorf("genlogs: %v\n%s", err, out)
		}
	}
	return nil
}

// timed runs a command and returns its wall time, peak RSS and output.
func timed(name string, args ...string) (secs, rssMB float64, out []byte, err error) {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err = cmd.Output()
	secs = time.Since(start).Seconds()
	if err != nil {
		return secs, 0, out, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rssMB = float64(ru.Maxrss) / 1024
	}
	return secs, rssMB, out, nil
}

// median runs a command several times and keeps the median wall time and
// the largest peak RSS.
func median(runs int, name string, args ...string) (float64, float64, []byte, error) {
	var secs []float64
	var rss float64
	var out []byte
	for range runs {
		s, r, o, err := timed(name, args...)
		if err != nil {
			return 0, 0, nil, err
		}
		secs, rss, out = append(secs, s), max(rss, r), o
	}
	slices.Sort(secs)
	return secs[len(secs)/2], rss, out, nil
}

// scanNote runs a query with --stats and returns what its scan read.
func scanNote(loghunt, db, q string) (string, error) {
	cmd := exec.Command(loghunt, "--db", db, "query", "--stats", "--format", "csv", q)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", q, err, stderr.String())
	}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(l, "chunks read") {
			return l, nil
		}
	}
	return "", fmt.Errorf("%s: no scan stats in %q", q, stderr.String())
}

func firstRow(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 {
		return ""
	}
	return lines[1]
}

// loghuntQueries are the questions of issue 6, on the access log.
var loghuntQueries = []struct{ work, q string }{
	{"top404", "status=404 | stats count by clientip | sort -count, clientip | head 5"},
	{"perminute", "* | bin _time span=1m | stats count, sum(bytes) as bytes by _time | sort -bytes | head 5"},
	{"rareword", `"wp-login" | stats count`},
}

// seedQuery is the brute-force hunt of the seed pipeline, on the fields
// ingest gives sshd lines (it used rex before they existed).
const seedQuery = `action=failure auth_method=password | bin _time span=1m ` +
	`| stats count as attempts by _time, user | anomalies attempts contamination=0.01 ` +
	`| where is_anomaly | sort -anomaly_score | head 10`

func timeLoghunt(c *config) ([]result, [2]time.Time, error) {
	var res []result
	var hour [2]time.Time
	// The load is the median of runs ingests into a new store each, as
	// the queries are.
	db := filepath.Join(c.dir, "access.db")
	var loads []float64
	var rss float64
	for range c.runs {
		os.Remove(db)
		s, r, _, err := timed(c.loghunt, "--db", db, "ingest", c.access)
		if err != nil {
			return nil, hour, err
		}
		loads, rss = append(loads, s), max(rss, r)
	}
	slices.Sort(loads)
	secs := loads[len(loads)/2]
	fi, _ := os.Stat(db)
	raw, _ := os.Stat(c.access)
	res = append(res, result{"loghunt", "load", secs, rss, ""},
		result{"loghunt", "store %", 100 * float64(fi.Size()) / float64(raw.Size()), 0, fmt.Sprintf("%.0f MB", float64(fi.Size())/1e6)})
	for _, q := range loghuntQueries {
		secs, rss, out, err := median(c.runs, c.loghunt, "--db", db, "query", "--format", "csv", q.q)
		if err != nil {
			return nil, hour, err
		}
		res = append(res, result{"loghunt", q.work, secs, rss, firstRow(out)})
	}
	// One hour in the middle of the log: only its chunks are read.
	_, _, out, err := timed(c.loghunt, "--db", db, "sources", "--format", "json")
	if err != nil {
		return nil, hour, err
	}
	var src struct{ First, Last string }
	json.Unmarshal(bytes.SplitN(out, []byte("\n"), 2)[0], &src)
	first, _ := time.Parse(time.RFC3339, src.First)
	last, _ := time.Parse(time.RFC3339, src.Last)
	mid := first.Add(last.Sub(first) / 2).Truncate(time.Hour)
	hour = [2]time.Time{mid, mid.Add(time.Hour)}
	hq := fmt.Sprintf("earliest=%s latest=%s | stats count, sum(bytes)", hour[0].Format(time.RFC3339), hour[1].Format(time.RFC3339))
	secs, rss, out, err = median(c.runs, c.loghunt, "--db", db, "query", "--stats", "--format", "csv", hq)
	if err != nil {
		return nil, hour, err
	}
	res = append(res, result{"loghunt", "hour", secs, rss, firstRow(out)})
	// What the scans read: chunks of the hour only; the rare word's
	// chunks only.
	for _, q := range []struct{ work, q string }{{"hour", hq}, {"rareword", loghuntQueries[2].q}} {
		note, err := scanNote(c.loghunt, db, q.q)
		if err != nil {
			return nil, hour, err
		}
		res = append(res, result{"loghunt", q.work + " scan", -1, 0, note})
	}
	// The brute-force hunt: ingest the auth log, then the hunt.
	adb := filepath.Join(c.dir, "auth.db")
	os.Remove(adb)
	isecs, irss, _, err := timed(c.loghunt, "--db", adb, "ingest", c.auth)
	if err != nil {
		return nil, hour, err
	}
	// The query alone is a median of runs, as the other queries are.
	qsecs, qrss, out, err := median(c.runs, c.loghunt, "--db", adb, "query", "--format", "csv", seedQuery)
	if err != nil {
		return nil, hour, err
	}
	res = append(res, result{"loghunt", "hunt", isecs + qsecs, max(irss, qrss), firstRow(out)},
		result{"loghunt", "hunt query", qsecs, qrss, ""})
	return res, hour, nil
}
