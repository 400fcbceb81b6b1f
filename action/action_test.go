package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

var ip = map[string]string{"src_ip": "203.0.113.7"}

func TestFill(t *testing.T) {
	a := &alert.Alert{ID: 12, Rule: "r", Severity: "high", Count: 25, Entity: map[string]string{"src_ip": "203.0.113.7", "user": "-rf", "empty": ""}}
	got, err := fill([]string{"nft", "add", "{ {src_ip} }", "{id}:{rule}:{count}", "{}", "{not closed", "{a b}"}, a)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"nft", "add", "{ 203.0.113.7 }", "12:r:25", "{}", "{not closed", "{a b}"}
	if !slices.Equal(got, want) {
		t.Fatalf("fill: %q, want %q", got, want)
	}
	for arg, msg := range map[string]string{"{nope}": "not a field", "{user}": "starts with '-'", "x{empty}": "is empty"} {
		if _, err := fill([]string{"cmd", arg}, a); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("fill %s: %v, want %q", arg, err, msg)
		}
	}
}

func TestAllowList(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "allow.yml")
	os.WriteFile(p, []byte("# ours\nallow:\n  - 10.0.0.0/8\n  - 2001:db8::/32\n  - 192.0.2.7\n  - user:backup\n  - host:Bastion\n  - rule_tag=ok\n"), 0o644)
	l, err := LoadAllow(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		e    map[string]string
		want bool
	}{
		{map[string]string{"src_ip": "10.3.4.5"}, true},
		{map[string]string{"src_ip": "::ffff:10.3.4.5"}, true},
		{map[string]string{"dst_ip": "2001:db8::1"}, true},
		{map[string]string{"src_ip": "192.0.2.7"}, true},
		{map[string]string{"src_ip": "192.0.2.8"}, false},
		{map[string]string{"user": "backup"}, true},
		{map[string]string{"src_ip": "backup"}, false}, // user: applies to user fields only
		{map[string]string{"host": "bastion"}, true},
		{map[string]string{"rule_tag": "ok"}, true},
		{map[string]string{"src_ip": "203.0.113.7", "user": "root"}, false},
	} {
		if ok, why := l.Match(c.e); ok != c.want {
			t.Errorf("Match(%v) = %v (%s), want %v", c.e, ok, why, c.want)
		}
	}
	for text, want := range map[string]string{
		"allow:\n  - 10.0.0.1/8\n":   "bad.yml:2: allow-list entry \"10.0.0.1/8\" has host bits set",
		"allow:\n  - 10.0.0\n":       "bad.yml:2: allow-list entry \"10.0.0\" is not an address",
		"alow: [10.0.0.0/8]\n":       "bad.yml:1: unknown key \"alow\"",
		"allow: 10.0.0.0/8\n":        "bad.yml:1: allow: want a list",
		"allow:\n  - \"user:\"\n":    "bad.yml:2: allow-list entry \"user:\" names no user",
		"allow: [10.0.0.0/8\n":       "bad.yml: yaml:",
		"allow:\n  - [a]\n":          "bad.yml:2: allow: an entry must be a string",
		"allow:\n - ok\n - field=\n": "bad.yml:2:",
	} {
		bad := filepath.Join(dir, "bad.yml")
		os.WriteFile(bad, []byte(text), 0o644)
		if _, err := LoadAllow(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadAllow(%q): %v, want %q", text, err, want)
		}
	}
}

