package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestTZ: --tz shows times in a zone (query, csv and json), the default
// stays UTC, an unknown zone is a usage error; .tz does the same in the
// REPL.
func TestTZ(t *testing.T) {
	_, db := demoDB(t)
	q := "sshd | sort _time | head 1 | table _time, host"
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := cli(context.Background(), append([]string{"--db", db}, args...), nil, &out, &errb)
		return out.String() + errb.String(), err
	}
	utc, err := run("query", "--format", "csv", q)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(utc), "\n")
	ts, err := time.Parse(time.RFC3339, strings.Split(lines[1], ",")[0])
	if err != nil || !strings.HasSuffix(strings.Split(lines[1], ",")[0], "Z") {
		t.Fatalf("default output %q: %v", utc, err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	want := ts.In(ny).Format(time.RFC3339Nano)
	for _, f := range []string{"csv", "json"} {
		out, err := run("query", "--tz", "America/New_York", "--format", f, q)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("--tz America/New_York --format %s: %q, want %s (%v)", f, out, want, err)
		}
	}
	if out, err := run("query", "--tz", "Mars/Base", q); err == nil || exitCode(err, &bytes.Buffer{}) != 2 || !strings.Contains(err.Error(), `unknown time zone "Mars/Base"`) {
		t.Errorf("an unknown zone: %q %v", out, err)
	}
	var out, errb bytes.Buffer
	in := strings.NewReader(".tz America/New_York\n" + q + "\n.tz\n")
	if err := cli(context.Background(), []string{"--db", db, "repl"}, in, &out, &errb); err != nil {
		t.Fatalf("repl: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "tz: America/New_York") || !strings.Contains(out.String(), want) {
		t.Errorf("repl .tz:\n%s", out.String())
	}
}

// TestBareSearchView: a bare search in a table shows _time, source and
// _raw, the newest first (the newest 1000), as Splunk shows events; CSV,
// and a query with table, keep their columns and order.
func TestBareSearchView(t *testing.T) {
	_, db := demoDB(t)
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		if err := cli(context.Background(), append([]string{"--db", db}, args...), nil, &out, &errb); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	csvOut := run("query", "--format", "csv", `"Failed password" 203.0.113.77`)
	rows := strings.Split(strings.TrimSpace(csvOut), "\n")
	if !strings.HasPrefix(rows[0], "_time,") || strings.Count(rows[0], ",") < 5 {
		t.Fatalf("csv header %q", rows[0])
	}
	var times []string
	for _, r := range rows[1:] {
		times = append(times, r[:20])
	}
	table := strings.Split(strings.TrimSpace(run("query", "--format", "table", `"Failed password" 203.0.113.77`)), "\n")
	if f := strings.Fields(table[0]); len(f) != 3 || f[0] != "_time" || f[1] != "source" || f[2] != "_raw" {
		t.Fatalf("table header %q", table[0])
	}
	body := table[2:] // header, rule
	if len(body) != len(times) || len(times) < 100 {
		t.Fatalf("%d table rows, %d events", len(body), len(times))
	}
	for i, line := range body {
		if got, want := line[:20], times[len(times)-1-i]; got != want {
			t.Fatalf("row %d: %s, want %s (newest first)", i, got, want)
		}
	}
	if h := strings.Fields(strings.Split(run("query", "--format", "table", `"Failed password" | head 1 | table user, _time`), "\n")[0]); strings.Join(h, " ") != "user _time" {
		t.Errorf("table chose %v", h)
	}
}
