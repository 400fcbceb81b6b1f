package main

import (
	"bytes"
	"context"
	"loghunt/query"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs loghunt demo and checks that the hunts report every
// planted attack, with no other source flagged, and that the chart marks
// anomalies.
func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if err := cli(context.Background(), []string{"demo"}, nil, &out, &errb); err != nil {
		t.Fatalf("demo: %v\n%s", err, errb.String())
	}
	s := out.String()
	start, end := strings.Index(s, "== Running them"), strings.Index(s, "== Failed logins per 10 minutes")
	if start < 0 || end < start {
		t.Fatalf("demo output lacks its sections:\n%s", s)
	}
	found := s[start:end]
	for _, a := range demoAttacks {
		if !strings.Contains(found, a.Source) {
			t.Errorf("the hunts did not report the %s from %s", a.Kind, a.Source)
		}
	}
	// Every flagged row (a line with an anomaly_score) comes from an attacker.
	for _, line := range strings.Split(found, "\n") {
		if !strings.Contains(line, "(typical") {
			continue
		}
		ok := false
		for _, a := range demoAttacks {
			ok = ok || strings.Contains(line, a.Source)
		}
		if !ok {
			t.Errorf("false alarm: %s", line)
		}
	}
	chart := s[end:]
	if !strings.Contains(chart, "^ is_anomaly") || strings.Count(chart, "^") < 3 {
		t.Errorf("the chart marks no anomalies:\n%s", chart)
	}
	if !strings.Contains(s, "loghunt demo --keep DIR") {
		t.Error("the demo does not say how to keep its database for the REPL")
	}
}

// TestHuntScripts checks that every script in hunts/ splits into queries
// that parse, so the shipped hunts never rot.
func TestHuntScripts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("hunts", "*.lhq"))
	if len(files) < 3 {
		t.Fatalf("hunts/ holds %d scripts", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := query.SplitScript(string(src))
		if err != nil || len(qs) == 0 {
			t.Fatalf("%s: %v (%d queries)", f, err, len(qs))
		}
		for _, q := range qs {
			if _, err := query.Parse(q.Text); err != nil {
				t.Errorf("%s:%d: %v", f, q.Line, err)
			}
		}
	}
}
