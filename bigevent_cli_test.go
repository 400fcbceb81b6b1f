package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// longText returns n bytes of printable text with spaces, seeded by n.
func longText(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 =:,./-"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[r.IntN(len(abc))]
	}
	return string(b)
}

// queryJSON runs a query through the binary and returns its rows.
func queryJSON(t *testing.T, bin, db, q string) []map[string]any {
	t.Helper()
	out, err := exec.Command(bin, "--db", db, "query", "--format", "json", q).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += "\n" + string(ee.Stderr)
		}
		t.Fatalf("query %q: %s", q, msg)
	}
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("query %q: output line is not JSON: %v", q, err)
		}
		rows = append(rows, row)
	}
	return rows
}

// TestLongLinesCLI ingests, with the binary, a 3-line syslog file whose
// middle line is 1.1, 4 or 15 MB: the store must stay readable (a line
// over 1 MiB used to make every search of its chunk fail with "corrupt
// column"), count the other lines, and give the long line back byte for
// byte, in _raw and in the message field.
func TestLongLinesCLI(t *testing.T) {
	bin := linkLoghunt(t)
	sizes := []int{1_100_000, 4_000_000, 15_000_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			long := "Nov 30 06:00:02 web01 app[77]: " + longText(n)
			lines := []string{
				"Nov 30 06:00:01 bastion sshd[4242]: Accepted password for root from 203.0.113.5 port 52311 ssh2",
				long,
				"Nov 30 06:00:03 bastion sshd[4243]: Accepted publickey for alice from 10.0.0.7 port 52313 ssh2",
			}
			log := filepath.Join(dir, "auth.log")
			if err := os.WriteFile(log, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, "x.db")
			if out, err := exec.Command(bin, "--db", db, "ingest", "--year", "2025", log).CombinedOutput(); err != nil {
				t.Fatalf("ingest: %v\n%s", err, out)
			}
			if out, err := exec.Command(bin, "--db", db, "check").CombinedOutput(); err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			if rows := queryJSON(t, bin, db, "Accepted | stats count"); len(rows) != 1 || fmt.Sprint(rows[0]["count"]) != "2" {
				t.Fatalf("Accepted | stats count: %v, want 2", rows)
			}
			rows := queryJSON(t, bin, db, "app=app | table _raw message")
			if len(rows) != 1 {
				t.Fatalf("app=app: %d rows, want 1", len(rows))
			}
			if got, _ := rows[0]["_raw"].(string); got != long {
				t.Errorf("_raw: %d bytes, not the %d of the line", len(got), len(long))
			}
			if got, _ := rows[0]["message"].(string); got != long[len(long)-n:] {
				t.Errorf("message: %d bytes, not the %d of the line's message", len(got), n)
			}
		})
	}
}

// TestBigJSONFieldCLI ingests a JSON event with a multi-MB field (a
// CloudTrail record with a large policy document) among small ones: the
// field comes back whole.
func TestBigJSONFieldCLI(t *testing.T) {
	bin := linkLoghunt(t)
	dir := t.TempDir()
	policy := longText(3_000_000)
	var b strings.Builder
	for i := range 3 {
		rec := map[string]any{"eventTime": fmt.Sprintf("2025-03-06T08:00:0%dZ", i), "eventName": "PutBucketPolicy",
			"userIdentity": map[string]any{"userName": fmt.Sprintf("u%d", i)}}
		if i == 1 {
			rec["requestParameters"] = map[string]any{"policy": policy}
		}
		line, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	log := filepath.Join(dir, "trail.json")
	if err := os.WriteFile(log, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "x.db")
	if out, err := exec.Command(bin, "--db", db, "ingest", log).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--db", db, "check").CombinedOutput(); err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if rows := queryJSON(t, bin, db, "PutBucketPolicy | stats count"); len(rows) != 1 || fmt.Sprint(rows[0]["count"]) != "3" {
		t.Fatalf("stats count: %v, want 3", rows)
	}
	rows := queryJSON(t, bin, db, "userIdentity.userName=u1 | table requestParameters.policy")
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	if got, _ := rows[0]["requestParameters.policy"].(string); got != policy {
		t.Errorf("requestParameters.policy: %d bytes, not the %d stored", len(got), len(policy))
	}
}
