package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// secrepoAuth returns the path of the SecRepo auth.log, skipping the test
// when the shared data sets are absent (and with -short).
func secrepoAuth(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: ingests and queries the SecRepo auth.log many times")
	}
	path := filepath.Join(shared, "datasets", "authlog", "secrepo_auth.log")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SecRepo auth.log not available: %v", err)
	}
	return path
}

// rexLines applies re to every line of path, as rex does to _raw: the
// named groups of the first match, "" for a group that did not take part.
func rexLines(t *testing.T, path string, re *regexp.Regexp) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		row := map[string]string{}
		if m := re.FindStringSubmatchIndex(sc.Text()); m != nil {
			for i, name := range re.SubexpNames() {
				if name != "" && m[2*i] >= 0 {
					row[name] = sc.Text()[m[2*i]:m[2*i+1]]
				}
			}
		}
		out = append(out, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// queryAtProcs runs a query at GOMAXPROCS 1, 2 and 8 (the scan workers
// and their tables), wants the same CSV from each, and returns it.
func queryAtProcs(t *testing.T, db, q string) [][]string {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first [][]string
	for i, p := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(p)
		got := loghuntCSV(t, db, "query", "--format", "csv", q)
		if i == 0 {
			first = got
		} else if !slices.EqualFunc(got, first, slices.Equal) {
			t.Errorf("%s: GOMAXPROCS %d gives other rows than 1", q, p)
		}
	}
	return first
}

// TestRealAuthLogGroupsAgainstMaps groups the SecRepo auth.log by fields
// rex extracts from some lines only (so most rows have a null by-value)
// and compares with counts a map makes of the same regex over the file's
// lines: stats by one and two fields, count(f), top's counts and percent.
// A null row once took the group of the row before it: admin had 12,475
// invalid-user attempts instead of 1,912.
func TestRealAuthLogGroupsAgainstMaps(t *testing.T) {
	path := secrepoAuth(t)
	db := filepath.Join(t.TempDir(), "auth.db")
	loghuntCSV(t, db, "ingest", "--year", "2015", path)
	const rex = `Invalid user (?<user>\S+) from (?<ip>\S+)|Too many authentication failures for (?<fuser>\S+)|` +
		`Received disconnect from (?<rip>[\d.]+): (?<code>\d+)`
	lines := rexLines(t, path, regexp.MustCompile(rex))
	// The user field auth lines get at ingest goes first: a row the regex
	// does not match would keep it (as rex does in Splunk).
	q := `* | fields - user | rex "` + strings.ReplaceAll(rex, `"`, `\"`) + `" | `
	count := func(by []string, of string) map[string]string {
		n, nOf := map[string]int{}, map[string]int{}
		for _, row := range lines {
			var key []string
			for _, f := range by {
				key = append(key, row[f])
			}
			if slices.Contains(key, "") {
				continue
			}
			k := strings.Join(key, "|")
			n[k]++
			if row[of] != "" {
				nOf[k]++
			}
		}
		out := map[string]string{}
		for k := range n {
			out[k] = fmt.Sprintf("%d|%d", n[k], nOf[k])
		}
		return out
	}
	keyed := func(rows [][]string, n int) map[string]string {
		m := map[string]string{}
		for _, row := range rows[min(1, len(rows)):] { // (no group: not even a header)
			m[strings.Join(row[:n], "|")] = strings.Join(row[n:], "|")
		}
		return m
	}
	for _, c := range []struct {
		stats  string
		by     []string
		of     string
		groups int // at least, in the file
	}{
		{"stats count, count(ip) by user", []string{"user"}, "ip", 500},
		{"stats count, count(user) by fuser", []string{"fuser"}, "user", 1},
		{"stats count, count(user) by user, ip", []string{"user", "ip"}, "user", 5000},
		{"stats count, count(code) by rip, code", []string{"rip", "code"}, "code", 1000},
		// No line has both: no group at all.
		{"stats count, count(rip) by code, fuser", []string{"code", "fuser"}, "rip", 0},
	} {
		got, want := keyed(queryAtProcs(t, db, q+c.stats), len(c.by)), count(c.by, c.of)
		if len(want) < c.groups || (c.groups == 0 && len(want) > 0) {
			t.Fatalf("%s: %d groups in the file, want %d", c.stats, len(want), c.groups)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: %s has %q, want %q", c.stats, k, got[k], w)
					break
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d groups, want %d", c.stats, len(got), len(want))
			}
		}
		if c.by[0] == "user" && len(c.by) == 1 && got["admin"] != "1912|1912" {
			t.Errorf("admin: %s invalid-user attempts, want 1912", got["admin"])
		}
	}
	// values(): every distinct user (541, past the 100 it once stopped
	// at, in an order that changed from run to run), sorted by bytes.
	distinct := map[string]bool{}
	for _, row := range lines {
		if row["user"] != "" {
			distinct[row["user"]] = true
		}
	}
	var sorted []string
	for u := range distinct {
		sorted = append(sorted, u)
	}
	slices.Sort(sorted)
	got := queryAtProcs(t, db, q+"stats values(user) as v, dc(user) as d")
	if want := []string{strings.Join(sorted, ", "), fmt.Sprint(len(sorted))}; len(sorted) <= 100 || !slices.Equal(got[1], want) {
		t.Errorf("values(user): %d users, dc %s; want %d", len(strings.Split(got[1][0], ", ")), got[1][1], len(sorted))
	}
	// top: the count of each user and its percent of the lines that have one.
	users := count([]string{"user"}, "user")
	total := 0
	for _, v := range users {
		var n int
		fmt.Sscanf(v, "%d|", &n)
		total += n
	}
	top := queryAtProcs(t, db, q+"top limit=0 user")
	if len(top)-1 != len(users) {
		t.Fatalf("top: %d users, want %d", len(top)-1, len(users))
	}
	for _, row := range top[1:] {
		var n int
		fmt.Sscanf(users[row[0]], "%d|", &n)
		pct := fmt.Sprint(math.Round(10000*float64(n)/float64(total)) / 100)
		if row[1] != fmt.Sprint(n) || row[2] != pct {
			t.Errorf("top: %v, want count %d percent %s", row, n, pct)
		}
	}
}

