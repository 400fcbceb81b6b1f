package ingest

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

func TestLookup(t *testing.T) {
	names := map[string]bool{}
	for _, f := range Formats() {
		names[f.Name()] = true
		if g, ok := Lookup(f.Name()); !ok || g.Name() != f.Name() {
			t.Errorf("Lookup(%q) = %v, %v", f.Name(), g, ok)
		}
	}
	for _, want := range []string{"syslog", "apache", "json", "csv", "tsv", "logfmt", "zeek", "kv", "text"} {
		if !names[want] {
			t.Errorf("Formats() lacks %s", want)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error(`Lookup("nope") found a format`)
	}
	if got := Detect(nil).Name(); got != "text" {
		t.Errorf("Detect(nil) = %s, want text", got)
	}
}

// readDatasetLines reads up to max lines of a plain, .gz or single-file
// .zip dataset file.
func readDatasetLines(t *testing.T, path string, max int) []string {
	t.Helper()
	var r io.Reader
	switch {
	case strings.HasSuffix(path, ".zip"):
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		f, err := zr.File[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r = f
	default:
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r = f
		if strings.HasSuffix(path, ".gz") {
			gz, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r = gz
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var lines []string
	for sc.Scan() && len(lines) < max {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// splitEvents groups lines into events as the pipeline's splitter does.
func splitEvents(p Parser, lines []string) []string {
	var events []string
	for _, l := range lines {
		switch p.Classify([]byte(l)) {
		case LineEvent:
			events = append(events, l)
		case LineContinue:
			if len(events) > 0 {
				events[len(events)-1] += "\n" + l
			} else {
				events = append(events, l)
			}
		}
	}
	return events
}

// TestDatasets detects the format of every auth, web, Zeek and Windows
// dataset file from its first lines, then parses every event: each must
// parse without error and carry its own time.
func TestDatasets(t *testing.T) {
	dir := needDatasets(t, ".")
	tests := []struct {
		glob, format string
	}{
		{"authlog/*.log", "syslog"},
		{"authlog/*.log.gz", "syslog"},
		{"weblogs/*.log", "apache"},
		{"zeek/wrccdc2018_tsv/*.log.gz", "zeek"},
		{"zeek/wrccdc2018_json/*.json.gz", "json"},
		{"zeek/otrf_apt29/*.jsonl", "json"},
		{"windows_otrf/*.zip", "json"},
	}
	max := 1 << 30
	if testing.Short() {
		max = 2000
	}
	for _, tc := range tests {
		paths, _ := filepath.Glob(filepath.Join(dir, tc.glob))
		if len(paths) == 0 {
			t.Errorf("%s: no files", tc.glob)
		}
		for _, path := range paths {
			t.Run(filepath.Base(path), func(t *testing.T) {
				lines := readDatasetLines(t, path, max)
				f := Detect(nonEmpty(lines, 50))
				if f.Name() != tc.format {
					t.Fatalf("Detect = %s, want %s", f.Name(), tc.format)
				}
				p, err := f.NewParser(lines[:min(200, len(lines))], Options{Loc: time.UTC, ModTime: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				bad := 0
				var ev store.Event
				events := splitEvents(p, lines)
				for _, e := range events {
					ev = store.Event{Raw: e, Fields: ev.Fields[:0]}
					hasTime, err := p.Parse(e, &ev)
					if err != nil || !hasTime && hasTimeField(ev) {
						if bad++; bad <= 3 {
							t.Errorf("%q: hasTime %v, err %v", e, hasTime, err)
						}
					}
				}
				if bad > 0 {
					t.Errorf("%d of %d events failed", bad, len(events))
				}
			})
		}
	}
}

func nonEmpty(lines []string, n int) []string {
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" && len(out) < n {
			out = append(out, l)
		}
	}
	return out
}

// hasTimeField reports whether ev has a field that should give its time.
func hasTimeField(ev store.Event) bool {
	if len(ev.Fields) == 0 {
		return true // a format without fields: the time is in the text
	}
	for _, f := range ev.Fields {
		if timeKeyRank(f.Name) >= 0 {
			return true
		}
	}
	return false
}
