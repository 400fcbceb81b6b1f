package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/alert"
	"loghunt/query"
	"loghunt/store"
)

// failures appends n failed password lines from ip, one every step from
// start (syslog time, year given at ingest).
func failures(t *testing.T, path, ip string, start time.Time, n int, step time.Duration) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := 0; i < n; i++ {
		ts := start.Add(time.Duration(i) * step).Format(time.Stamp)
		fmt.Fprintf(f, "%s web1 sshd[%d]: Failed password for root from %s port %d ssh2\n", ts, 100+i, ip, 40000+i)
	}
}

type call struct {
	id    uint64
	sev   string
	isNew bool
	specs int
}

// TestSuppressionEscalationStates: a re-detection within suppress updates
// the open alert (count recomputed, severity raised, OnAlert with isNew
// false), an acknowledged alert is still updated, a closed one is not (a
// new alert is raised), and what was found is committed with the
// progress (a second Advance raises nothing).
func TestSuppressionEscalationStates(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	db := openDB(t, filepath.Join(dir, "t.db"))
	var calls []call
	eng := &Engine{Rules: starter(t, "ssh-brute-force"), OnAlert: func(w *store.WriteTx, a *alert.Alert, specs []alert.ActionSpec, isNew bool) error {
		if _, err := w.Records("test"); err != nil { // it is a write tx
			return err
		}
		calls = append(calls, call{a.ID, a.Severity, isNew, len(specs)})
		a.Actions = append(a.Actions, alert.ActionRecord{Spec: specs[0], Status: "pending"})
		return nil
	}}
	advance := func() []Raised {
		t.Helper()
		ingestPaths(t, db, 2025, log)
		r, err := eng.Advance(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	failures(t, log, "203.0.113.7", t0, 25, 2*time.Second) // 10:00:00-10:00:48
	failures(t, log, "198.51.100.9", t0, 5, 2*time.Second) // under the threshold
	r := advance()
	if len(r) != 1 || !r[0].New || r[0].Alert.Severity != alert.Low || r[0].Alert.Count != 25 {
		t.Fatalf("first advance: %+v", r)
	}
	id := r[0].Alert.ID
	// the open window already alerted (10:00:48 < the 10:01 boundary)
	if got := r[0].Alert.Last; !got.Equal(t0.Add(48 * time.Second)) {
		t.Errorf("last %v", got)
	}
	if r := advance(); len(r) != 0 {
		t.Fatalf("an Advance with nothing new raised %+v", r)
	}
	// 90 more in the next two minutes: the same alert, now high
	failures(t, log, "203.0.113.7", t0.Add(60*time.Second), 90, time.Second)
	failures(t, log, "192.0.2.1", t0.Add(10*time.Minute), 1, time.Second) // moves event time on
	r = advance()
	if len(r) != 1 || r[0].New || !r[0].Escalated || r[0].Alert.ID != id || r[0].Alert.Severity != alert.High {
		t.Fatalf("escalation: %+v", r)
	}
	a, err := ReadAlert(db, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Count != 115 || len(a.Events) != MaxEventRefs || !a.First.Equal(t0) || a.State != alert.StateNew {
		t.Errorf("after escalation: count %d, %d refs, first %v, state %s", a.Count, len(a.Events), a.First, a.State)
	}
	if len(a.Actions) != 2 {
		t.Errorf("the OnAlert records were not kept: %+v", a.Actions)
	}
	if !strings.Contains(a.Query, `src_ip == "203.0.113.7"`) || !strings.Contains(a.Query, "action=failure") {
		t.Errorf("query %q", a.Query)
	}
	want := []call{{id, alert.Low, true, 1}, {id, alert.High, false, 2}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("OnAlert calls %v, want %v", calls, want)
	}
	// acknowledged: still updated
	if _, err := SetState(db, id, alert.StateAcked); err != nil {
		t.Fatal(err)
	}
	failures(t, log, "203.0.113.7", t0.Add(20*time.Minute), 20, time.Second)
	failures(t, log, "192.0.2.1", t0.Add(30*time.Minute), 1, time.Second)
	r = advance()
	if len(r) != 1 || r[0].Alert.ID != id || r[0].Alert.Count != 135 || r[0].Alert.State != alert.StateAcked {
		t.Fatalf("re-detection of an acknowledged alert: %+v", r)
	}
	// closed: a new alert
	if _, err := SetState(db, id, alert.StateClosed); err != nil {
		t.Fatal(err)
	}
	if _, err := SetState(db, id, alert.StateAcked); err == nil {
		t.Error("a closed alert was acknowledged")
	}
	failures(t, log, "203.0.113.7", t0.Add(40*time.Minute), 20, time.Second)
	failures(t, log, "192.0.2.1", t0.Add(50*time.Minute), 1, time.Second)
	r = advance()
	if len(r) != 1 || !r[0].New || r[0].Alert.ID == id || r[0].Alert.Count != 20 {
		t.Fatalf("re-detection after close: %+v", r)
	}
	if a, _ := ReadAlert(db, id); a.Count != 135 || a.State != alert.StateClosed {
		t.Errorf("the closed alert changed: %+v", a)
	}
	open, err := ListAlerts(db, Filter{State: "open"})
	if err != nil || len(open) != 1 {
		t.Errorf("open alerts %d, %v", len(open), err)
	}
	// beyond suppress (30m after Last): a new alert too
	failures(t, log, "203.0.113.7", t0.Add(2*time.Hour), 20, time.Second)
	failures(t, log, "192.0.2.1", t0.Add(3*time.Hour), 1, time.Second)
	r = advance()
	if len(r) != 1 || !r[0].New {
		t.Fatalf("re-detection after suppress: %+v", r)
	}
}

// TestOnAlertErrorRollsBack: when OnAlert fails nothing commits: neither
// the alert nor the rule's progress, so the next Advance raises it again.
func TestOnAlertErrorRollsBack(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	db := openDB(t, filepath.Join(dir, "t.db"))
	failures(t, log, "203.0.113.7", time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), 30, time.Second)
	ingestPaths(t, db, 2025, log)
	fail := true
	eng := &Engine{Rules: starter(t, "ssh-brute-force"), OnAlert: func(*store.WriteTx, *alert.Alert, []alert.ActionSpec, bool) error {
		if fail {
			return fmt.Errorf("disk full")
		}
		return nil
	}}
	if _, err := eng.Advance(context.Background(), db); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v", err)
	}
	if n := len(alertsOf(t, db)); n != 0 {
		t.Fatalf("%d alerts after a failed Advance", n)
	}
	fail = false
	r, err := eng.Advance(context.Background(), db)
	if err != nil || len(r) != 1 || r[0].Alert.ID != 1 {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestParseProblems(t *testing.T) {
	dir := t.TempDir()
	bad := `name: bad-rule
descripton: typo
query: |
  action=failure
  | stast count by src_ip
window: 5x
every: 1m
entity: [src_ip]
severity:
  low: count >= twenty
  urgent: count > 5
actions:
  low: [{mail: x}]
  high: [{log: a.jsonl}]
`
	path := filepath.Join(dir, "bad.yml")
	os.WriteFile(path, []byte(bad), 0o644)
	_, err := Load([]string{path})
	probs, ok := err.(Problems)
	if !ok {
		t.Fatalf("err %v", err)
	}
	text := err.Error()
	for _, want := range []string{
		path + `:2:1: rule bad-rule: unknown key "descripton" (did you mean "description"?)`,
		"(line 2)",
		path + ":5:5: rule bad-rule: query error:\n    | stast count by src_ip\n      ^ unknown stage \"stast\" (did you mean \"stats\"?)",
		path + `:6:9: rule bad-rule: window: bad duration unit "x"`,
		path + `:10:8: rule bad-rule: severity low: bad threshold "count >= twenty"`,
		path + `:11:3: rule bad-rule: severity: unknown tier "urgent"`,
		path + `:13:9: rule bad-rule: actions low: unknown action "mail"`,
		path + `:14:3: rule bad-rule: actions: tier high has no threshold`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if len(probs) != 7 {
		t.Errorf("%d problems:\n%s", len(probs), text)
	}
	more := map[string]string{
		"exec without undo": `name: x
query: action=failure | stats count by src_ip
window: 5m
entity: [src_ip]
severity: {high: count >= 1}
actions:
  high:
    - exec: ["nft", "add", "{srcip}"]
      for: 1h
      slack: true
`,
		"entity not in result": `name: y
query: action=failure | stats count by user
window: 5m
entity: [src_ip]
severity: {low: count >= 1}
`,
		"not yaml": "name: [unclosed\n",
		"webhook":  "name: w\nquery: action=failure | stats count by src_ip\nwindow: 5m\nentity: [src_ip]\nseverity: {low: count >= 1}\nactions: {low: [{webhook: \"ftp://x/y\"}, {webhook: \"http://127.0.0.1:9/ok\", retries: -1}]}\n",
		"save":     "name: z\nquery: '* | stats count by src_ip | anomalies count save=m'\nwindow: 5m\nentity: [src_ip]\nseverity: {low: anomaly_score > 0.5}\n",
	}
	wants := map[string][]string{
		"exec without undo":    {"for needs an undo argv", "template {srcip} is neither an entity field", `key "slack" is not for a exec action`},
		"entity not in result": {`entity field "src_ip" is not in the query's result`},
		"not yaml":             {"not valid YAML"},
		"save":                 {"anomalies save= writes a model"},
		"webhook":              {`webhook "ftp://x/y" is not an http:// or https:// URL`, "retries: want a whole number, 0 or more"},
	}
	for name, text := range more {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
		os.WriteFile(p, []byte(text), 0o644)
		_, err := Load([]string{p})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, w := range wants[name] {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: missing %q in %v", name, w, err)
			}
		}
	}
}

// TestModelRule: a rule that scores each window with a saved model
// (anomalies model=NAME), its threshold on anomaly_score; rules check
// says when the model is missing.
func TestModelRule(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, "t.db"))
	ingestPaths(t, db, 0, "testdata/web_excerpt.log")
	fit, err := query.Parse("bytes>0 | bin _time span=1h | stats sum(bytes) as bytes_out, count as requests by _time, clientip | anomalies bytes_out, requests save=exfil")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := query.Run(context.Background(), db, fit, query.Options{Models: db}, func(*query.Batch) error { return nil }); err != nil {
		t.Fatal(err)
	}
	rule := `name: exfil-model
query: bytes>0 | stats sum(bytes) as bytes_out, count as requests by clientip | anomalies model=exfil
window: 1h
every: 10m
entity: [clientip]
severity:
  low: anomaly_score >= 0.6
  high: anomaly_score >= 0.7
`
	path := filepath.Join(dir, "exfil-model.yml")
	os.WriteFile(path, []byte(rule), 0o644)
	rs, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Early() {
		t.Error("a scoring rule evaluates open windows")
	}
	if probs, err := Check(rs, db, "t.db"); err != nil || len(probs) != 0 {
		t.Fatalf("check: %v %v", probs, err)
	}
	got := byRule(detectAll(t, db, rs))["exfil-model"]
	as := got["clientip=94.23.164.135"]
	if len(as) == 0 {
		t.Fatalf("the 52 MB download was not scored as anomalous: %v", got)
	}
	if as[0].Score < 0.6 || !strings.Contains(as[0].Reason, "bytes_out=") {
		t.Errorf("score %v, reason %q", as[0].Score, as[0].Reason)
	}
	if len(got["clientip=192.168.4.164"]) > 0 {
		t.Errorf("the scanner's small responses were scored as exfiltration")
	}
	if _, err := db.DeleteModel("exfil"); err != nil {
		t.Fatal(err)
	}
	probs, err := Check(rs, db, "t.db")
	if err != nil || len(probs) != 1 || !strings.Contains(probs[0].String(), "anomalies model=exfil: t.db has no saved model of that name") {
		t.Errorf("check without the model: %v %v", probs, err)
	}
}

// TestFromTo: replay bounds. Events from To on are left out; windows that
// end before From are not evaluated.
func TestFromTo(t *testing.T) {
	rs := starter(t, "ssh-brute-force")
	attack := time.Date(2009, 2, 27, 4, 4, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"to before", time.Time{}, attack, 0},
		{"from after", attack.Add(time.Hour), time.Time{}, 0},
		{"around", attack.Add(-time.Hour), attack.Add(time.Hour), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
			ingestPaths(t, db, 2009, "testdata/auth_dfrws_excerpt.log")
			eng := &Engine{Rules: rs, From: c.from, To: c.to}
			if _, err := eng.Advance(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			if n := len(alertsOf(t, db)); n != c.want {
				t.Errorf("%d alerts, want %d", n, c.want)
			}
		})
	}
}