func TestLogAction(t *testing.T) {
	db, _ := newDB(t)
	var errw syncBuf
	file := filepath.Join(t.TempDir(), "alerts.jsonl")
	r := &Runner{Stderr: &errw, Now: at(t0)}
	id := raise(t, db, r, ip, alert.ActionSpec{Type: "log", File: file})
	if a := get(t, db, id); a.Actions[0].Status != alert.ActPending {
		t.Fatalf("planned: %+v", a.Actions[0])
	}
	run(t, db, r, t0)
	run(t, db, r, t0.Add(time.Hour)) // nothing left to do
	a := get(t, db, id)
	if rec := a.Actions[0]; rec.Status != alert.ActDone || !strings.Contains(rec.Detail, file) {
		t.Fatalf("log record: %+v", rec)
	}
	if !strings.Contains(errw.String(), "alert 1 [high] ssh-brute-force src_ip=203.0.113.7: 25 events") {
		t.Fatalf("stderr: %q", errw.String())
	}
	ls := lines(t, file)
	if len(ls) != 1 {
		t.Fatalf("log file: %q", ls)
	}
	var l logLine
	if err := json.Unmarshal([]byte(ls[0]), &l); err != nil || l.Alert != id || l.Entity["src_ip"] != "203.0.113.7" || l.Count != 25 {
		t.Fatalf("log line %s: %+v %v", ls[0], l, err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file mode %v", fi.Mode().Perm())
	}
	// A file that cannot be written: recorded as failed, with the reason.
	id = raise(t, db, r, map[string]string{"src_ip": "203.0.113.8"}, alert.ActionSpec{Type: "log", File: filepath.Join(file, "x")})
	run(t, db, r, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActFailed || !strings.Contains(rec.Detail, "not a directory") {
		t.Fatalf("log to a bad file: %+v", rec)
	}
}

func execSpec(argv ...string) alert.ActionSpec {
	return alert.ActionSpec{Type: "exec", Argv: argv, Timeout: 5 * time.Second}
}

func TestSimulatedThenAct(t *testing.T) {
	db, _ := newDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran.txt")
	script := appendScript(t, dir, out)
	spec := execSpec(script, "block", "{ {src_ip} }")
	sim := &Runner{Stderr: &syncBuf{}, Now: at(t0)}
	id := raise(t, db, sim, ip, spec)
	run(t, db, sim, t0)
	rec := get(t, db, id).Actions[0]
	if rec.Status != alert.ActSimulated || rec.Detail != "would run "+script+" block '{ 203.0.113.7 }' (not run: no --act)" {
		t.Fatalf("simulated: %+v", rec)
	}
	if ls := lines(t, out); ls != nil {
		t.Fatalf("a simulated exec ran: %q", ls)
	}
	act := &Runner{Act: true, Stderr: &syncBuf{}, Now: at(t0)}
	id = raise(t, db, act, map[string]string{"src_ip": "198.51.100.9"}, spec)
	for i := 0; i < 3; i++ {
		run(t, db, act, t0.Add(time.Duration(i)*time.Hour))
	}
	rec = get(t, db, id).Actions[0]
	if rec.Status != alert.ActDone || !strings.HasPrefix(rec.Detail, "ran "+script+" block '{ 198.51.100.9 }'") {
		t.Fatalf("act: %+v", rec)
	}
	if ls := lines(t, out); !slices.Equal(ls, []string{"block { 198.51.100.9 }"}) {
		t.Fatalf("ran: %q, want one line", ls)
	}
	// A failing command: recorded with its exit status and output.
	id = raise(t, db, act, map[string]string{"src_ip": "198.51.100.10"}, execSpec("sh", "-c", "echo nope >&2; exit 3"))
	run(t, db, act, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActFailed || !strings.Contains(rec.Detail, "exit status 3; output: nope") {
		t.Fatalf("failing exec: %+v", rec)
	}
	// A missing command.
	id = raise(t, db, act, map[string]string{"src_ip": "198.51.100.11"}, execSpec("/nonexistent/cmd"))
	run(t, db, act, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActFailed || !strings.Contains(rec.Detail, "cannot start") {
		t.Fatalf("missing command: %+v", rec)
	}
}

func TestExecHangKilledAtTimeout(t *testing.T) {
	db, _ := newDB(t)
	r := &Runner{Act: true, Stderr: &syncBuf{}, Now: at(t0)}
	pidFile := filepath.Join(t.TempDir(), "pid")
	spec := alert.ActionSpec{Type: "exec", Argv: []string{"sh", "-c", "sleep 30 & echo $! > " + pidFile + "; wait"}, Timeout: 300 * time.Millisecond}
	id := raise(t, db, r, ip, spec)
	start := time.Now()
	run(t, db, r, t0)
	took := time.Since(start)
	rec := get(t, db, id).Actions[0]
	if rec.Status != alert.ActFailed || !strings.Contains(rec.Detail, "killed at its 300ms timeout") {
		t.Fatalf("hung exec: %+v", rec)
	}
	// The kill reaches the shell's child too (its process group), so Run
	// does not wait for sleep 30 to close the output pipe.
	if took > 3*time.Second {
		t.Fatalf("Run took %v for a 300ms timeout", took)
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	// The kill reaches the shell's child too: it is gone or a zombie (an
	// orphan waits for a reaper that a container may not have).
	time.Sleep(50 * time.Millisecond)
	p := strings.TrimSpace(string(pid))
	if stat, err := os.ReadFile("/proc/" + p + "/stat"); err == nil {
		if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) > 0 && f[0] != "Z" {
			exec.Command("kill", p).Run()
			t.Fatalf("the command's child (sleep, pid %s, state %s) outlived the timeout", p, f[0])
		}
	}
	t.Logf("hung exec killed, Run took %v", took)
}

func TestAllowListSkips(t *testing.T) {
	db, _ := newDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran.txt")
	allow, _ := ParseAllow([]string{"10.0.0.0/8"})
	r := &Runner{Act: true, Allow: allow, Stderr: &syncBuf{}, Now: at(t0)}
	specs := []alert.ActionSpec{
		{Type: "log", File: filepath.Join(dir, "a.jsonl")},
		{Type: "webhook", URL: "http://127.0.0.1:1/never"},
		execSpec(appendScript(t, dir, out), "{src_ip}"),
	}
	id := raise(t, db, r, map[string]string{"src_ip": "10.1.2.3"}, specs...)
	run(t, db, r, t0)
	for i, rec := range get(t, db, id).Actions {
		if rec.Status != alert.ActSkipped || rec.Detail != "allow-list: src_ip 10.1.2.3 is in 10.0.0.0/8" {
			t.Errorf("action %d on an allowed address: %+v", i, rec)
		}
	}
	// The rule's own entries (ActionSpec.Allow) count as well.
	s := specs[2]
	s.Allow = []string{"user:backup"}
	id = raise(t, db, r, map[string]string{"user": "backup"}, s)
	run(t, db, r, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActSkipped || !strings.Contains(rec.Detail, "matches user:backup (the rule's allow)") {
		t.Fatalf("rule allow: %+v", rec)
	}
	if ls := lines(t, out); ls != nil {
		t.Fatalf("an allowed entity was acted on: %q", ls)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.jsonl")); err == nil {
		t.Fatal("an allowed entity was logged")
	}
	// An entry added while an action waits (a restart with a new list)
	// stops it when it is due.
	plain := &Runner{Act: true, Stderr: &syncBuf{}, Now: at(t0)}
	id = raise(t, db, plain, map[string]string{"src_ip": "10.9.9.9"}, specs[2])
	run(t, db, r, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActSkipped || rec.Detail != "allow-list (when it was due): src_ip 10.9.9.9 is in 10.0.0.0/8" {
		t.Fatalf("allowed when due: %+v", rec)
	}
	// Not allowed: it runs.
	id = raise(t, db, r, map[string]string{"src_ip": "203.0.113.7"}, specs[2])
	run(t, db, r, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActDone {
		t.Fatalf("not allowed: %+v", rec)
	}
}

func TestThrottle(t *testing.T) {
	db, _ := newDB(t)
	now := t0
	r := &Runner{Throttle: 10 * time.Minute, Now: func() time.Time { return now }, Stderr: &syncBuf{}}
	spec := alert.ActionSpec{Type: "exec", Argv: []string{"true", "{src_ip}"}}
	other := alert.ActionSpec{Type: "exec", Argv: []string{"false", "{src_ip}"}}
	logged := alert.ActionSpec{Type: "log", File: filepath.Join(t.TempDir(), "b.jsonl")}
	status := func(id uint64) string {
		var s []string
		for _, rec := range get(t, db, id).Actions {
			s = append(s, rec.Status)
		}
		return strings.Join(s, ",")
	}
	a1 := raise(t, db, r, ip, spec, logged)
	now = t0.Add(9 * time.Minute)
	a2 := raise(t, db, r, ip, spec, other, logged)                           // same spec, same entity, within the window; a log is never throttled
	a3 := raise(t, db, r, map[string]string{"src_ip": "198.51.100.1"}, spec) // another entity
	now = t0.Add(11 * time.Minute)
	a4 := raise(t, db, r, ip, spec) // past the window since a1
	if got := []string{status(a1), status(a2), status(a3), status(a4)}; !slices.Equal(got, []string{"pending,pending", "skipped,pending,pending", "pending", "pending"}) {
		t.Fatalf("throttle: %q", got)
	}
	if d := get(t, db, a2).Actions[0].Detail; !strings.Contains(d, "throttled: the same exec action for src_ip=203.0.113.7 was planned for alert 1, whose last event was at 2026-03-06T08:00:00Z; one per 10m0s of events") {
		t.Fatalf("throttle detail: %s", d)
	}
	// The window is of event time: alerts of events a day apart that a
	// catching-up watch plans in the same second are not throttled.
	r.Now = nil
	b1 := raiseAt(t, db, r, map[string]string{"src_ip": "192.0.2.9"}, t0, spec)
	b2 := raiseAt(t, db, r, map[string]string{"src_ip": "192.0.2.9"}, t0.Add(24*time.Hour), spec)
	if got := []string{status(b1), status(b2)}; !slices.Equal(got, []string{"pending", "pending"}) {
		t.Fatalf("event-time throttle: %q", got)
	}
}

func TestHoldDurations(t *testing.T) {
	r := &Runner{MaxFor: 24 * time.Hour}
	var got []string
	for n := 1; n <= 7; n++ {
		got = append(got, r.Hold(time.Hour, n).String())
	}
	if want := []string{"1h0m0s", "2h0m0s", "4h0m0s", "8h0m0s", "16h0m0s", "24h0m0s", "24h0m0s"}; !slices.Equal(got, want) {
		t.Fatalf("holds %q, want %q", got, want)
	}
	r = &Runner{Factor: 3}
	if d := r.Hold(10*time.Minute, 3); d != 90*time.Minute {
		t.Fatalf("factor 3: %v", d)
	}
	if d := r.Hold(time.Hour, 1000); d != DefaultMaxFor {
		t.Fatalf("huge offence: %v", d)
	}
	if d := (&Runner{MaxFor: time.Minute}).Hold(time.Hour, 3); d != time.Hour {
		t.Fatalf("a cap below for: %v", d)
	}
}

func TestEscalation(t *testing.T) {
	db, path := newDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran.txt")
	script := appendScript(t, dir, out)
	now := t0
	newRunner := func() *Runner {
		return &Runner{Act: true, Throttle: -1, Reset: 24 * time.Hour, Now: func() time.Time { return now }, Stderr: &syncBuf{}}
	}
	r := newRunner()
	spec := execSpec(script, "ban", "{src_ip}")
	spec.Undo = []string{script, "unban", "{src_ip}"}
	spec.For = time.Hour
	var holds []string
	offence := func() {
		t.Helper()
		id := raise(t, db, r, ip, spec)
		run(t, db, r, now)
		rec := get(t, db, id).Actions[0]
		if rec.Status != alert.ActDone || !rec.Until.Equal(now.Add(rec.Hold)) {
			t.Fatalf("offence: %+v", rec)
		}
		holds = append(holds, fmt.Sprintf("%d:%s", rec.Offence, rec.Hold))
		now = rec.Until.Add(time.Minute) // the hold ends, and the entity comes back
		run(t, db, r, now)
		if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActUndone {
			t.Fatalf("hold not undone at expiry: %+v", rec)
		}
	}
	offence()
	offence()
	db.Close() // the offence count survives a restart
	db = openDB(t, path)
	defer db.Close()
	r = newRunner()
	offence()
	now = now.Add(25 * time.Hour) // quiet for longer than Reset: the count starts again
	offence()
	if want := []string{"1:1h0m0s", "2:2h0m0s", "3:4h0m0s", "1:1h0m0s"}; !slices.Equal(holds, want) {
		t.Fatalf("holds %q, want %q", holds, want)
	}
	if n := len(lines(t, out)); n != 8 {
		t.Fatalf("%d ban/unban lines, want 8: %q", n, lines(t, out))
	}
	// While a hold is active the same action on the entity is not repeated.
	id := raise(t, db, r, ip, spec)
	run(t, db, r, now)
	now = now.Add(10 * time.Minute)
	id2 := raise(t, db, r, ip, spec)
	if rec := get(t, db, id2).Actions[0]; rec.Status != alert.ActSkipped || !strings.Contains(rec.Detail, fmt.Sprintf("already active: the same exec action for src_ip=203.0.113.7 (alert %d) holds until", id)) {
		t.Fatalf("during a hold: %+v", rec)
	}
}

func TestHoldExpiresAfterRestart(t *testing.T) {
	db, path := newDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran.txt")
	script := appendScript(t, dir, out)
	spec := execSpec(script, "ban", "{src_ip}")
	spec.Undo = []string{script, "unban", "{src_ip}"}
	spec.For = time.Hour
	r := &Runner{Act: true, Now: func() time.Time { return t0 }, Stderr: &syncBuf{}}
	id := raise(t, db, r, ip, spec)
	// and a simulated one, whose undo is simulated at its expiry
	sim := &Runner{Now: func() time.Time { return t0 }, Stderr: &syncBuf{}}
	sid := raise(t, db, sim, map[string]string{"src_ip": "198.51.100.4"}, spec)
	run(t, db, r, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActDone || !rec.Until.Equal(t0.Add(time.Hour)) || rec.UndoStatus != "scheduled" {
		t.Fatalf("ban: %+v", rec)
	}
	db.Close()
	for _, at := range []time.Duration{30 * time.Minute, time.Hour + time.Second, 2 * time.Hour} {
		db = openDB(t, path) // a restart: a new Runner on the reopened file
		r = &Runner{Act: true, Stderr: &syncBuf{}}
		run(t, db, r, t0.Add(at))
		rec, srec := get(t, db, id).Actions[0], get(t, db, sid).Actions[0]
		if at < time.Hour {
			if rec.Status != alert.ActDone || srec.UndoStatus != "scheduled" {
				t.Fatalf("undone before its expiry: %+v %+v", rec, srec)
			}
		} else {
			if rec.Status != alert.ActUndone || rec.UndoStatus != alert.ActDone || !strings.HasPrefix(rec.UndoDetail, "ran "+script+" unban 203.0.113.7") {
				t.Fatalf("not undone after its expiry: %+v", rec)
			}
			if srec.Status != alert.ActSimulated || srec.UndoStatus != alert.ActSimulated || srec.UndoDetail != "would run "+script+" unban 198.51.100.4 (not run: the action was simulated)" {
				t.Fatalf("simulated undo: %+v", srec)
			}
		}
		db.Close()
	}
	db = openDB(t, path)
	defer db.Close()
	if ls := lines(t, out); !slices.Equal(ls, []string{"ban 203.0.113.7", "unban 203.0.113.7"}) {
		t.Fatalf("ran %q", ls)
	}
	if n, _, err := Pending(db); n != 0 || err != nil {
		t.Fatalf("queue left: %d %v", n, err)
	}
}

func TestUndoNow(t *testing.T) {
	db, _ := newDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran.txt")
	script := appendScript(t, dir, out)
	spec := execSpec(script, "ban", "{src_ip}")
	spec.Undo = []string{script, "unban", "{src_ip}"}
	spec.For = time.Hour
	r := &Runner{Act: true, Now: func() time.Time { return t0 }, Stderr: &syncBuf{}}
	id := raise(t, db, r, ip, spec, alert.ActionSpec{Type: "log"})
	run(t, db, r, t0)
	if err := r.Undo(t.Context(), db, id); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActUndone || rec.UndoStatus != alert.ActDone {
		t.Fatalf("undo now: %+v", rec)
	}
	run(t, db, r, t0.Add(2*time.Hour)) // the expiry does not undo it again
	if ls := lines(t, out); !slices.Equal(ls, []string{"ban 203.0.113.7", "unban 203.0.113.7"}) {
		t.Fatalf("ran %q", ls)
	}
	// The entity is no longer held: a new alert on it acts again (the
	// throttle of the log action still applies).
	r.Throttle = -1
	again := raise(t, db, r, ip, spec)
	if rec := get(t, db, again).Actions[0]; rec.Status != alert.ActPending || rec.Offence != 2 {
		t.Fatalf("after undo, a new alert: %+v", rec)
	}
	if err := r.Undo(t.Context(), db, again); err != nil {
		t.Fatal(err)
	}
	r.Throttle = 0
	if err := r.Undo(t.Context(), db, id); err == nil || err.Error() != "alert 1 has no action to undo" {
		t.Fatalf("second undo: %v", err)
	}
	if err := r.Undo(t.Context(), db, 99); err == nil || err.Error() != "no alert 99" {
		t.Fatalf("undo of a missing alert: %v", err)
	}
	// An exec not run yet is cancelled.
	id = raise(t, db, r, map[string]string{"src_ip": "198.51.100.2"}, spec)
	if err := r.Undo(t.Context(), db, id); err != nil {
		t.Fatal(err)
	}
	run(t, db, r, t0)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActSkipped || !strings.Contains(rec.Detail, "cancelled") {
		t.Fatalf("cancelled: %+v", rec)
	}
	if ls := lines(t, out); len(ls) != 2 {
		t.Fatalf("a cancelled exec ran: %q", ls)
	}
}

// An alert that escalates gets the new tier's actions appended to its
// records, and both run.
func TestPlanOnEscalation(t *testing.T) {
	db, _ := newDB(t)
	dir := t.TempDir()
	r := &Runner{Stderr: &syncBuf{}, Now: at(t0)}
	id := raise(t, db, r, ip, alert.ActionSpec{Type: "log", File: filepath.Join(dir, "low.jsonl")})
	run(t, db, r, t0)
	if err := db.Write(func(w *store.WriteTx) error {
		recs, err := w.Records(alert.Bucket)
		if err != nil {
			return err
		}
		a, err := alert.GetIn(recs, id)
		if err != nil {
			return err
		}
		a.Severity, a.Count = alert.High, 120
		return r.Plan(w, a, []alert.ActionSpec{{Type: "log", File: filepath.Join(dir, "high.jsonl")}, execSpec("nft", "add", "{src_ip}")}, false)
	}); err != nil {
		t.Fatal(err)
	}
	run(t, db, r, t0)
	a := get(t, db, id)
	var got []string
	for _, rec := range a.Actions {
		got = append(got, rec.Status)
	}
	if !slices.Equal(got, []string{"done", "done", "simulated"}) || a.Count != 120 {
		t.Fatalf("after escalation: %q count %d", got, a.Count)
	}
	if len(lines(t, filepath.Join(dir, "low.jsonl"))) != 1 || len(lines(t, filepath.Join(dir, "high.jsonl"))) != 1 {
		t.Fatal("log lines")
	}
	// A bad entry in a rule's allow-list refuses the action rather than act.
	s := execSpec("nft", "add", "{src_ip}")
	s.Allow = []string{"10.0.0.300"}
	id = raise(t, db, r, map[string]string{"src_ip": "198.51.100.30"}, s)
	if rec := get(t, db, id).Actions[0]; rec.Status != alert.ActSkipped || !strings.Contains(rec.Detail, "the rule's allow-list is bad") {
		t.Fatalf("bad rule allow: %+v", rec)
	}
}
