package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// loghuntRun runs the binary and returns its stdout, stderr and exit code.
func loghuntRun(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("loghunt %v: %v", args, err)
	}
	if strings.Contains(errb.String(), "goroutine ") || strings.Contains(errb.String(), "panic") {
		t.Fatalf("loghunt %v crashed:\n%s", args, errb.String())
	}
	return out.String(), errb.String(), code
}

// checkEvents parses the "events by source" lines of loghunt check:
// events and events in damaged chunks, by source.
func checkEvents(t *testing.T, out string) (map[string]int64, map[string]int64) {
	t.Helper()
	events, damaged := map[string]int64{}, map[string]int64{}
	line := regexp.MustCompile(`^\s+(\d+)  (\S+)(?:  \((\d+) of them in \d+ damaged chunks?.*\))?$`)
	in := false
	for _, l := range strings.Split(out, "\n") {
		if l == "events by source:" {
			in = true
			continue
		}
		if !in || l == "" {
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("check: unexpected line %q", l)
		}
		events[m[2]], _ = strconv.ParseInt(m[1], 10, 64)
		if m[3] != "" {
			damaged[m[2]], _ = strconv.ParseInt(m[3], 10, 64)
		}
	}
	if !in {
		t.Fatalf("check lists no events by source:\n%s", out)
	}
	return events, damaged
}