// TestRexEntity: an entity made by rex before the aggregation works like
// a field of the events.
func TestRexEntity(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, "t.db"))
	ingestPaths(t, db, 2009, "testdata/auth_dfrws_excerpt.log")
	rule := "name: rex-brute\nquery: '\"Failed password\" | rex \"from (?<ip>\\\\S+) port\" | stats count by ip'\nwindow: 5m\nentity: [ip]\nseverity: {low: count >= 20}\n"
	path := filepath.Join(dir, "r.yml")
	os.WriteFile(path, []byte(rule), 0o644)
	rs, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	got := byRule(detectAll(t, db, rs))["rex-brute"]
	if len(got) != 1 || len(got["ip=208.111.34.7"]) != 1 {
		t.Fatalf("%v", got)
	}
	// "Failed password" lines of sshd only: PAM's say "authentication failure"
	if a := got["ip=208.111.34.7"][0]; a.Count != 107 {
		t.Errorf("count %d, want the 107 of ssh-brute-force", a.Count)
	}
}

// TestSlicesSameAlerts: evaluating a replay in slices of event time (to
// bound its memory) gives the alerts of one slice.
func TestSlicesSameAlerts(t *testing.T) {
	rs := starter(t, "ssh-brute-force", "password-spray", "new-admin-login")
	run := func(span time.Duration) []string {
		old := sliceSpan
		sliceSpan = span
		defer func() { sliceSpan = old }()
		db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
		ingestPaths(t, db, 2009, "testdata/auth_dfrws_excerpt.log")
		ingestPaths(t, db, 2017, "testdata/auth_elastic_excerpt.log")
		list := detectAll(t, db, rs)
		if len(list) < 3 {
			t.Fatalf("%d alerts", len(list))
		}
		return sortedAlerts(list)
	}
	whole, sliced := run(365*24*time.Hour), run(10*time.Minute)
	if fmt.Sprint(whole) != fmt.Sprint(sliced) {
		t.Errorf("one slice:\n%s\nslices of 10m:\n%s", strings.Join(whole, "\n"), strings.Join(sliced, "\n"))
	}
}

