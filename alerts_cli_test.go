package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/action"
	"loghunt/alert"
	"loghunt/store"
)

// TestAlertsShowActions: alerts show lists an alert's action records (as
// the action runner leaves them) with their status, detail and expiry.
func TestAlertsShowActions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := store.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	a := &alert.Alert{ID: 7, Rule: "ssh-brute-force", Severity: alert.High, Entity: map[string]string{"src_ip": "203.0.113.7"},
		First: at, Last: at.Add(time.Minute), Count: 120, Reason: "count=120 (high: count >= 100)", State: alert.StateNew,
		Query: `earliest="2025-03-01T10:00:00Z" action=failure | where src_ip == "203.0.113.7"`,
		Actions: []alert.ActionRecord{
			{Spec: alert.ActionSpec{Type: "log", File: "alerts.jsonl"}, Status: "done", At: at},
			{Spec: alert.ActionSpec{Type: "exec", Argv: []string{"nft", "add", "element", "{ {src_ip} }"}}, Status: "simulated",
				Detail: "would run nft add element { 203.0.113.7 }", At: at, Until: at.Add(time.Hour)},
		}}
	if err := db.Write(func(w *store.WriteTx) error { return alert.Put(w, a) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errb bytes.Buffer
	if err := cli(t.Context(), []string{"--db", path, "alerts", "show", "7"}, nil, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	for _, want := range []string{
		"alert 7: ssh-brute-force, high\n",
		"    done      log alerts.jsonl (at 2025-03-01T10:00:00Z)\n",
		"    simulated exec nft add element { {src_ip} }: would run nft add element { 203.0.113.7 } (at 2025-03-01T10:00:00Z) until 2025-03-01T11:00:00Z\n",
		`query 'earliest="2025-03-01T10:00:00Z" action=failure | where src_ip == "203.0.113.7"'`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := cli(t.Context(), []string{"--db", path, "alerts", "--format", "csv"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `,new,"2 (1 done, 1 simulated)",`) {
		t.Errorf("actions summary missing in %s", out.String())
	}
}

// TestAlertsUndoCLI: 'alerts undo ID' runs the undo of an alert's exec
// action that holds (a real command, run with --act), records it, and a
// second undo says there is nothing to undo and runs nothing.
func TestAlertsUndoCLI(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	trail := filepath.Join(dir, "trail")
	script := filepath.Join(dir, "fw.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+trail+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	a := &alert.Alert{ID: 3, Rule: "ssh-brute-force", Severity: alert.High, Entity: map[string]string{"src_ip": "203.0.113.7"},
		First: at, Last: at, Count: 120, State: alert.StateNew}
	spec := alert.ActionSpec{Type: "exec", Argv: []string{script, "block", "{src_ip}"}, Undo: []string{script, "unblock", "{src_ip}"},
		For: time.Hour, Timeout: 5 * time.Second}
	r := &action.Runner{Act: true, Stderr: io.Discard}
	if err := db.Write(func(w *store.WriteTx) error {
		if err := alert.Put(w, a); err != nil {
			return err
		}
		return r.Plan(w, a, []alert.ActionSpec{spec}, true)
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(t.Context(), db, time.Now()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errb bytes.Buffer
	if err := cli(t.Context(), []string{"--db", path, "alerts", "undo", "3"}, nil, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "alert 3 (ssh-brute-force src_ip=203.0.113.7): actions undone") ||
		!strings.Contains(out.String(), "undo done") {
		t.Errorf("undo output:\n%s", out.String())
	}
	out.Reset()
	if err := cli(t.Context(), []string{"--db", path, "alerts", "undo", "3"}, nil, &out, &errb); err == nil ||
		!strings.Contains(err.Error(), "no action to undo") {
		t.Fatalf("second undo: %v", err)
	}
	got, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "block 203.0.113.7\nunblock 203.0.113.7\n" {
		t.Errorf("commands run:\n%s", got)
	}
	out.Reset()
	if err := cli(t.Context(), []string{"--db", path, "alerts", "show", "3"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "holds 1h0m0s") || !strings.Contains(out.String(), "; undo done") {
		t.Errorf("show after undo:\n%s", out.String())
	}
	if err := cli(t.Context(), []string{"--db", path, "alerts", "undo", "99"}, nil, &out, &errb); err == nil {
		t.Error("undo of a missing alert succeeded")
	}
}
