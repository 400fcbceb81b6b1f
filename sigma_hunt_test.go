package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"loghunt/sigma"
	"loghunt/sigmamap"
	"loghunt/store"
)

func sigmaDataset(t *testing.T, sub string) string {
	t.Helper()
	p := filepath.Join(shared, "datasets", "sigma", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("SigmaHQ material not available: %v", err)
	}
	return p
}

var (
	sigmaHQOnce sync.Once
	sigmaHQ     *loadedSigma
	sigmaHQErr  error
)

// sigmaHQRules loads SigmaHQ's rules folders once (mapped with the
// built-in mapping).
func sigmaHQRules(t *testing.T) *loadedSigma {
	t.Helper()
	root := sigmaDataset(t, "rules")
	sigmaHQOnce.Do(func() {
		dirs := []string{root}
		for _, d := range []string{"rules-emerging-threats", "rules-threat-hunting", "rules-dfir"} {
			if p := filepath.Join(filepath.Dir(root), d); dirExists(p) {
				dirs = append(dirs, p)
			}
		}
		sigmaHQ, sigmaHQErr = loadSigmaRules("test", dirs, "")
	})
	if sigmaHQErr != nil {
		t.Fatal(sigmaHQErr)
	}
	return sigmaHQ
}

func dirExists(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }

func fileExists(p string) bool { st, err := os.Stat(p); return err == nil && !st.IsDir() }

// hitKey names a hit for comparisons.
func hitKey(h huntHit) string { return fmt.Sprintf("%d %s %s", h.t, h.id, h.source) }