// FuzzParse: no rule file makes Parse panic, and a rule it returns
// without problems has what the engine needs.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../hunts/rules/*.yml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("name: x\nquery: '| stats count by a'\nwindow: 1m\nentity: a\nseverity: {high: count > 0}\nactions: {high: [{exec: [a, '{a}'], undo: [b], for: 1h}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, probs := Parse("fuzz.yml", data)
		if r == nil || len(probs) > 0 {
			return
		}
		if r.q == nil || r.prefix == nil || r.Window <= 0 || r.Every <= 0 || len(r.Entity) == 0 || len(r.Tiers) == 0 {
			t.Fatalf("a rule without problems lacks something: %+v", r)
		}
	})
}

// TestLiveAdvanceCost measures Advance after commits of 100 lines at
// 1,000 lines/s of event time, half of them failed logins from 50
// addresses, with the five starter rules: what a watch pays per commit.
func TestLiveAdvanceCost(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	db := openDB(t, filepath.Join(dir, "t.db"))
	eng := Engine{Rules: starter(t)}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	var took []time.Duration
	raised := 0
	for c := 0; c < 300; c++ {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			n := c*100 + i
			ts := t0.Add(time.Duration(n) * time.Millisecond).Format(time.StampMilli)
			if n%2 == 0 {
				fmt.Fprintf(f, "%s web1 sshd[%d]: Failed password for user%d from 203.0.113.%d port %d ssh2\n", ts, n, n%7, n%50, 40000+n%20000)
			} else {
				fmt.Fprintf(f, "%s web1 CRON[%d]: pam_unix(cron:session): session opened for user root by (uid=0)\n", ts, n)
			}
		}
		f.Close()
		ingestPaths(t, db, 2025, log)
		start := time.Now()
		r, err := eng.Advance(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(start))
		raised += len(r)
	}
	sortDurations(took)
	t.Logf("300 commits of 100 lines (30 s of event time): Advance p50 %v, p99 %v, max %v; %d alerts raised or updated",
		took[len(took)/2], took[len(took)*99/100], took[len(took)-1], raised)
	// the failures come from the 25 even addresses, 600 from each
	list := alertsOf(t, db)
	if len(list) != 25 {
		t.Errorf("%d alerts, want one per address", len(list))
	}
	for _, a := range list {
		if a.Count != 600 || a.Severity != alert.High {
			t.Errorf("alert %d (%s): count %d, severity %s, want 600, high", a.ID, EntityString(a.Entity), a.Count, a.Severity)
		}
	}
}