// countBySource runs '* | stats count by source'.
func countBySource(t *testing.T, bin, db string, extra ...string) (map[string]int64, string) {
	t.Helper()
	args := append([]string{"--db", db, "query", "--format", "csv"}, extra...)
	out, errs, code := loghuntRun(t, bin, append(args, "* | stats count by source")...)
	if code != 0 {
		t.Fatalf("stats count by source: exit %d\n%s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("stats count by source: %v\n%s", err, out)
	}
	got := map[string]int64{}
	for _, r := range rows[1:] {
		got[r[0]], _ = strconv.ParseInt(r[1], 10, 64)
	}
	return got, errs
}

// TestCheckCountsMatchQueries: the events check lists per source are what
// a query counts by source, on real logs (Zeek TSV and the SecRepo auth
// log).
func TestCheckCountsMatchQueries(t *testing.T) {
	zeek := filepath.Join(shared, "datasets", "zeek", "wrccdc2018_tsv")
	auth := filepath.Join(shared, "datasets", "authlog", "secrepo_auth.log")
	for _, p := range []string{zeek, auth} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("shared data sets not available: %v", err)
		}
	}
	if testing.Short() {
		t.Skip("ingests 13 MB of real logs")
	}
	bin := linkLoghunt(t)
	db := filepath.Join(t.TempDir(), "real.db")
	if _, errs, code := loghuntRun(t, bin, "--db", db, "ingest", "--year", "2015", zeek, auth); code != 0 {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	out, errs, code := loghuntRun(t, bin, "--db", db, "check")
	if code != 0 {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	events, _ := checkEvents(t, out)
	got, _ := countBySource(t, bin, db)
	if len(events) < 10 || fmt.Sprint(events) != fmt.Sprint(got) {
		t.Errorf("check lists %v\nqueries count %v", events, got)
	}
}

// TestDamagedStoreCLI overwrites 4 KiB at several places inside the chunks
// of a copy of a real store (the WRCCDC Zeek DNS log: 53,615 events in two
// chunks) and runs check and queries on it: check names the damaged
// chunk and still counts its events with its source; a query that reads
// what is damaged exits 1 naming the chunk, its source and time range,
// and one that does not gives the undamaged answer; with --skip-damaged
// the count is the undamaged one minus the events it says it skipped.
// Queries used to read damaged bytes without noticing and print changed
// answers with exit 0.
func TestDamagedStoreCLI(t *testing.T) {
	dns := filepath.Join(shared, "datasets", "zeek", "wrccdc2018_tsv", "dns.log.gz")
	if _, err := os.Stat(dns); err != nil {
		t.Skipf("shared data sets not available: %v", err)
	}
	bin := linkLoghunt(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if _, errs, code := loghuntRun(t, bin, "--db", good, "ingest", dns); code != 0 {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	// The first query prints every field of every event: it reads all.
	queries := []string{
		"*",
		"* | stats count(rtt) as n, sum(rtt) as s",
		"NXDOMAIN | stats count",
		"* | stats count by qtype_name | sort -count, qtype_name | head 5",
		"* | stats dc(query) as q, count(answers) as a",
	}
	want := map[string]string{}
	for _, q := range queries {
		out, errs, code := loghuntRun(t, bin, "--db", good, "query", "--format", "csv", q)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", q, code, errs)
		}
		want[q] = out
	}
	total := int64(csvRows(t, want[queries[0]]))
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Chunk values start with their magic: damage their insides.
	var starts []int
	for i := 0; ; {
		j := bytes.Index(orig[i:], []byte("LHC2"))
		if j < 0 {
			break
		}
		starts = append(starts, i+j)
		i += j + 4
	}
	if len(starts) != 2 {
		t.Fatalf("%d chunk values found, want 2", len(starts))
	}
	offsets := []int{starts[0] + 8, starts[0] + 3000, starts[0] + 60_000, starts[0] + 100_008, starts[0] + 300_000, starts[0] + 700_000,
		starts[0] + 1_100_000, starts[0] + 1_200_008, starts[1] + 20_000, starts[1] + 200_000}
	r := rand.New(rand.NewPCG(17, 17))
	skipLine := regexp.MustCompile(`skipped (\d+) events in 1 damaged chunk`)
	var readFails string // a store on which "*" fails
	for _, off := range offsets {
		name := fmt.Sprintf("at %d", off)
		bad := append([]byte(nil), orig...)
		for k := range 4096 {
			bad[off+k] = byte(r.Uint32())
		}
		db := filepath.Join(dir, fmt.Sprintf("bad%d.db", off))
		if err := os.WriteFile(db, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		checkOut, errs, code := loghuntRun(t, bin, "--db", db, "check")
		if code != 1 || !regexp.MustCompile(`chunk \d+ \(.*\) is damaged`).MatchString(errs) {
			t.Errorf("%s: check: exit %d\n%s%s", name, code, checkOut, errs)
			continue
		}
		header := strings.Contains(errs, "its header is damaged")
		if !header {
			// The damaged chunk's events still count with its source.
			events, damaged := checkEvents(t, checkOut)
			if events[dns] != total || damaged[dns] == 0 || strings.Contains(errs, "chunks hold") {
				t.Errorf("%s: check: %v events of which %v damaged, want %d\n%s", name, events, damaged, total, errs)
			}
		}
		failed := 0
		for _, q := range queries {
			out, errs, code := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", q)
			switch {
			case code == 0 && out != want[q]:
				t.Errorf("%s: %s: exit 0 with a changed answer:\n%s\nwant\n%s", name, q, out, want[q])
			case code == 0:
			case code != 1:
				t.Errorf("%s: %s: exit %d\n%s", name, q, code, errs)
			case !header && !regexp.MustCompile(`chunk \d+ \(source `+regexp.QuoteMeta(dns)+`, 2018-03-\d\dT[0-9:.]+Z to 2018-03-\d\dT[0-9:.]+Z, \d+ events\) is damaged`).MatchString(errs):
				t.Errorf("%s: %s: the error does not name the chunk, source and time range:\n%s", name, q, errs)
			default:
				failed++
				if q == queries[0] && !header {
					readFails = db
				}
			}
			sout, serrs, scode := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", "--skip-damaged", q)
			if scode != 0 {
				t.Errorf("%s: %s --skip-damaged: exit %d\n%s", name, q, scode, serrs)
				continue
			}
			m := skipLine.FindStringSubmatch(serrs)
			switch {
			case code == 0 && (sout != want[q] || serrs != errs):
				t.Errorf("%s: %s --skip-damaged: %s%s, want the undamaged answer", name, q, sout, serrs)
			case code != 0 && header && !strings.Contains(serrs, "with a damaged header"):
				t.Errorf("%s: %s --skip-damaged: no warning of the damaged header:\n%s", name, q, serrs)
			case code != 0 && !header && m == nil:
				t.Errorf("%s: %s --skip-damaged: no warning of the events skipped:\n%s", name, q, serrs)
			case code != 0 && !header && q == queries[0]:
				// check's events less the damaged ones, and the
				// undamaged count less the skipped ones, are what a
				// query skipping damage reads.
				skipped, _ := strconv.ParseInt(m[1], 10, 64)
				events, damaged := checkEvents(t, checkOut)
				if got := int64(csvRows(t, sout)); got != total-skipped || got != events[dns]-damaged[dns] {
					t.Errorf("%s: --skip-damaged read %d events, want %d - %d skipped = check's %d - %d damaged",
						name, got, total, skipped, events[dns], damaged[dns])
				}
			}
		}
		if failed == 0 {
			t.Errorf("%s: no query met the damage", name)
		}
	}
	// run and repl take --skip-damaged too.
	script := filepath.Join(dir, "count.lhq")
	if err := os.WriteFile(script, []byte("* | eval n=len(_raw) | stats count\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"run", script}, {"run", "--skip-damaged", script}, {"repl"}, {"repl", "--skip-damaged"}} {
		cmd := exec.Command(bin, append([]string{"--db", readFails}, args...)...)
		cmd.Stdin = strings.NewReader("* | eval n=len(_raw) | stats count\n")
		out, err := cmd.CombinedOutput()
		skip := len(args) > 1 && args[1] == "--skip-damaged"
		if skip != (err == nil) || skip != strings.Contains(string(out), "warning: skipped") ||
			!strings.Contains(string(out), "is damaged") && !skip {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
}

// csvRows returns the number of records of a CSV result, less its header.
func csvRows(t *testing.T, out string) int {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("not a CSV result: %v", err)
	}
	return len(rows) - 1
}
