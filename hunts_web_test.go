package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWebHuntsRealLogs runs hunts/web.lhq on the real web access logs of
// ../shared/datasets/weblogs. The exfiltration hunt (MAD on megabytes per
// client, contamination=0.005) once printed nothing: 46 clients scored
// exactly 1, tied at the threshold, and none was flagged. Now it lists the
// clients that downloaded most, largest first.
func TestWebHuntsRealLogs(t *testing.T) {
	logs, _ := filepath.Glob(filepath.Join(shared, "datasets", "weblogs", "*.log"))
	if len(logs) < 4 {
		t.Skip("real web logs absent")
	}
	db := filepath.Join(t.TempDir(), "web.db")
	loghuntCSV(t, db, append([]string{"ingest"}, logs...)...)
	var out, errb bytes.Buffer
	if err := cli(context.Background(), []string{"--db", db, "run", "--format", "csv", filepath.Join("hunts", "web.lhq")}, nil, &out, &errb); err != nil {
		t.Fatalf("run hunts/web.lhq: %v\n%s", err, errb.String())
	}
	src, _ := os.ReadFile(filepath.Join("hunts", "web.lhq"))
	if !strings.Contains(string(src), "anomalies mb method=mad contamination=0.005") {
		t.Fatal("hunts/web.lhq has no MAD exfiltration hunt")
	}
	sections := strings.Split(out.String(), "\n\n")
	var exfil []string
	for _, s := range sections {
		if strings.Contains(s, "method=mad") {
			for _, line := range strings.Split(s, "\n") {
				if line != "" && !strings.HasPrefix(line, "#") {
					exfil = append(exfil, line)
				}
			}
		}
	}
	if len(exfil) < 2 || exfil[0] != "clientip,mb,anomaly_score,anomaly_reason" {
		t.Fatalf("the exfiltration hunt printed %q\nstderr: %s", exfil, errb.String())
	}
	// The clients come largest first: 160.3 MB and 155.4 MB lead the
	// ocatak and elastic logs' per-client totals.
	if !strings.HasPrefix(exfil[1], "68.180.224.225,160.3,") || !strings.HasPrefix(exfil[2], "94.23.164.135,155.4,") {
		t.Errorf("exfiltration hunt rows %q", exfil[1:])
	}
	for _, row := range exfil[1:] {
		if f := strings.Split(row, ","); len(f) < 4 || f[2] == "1" {
			t.Errorf("a score saturated at 1: %s", row)
		}
	}
}
