package ingest

import (
	"archive/zip"
	"loghunt/store/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNotALog(t *testing.T) {
	for name, want := range map[string]bool{
		"README.md": true, "README_upstream.md": true, "LICENSE": true, "LICENSE.GPL": true, "LICENSE_logdeep": true,
		"licence.txt": true, "CITATION": true, "MANIFEST.sha256": true, "SDWIN-190319020729.yaml": true, "ci.yml": true,
		"logo.PNG": true, "report.pdf": true, "hunt.lhq": true, "loghunt.db": true, ".gitignore": true, "x.py": true,
		"auth.log": false, "secrepo_auth.log": false, "changes.log": false, "security.log": false, "readme.log": false,
		"access.log.2.gz": false, "events.json": false, "rows.csv": false, "messages": false, "syslog.1": false,
		"notes.txt": false, "authentication.log": false, "Windows_2k.log_structured.csv": false, "conn.log.gz": false,
		"x.evtx": false, "hdfs_train": false, "data.zip": false,
	} {
		if got := notALog(name); got != want {
			t.Errorf("notALog(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestIngestDirSkipsNotLogs: a directory's README, LICENSE, YAML, images
// and .git are left out with one note, so they add no events and do not
// move the newest event (relative times count from it); named on the
// command line, such a file is ingested.
func TestIngestDirSkipsNotLogs(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "auth.log")
	writeFile(t, logPath, authLines(5), false)
	files := map[string]string{
		"README.md":         "# a dataset\n\nAuth logs from a honeypot.\n",
		"LICENSE":           "MIT License\n\nCopyright (c) 2026\n",
		"sub/LICENSE_other": "GPL\n",
		"meta.yaml":         "title: brute force\ndate: 2019-03-19\n",
		"sub/pic.png":       "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
		"sub/.git/config":   "[core]\n\tbare = false\n",
		"sub/.git/HEAD":     "ref: refs/heads/main\n",
	}
	later := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
		os.Chtimes(p, later, later) // as if copied later: their mtime would be their _time
	}
	db := storetest.Open(t)
	sum, warns := ingestPaths(t, db, Config{Year: 2025}, dir)
	if sum.Files != 1 || sum.Events != 5 || sum.Skipped != 6 {
		t.Errorf("%+v", sum)
	}
	if len(warns) != 1 || !strings.HasPrefix(warns[0], "skipped 6 files that are not logs by their names") ||
		!strings.Contains(warns[0], filepath.Join(dir, "README.md")) || !strings.Contains(warns[0], "and 1 more") {
		t.Errorf("warnings %q", warns)
	}
	srcs, _ := db.Sources()
	if len(srcs) != 1 || time.Unix(0, srcs[0].Last).UTC().Year() != 2025 {
		t.Errorf("sources %+v", srcs)
	}
	// Only not-logs in a directory: nothing stored, the ingest fails.
	only := filepath.Join(dir, "sub")
	if _, _, err := ingestPathsErr(storetest.Open(t), Config{}, only); err == nil || !strings.Contains(err.Error(), "every input was skipped") {
		t.Errorf("only not-logs: %v", err)
	}
	// Named, it is read.
	sum, warns = ingestPaths(t, db, Config{}, filepath.Join(dir, "README.md"))
	if sum.Files != 1 || sum.Events != 2 || len(warns) != 0 {
		t.Errorf("named README: %+v %q", sum, warns)
	}
}

// TestIngestZipSkipsNotLogs: a zip's members are found, not named, so a
// README in it is left out too.
func TestIngestZipSkipsNotLogs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "set.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range map[string]string{
		"README.md":   "# the set\n",
		"events.json": `{"ts":"2025-03-06T08:00:00Z","n":1}` + "\n",
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	f.Close()
	db := storetest.Open(t)
	sum, warns := ingestPaths(t, db, Config{}, path)
	if sum.Files != 1 || sum.Events != 1 || sum.Skipped != 1 || len(warns) != 1 || !strings.Contains(warns[0], path+"!README.md") {
		t.Errorf("%+v %q", sum, warns)
	}
}
