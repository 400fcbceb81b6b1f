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
