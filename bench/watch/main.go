// Command watch benchmarks `loghunt watch`: a real watch process follows a
// file that a writer in this process appends access-log lines to, and the
// store is read (read-only, as a query would) to see when lines are
// committed. See bench/README.md.
//
//	go run ./bench/watch -mode rate -duration 10s           # follow-and-ingest rate, writer flat out
//	go run ./bench/watch -mode latency -rate 1000           # append-to-committed p50/p99
//	go run ./bench/watch -mode latency -rate 100000
//	go run ./bench/watch -mode latency -rate 1000 -rules hunts/rules   # append to alerts stored
//	go run ./bench/watch -mode rss -rate 50000 -duration 10m   # peak RSS at 1, 5 and 10 minutes
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"loghunt/store"
)

func main() {
	mode := flag.String("mode", "rate", "rate, latency or rss")
	rate := flag.Int("rate", 1000, "lines per second the writer appends (latency, rss)")
	duration := flag.Duration("duration", 0, "how long the writer writes (default: 10s for rate and latency, 10m for rss)")
	bin := flag.String("bin", "", "the loghunt binary (default: go build one)")
	maxLines = flag.Int64("lines", 4000000, "most lines the rate writer writes")
	accessFile = flag.String("access", "", "take the rate writer's lines from the first 200,000 of this access log (default: made up)")
	prof := flag.String("cpuprofile", "", "the watch writes a CPU profile here")
	memProf := flag.String("memprofile", "", "the watch writes a heap profile here as it ends")
	dir := flag.String("dir", "", "work directory (default: a temporary one, removed after)")
	rulesDir := flag.String("rules", "", "run the watch with --rules DIR (e.g. hunts/rules): a commit is then visible once its rules ran and their alerts are stored")
	flag.Parse()
	if *duration == 0 {
		*duration = 10 * time.Second
		if *mode == "rss" {
			*duration = 10 * time.Minute
		}
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "loghunt-bench-watch")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}
	if *bin == "" {
		*bin = filepath.Join(*dir, "loghunt")
		out, err := exec.Command("go", "build", "-o", *bin, ".").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "go build (run from the repository root): %v\n%s", err, out)
			os.Exit(1)
		}
	}
	logs := filepath.Join(*dir, "logs")
	check(os.MkdirAll(logs, 0o755))
	db := filepath.Join(*dir, "bench.db")
	args := []string{"--db", db}
	if *prof != "" {
		args = append(args, "--cpuprofile", *prof)
	}
	if *memProf != "" {
		args = append(args, "--memprofile", *memProf)
	}
	args = append(args, "watch")
	if *rulesDir != "" {
		abs, err := filepath.Abs(*rulesDir)
		check(err)
		args = append(args, "--rules", abs)
	}
	watch := exec.Command(*bin, append(args, logs)...)
	watch.Dir = *dir // where a rule's log action writes
	watch.Stderr = os.Stderr
	check(watch.Start())
	defer func() {
		watch.Process.Signal(os.Interrupt)
		watch.Wait()
	}()
	time.Sleep(300 * time.Millisecond)
	switch *mode {
	case "rate":
		benchRate(db, logs, *duration)
	case "latency":
		benchLatency(db, logs, *rate, *duration)
	case "rss":
		benchRSS(db, logs, watch.Process.Pid, *rate, *duration)
	default:
		fmt.Fprintf(os.Stderr, "unknown -mode %q\n", *mode)
		os.Exit(2)
	}
}

var (
	maxLines   *int64
	accessFile *string
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var (
	paths  = []string{"/", "/index.html", "/login", "/wp-login.php", "/api/v1/items", "/static/app.js", "/images/logo.png", "/search", "/cart", "/admin"}
	agents = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "curl/8.5.0", "python-requests/2.31.0",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}
	statuses = []int{200, 200, 200, 200, 304, 301, 404, 404, 403, 500}
)