// numberText is an independent statement of what text is a number: the
// decimal forms only.
var numberText = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// TestNumberTextIngestedAndReal: CSV and JSON fields "nan", "inf" and
// "0x1f" are text after ingest and in queries (sort, sum, where), and on
// the SecRepo auth.log, whose invalid users include "nan", sorting the
// user names puts the numbers first in numeric order and sum() adds only
// the names that are numbers.
func TestNumberTextIngestedAndReal(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	csvPath, jsonPath := filepath.Join(dir, "users.csv"), filepath.Join(dir, "users.json")
	names := []string{"nan", "12", "inf", "0x1f", "-3", "Infinity", "2.5", "NaN"}
	var csvText, jsonText strings.Builder
	csvText.WriteString("time,user,n\n")
	for i, u := range names {
		fmt.Fprintf(&csvText, "2025-03-06T00:00:%02dZ,%s,%s\n", i, u, u)
		fmt.Fprintf(&jsonText, `{"time":"2025-03-06T01:00:%02dZ","user":%q,"n":%q}`+"\n", i, u, u)
	}
	if err := os.WriteFile(csvPath, []byte(csvText.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonPath, []byte(jsonText.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	loghuntCSV(t, db, "ingest", csvPath, jsonPath)
	for _, c := range []struct{ q, want string }{
		{"* | stats sum(user) as s, count(user) as c by sourcetype", "[[sourcetype s c] [csv 11.5 8] [json 11.5 8]]"},
		{"sourcetype=csv | sort n | table n", "[[n] [-3] [2.5] [12] [0x1f] [Infinity] [NaN] [inf] [nan]]"},
		{"sourcetype=json | sort n | table n", "[[n] [-3] [2.5] [12] [0x1f] [Infinity] [NaN] [inf] [nan]]"},
		{`* | where n = "nan" | stats count`, "[[count] [2]]"},
		{"* | eval t = typeof(user) | stats count by t", "[[t count] [float 1] [int 2] [string 13]]"},
	} {
		if got := fmt.Sprint(loghuntCSV(t, db, "query", "--format", "csv", c.q)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.q, got, c.want)
		}
	}

	path := secrepoAuth(t)
	db = filepath.Join(dir, "auth.db")
	loghuntCSV(t, db, "ingest", "--year", "2015", path)
	users := map[string]bool{}
	sum := 0.0
	for _, row := range rexLines(t, path, regexp.MustCompile(`Invalid user (?<user>\S+) from`)) {
		if u := row["user"]; u != "" && !users[u] {
			users[u] = true
			if numberText.MatchString(u) {
				var f float64
				fmt.Sscan(u, &f)
				sum += f
			}
		}
	}
	if !users["nan"] {
		t.Fatal("SecRepo has no invalid user nan")
	}
	q := `"Invalid user" | fields - user | rex "Invalid user (?<user>\S+) from" | stats count by user | `
	rows := queryAtProcs(t, db, q+"sort user | table user")[1:]
	if len(rows) != len(users) {
		t.Fatalf("%d users, want %d", len(rows), len(users))
	}
	seenText := false
	prev := math.Inf(-1)
	for _, row := range rows {
		if !numberText.MatchString(row[0]) {
			seenText = true
			continue
		}
		var f float64
		fmt.Sscan(row[0], &f)
		if seenText || f < prev {
			t.Fatalf("sort user: %s out of order (after text: %v)", row[0], seenText)
		}
		prev = f
	}
	got := queryAtProcs(t, db, q+"stats sum(user) as s")
	if want := fmt.Sprint(sum); got[1][0] != want {
		t.Errorf("sum of the numeric user names: %s, want %s", got[1][0], want)
	}
}