// naiveHunt is the oracle: every event of the store, every selected rule,
// the rule's log source tested and then sigma.Eval, without the matcher's
// index, token plans or chunk pruning.
func naiveHunt(t *testing.T, db *store.DB, h *sigmaHunter) []string {
	t.Helper()
	var out []string
	_, err := db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		rows := make([]map[string]string, c.Rows)
		for i := range rows {
			rows[i] = map[string]string{}
		}
		raws := make([]string, c.Rows)
		names := []string{"source", "sourcetype"}
		for _, ci := range c.Cols {
			if ci.Name != store.ColTime {
				names = append(names, ci.Name)
			}
		}
		for _, name := range names {
			vals, err := c.Values(name)
			if err != nil {
				return nil, err
			}
			for i, v := range vals {
				if name == store.ColRaw {
					raws[i] = v.String()
				} else if !v.IsNull() {
					rows[i][name] = v.String()
				}
			}
		}
		times, err := c.Times()
		if err != nil {
			return nil, err
		}
		var keys []string
		for i := range rows {
			addSpacelessNames(rows[i])
			ev := mapEvent{fields: rows[i], raw: raws[i]}
			branch := map[*sigmamap.Source]*sigmamap.Branch{} // the log source test, once per source and event
			for _, cr := range h.m.Rules {
				if !h.report[cr.Rule] {
					continue
				}
				b, done := branch[cr.Source]
				if !done {
					b = cr.Source.Branch(ev)
					branch[cr.Source] = b
				}
				if b == nil {
					continue
				}
				if sigma.Eval(cr.Rule.Expr, sigmamap.Renamed{Event: ev, Rename: b.Rename}) {
					keys = append(keys, hitKey(huntHit{t: times[i], id: cr.Rule.Ref(), source: c.Source}))
				}
			}
		}
		return keys, nil
	}, func(_ *store.Chunk, v any) error {
		out = append(out, v.([]string)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func hitKeys(hits []huntHit) []string {
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		if h.corr == nil {
			out = append(out, hitKey(h))
		}
	}
	sort.Strings(out)
	return out
}

func ingestInto(t *testing.T, bin, db string, paths ...string) {
	t.Helper()
	out, errs, code := loghuntRun(t, bin, append([]string{"--db", db, "ingest"}, paths...)...)
	if code != 0 {
		t.Fatalf("ingest %v: exit %d\n%s%s", paths, code, out, errs)
	}
}

// TestSigmaHuntPushdownOracle compares the hunt (chunks pruned by the
// rules' log-source fields and tokens, events by their tokens) with the
// naive evaluation of every rule on every event, over a real store of the
// EVTX attack samples, an SSH auth log and scanner web logs: the same
// hits, for the whole rule set, for a level, for a tag, and for each of 12
// rules hunted alone (where the tokens must let whole chunks be skipped).
func TestSigmaHuntPushdownOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: every SigmaHQ rule on real logs (-short)")
	}
	ls := sigmaHQRules(t)
	samples := evtxSamples(t)
	bin := buildLoghunt(t)
	dbPath := filepath.Join(t.TempDir(), "hunt.db")
	paths := []string{samples}
	// The first 3,000 lines of an SSH server's auth log and of a scanner's
	// web log (the naive evaluation runs every rule on every event).
	for _, p := range []string{filepath.Join(shared, "datasets", "authlog", "secrepo_auth.log"),
		filepath.Join(shared, "datasets", "weblogs", "ocatak_acunetix_scan.log")} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines := strings.SplitAfter(string(data), "\n")
		part := filepath.Join(t.TempDir(), filepath.Base(p))
		if err := os.WriteFile(part, []byte(strings.Join(lines[:min(3000, len(lines))], "")), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, part)
	}
	// Zeek's dce_rpc log (TSV, product: zeek) and a CloudTrail file (one
	// JSON object wrapping its records, product: aws).
	paths = append(paths, filepath.Join("testdata", "cloudtrail"))
	if p := filepath.Join(shared, "datasets", "zeek", "wrccdc2018_tsv", "dce_rpc.log.gz"); fileExists(p) {
		paths = append(paths, p)
	}
	// SigmaHQ's JSON renderings of its regression samples, written again
	// the way Go programs (winlogbeat) write JSON: &, < and > as \u0026,
	// \u003c, \u003e, so a value's words are not all words of _raw.
	if reg := filepath.Join(shared, "datasets", "sigma", "regression_data"); dirExists(reg) {
		p := filepath.Join(t.TempDir(), "go_escaped.json")
		if n := writeGoEscaped(t, reg, p); n > 0 {
			paths = append(paths, p)
			t.Logf("%d JSON events with \\u escapes of & < >", n)
		}
	}
	ingestInto(t, bin, dbPath, paths...)
	db, err := store.Open(dbPath, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// The naive evaluation of every rule, once; a selection's answer is
	// its rules' part of it.
	allNaive := naiveHunt(t, db, newSigmaHunter(ls, huntSelect{}))
	compare := func(name string, h *sigmaHunter, sel huntSelect) (*huntStats, []huntHit) {
		hits, hs, err := h.run(ctx, db, ls.set, sel)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for r := range h.report {
			ids[r.Ref()] = true
		}
		var want []string
		for _, k := range allNaive {
			if ids[strings.Fields(k)[1]] {
				want = append(want, k)
			}
		}
		got := hitKeys(hits)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: hunt %d hits, naive %d", name, len(got), len(want))
			gs := map[string]bool{}
			for _, g := range got {
				gs[g] = true
			}
			for _, w := range want {
				if !gs[w] {
					t.Errorf("  missed: %s", w)
				}
			}
		}
		return hs, hits
	}
	all := huntSelect{}
	hsAll, hits := compare("all rules", newSigmaHunter(ls, all), all)
	if len(hits) < 800 {
		t.Errorf("only %d hits with all rules", len(hits))
	}
	t.Logf("all rules: %d hits; %d of %d chunks read, %d events", len(hits), hsAll.scan.ChunksRead, hsAll.scan.ChunksTotal, hsAll.events)
	high := huntSelect{minLevel: sigmaLevels["high"]}
	compare("level high", newSigmaHunter(ls, high), high)
	cred := huntSelect{tags: []string{"attack.t1003"}}
	_, credHits := compare("tag attack.t1003", newSigmaHunter(ls, cred), cred)
	if len(credHits) == 0 {
		t.Error("no credential-dumping hits")
	}

	// Rules alone: the first 12 rules that hit, each hunted by itself.
	seen := map[string]bool{}
	var ids []string
	for _, h := range hits {
		if !seen[h.id] {
			seen[h.id] = true
			ids = append(ids, h.id)
		}
	}
	sort.Strings(ids)
	ids = ids[:min(12, len(ids))]
	var skipped, read int64
	for _, id := range ids {
		r := ls.set.Lookup(id).(*sigma.Rule)
		h := newSigmaHunterFor(ls, map[*sigma.Rule]bool{r: true}, map[*sigma.Rule]bool{})
		hs, one := compare("rule "+id, h, all)
		if len(one) == 0 {
			t.Errorf("rule %s alone: no hits", id)
		}
		skipped += hs.scan.SkippedTokens + hs.scan.SkippedPrune
		read += hs.scan.ChunksRead
	}
	if skipped == 0 {
		t.Error("no chunk was skipped for any rule hunted alone")
	}
	t.Logf("%d rules alone: %d chunks read, %d skipped (tokens and log-source fields)", len(ids), read, skipped)
}