// accessLine appends one combined-log-format line at time t.
func accessLine(b []byte, r *rand.Rand, t time.Time) []byte {
	return fmt.Appendf(b, "%d.%d.%d.%d - - [%s] \"GET %s?id=%d HTTP/1.1\" %d %d \"-\" \"%s\"\n",
		10+r.IntN(3), 20+r.IntN(40), r.IntN(50), r.IntN(256), t.Format("02/Jan/2006:15:04:05 -0700"),
		paths[r.IntN(len(paths))], r.IntN(2000), statuses[r.IntN(len(statuses))], r.IntN(50000), agents[r.IntN(len(agents))])
}

// committed is how many lines the store's sources hold, read as a query
// would (read-only, waiting for the watch's commit if one is under way).
func committed(db string) int64 {
	s, err := store.Open(db, store.OpenOptions{ReadOnly: true})
	if err != nil {
		return -1
	}
	defer s.Close()
	srcs, err := s.Sources()
	if err != nil {
		return -1
	}
	var n int64
	for _, src := range srcs {
		n += src.Lines
	}
	return n
}

func waitCommitted(db string, n int64, timeout time.Duration) time.Time {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if committed(db) >= n {
			return time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "gave up: %d of %d lines committed after %v\n", committed(db), n, timeout)
	os.Exit(1)
	return time.Time{}
}

// readPool returns the lines of -access (up to 200,000, each with its
// newline), or nil.
func readPool() [][]byte {
	if *accessFile == "" {
		return nil
	}
	fh, err := os.Open(*accessFile)
	check(err)
	defer fh.Close()
	var pool [][]byte
	sc := bufio.NewScanner(fh)
	for len(pool) < 200000 && sc.Scan() {
		pool = append(pool, append(append([]byte(nil), sc.Bytes()...), '\n'))
	}
	return pool
}

