package ingest

import (
	"bufio"
	"compress/gzip"
	"io"
	"loghunt/store/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// countEventLines counts the lines of a file (gunzipped) that are events:
// not empty and, for Zeek, not '#' headers.
func countEventLines(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	var n int64
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
	}
	return n
}

// TestIngestSharedDatasets ingests the real logs through the whole
// pipeline into a store on disk: every line must become one event of the
// expected sourcetype, with nothing flagged.
func TestIngestSharedDatasets(t *testing.T) {
	datasets := needDatasets(t, ".")
	cases := []struct {
		glob, sourcetype string
		year             int
	}{
		{"loghub/Linux_2k.log", "syslog", 2005},
		{"loghub/OpenSSH_2k.log", "syslog", 2015},
		{"loghub/Mac_2k.log", "syslog", 2017},
		{"loghub/Hadoop_2k.log", "kv", 0},
		{"loghub/HDFS_2k.log", "kv", 0},
		{"loghub/Spark_2k.log", "kv", 0},
		{"loghub/Zookeeper_2k.log", "kv", 0},
		{"loghub/Windows_2k.log", "kv", 0},
		{"loghub/Apache_2k.log", "kv", 0},
		{"loghub/BGL_2k.log", "text", 0},
		{"loghub/HPC_2k.log", "text", 0},
		{"loghub/Thunderbird_2k.log", "text", 0},
		{"loghub/OpenStack_2k.log", "text", 0},
		{"loghub/HealthApp_2k.log", "text", 0},
		{"loghub/Proxifier_2k.log", "text", 0},
		{"authlog/secrepo_auth.log", "syslog", 0},
		{"authlog/hofstede_auth.log.gz", "syslog", 0},
		{"weblogs/elastic_apache_logs.log", "apache", 0},
		{"weblogs/ocatak_w3af_scan.log", "apache", 0},
		{"zeek/wrccdc2018_tsv/*.log.gz", "zeek", 0},
	}
	for _, c := range cases {
		paths, _ := filepath.Glob(filepath.Join(datasets, c.glob))
		if len(paths) == 0 {
			t.Errorf("%s: no files", c.glob)
		}
		for _, path := range paths {
			t.Run(filepath.Base(path), func(t *testing.T) {
				db := storetest.Open(t)
				sum, warns := ingestPaths(t, db, Config{Year: c.year}, path)
				want := countEventLines(t, path)
				if sum.Events != want || sum.Flagged != 0 {
					t.Errorf("%d events (%d flagged), want %d lines; warnings %q", sum.Events, sum.Flagged, want, warns)
				}
				srcs, _ := db.Sources()
				if len(srcs) != 1 || srcs[0].Sourcetype != c.sourcetype {
					t.Fatalf("sourcetype %q, want %q", srcs[0].Sourcetype, c.sourcetype)
				}
				first, last := time.Unix(0, srcs[0].First).UTC(), time.Unix(0, srcs[0].Last).UTC()
				if first.Year() < 2000 || last.Year() > 2030 || last.Before(first) {
					t.Errorf("time range %v .. %v", first, last)
				}
				// The same file again adds nothing.
				if sum, _ := ingestPaths(t, db, Config{Year: c.year}, path); sum.Events != 0 {
					t.Errorf("second ingest added %d events", sum.Events)
				}
			})
		}
	}
}
