package action

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

// TestMain doubles as the driver of TestKill9NoExecTwice: with
// LOGHUNT_ACTION_DRIVER set, the test binary raises alerts with an exec
// action and runs them until it is killed.
func TestMain(m *testing.M) {
	if os.Getenv("LOGHUNT_ACTION_DRIVER") != "" {
		driver()
		return
	}
	os.Exit(m.Run())
}

func driver() {
	dbPath, script, mode := os.Getenv("DRIVER_DB"), os.Getenv("DRIVER_SCRIPT"), os.Getenv("LOGHUNT_ACTION_DRIVER")
	db, err := store.Open(dbPath, store.OpenOptions{Create: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := &Runner{Act: true, Stderr: os.Stderr}
	ctx := contextBackground()
	if mode == "finish" { // after the last kill: do what is left (the holds expire), then stop
		for i := 0; i < 2; i++ {
			if err := r.Run(ctx, db, time.Now()); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			time.Sleep(100 * time.Millisecond)
		}
		db.Close()
		return
	}
	open := func() (*store.DB, error) { return store.Open(dbPath, store.OpenOptions{}) }
	if mode == "runopen" { // the DB opened for each transaction only
		db.Close()
	}
	for {
		if mode == "runopen" {
			if db, err = open(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
		err := db.Write(func(w *store.WriteTx) error {
			recs, err := w.Records(alert.Bucket)
			if err != nil {
				return err
			}
			id, err := recs.NextID()
			if err != nil {
				return err
			}
			a := &alert.Alert{ID: id, Rule: "r", Severity: alert.High, State: alert.StateNew,
				Entity: map[string]string{"src_ip": fmt.Sprintf("10.%d.%d.%d", id>>16&255, id>>8&255, id&255)}}
			return r.Plan(w, a, []alert.ActionSpec{{Type: "exec", Argv: []string{script, "{id}"},
				Undo: []string{script, "u{id}"}, For: 30 * time.Millisecond, Timeout: 10 * time.Second}}, true)
		})
		if err == nil && mode == "runopen" {
			if err = db.Close(); err == nil {
				err = r.RunOpen(ctx, open, time.Now())
			}
		} else if err == nil {
			err = r.Run(ctx, db, time.Now())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}

// TestCrashBetweenRunningAndResult: an exec recorded as running whose
// result never was (the process died) is marked interrupted on the next
// Run, reported, and not run again.
func TestCrashBetweenRunningAndResult(t *testing.T) {
	db, path := newDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran.txt")
	spec := execSpec(appendScript(t, dir, out), "{src_ip}")
	r := &Runner{Act: true, Now: at(t0), Stderr: &syncBuf{}}
	id := raise(t, db, r, ip, spec)
	// What doExec commits before it starts the process, and then no more.
	if err := change(kept{db}, id, 0, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		rec.Status, rec.Detail, rec.At = alert.ActRunning, "ran "+spec.Argv[0]+" 203.0.113.7", t0
		return putQueued(queue, id, 0, false, queued{Due: t0, Running: true})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDB(t, path)
	defer db.Close()
	var errw syncBuf
	r = &Runner{Act: true, Stderr: &errw}
	run(t, db, r, t0.Add(time.Minute))
	run(t, db, r, t0.Add(time.Hour))
	rec := get(t, db, id).Actions[0]
	if rec.Status != alert.ActInterrupted || !strings.Contains(rec.Detail, "loghunt stopped while it ran (started 2026-03-06T08:00:00Z); not run again") {
		t.Fatalf("after the crash: %+v", rec)
	}
	if !strings.Contains(errw.String(), "alert 1 action 1: the exec was running when loghunt stopped; it is not run again") {
		t.Fatalf("report: %q", errw.String())
	}
	if ls := lines(t, out); ls != nil {
		t.Fatalf("the interrupted exec ran again: %q", ls)
	}
	// Its undo can still be asked for by hand.
	if n, _, _ := Pending(db); n != 0 {
		t.Fatalf("queued: %d", n)
	}
}

// TestKill9NoExecTwice kills a real process running actions (this test
// binary as a driver) with SIGKILL at random moments and checks that no
// exec and no undo ever ran twice, every one recorded done ran exactly
// once, and every one left running was marked interrupted, not run again;
// half the runs use RunOpen.
func TestKill9NoExecTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "k.db")
	out := filepath.Join(dir, "ran.txt")
	// The command appends its alert id, then lingers, so that kills land
	// both before and after it ran.
	script := filepath.Join(dir, "act.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" >> '"+out+"'\nsleep 0.02\n"), 0o755)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := func(mode string) *exec.Cmd {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), "LOGHUNT_ACTION_DRIVER="+mode, "DRIVER_DB="+dbPath, "DRIVER_SCRIPT="+script)
		cmd.Stderr = &syncBuf{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	const kills = 10
	for i := 0; i < kills; i++ {
		mode := "run"
		if i%2 == 1 {
			mode = "runopen"
		}
		cmd := start(mode)
		time.Sleep(time.Duration(150+rng.IntN(350)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	cmd := start("finish")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("finish: %v: %s", err, cmd.Stderr)
	}
	time.Sleep(100 * time.Millisecond) // a command orphaned by the last kill finishes its line

	ran, undone := map[uint64]int{}, map[uint64]int{}
	for _, l := range lines(t, out) {
		m := ran
		if strings.HasPrefix(l, "u") {
			l, m = l[1:], undone
		}
		id, err := strconv.ParseUint(l, 10, 64)
		if err != nil {
			t.Fatalf("line %q", l)
		}
		m[id]++
	}
	db := openDB(t, dbPath)
	defer db.Close()
	var alerts, done, interrupted, interruptedRan, undos, undoInterrupted int
	err = db.ReadRecords(alert.Bucket, func(recs *store.Records) error {
		return recs.ForEach(nil, func(k, v []byte) (bool, error) {
			var a alert.Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return false, err
			}
			alerts++
			rec := a.Actions[0]
			switch rec.UndoStatus {
			case alert.ActDone:
				undos++
				if undone[a.ID] != 1 {
					t.Errorf("alert %d: undone, but the undo ran %d times", a.ID, undone[a.ID])
				}
			case alert.ActInterrupted:
				undoInterrupted++
			case "":
				if rec.Status != alert.ActInterrupted {
					t.Errorf("alert %d: no undo: %+v", a.ID, rec)
				}
			default:
				t.Errorf("alert %d: undo %s after the finishing run: %+v", a.ID, rec.UndoStatus, rec)
			}
			if undone[a.ID] > 1 {
				t.Errorf("alert %d: the undo ran %d times", a.ID, undone[a.ID])
			}
			switch rec.Status {
			case alert.ActUndone, alert.ActDone:
				done++
				if ran[a.ID] != 1 {
					t.Errorf("alert %d: done, but ran %d times", a.ID, ran[a.ID])
				}
			case alert.ActInterrupted:
				interrupted++
				interruptedRan += ran[a.ID]
				if ran[a.ID] > 1 {
					t.Errorf("alert %d: interrupted, and ran %d times", a.ID, ran[a.ID])
				}
			default:
				t.Errorf("alert %d: %s after the finishing run: %+v", a.ID, rec.Status, rec)
			}
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range ran {
		if n > 1 {
			t.Errorf("alert %d's exec ran %d times", id, n)
		}
	}
	if alerts < kills {
		t.Fatalf("only %d alerts in %d runs", alerts, kills)
	}
	t.Logf("%d kills: %d alerts, %d execs done once, %d interrupted (%d of them had run, none again); %d undos done once, %d interrupted",
		kills, alerts, done, interrupted, interruptedRan, undos, undoInterrupted)
}
