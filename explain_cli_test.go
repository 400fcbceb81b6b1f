package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExplainDemo: explain's account of the demo's brute force, word for
// word, and its numbers against a count of the generated auth.log made
// here: the attacker's failed passwords in the minute, and the median of
// failed passwords per address and minute over all of them.
func TestExplainDemo(t *testing.T) {
	dir, db := demoDB(t)

	rows := loghuntCSV(t, db, "query", "--format", "csv",
		`action=failure auth_method=password | bin _time span=1m | stats count as attempts by _time, src_ip | anomalies attempts contamination=0.01 | explain by src_ip | where is_anomaly | table _time, src_ip, explanation`)
	want := [][]string{{"_time", "src_ip", "explanation"}}
	for _, m := range []string{"12", "13", "14"} {
		want = append(want, []string{"2025-03-06T03:" + m + ":00Z", "203.0.113.77",
			"203.0.113.77 had 60 failed logins in one minute at 03:" + m + " on 2025-03-06, about 60 times the usual 1 (the median of all rows); 180 in all over 3 minutes from 03:12. " +
				"Anomaly score 0.88, driven by attempts=60 (typical 1). No successful login by 203.0.113.77 followed within an hour. Next: check whether the same users were tried from other addresses (password spraying)."})
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("explain by src_ip:\n got %q\nwant %q", rows, want)
	}

	// The numbers, from the file: 60 in each minute, usual 1.
	f, err := os.Open(filepath.Join(dir, "auth.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^Mar  6 (\d\d:\d\d):\d\d \S+ sshd\[\d+\]: Failed password for (?:invalid user )?\S+ from (\S+) port`)
	perMinute := map[string]int{}
	perTen := make([]int, 24*6) // the chart's buckets, empty ones included
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Accepted") && strings.Contains(sc.Text(), " from 203.0.113.77 ") {
			t.Errorf("the log has a successful login by 203.0.113.77, the explanation says none: %s", sc.Text())
		}
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			perMinute[m[1]+" "+m[2]]++
			h, _ := strconv.Atoi(m[1][:2])
			mi, _ := strconv.Atoi(m[1][3:])
			perTen[h*6+mi/10]++
		}
	}
	if perTen[3*6+1] != 185 {
		t.Errorf("the log has %d failed passwords at 03:10-03:20, the chart explanation says 185", perTen[3*6+1])
	}
	slices.Sort(perTen)
	if med := float64(perTen[71]+perTen[72]) / 2; med != 5 {
		t.Errorf("median failed passwords per 10 minutes is %v, the chart explanation says 5", med)
	}
	var counts []int
	for _, n := range perMinute {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	if got := perMinute["03:12 203.0.113.77"]; got != 60 {
		t.Errorf("the log has %d failed passwords from 203.0.113.77 at 03:12, the explanation says 60", got)
	}
	if got := perMinute["03:12 203.0.113.77"] + perMinute["03:13 203.0.113.77"] + perMinute["03:14 203.0.113.77"]; got != 180 {
		t.Errorf("the log has %d failed passwords from 203.0.113.77 at 03:12-03:14, the explanation says 180", got)
	}
	med := float64(counts[len(counts)/2])
	if len(counts)%2 == 0 {
		med = float64(counts[len(counts)/2-1]+counts[len(counts)/2]) / 2
	}
	if med != 1 {
		t.Errorf("median of %d per-minute counts is %v, the explanation says 1", len(counts), med)
	}

	// Without an entity: the 10-minute chart of the demo, whose usual is
	// the median of its buckets.
	rows = loghuntCSV(t, db, "query", "--format", "csv",
		`action=failure auth_method=password | timechart span=10m count as attempts | anomalies attempts contamination=0.01 | explain | where is_anomaly | table _time, attempts, explanation`)
	if len(rows) != 3 || rows[1][0] != "2025-03-06T03:10:00Z" {
		t.Fatalf("chart findings: %q", rows)
	}
	n, _ := strconv.Atoi(rows[1][1])
	wantText := "There were " + rows[1][1] + " failed logins in 10 minutes at 03:10 on 2025-03-06, about 37 times the usual 5. " +
		"Anomaly score 0.9, driven by attempts=" + rows[1][1] + " (typical 2–9.85). Next: check for a successful login from the same address after (action=success)."
	if n != 185 || rows[1][2] != wantText {
		t.Errorf("chart explanation:\n got %q\nwant %q", rows[1][2], wantText)
	}
}