// benchRate appends pre-made lines as fast as the writer can for d and
// reports lines over the time from the first write to the last commit.
func benchRate(db, logs string, d time.Duration) {
	r := rand.New(rand.NewPCG(1, 2))
	var pool []byte
	const poolLines = 200000
	now := time.Now()
	if *accessFile != "" {
		fh, err := os.Open(*accessFile)
		check(err)
		sc := bufio.NewScanner(fh)
		for n := 0; n < poolLines && sc.Scan(); n++ {
			pool = append(append(pool, sc.Bytes()...), '\n')
		}
		fh.Close()
	} else {
		for i := range poolLines {
			pool = accessLine(pool, r, now.Add(time.Duration(i)*time.Millisecond))
		}
	}
	f, err := os.OpenFile(filepath.Join(logs, "access.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	check(err)
	start := time.Now()
	var lines int64
	for time.Since(start) < d && lines < *maxLines {
		_, err := f.Write(pool)
		check(err)
		lines += poolLines
	}
	f.Close()
	wrote := time.Since(start)
	end := waitCommitted(db, lines, 10*time.Minute)
	el := end.Sub(start)
	fmt.Printf("rate: %d lines (%d MB) written in %.1fs (%.0f lines/s); all committed after %.1fs: %.0f lines/s followed and ingested\n",
		lines, int64(len(pool))*lines/poolLines>>20, wrote.Seconds(), float64(lines)/wrote.Seconds(), el.Seconds(), float64(lines)/el.Seconds())
}

// benchLatency appends rate lines/s (every millisecond a few) for d and
// reports, over every line, the time from its write to the first read of
// the store that holds it.
func benchLatency(db, logs string, rate int, d time.Duration) {
	f, err := os.OpenFile(filepath.Join(logs, "access.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	check(err)
	type mark struct {
		lines int64
		at    time.Time
	}
	var mu sync.Mutex
	var marks []mark
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := rand.New(rand.NewPCG(3, 4))
		pool := readPool()
		start := time.Now()
		var lines int64
		var buf []byte
		for time.Since(start) < d {
			want := int64(time.Since(start).Seconds() * float64(rate))
			if want > lines {
				buf = buf[:0]
				now := time.Now()
				for i := lines; i < want; i++ {
					if pool != nil {
						buf = append(buf, pool[i%int64(len(pool))]...)
						continue
					}
					buf = accessLine(buf, r, now)
				}
				_, err := f.Write(buf)
				check(err)
				lines = want
				mu.Lock()
				marks = append(marks, mark{lines, time.Now()})
				mu.Unlock()
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var lat []time.Duration // per line
	next := 0
	var prev int64
	poll := func() {
		n := committed(db)
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		for next < len(marks) && marks[next].lines <= n {
			for range marks[next].lines - prev {
				lat = append(lat, now.Sub(marks[next].at))
			}
			prev = marks[next].lines
			next++
		}
	}
	for {
		select {
		case <-done:
			mu.Lock()
			total := marks[len(marks)-1].lines
			mu.Unlock()
			waitCommitted(db, total, time.Minute)
			poll()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
			fmt.Printf("latency at %d lines/s for %v: %d lines; append to committed p50 %v, p99 %v, max %v (store read every 25 ms)\n",
				rate, d, len(lat), q(0.50).Round(time.Millisecond), q(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
			return
		case <-time.After(25 * time.Millisecond):
			poll()
		}
	}
}

// benchRSS appends rate lines/s for d, rotating the file by rename every
// million lines (and deleting rotated files after 30 s, as logrotate
// would), and reports the watch's peak RSS at 1, 5 and 10 minutes.
func benchRSS(db, logs string, pid, rate int, d time.Duration) {
	log := filepath.Join(logs, "access.log")
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	check(err)
	r := rand.New(rand.NewPCG(5, 6))
	start := time.Now()
	var lines, sinceRotate int64
	var buf []byte
	samples := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute}
	type rotated struct {
		name string
		at   time.Time
	}
	var old []rotated
	var peakAnon int64
	lastSample := time.Time{}
	for time.Since(start) < d {
		el := time.Since(start)
		if time.Since(lastSample) >= 250*time.Millisecond {
			peakAnon = max(peakAnon, procStatus(pid).anon)
			lastSample = time.Now()
		}
		if len(samples) > 0 && el >= samples[0] {
			printRSS(fmt.Sprint(samples[0]), procStatus(pid), peakAnon, lines, committed(db))
			samples = samples[1:]
		}
		want := int64(el.Seconds() * float64(rate))
		if want > lines {
			buf = buf[:0]
			now := time.Now()
			for range want - lines {
				buf = accessLine(buf, r, now)
			}
			_, err := f.Write(buf)
			check(err)
			sinceRotate += want - lines
			lines = want
		}
		if sinceRotate >= 1000000 {
			f.Close()
			name := fmt.Sprintf("%s.%d", log, len(old)+1)
			check(os.Rename(log, name))
			old = append(old, rotated{name, time.Now()})
			f, err = os.OpenFile(log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			check(err)
			sinceRotate = 0
		}
		for _, o := range old {
			if o.name != "" && time.Since(o.at) > 30*time.Second {
				os.Remove(o.name)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	printRSS(fmt.Sprintf("end (%v)", d), procStatus(pid), peakAnon, lines, committed(db))
}

// printRSS prints a memory sample: the resident set, and its anonymous
// part (the heap: what the process holds) apart from its file-backed part
// (pages of the database's mmap, which the kernel reclaims as cache).
func printRSS(at string, m memStatus, peakAnon, lines, committed int64) {
	fmt.Printf("rss at %s: current %d MB, peak %d MB; anonymous %d MB (peak %d MB sampled every 250ms), file-backed %d MB (%d lines written, %d committed)\n",
		at, m.rss>>10, m.hwm>>10, m.anon>>10, peakAnon>>10, m.file>>10, lines, committed)
}

// memStatus is a process's memory from /proc/PID/status, in KiB.
type memStatus struct{ rss, hwm, anon, file int64 }

// procStatus returns VmRSS, VmHWM (peak), RssAnon and RssFile of pid.
func procStatus(pid int) (m memStatus) {
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.rss = n
		case "VmHWM":
			m.hwm = n
		case "RssAnon":
			m.anon = n
		case "RssFile":
			m.file = n
		}
	}
	return m
}