// writeGoEscaped re-encodes every regression sample's .json with Go's
// encoder as JSON lines into out and returns how many events have an
// escaped &, < or >.
func writeGoEscaped(t *testing.T, reg, out string) int {
	t.Helper()
	var buf strings.Builder
	escaped := 0
	filepath.WalkDir(reg, func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		for {
			var v any
			if err := dec.Decode(&v); err != nil {
				break
			}
			objs := []any{v}
			if arr, ok := v.([]any); ok {
				objs = arr
			}
			for _, o := range objs {
				line, err := json.Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(line), `\u0026`) || strings.Contains(string(line), `\u003c`) || strings.Contains(string(line), `\u003e`) {
					escaped++
				}
				buf.Write(line)
				buf.WriteByte('\n')
			}
		}
		return nil
	})
	if err := os.WriteFile(out, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return escaped
}

// regressionSample is one of SigmaHQ's regression tests.
type regressionSample struct {
	dir, id, title string
}

func regressionSamples(t *testing.T) []regressionSample {
	root := sigmaDataset(t, "regression_data")
	var out []regressionSample
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "info.yml" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var info struct {
			RuleMetadata []struct {
				ID    string `yaml:"id"`
				Title string `yaml:"title"`
			} `yaml:"rule_metadata"`
		}
		if err := yaml.Unmarshal(data, &info); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, m := range info.RuleMetadata {
			out = append(out, regressionSample{filepath.Dir(p), m.ID, m.Title})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dir < out[j].dir })
	return out
}

// TestSigmaHuntRegression is SigmaHQ's regression suite run the way a
// user would: each sample's .evtx (else its .json or .raw) ingested with
// the real binary into one database, all SigmaHQ rules hunted over it,
// and the rule each sample belongs to must be among that sample's hits.
func TestSigmaHuntRegression(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: every SigmaHQ rule on real logs (-short)")
	}
	samples := regressionSamples(t)
	ls := sigmaHQRules(t)
	bin := buildLoghunt(t)
	type sampleCase struct {
		s     regressionSample
		rule  *sigma.Rule
		files []string
	}
	var cases []sampleCase
	var all []string
	var fails, others []string
	for _, s := range samples {
		files, _ := filepath.Glob(filepath.Join(s.dir, "*.evtx"))
		if len(files) == 0 {
			files, _ = filepath.Glob(filepath.Join(s.dir, "*.json"))
		}
		if len(files) == 0 {
			files, _ = filepath.Glob(filepath.Join(s.dir, "*.raw"))
		}
		name := filepath.Base(s.dir)
		if len(files) == 0 {
			fails = append(fails, name+": no sample file")
			continue
		}
		r, _ := ls.set.Lookup(s.id).(*sigma.Rule)
		switch {
		case r == nil:
			fails = append(fails, fmt.Sprintf("%s: rule %s is not in the rule folders", name, s.id))
			continue
		case !r.CanRun():
			fails = append(fails, fmt.Sprintf("%s: rule %s cannot run: %v", name, s.id, r.Problems))
			continue
		}
		cases = append(cases, sampleCase{s, r, files})
		all = append(all, files...)
	}
	// One database of all the samples, ingested by the binary; one hunt.
	dbPath := filepath.Join(t.TempDir(), "regression.db")
	ingestInto(t, bin, dbPath, all...)
	db, err := store.Open(dbPath, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	hits, _, err := newSigmaHunter(ls, huntSelect{}).run(context.Background(), db, ls.set, huntSelect{})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	bySource := map[string]map[string]bool{}
	for _, h := range hits {
		src := abs(h.source)
		if bySource[src] == nil {
			bySource[src] = map[string]bool{}
		}
		bySource[src][h.id] = true
	}
	pass := 0
	for _, c := range cases {
		own := false
		fired := map[string]bool{}
		for _, f := range c.files {
			for id := range bySource[abs(f)] {
				if id == c.s.id {
					own = true
				} else {
					fired[id] = true
				}
			}
		}
		name := filepath.Base(c.s.dir)
		if own {
			pass++
		} else {
			fails = append(fails, fmt.Sprintf("%s: rule %s (%s, %s) does not hit %s", name, c.s.id, c.s.title,
				sigmamap.Describe(c.rule.Logsource), strings.Join(c.files, ", ")))
		}
		others = append(others, fmt.Sprintf("%s: %d other rules", name, len(fired)))
	}
	t.Logf("regression samples through ingest and hunt: %d of %d pass", pass, len(samples))
	for _, f := range fails {
		t.Error(f)
	}
	if testing.Verbose() {
		t.Log(strings.Join(others, "\n"))
	}
}

