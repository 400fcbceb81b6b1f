package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"loghunt/clickhouse/chtest"
)

// TestWatchShip follows a directory with watch --ship: sshd lines, then
// an Apache log (new fields: the table gets their columns), a kill -9
// and a restart; the table ends with every event once, and queries with
// --engine on it answer as the local store does.
func TestWatchShip(t *testing.T) {
	srv := chtest.Start(t)
	bin := buildLoghunt(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	db := filepath.Join(dir, "w.db")
	auth := filepath.Join(logs, "auth.log")
	appendLines(t, auth, 1, 200)
	w := startWatch(t, bin, db, "--ship", srv.URL, "--table", "live", logs)
	waitCount(t, srv.URL, "live", 200, w)
	access := filepath.Join(logs, "access.log")
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, "10.0.0.%d - - [06/Mar/2025:09:%02d:00 +0000] \"GET /p%d HTTP/1.1\" %d %d \"-\" \"curl/8\"\n", i%7, i, i, []int{200, 404}[i%2], 100+i)
	}
	os.WriteFile(access, []byte(b.String()), 0o644)
	waitCount(t, srv.URL, "live", 250, w)
	appendLines(t, auth, 201, 400)
	time.Sleep(300 * time.Millisecond)
	w.kill9()
	w = startWatch(t, bin, db, "--ship", srv.URL, "--table", "live", logs)
	appendLines(t, auth, 401, 500)
	waitCount(t, srv.URL, "live", 550, w)
	if code := w.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("watch exit %d:\n%s", code, w.stderr)
	}
	if got, _ := chtest.Exec(srv.URL, "SELECT count(), uniqExact(_raw), countIf(isNotNull(status)) FROM live FORMAT TabSeparated"); strings.TrimSpace(got) != "550\t550\t50" {
		t.Errorf("table: count, distinct _raw, rows with status = %q, want 550, 550, 50", got)
	}
	engine := "clickhouse=" + srv.URL + "?table=live"
	for _, q := range []string{
		`* | stats count by sourcetype`,
		`status=404 | stats count, sum(bytes) by clientip | sort -count, clientip`,
		`"Failed password" | rex "seq=(?<s>\d+)" | eval n=tonumber(s) | stats count, dc(n), min(n), max(n)`,
	} {
		local, err := exec.Command(bin, "--db", db, "query", "--format", "csv", q).Output()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cmd := exec.Command(bin, "query", "--engine", engine, "--explain", "--format", "csv", q)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		remote, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s on ClickHouse: %v\n%s", q, err, stderr.String())
		}
		if string(remote) != string(local) {
			t.Errorf("%s:\non ClickHouse:\n%s\nlocal:\n%s", q, remote, local)
		}
		if !strings.Contains(stderr.String(), "SQL:\n  SELECT") {
			t.Errorf("%s: --explain printed no SQL:\n%s", q, stderr.String())
		}
	}
}

// waitCount waits until the table holds n events.
func waitCount(t *testing.T, url, table string, n int, w *watchProc) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		got, _ = chtest.Exec(url, "SELECT count() FROM "+table+" FORMAT TabSeparated")
		if strings.TrimSpace(got) == fmt.Sprint(n) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the table holds %q events, want %d; watch's stderr:\n%s", got, n, w.stderr)
}
