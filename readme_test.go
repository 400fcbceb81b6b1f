package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeDatabases are the databases the README's worked hunts name, and
// what `loghunt ingest` reads into each (paths under ../shared/datasets).
var readmeDatabases = map[string][]string{
	"auth.db": {"authlog"},
	"web.db":  {"weblogs"},
}

// readmeHunt is one `$ loghunt --db NAME query '...'` block of the README
// and the output shown under it.
type readmeHunt struct {
	db, query, output string
	start, end        int // byte offsets of the output in the README
}

var readmeHuntRE = regexp.MustCompile("(?s)```\n\\$ loghunt --db (\\S+) query '(.*?)'\n(.*?)```")

func readmeHunts(t *testing.T, text string) []readmeHunt {
	t.Helper()
	a := strings.Index(text, "### Worked hunts")
	b := strings.Index(text[a+1:], "\n## ")
	if a < 0 || b < 0 {
		t.Fatal("README has no Worked hunts section")
	}
	var out []readmeHunt
	for _, m := range readmeHuntRE.FindAllStringSubmatchIndex(text[a:a+1+b], -1) {
		h := readmeHunt{db: text[a+m[2] : a+m[3]], query: text[a+m[4] : a+m[5]], output: text[a+m[6] : a+m[7]],
			start: a + m[6], end: a + m[7]}
		out = append(out, h)
	}
	return out
}

// TestReadmeWorkedHunts runs every worked hunt of the README on the real
// logs it names and compares what it prints with what the README shows.
// LOGHUNT_README_UPDATE=1 writes the outputs into README.md instead.
func TestReadmeWorkedHunts(t *testing.T) {
	datasets := filepath.Join("..", "shared", "datasets")
	if _, err := os.Stat(datasets); err != nil {
		t.Skip("../shared/datasets is absent")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	hunts := readmeHunts(t, text)
	if len(hunts) < 4 {
		t.Fatalf("found %d worked hunts in the README, want at least 4", len(hunts))
	}
	dir := t.TempDir()
	made := map[string]string{}
	update := os.Getenv("LOGHUNT_README_UPDATE") == "1"
	// From the last, so that the offsets of the ones before stay right
	// when the README is updated.
	for i := len(hunts) - 1; i >= 0; i-- {
		h := hunts[i]
		db, ok := made[h.db]
		if !ok {
			inputs, known := readmeDatabases[h.db]
			if !known {
				t.Fatalf("worked hunt on %s: no dataset for it in readmeDatabases", h.db)
			}
			db = filepath.Join(dir, h.db)
			args := []string{"--db", db, "ingest"}
			for _, in := range inputs {
				args = append(args, filepath.Join(datasets, in))
			}
			var out, errb bytes.Buffer
			if err := cli(context.Background(), args, nil, &out, &errb); err != nil {
				t.Fatalf("ingest for %s: %v\n%s", h.db, err, errb.String())
			}
			made[h.db] = db
		}
		var out, errb bytes.Buffer
		err := cli(context.Background(), []string{"--db", db, "query", "--format", "table", h.query}, nil, &out, &errb)
		if err != nil {
			t.Errorf("%s: %v\n%s", h.query, err, errb.String())
			continue
		}
		got := out.String()
		if got == h.output {
			continue
		}
		if update {
			text = text[:h.start] + got + text[h.end:]
			continue
		}
		t.Errorf("worked hunt on %s:\n%s\nprints\n%s\nREADME shows\n%s", h.db, h.query, got, h.output)
	}
	if update {
		if err := os.WriteFile("README.md", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
