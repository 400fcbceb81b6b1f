package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchAlertsEqualReplay feeds real auth.log lines (the committed
// excerpts of rules/testdata) to a followed file in many small appends
// while a real 'loghunt watch --rules hunts/rules' runs, and ingests the
// same lines into another database in one go and replays the rules there
// with 'loghunt detect': the two give the same alerts, field by field
// (ids included), and the watch's log action wrote one line per alert.
func TestWatchAlertsEqualReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("a real watch fed over several seconds")
	}
	bin := buildLoghunt(t)
	dir := t.TempDir()
	var lines []string
	for _, f := range []string{"auth_dfrws_excerpt.log", "auth_elastic_excerpt.log"} {
		b, err := os.ReadFile(filepath.Join("rules", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.SplitAfter(strings.TrimRight(string(b), "\n")+"\n", "\n")...)
		lines = lines[:len(lines)-1] // the empty string after the last newline
	}
	// The two excerpts are of different years' logs: one file each, so
	// each keeps its own year inference, fed one after the other.
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	live, replay := filepath.Join(dir, "live.db"), filepath.Join(dir, "replay.db")
	rulesDir, err := filepath.Abs(filepath.Join("hunts", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	// The rules' log action writes alerts.jsonl in the working directory.
	w := &watchProc{stderr: &syncBuf{}}
	w.cmd = exec.Command(bin, "--db", live, "watch", "--rules", rulesDir, logs)
	w.cmd.Dir, w.cmd.Stderr = dir, w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			w.cmd.Process.Kill()
			w.cmd.Wait()
		}
	})
	target := filepath.Join(logs, "auth.log")
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(lines); i += 40 {
		if _, err := f.WriteString(strings.Join(lines[i:min(i+40, len(lines))], "")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	f.Close()
	// Wait until the watch has stored every line, then let it run the
	// rules once more and stop it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := exec.Command(bin, "--db", live, "query", "--format", "csv", "* | stats count").Output()
		if strings.TrimSpace(string(out)) == fmt.Sprintf("count\n%d", len(lines)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch stored %q of %d lines; stderr:\n%s", out, len(lines), w.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	if code := w.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("watch exit %d:\n%s", code, w.stderr)
	}
	if out, err := exec.Command(bin, "--db", replay, "ingest", target).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--db", replay, "detect", "--rules", rulesDir, "--format", "csv").CombinedOutput(); err != nil {
		t.Fatalf("detect: %v\n%s", err, out)
	}
	type row struct {
		ID       uint64
		Rule     string
		Severity string
		Entity   map[string]string
		First    time.Time
		Last     time.Time
		Count    int64
		Reason   string
		Actions  []json.RawMessage
	}
	read := func(db string) []row {
		out, err := exec.Command(bin, "--db", db, "alerts", "--format", "json").Output()
		if err != nil {
			t.Fatalf("alerts: %v", err)
		}
		var rows []row
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var r row
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			rows = append(rows, r)
		}
		return rows
	}
	got, want := read(live), read(replay)
	if len(want) < 3 {
		t.Fatalf("replay raised %d alerts: the excerpts should raise several", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("live %d alerts, replay %d\nlive stderr:\n%s", len(got), len(want), w.stderr)
	}
	for i := range want {
		g, r := got[i], want[i]
		if len(g.Actions) == 0 {
			t.Errorf("live alert %d has no action records", g.ID)
		}
		g.Actions, r.Actions = nil, nil
		if fmt.Sprint(g) != fmt.Sprint(r) {
			t.Errorf("alert %d:\n live   %v\n replay %v", i, g, r)
		}
	}
	// The log action wrote a JSON line for every alert at least.
	b, err := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uint64]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a struct {
			ID uint64 `json:"alert"`
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("alerts.jsonl: %v: %s", err, l)
		}
		ids[a.ID] = true
	}
	if len(ids) != len(want) {
		t.Errorf("alerts.jsonl names %d alerts, want %d", len(ids), len(want))
	}
	t.Logf("%d alerts, live equal to replay", len(want))
}

// TestWatchRulesKill9: the same feed with the watch killed (kill -9) at
// random moments and started again each time: in the end the alerts are
// those of the replay, none lost and none raised twice, and the log
// action wrote a line for every alert. Log lines are at least once (a
// kill between writing one and recording it written repeats it after the
// restart): the test counts and reports the repeats.
func TestWatchRulesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("a real watch killed and restarted")
	}
	bin := buildLoghunt(t)
	dir := t.TempDir()
	var lines []string
	for _, f := range []string{"auth_dfrws_excerpt.log", "auth_elastic_excerpt.log"} {
		b, err := os.ReadFile(filepath.Join("rules", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.SplitAfter(strings.TrimRight(string(b), "\n")+"\n", "\n")...)
		lines = lines[:len(lines)-1]
	}
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	rulesDir, err := filepath.Abs(filepath.Join("hunts", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	live, replay := filepath.Join(dir, "live.db"), filepath.Join(dir, "replay.db")
	start := func() *exec.Cmd {
		c := exec.Command(bin, "--db", live, "watch", "--rules", rulesDir, logs)
		c.Dir = dir
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	w := start()
	target := filepath.Join(logs, "auth.log")
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	kills := 0
	for i := 0; i < len(lines); i += 25 {
		if _, err := f.WriteString(strings.Join(lines[i:min(i+25, len(lines))], "")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(5+i%37) * time.Millisecond)
		if i%100 == 0 {
			w.Process.Kill()
			w.Wait()
			kills++
			w = start()
		}
	}
	f.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := exec.Command(bin, "--db", live, "query", "--format", "csv", "* | stats count").Output()
		if strings.TrimSpace(string(out)) == fmt.Sprintf("count\n%d", len(lines)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch stored %q of %d lines after %d kills", out, len(lines), kills)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	w.Process.Signal(os.Interrupt)
	w.Wait()
	if out, err := exec.Command(bin, "--db", replay, "ingest", target).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--db", replay, "detect", "--rules", rulesDir).CombinedOutput(); err != nil {
		t.Fatalf("detect: %v\n%s", err, out)
	}
	type row struct {
		ID       uint64
		Rule     string
		Severity string
		Entity   map[string]string
		First    time.Time
		Last     time.Time
		Count    int64
	}
	read := func(db string) []row {
		out, err := exec.Command(bin, "--db", db, "alerts", "--format", "json").Output()
		if err != nil {
			t.Fatalf("alerts: %v", err)
		}
		var rows []row
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var r row
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			rows = append(rows, r)
		}
		return rows
	}
	got, want := read(live), read(replay)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after %d kills, live alerts\n%v\nreplay\n%v", kills, got, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	perAction := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a struct {
			Alert  uint64 `json:"alert"`
			Action int    `json:"action"`
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("alerts.jsonl: %v: %s", err, l)
		}
		perAction[fmt.Sprint(a.Alert, "/", a.Action)]++
	}
	repeated := 0
	for _, n := range perAction {
		repeated += n - 1
	}
	ids := map[string]bool{}
	for k := range perAction {
		ids[strings.Split(k, "/")[0]] = true
	}
	if len(ids) != len(want) {
		t.Errorf("log lines for %d alerts, want %d", len(ids), len(want))
	}
	t.Logf("%d kills: %d alerts equal to replay; %d log lines written twice (at-least-once)", kills, len(want), repeated)
}
