package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestAuthHuntsRealLogs runs hunts/auth.lhq, which uses the fields ingest
// gives auth lines instead of rex, on three real auth logs, and checks its
// hunts against the same computed by regular expressions over the files.
func TestAuthHuntsRealLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("real logs: not with -short")
	}
	var logs []string
	for _, name := range []string{"secrepo_auth.log", "dfrws2009_auth.log", "elastic_suspicious_login_auth.log"} {
		p := filepath.Join(shared, "datasets", "authlog", name)
		if _, err := os.Stat(p); err != nil {
			t.Skip("real auth logs absent")
		}
		logs = append(logs, p)
	}
	db := filepath.Join(t.TempDir(), "auth.db")
	loghuntCSV(t, db, append([]string{"ingest", "--year", "2015"}, logs...)...)
	var out, errb bytes.Buffer
	if err := cli(context.Background(), []string{"--db", db, "run", "--format", "csv", filepath.Join("hunts", "auth.lhq")}, nil, &out, &errb); err != nil {
		t.Fatalf("run hunts/auth.lhq: %v\n%s", err, errb.String())
	}
	src, _ := os.ReadFile(filepath.Join("hunts", "auth.lhq"))
	if strings.Contains(string(src), "| rex") {
		t.Error("hunts/auth.lhq still uses rex")
	}
	hunts := map[string][][]string{} // by header
	for _, s := range strings.Split(out.String(), "\n\n") {
		var body []string
		for _, l := range strings.Split(s, "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				body = append(body, l)
			}
		}
		if len(body) == 0 {
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(strings.Join(body, "\n"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		hunts[strings.Join(rows[0], ",")] = rows[1:]
	}

	// The oracle, line by line.
	failed := regexp.MustCompile(`sshd\[\d+\]: (?:message repeated \d+ times: \[ )?(Failed|Accepted) password for (?:invalid user )?(.*) from (\S+) port \d+`)
	invalid := regexp.MustCompile(`sshd\[\d+\]: Invalid user (.*) from (\S+)`)
	sudo := regexp.MustCompile(`sudo(?:\[\d+\])?: +(\S+) : TTY=\S+ ; PWD=\S+ ; USER=(\S+) ; COMMAND=`)
	type last struct {
		at     time.Time
		result string
	}
	failures, lastResult := map[[2]string]int{}, map[[2]string]last{}
	invAttempts, invUsers := map[string]int{}, map[string]map[string]bool{}
	sudoCount := map[string]int{}
	for _, path := range logs {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			l := sc.Text()
			if m := failed.FindStringSubmatch(l); m != nil {
				key := [2]string{m[3], m[2]}
				at, err := time.Parse("2006 Jan _2 15:04:05", "2015 "+l[:15])
				if err != nil {
					t.Fatal(err)
				}
				result := map[string]string{"Failed": "failure", "Accepted": "success"}[m[1]]
				if result == "failure" {
					failures[key]++
				}
				// latest(): the value at the latest time; of rows at the same
				// time, the largest.
				if p, ok := lastResult[key]; !ok || at.After(p.at) || at.Equal(p.at) && result > p.result {
					lastResult[key] = last{at, result}
				}
			}
			if m := invalid.FindStringSubmatch(l); m != nil {
				invAttempts[m[2]]++
				if invUsers[m[2]] == nil {
					invUsers[m[2]] = map[string]bool{}
				}
				if m[1] != "" {
					invUsers[m[2]][m[1]] = true
				}
			}
			if m := sudo.FindStringSubmatch(l); m != nil {
				sudoCount[m[1]+","+m[2]]++
			}
		}
		f.Close()
	}

	// Success after failures.
	var want []string
	for key, n := range failures {
		if n >= 3 && lastResult[key].result == "success" && key[1] != "" {
			want = append(want, fmt.Sprintf("%s,%s,%d", key[0], key[1], n))
		}
	}
	var got []string
	for _, r := range hunts["src_ip,user,failures,last,at"] {
		got = append(got, strings.Join(r[:3], ","))
	}
	sort.Strings(want)
	gotSorted := slices.Sorted(slices.Values(got))
	if len(want) == 0 || !slices.Equal(gotSorted, want) {
		t.Errorf("success after failures: got %q, want %q", got, want)
	}
	// Dictionary attacks: sources that tried 5 or more accounts.
	want = nil
	for ip, n := range invAttempts {
		if len(invUsers[ip]) >= 5 {
			want = append(want, fmt.Sprintf("%s,%d,%d", ip, n, len(invUsers[ip])))
		}
	}
	got = nil
	prev := 1 << 30
	for _, r := range hunts["src_ip,attempts,users"] {
		got = append(got, strings.Join(r, ","))
		var n int
		fmt.Sscan(r[1], &n)
		if n > prev {
			t.Errorf("dictionary attacks not sorted by attempts: %v", r)
		}
		prev = n
	}
	sort.Strings(want)
	if len(want) == 0 || !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("dictionary attacks: %d rows, want %d (first %q vs %q)", len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
	}
	// sudo commands by user and target.
	got, want = nil, nil
	for _, r := range hunts["user,run_as,action,count,commands"] {
		if r[2] == "sudo_command" {
			got = append(got, strings.Join(r[:2], ",")+","+r[3])
		}
	}
	for k, n := range sudoCount {
		want = append(want, fmt.Sprintf("%s,%d", k, n))
	}
	sort.Strings(want)
	if len(want) == 0 || !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("sudo commands: got %q, want %q", got, want)
	}
	// The brute-force hunt flags sources, each with its minutes.
	if rows := hunts["src_ip,minutes,attempts,users,score"]; len(rows) == 0 {
		t.Errorf("the brute-force hunt flagged nothing\n%s", out.String())
	}
}