func sortDurations(d []time.Duration) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j] < d[j-1]; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// TestWindowStoreEqualsDB: the in-memory copy of a slice's events, which
// keeps only the fields a rule's later stages read and runs them over a
// search that keeps every event, gives the alerts of reading the
// database for every window, also when its chunks are cut small. The
// rules read _raw after the search (eval, where, rex), fields with and
// without a search term, and every field.
func TestWindowStoreEqualsDB(t *testing.T) {
	extra := map[string]string{
		"raw-len":    "name: raw-len\nquery: 'sshd | eval n=len(_raw) | where n > 60 | stats count by host'\nwindow: 10m\nentity: [host]\nseverity: {low: count >= 5}\n",
		"raw-like":   "name: raw-like\nquery: 'host=* | where _raw LIKE \"%Failed%\" | stats dc(user) as users by src_ip'\nwindow: 30m\nevery: 5m\nentity: [src_ip]\nseverity: {low: users >= 2}\n",
		"rex-port":   "name: rex-port\nquery: '\"Failed password\" | rex \"port (?<port>\\\\d+)\" | stats dc(port) as ports by src_ip'\nwindow: 5m\nentity: [src_ip]\nseverity: {low: ports >= 10}\n",
		"web-bytes":  "name: web-bytes\nquery: 'status>=200 | stats sum(bytes) as b, count by clientip | where b > 1000'\nwindow: 1h\nevery: 10m\nentity: [clientip]\nseverity: {low: count >= 3}\n",
		"web-source": "name: web-source\nquery: 'GET | stats count by clientip, source'\nwindow: 10m\nentity: [clientip]\nseverity: {low: count >= 10}\n",
	}
	dir := t.TempDir()
	var paths []string
	for name, text := range extra {
		p := filepath.Join(dir, name+".yml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	rs, err := Load(append(paths, "../hunts/rules"))
	if err != nil {
		t.Fatal(err)
	}
	hits := map[string]int{}
	run := func(few, chunkRows int) []string {
		old, oldRows := fewWindows, windowChunkRows
		fewWindows, windowChunkRows = few, chunkRows
		defer func() { fewWindows, windowChunkRows = old, oldRows }()
		db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
		ingestPaths(t, db, 2009, "testdata/auth_dfrws_excerpt.log")
		ingestPaths(t, db, 2017, "testdata/auth_elastic_excerpt.log")
		ingestPaths(t, db, 2017, "testdata/web_excerpt.log")
		list := detectAll(t, db, rs)
		for _, a := range list {
			hits[a.Rule]++
		}
		return sortedAlerts(list)
	}
	onDB, inMem, small := run(1<<30, windowChunkRows), run(0, windowChunkRows), run(0, 7)
	if len(onDB) < 5 {
		t.Fatalf("only %d alerts: the rules test little", len(onDB))
	}
	t.Logf("%d alerts; of both runs by rule: %v", len(onDB), hits)
	for name := range extra {
		if hits[name] == 0 {
			t.Errorf("rule %s raised nothing: it tests nothing", name)
		}
	}
	if fmt.Sprint(onDB) != fmt.Sprint(inMem) {
		t.Errorf("database:\n%s\nwindow store:\n%s", strings.Join(onDB, "\n"), strings.Join(inMem, "\n"))
	}
	if fmt.Sprint(onDB) != fmt.Sprint(small) {
		t.Errorf("database:\n%s\nwindow store of 7-event chunks:\n%s", strings.Join(onDB, "\n"), strings.Join(small, "\n"))
	}
}

// TestEveryWindowEqualsEventWindows: evaluating every window of a slice
// (an empty one finds nothing) gives the alerts of evaluating only the
// windows that hold a matched event, which evalSlice finds from the
// latest event of each slot; and either way an entity's first and last
// event come from the events of the entities found only.
func TestEveryWindowEqualsEventWindows(t *testing.T) {
	rs := starter(t)
	run := func(few int) []string {
		old, oldSpan := fewBounds, sliceSpan
		fewBounds, sliceSpan = few, 6*time.Hour
		defer func() { fewBounds, sliceSpan = old, oldSpan }()
		db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
		ingestPaths(t, db, 2009, "testdata/auth_dfrws_excerpt.log")
		ingestPaths(t, db, 2017, "testdata/auth_elastic_excerpt.log")
		ingestPaths(t, db, 2017, "testdata/web_excerpt.log")
		return sortedAlerts(detectAll(t, db, rs))
	}
	start := time.Now()
	some := run(0)
	t.Logf("%d alerts from the windows with events in %v", len(some), time.Since(start))
	start = time.Now()
	every := run(1 << 30)
	t.Logf("every window in %v", time.Since(start))
	if len(some) < 5 {
		t.Fatalf("only %d alerts: the rules test little", len(some))
	}
	if fmt.Sprint(some) != fmt.Sprint(every) {
		t.Errorf("windows with events:\n%s\nevery window:\n%s", strings.Join(some, "\n"), strings.Join(every, "\n"))
	}
}