// TestReadmeInvestigating runs the README's examples of context and
// explain on the demo's data and compares their output with the README's.
func TestReadmeInvestigating(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	a := strings.Index(text, "## Investigating a finding")
	b := strings.Index(text[a+1:], "\n## ")
	if a < 0 || b < 0 {
		t.Fatal("README has no Investigating a finding section")
	}
	re := regexp.MustCompile(`(?m)^\$ loghunt --db demo/demo\.db query --format csv '(.*)'\n((?:[^$\x60\n].*\n)+)`)
	examples := re.FindAllStringSubmatch(text[a:a+1+b], -1)
	if len(examples) != 3 {
		t.Fatalf("%d examples in the section, want 3", len(examples))
	}
	_, db := demoDB(t)
	for _, ex := range examples {
		var out, errb bytes.Buffer
		if err := cli(context.Background(), []string{"--db", db, "query", "--format", "csv", ex[1]}, nil, &out, &errb); err != nil {
			t.Fatalf("%s: %v\n%s", ex[1], err, errb.String())
		}
		if out.String() != ex[2] {
			t.Errorf("%s:\n got %q\nREADME %q", ex[1], out.String(), ex[2])
		}
	}
}

// TestExplainFollowedOnRealAuth: on the Elastic suspicious-login and the
// DFRWS 2009 auth.logs,
// explain says for each address's failed-login finding whether a
// successful login by the address followed within an hour of its run of
// flagged minutes, and when, for whom: checked against the log's
// "Accepted" lines read here, and the run's total against the failed
// logins counted here.
func TestExplainFollowedOnRealAuth(t *testing.T) {
	path := filepath.Join("..", "shared", "datasets", "authlog", "elastic_suspicious_login_auth.log")
	if _, err := os.Stat(path); err != nil {
		t.Skip("../shared/datasets/authlog is absent")
	}
	db := filepath.Join(t.TempDir(), "el.db")
	loghuntCSV(t, db, "ingest", "--year", "2017", path)
	dfrws := filepath.Join("..", "shared", "datasets", "authlog", "dfrws2009_auth.log")
	loghuntCSV(t, db, "ingest", "--year", "2009", dfrws)
	rows := loghuntCSV(t, db, "query", "--format", "csv",
		`action=failure | bin _time span=1m | stats count as attempts by _time, src_ip | anomalies attempts | explain by src_ip | where is_anomaly | table _time, src_ip, attempts, explanation`)
	// The log, read here: successes by address, failures by address and minute.
	stamp := func(year, s string) time.Time {
		ts, err := time.Parse("2006 Jan _2 15:04:05", year+" "+s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	accepted := regexp.MustCompile(`^(\w{3} [ \d]\d \d\d:\d\d:\d\d) \S+ sshd\[\d+\]: Accepted \S+ for (\S+) from (\S+) port`)
	type success struct {
		at   time.Time
		user string
	}
	successes := map[string][]success{}
	for p, year := range map[string]string{path: "2017", dfrws: "2009"} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := accepted.FindStringSubmatch(sc.Text()); m != nil {
				successes[m[3]] = append(successes[m[3]], success{stamp(year, m[1]), m[2]})
			}
		}
		f.Close()
	}
	for _, ss := range successes {
		slices.SortFunc(ss, func(a, b success) int { return a.at.Compare(b.at) })
	}
	flagged := map[string]map[time.Time]bool{}
	for _, r := range rows[1:] {
		ts, _ := time.Parse(time.RFC3339, r[0])
		if flagged[r[1]] == nil {
			flagged[r[1]] = map[time.Time]bool{}
		}
		flagged[r[1]][ts] = true
	}
	followed, none := 0, 0
	for _, r := range rows[1:] {
		ip, text := r[1], r[3]
		ts, _ := time.Parse(time.RFC3339, r[0])
		start, end := ts, ts
		for flagged[ip][start.Add(-time.Minute)] {
			start = start.Add(-time.Minute)
		}
		for flagged[ip][end.Add(time.Minute)] {
			end = end.Add(time.Minute)
		}
		want := " No successful login by " + ip + " followed within an hour."
		for _, s := range successes[ip] {
			if !s.at.Before(start) && s.at.Before(end.Add(time.Minute+time.Hour)) {
				want = " A successful login by " + ip + " followed: at " + s.at.Format("15:04:05 on 2006-01-02") + " for " + s.user + "."
				break
			}
		}
		if !strings.Contains(text, want) {
			t.Errorf("%s %s: %q\nwants %q", r[0], ip, text, want)
		}
		if strings.HasPrefix(want, " A") {
			followed++
		} else {
			none++
		}
		if n := int(end.Sub(start)/time.Minute) + 1; n > 1 {
			total := 0
			for m := start; !m.After(end); m = m.Add(time.Minute) {
				for _, o := range rows[1:] {
					if o[1] == ip && o[0] == m.Format(time.RFC3339) {
						k, _ := strconv.Atoi(o[2])
						total += k
					}
				}
			}
			if w := fmt.Sprintf("; %d in all over %d minutes from %s.", total, n, start.Format("15:04")); !strings.Contains(text, w) {
				t.Errorf("%s %s: %q\nwants %q", r[0], ip, text, w)
			}
		}
	}
	t.Logf("%d findings: %d followed by a successful login, %d not", len(rows)-1, followed, none)
	if followed == 0 || none == 0 {
		t.Errorf("the log should have findings of both kinds")
	}
}