// TestSigmaHuntCLI: the JSON rows have the keys a hunt promises; --level
// and --tags select; a correlation reports first, last, count and its
// group-by value, checked against a count by a query.
func TestSigmaHuntCLI(t *testing.T) {
	samples := evtxSamples(t)
	bin := buildLoghunt(t)
	db := filepath.Join(t.TempDir(), "h.db")
	spray := filepath.Join(samples, "Credential Access", "kerberos_pwd_spray_4771.evtx")
	mimi := filepath.Join(samples, "Credential Access", "sysmon_10_lsass_mimikatz_sekurlsa_logonpasswords.evtx")
	ingestInto(t, bin, db, spray, mimi)
	rules := filepath.Join("testdata", "sigma_hunt")
	out, errs, code := loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "json", rules)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d rows, want the one correlation hit:\n%s", len(lines), out)
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
		t.Fatal(err)
	}
	// The independent count: the failures from that address, by a query.
	q, _, _ := loghuntRun(t, bin, "--db", db, "query", "--format", "csv",
		`(EventID=4768 Status=0x6) OR (EventID=4771 Status=0x18) | stats count, dc(TargetUserName) as users, min(_time) as first, max(_time) as last by IpAddress`)
	want := "IpAddress,count,users,first,last\n172.16.66.1,9,9,2020-07-22T20:29:36.4148271Z,2020-07-22T20:29:36.4258382Z\n"
	if q != want {
		t.Fatalf("query count:\n%s", q)
	}
	for k, v := range map[string]any{"sigma_id": "0a1b2c3d-0000-4000-8000-0000000000b2", "sigma_level": "high",
		"_time": "2020-07-22T20:29:36.4148271Z", "first": "2020-07-22T20:29:36.4148271Z", "last": "2020-07-22T20:29:36.4258382Z",
		"count": 9.0, "IpAddress": "172.16.66.1", "source": spray} {
		if row[k] != v {
			t.Errorf("%s = %v, want %v", k, row[k], v)
		}
	}
	if !strings.HasPrefix(fmt.Sprint(row["sigma_title"]), "Kerberos password spray") {
		t.Errorf("sigma_title %v", row["sigma_title"])
	}

	// SigmaHQ's rules on the Mimikatz sample: the rules on LSASS access
	// by a hacktool (SourceImage \mimikatz.exe) and by the access mask
	// 0x1010 hit it, and every row has the keys.
	hq := sigmaDataset(t, "rules")
	hunting := filepath.Join(filepath.Dir(hq), "rules-threat-hunting")
	out, errs, code = loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "json", "--tags", "attack.t1003", "--stats", hq, hunting)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "sigma hunt: ") || !strings.Contains(errs, " hits (") {
		t.Errorf("--stats: %q", errs)
	}
	onMimi := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		for _, k := range []string{"sigma_id", "sigma_title", "sigma_level", "_time", "source"} {
			if r[k] == nil || r[k] == "" {
				t.Errorf("row without %s: %s", k, l)
			}
		}
		if r["source"] == mimi {
			onMimi[fmt.Sprint(r["sigma_id"])] = true
		}
		if r["source"] == spray {
			t.Errorf("a credential-dumping rule fires on the Kerberos spray sample: %s", l)
		}
	}
	for _, id := range []string{"d0d2f720-d14f-448d-8242-51ff396a334e", "678dfc63-fefb-47a5-a04c-26bcf8cc9f65"} {
		if !onMimi[id] {
			t.Errorf("rule %s does not hit the Mimikatz sample:\n%s", id, out)
		}
	}
	// The query stage finds the same rows.
	q, _, code = loghuntRun(t, bin, "--db", db, "query", "--format", "csv",
		`* | sigma rules="`+hq+`" tags=attack.t1003 | stats count`)
	huntOut, _, _ := loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "csv", "--tags", "attack.t1003", hq)
	if n := strings.Count(huntOut, "\n") - 1; code != 0 || q != fmt.Sprintf("count\n%d\n", n) || n == 0 {
		t.Errorf("| sigma: exit %d %q; sigma hunt: %d rows", code, q, n)
	}
	// --level critical leaves out the rest.
	out, _, _ = loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "csv", "--level", "critical", "--tags", "attack.t1003", hq)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if !strings.Contains(l, ",critical,") {
			t.Errorf("--level critical: %s", l)
		}
	}
	// In process (so the race detector sees the scan's workers): the
	// process_access rules and the spray correlation agree with the naive
	// evaluation and give the CLI's correlation hit.
	ls, err := loadSigmaRules("test", []string{filepath.Join(hq, "windows", "process_access"), rules}, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newSigmaHunter(ls, huntSelect{})
	inHits, _, err := h.run(context.Background(), st, ls.set, huntSelect{})
	if err != nil {
		t.Fatal(err)
	}
	corr := 0
	for _, x := range inHits {
		if x.corr != nil {
			corr++
		}
	}
	if got, want := hitKeys(inHits), naiveHunt(t, st, h); len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") || corr != 1 {
		t.Errorf("in process: %d hits, naive %d, %d correlation hits", len(got), len(want), corr)
	}
	// Usage errors.
	for _, args := range [][]string{{"--format", "chart", rules}, {"--level", "severe", rules}, {}} {
		_, errs, code := loghuntRun(t, bin, append([]string{"--db", db, "sigma", "hunt"}, args...)...)
		if code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestSigmaHuntSSHBruteForce runs an event_count correlation (20 or more
// unknown-user logins from one address in 5 minutes) over a real SSH
// server's auth log and checks its hits against an independent count: the
// matching lines read by a query, grouped by address, and the windows
// worked out here (anchored at each event, 5 minutes both ends included,
// a hit using up its window).
func TestSigmaHuntSSHBruteForce(t *testing.T) {
	log := filepath.Join(shared, "datasets", "authlog", "secrepo_auth.log")
	if _, err := os.Stat(log); err != nil {
		t.Skip("auth log not available")
	}
	bin := buildLoghunt(t)
	db := filepath.Join(t.TempDir(), "auth.db")
	ingestInto(t, bin, db, log)
	out, errs, code := loghuntRun(t, bin, "--db", db, "sigma", "hunt", "--format", "csv", filepath.Join("testdata", "sigma_hunt", "ssh_bruteforce.yml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []string
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "_time,sigma_level,sigma_id,sigma_title,source,first,last,count,src_ip" {
		t.Fatalf("header %q", lines[0])
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		got = append(got, strings.Join([]string{f[8], f[5], f[6], f[7]}, " "))
	}
	// The independent count.
	q, _, code := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", `"Invalid user" app=sshd | table _time, src_ip`)
	if code != 0 {
		t.Fatal(q)
	}
	byIP := map[string][]string{}
	var ips []string
	for _, l := range strings.Split(strings.TrimSpace(q), "\n")[1:] {
		tm, ip, _ := strings.Cut(l, ",")
		if ip == "" {
			continue
		}
		if byIP[ip] == nil {
			ips = append(ips, ip)
		}
		byIP[ip] = append(byIP[ip], tm)
	}
	var want []string
	for _, ip := range ips {
		ts := byIP[ip]
		for a := 0; a < len(ts); {
			start, err := time.Parse(time.RFC3339Nano, ts[a])
			if err != nil {
				t.Fatal(err)
			}
			end := a
			for end+1 < len(ts) {
				next, _ := time.Parse(time.RFC3339Nano, ts[end+1])
				if next.Sub(start) > 5*time.Minute {
					break
				}
				end++
			}
			if n := end - a + 1; n >= 20 {
				want = append(want, fmt.Sprintf("%s %s %s %d", ip, ts[a], ts[end], n))
				a = end + 1
			} else {
				a++
			}
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hunt %d hits, independent count %d\nhunt: %.600s\nwant: %.600s", len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	t.Logf("%d brute-force windows; %d addresses with unknown-user logins", len(got), len(ips))
}
