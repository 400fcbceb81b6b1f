package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// zeekRuleOps reads a SigmaHQ BZAR rule (selections op1..opN, each an
// endpoint and an operation, condition "1 of op*") without the sigma
// package: the pairs it looks for, as "endpoint|operation".
func zeekRuleOps(t *testing.T, file string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Detection map[string]any `yaml:"detection"`
	}
	if err := yaml.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Detection["condition"] != "1 of op*" {
		t.Fatalf("%s: condition %v, the test reads only 1 of op*", file, r.Detection["condition"])
	}
	pairs := map[string]bool{}
	for k, v := range r.Detection {
		if !strings.HasPrefix(k, "op") {
			continue
		}
		m := v.(map[string]any)
		pairs[m["endpoint"].(string)+"|"+m["operation"].(string)] = true
	}
	return pairs
}

// TestSigmaHuntZeek: SigmaHQ's Zeek rules (product: zeek, service:
// dce_rpc) hunt the real WRCCDC 2018 dce_rpc log, once as Zeek TSV (the log
// named by its #path header, which ingest keeps as _path) and once as JSON
// lines with @stream and id_orig_h style names (the OTRF/Security Onion
// shape, written from the same rows): both give one hit per row whose
// endpoint and operation one of the rule's selections names, counted here
// from the TSV file and the rule's YAML directly.
func TestSigmaHuntZeek(t *testing.T) {
	tsv := filepath.Join(shared, "datasets", "zeek", "wrccdc2018_tsv", "dce_rpc.log.gz")
	rules := filepath.Join(shared, "datasets", "sigma", "rules", "network", "zeek")
	if _, err := os.Stat(tsv); err != nil {
		t.Skip("zeek logs not available")
	}
	if _, err := os.Stat(rules); err != nil {
		t.Skip("SigmaHQ zeek rules not available")
	}
	want := map[string]int{} // rule file base -> rows
	exec := zeekRuleOps(t, filepath.Join(rules, "zeek_dce_rpc_mitre_bzar_execution.yml"))
	pers := zeekRuleOps(t, filepath.Join(rules, "zeek_dce_rpc_mitre_bzar_persistence.yml"))

	// Read the TSV by hand and write the @stream twin.
	f, err := os.Open(tsv)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	twin := filepath.Join(dir, "combined_zeek.jsonl")
	out, err := os.Create(twin)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	sc := bufio.NewScanner(gz)
	rows := 0
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "#fields\t"); ok {
			names = strings.Split(rest, "\t")
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		cells := strings.Split(line, "\t")
		row := map[string]string{}
		doc := map[string]any{"@stream": "dce_rpc"}
		for i, n := range names {
			row[n] = cells[i]
			if cells[i] != "-" {
				doc[strings.ReplaceAll(n, ".", "_")] = cells[i]
			}
		}
		rows++
		pair := row["endpoint"] + "|" + row["operation"]
		if exec[pair] {
			want["MITRE BZAR Indicators for Execution"]++
		}
		if pers[pair] {
			want["MITRE BZAR Indicators for Persistence"]++
		}
		b, _ := json.Marshal(doc)
		out.Write(append(b, '\n'))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	if want["MITRE BZAR Indicators for Execution"] == 0 {
		t.Fatal("the log has no execution indicators; the test checks nothing")
	}

	bin := buildLoghunt(t)
	db := filepath.Join(dir, "zeek.db")
	ingestInto(t, bin, db, tsv, twin)
	csv, errs, code := loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "csv", rules)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got := map[string]map[string]int{} // source -> title -> hits
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if lines[0] != "_time,sigma_level,sigma_id,sigma_title,source" {
		t.Fatalf("header %q", lines[0])
	}
	for _, l := range lines[1:] {
		c := strings.Split(l, ",")
		if got[c[4]] == nil {
			got[c[4]] = map[string]int{}
		}
		got[c[4]][c[3]]++
	}
	for _, src := range []string{tsv, twin} {
		var g, w []string
		for k, n := range got[src] {
			g = append(g, k+"="+itoa(n))
		}
		for k, n := range want {
			w = append(w, k+"="+itoa(n))
		}
		sort.Strings(g)
		sort.Strings(w)
		if strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("%s: hits %v, counted from the file %v", filepath.Base(src), g, w)
		}
	}
	t.Logf("%d dce_rpc rows; hits per source %v", rows, want)
}

// TestSigmaHuntCloudTrail: a CloudTrail file as AWS delivers it (one
// pretty-printed object wrapping its records) is one event per record,
// timed by eventTime, and SigmaHQ's aws rules (product: aws, service:
// cloudtrail) find the four records of the file written to hit them: a
// console login without MFA (and not the one with), a new access key for
// another user, StopLogging and a bucket listing.
func TestSigmaHuntCloudTrail(t *testing.T) {
	rules := filepath.Join(shared, "datasets", "sigma", "rules", "cloud", "aws")
	if _, err := os.Stat(rules); err != nil {
		t.Skip("SigmaHQ aws rules not available")
	}
	bin := buildLoghunt(t)
	db := filepath.Join(t.TempDir(), "ct.db")
	ingestInto(t, bin, db, filepath.Join("testdata", "cloudtrail"))
	q, errs, code := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", "eventSource=* | table _time, eventName, userIdentity.userName")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantQ := "_time,eventName,userIdentity.userName\n" +
		"2024-01-02T03:00:10Z,ConsoleLogin,alice\n2024-01-02T03:01:00Z,ConsoleLogin,bob\n" +
		"2024-01-02T03:02:30Z,CreateAccessKey,alice\n2024-01-02T03:04:05Z,StopLogging,alice\n2024-01-02T03:05:00Z,ListBuckets,bob\n"
	if q != wantQ {
		t.Errorf("records:\n%s\nwant:\n%s", q, wantQ)
	}
	out, errs, code := loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "csv", rules)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		c := strings.Split(l, ",")
		got = append(got, c[0]+" "+c[3])
	}
	want := []string{
		"2024-01-02T03:00:10Z AWS Successful Console Login Without MFA",
		"2024-01-02T03:02:30Z AWS IAM Backdoor Users Keys",
		"2024-01-02T03:04:05Z AWS CloudTrail Important Change",
		"2024-01-02T03:05:00Z Potential Bucket Enumeration on AWS",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