// TestAlertsShowContext: alerts show gives an alert's context summary and
// account: on the real Elastic brute force of 24.151.103.17 (an excerpt),
// the events of the address in the window, their actions counted here,
// and the successful login that followed.
func TestAlertsShowContext(t *testing.T) {
	const excerpt = "query/testdata/auth_elastic_success_excerpt.log"
	db := filepath.Join(t.TempDir(), "a.db")
	loghuntCSV(t, db, "ingest", "--year", "2017", excerpt)
	loghuntCSV(t, db, "detect", "--rules", "hunts/rules/ssh-brute-force.yml")
	var out, errb bytes.Buffer
	if err := cli(context.Background(), []string{"--db", db, "alerts", "show", "1"}, nil, &out, &errb); err != nil {
		t.Fatalf("alerts show 1: %v\n%s", err, errb.String())
	}
	text := out.String()
	first := regexp.MustCompile(`(?m)^  first    (\S+)$`).FindStringSubmatch(text)
	if first == nil {
		t.Fatalf("no first time:\n%s", text)
	}
	// Counted here: the excerpt's lines in the context's window.
	raw, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^context: the events of src_ip=24\.151\.103\.17 from (\S+) to (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no context heading:\n%s", text)
	}
	lo, _ := time.Parse(time.RFC3339, m[1])
	hi, _ := time.Parse(time.RFC3339, m[2])
	n, failures := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		ts, err := time.Parse("2006 Jan _2 15:04:05", "2017 "+line[:15])
		if err != nil {
			t.Fatal(err)
		}
		if !ts.Before(lo) && !ts.After(hi) {
			n++
			if strings.Contains(line, "Failed password") || strings.Contains(line, "authentication failure") {
				failures++
			}
		}
	}
	for _, want := range []string{
		fmt.Sprintf("\n  events      %d\n", n),
		fmt.Sprintf("\n  actions     failure %d;", failures),
		"\n  then        action=success at 2017-03-30T16:01:36Z: Mar 30 16:01:36 ip-10-77-20-248 sshd[14720]: Accepted password for elastic_user_0 from 24.151.103.17 port 57668 ssh2\n",
		"\nexplanation:\n  Rule ssh-brute-force found ",
		"Then a success:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("alerts show lacks %q:\n%s", want, text)
		}
	}
}

// demoDB writes the demo's logs into a temporary directory and ingests
// them into demo.db there, as loghunt demo does.
func demoDB(t *testing.T) (dir, db string) {
	t.Helper()
	dir = t.TempDir()
	paths, err := writeDemoLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "demo.db")
	loghuntCSV(t, db, append([]string{"ingest", "--year", "2025"}, paths...)...)
	return dir, db
}

// TestExplainWebExcerpt: on a real web log excerpt, explain's account of
// the busiest client's minute of 4xx errors has the count of the minute
// and the span of its bucket ("in one minute", though the rows' times are
// hours apart), against a count of the log made here.
func TestExplainWebExcerpt(t *testing.T) {
	const excerpt = "rules/testdata/web_excerpt.log"
	db := filepath.Join(t.TempDir(), "w.db")
	loghuntCSV(t, db, "ingest", excerpt)
	rows := loghuntCSV(t, db, "query", "--format", "csv",
		`status>=400 | bin _time span=1m | stats count as errors by _time, clientip | anomalies errors | explain by clientip | where is_anomaly | sort -errors | head 1 | table _time, clientip, errors, explanation`)
	if len(rows) != 2 {
		t.Fatalf("rows %q", rows)
	}
	raw, err := os.ReadFile(excerpt)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^"?(\S+) \S+ \S+ \[([^\]]+)\] "[^"]*" (\d{3}) `)
	perMinute := map[string]int{}
	for _, l := range strings.Split(string(raw), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil || m[3][0] != '4' {
			continue
		}
		ts, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[2])
		if err != nil {
			t.Fatal(err)
		}
		perMinute[m[1]+" "+ts.UTC().Truncate(time.Minute).Format(time.RFC3339)]++
	}
	ip, at := rows[1][1], rows[1][0]
	n := perMinute[ip+" "+at]
	ts, _ := time.Parse(time.RFC3339, at)
	want := fmt.Sprintf("%s had %d web errors in one minute at %s on %s", ip, n, ts.Format("15:04"), ts.Format("2006-01-02"))
	if n == 0 || rows[1][2] != strconv.Itoa(n) || !strings.HasPrefix(rows[1][3], want) || !strings.HasSuffix(rows[1][3], "Next: check the paths requested and their status codes.") {
		t.Errorf("%q\nwant it to start %q (counted here) and say what to check next", rows[1], want)
	}
}
