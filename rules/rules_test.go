package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"loghunt/alert"
	"loghunt/ingest"
	"loghunt/store"
)

const shared = "../../shared/datasets"

func openDB(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ingestPaths(t *testing.T, db *store.DB, year int, paths ...string) {
	t.Helper()
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: year}, paths, nil); err != nil {
		t.Fatal(err)
	}
}

func starter(t *testing.T, names ...string) []*Rule {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join("../hunts/rules", n+".yml"))
	}
	if len(names) == 0 {
		paths = []string{"../hunts/rules"}
	}
	rs, err := Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func alertsOf(t *testing.T, db *store.DB) []*alert.Alert {
	t.Helper()
	list, err := ListAlerts(db, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// byRule maps rule -> entity string -> alerts.
func byRule(list []*alert.Alert) map[string]map[string][]*alert.Alert {
	out := map[string]map[string][]*alert.Alert{}
	for _, a := range list {
		if out[a.Rule] == nil {
			out[a.Rule] = map[string][]*alert.Alert{}
		}
		e := EntityString(a.Entity)
		out[a.Rule][e] = append(out[a.Rule][e], a)
	}
	return out
}

func detectAll(t *testing.T, db *store.DB, rs []*Rule) []*alert.Alert {
	t.Helper()
	eng := &Engine{Rules: rs}
	if _, err := eng.Advance(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return alertsOf(t, db)
}

func TestStarterRulesParse(t *testing.T) {
	rs := starter(t)
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	want := []string{"exfiltration", "new-admin-login", "password-spray", "ssh-brute-force", "web-scan"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("starter rules %v, want %v", names, want)
	}
	for _, r := range rs {
		wantEarly := r.Name == "ssh-brute-force" || r.Name == "password-spray" || r.Name == "web-scan"
		if r.Early() != wantEarly {
			t.Errorf("%s: early %v, want %v", r.Name, r.Early(), wantEarly)
		}
	}
}

// TestStarterOnExcerpts runs the starter rules on the committed excerpts
// of the real logs (testdata/README.md): each alerts on the attack in it
// and on nothing else.
func TestStarterOnExcerpts(t *testing.T) {
	rs := starter(t)
	cases := []struct {
		file string
		year int
		want map[string][]string // rule -> every entity it must alert on, and only those
	}{
		{"auth_dfrws_excerpt.log", 2009, map[string][]string{
			"ssh-brute-force": {"src_ip=208.111.34.7"},
			"password-spray":  {"src_ip=208.111.34.7"},
		}},
		{"auth_elastic_excerpt.log", 2017, map[string][]string{
			// the excerpt has no history: its first admin logins are new
			"new-admin-login": {"src_ip=85.245.107.41 user=ubuntu", "src_ip=95.93.96.191 user=ubuntu", "src_ip=local user=root", "src_ip=local user=ubuntu"},
		}},
		{"web_excerpt.log", 0, map[string][]string{
			"web-scan":     {"clientip=192.168.4.164"},
			"exfiltration": {"clientip=94.23.164.135"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
			ingestPaths(t, db, c.year, filepath.Join("testdata", c.file))
			got := byRule(detectAll(t, db, rs))
			for _, r := range rs {
				var ents []string
				for e := range got[r.Name] {
					ents = append(ents, e)
				}
				sort.Strings(ents)
				want := c.want[r.Name]
				if !reflect.DeepEqual(ents, want) && !(len(ents) == 0 && len(want) == 0) {
					t.Errorf("%s alerted on %v, want %v", r.Name, ents, want)
				}
			}
		})
	}
}

// TestStarterOnRealLogs runs the starter rules on the shared real logs.
func TestStarterOnRealLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	auth, web := filepath.Join(shared, "authlog"), filepath.Join(shared, "weblogs")
	if _, err := os.Stat(auth); err != nil {
		t.Skip("no shared auth logs:", err)
	}
	if _, err := os.Stat(web); err != nil {
		t.Skip("no shared web logs:", err)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	ingestPaths(t, db, 0, auth, web)
	got := byRule(detectAll(t, db, starter(t)))
	for rule, ents := range got {
		n := 0
		for _, as := range ents {
			n += len(as)
		}
		t.Logf("%s: %d alerts on %d entities", rule, n, len(ents))
	}
	must := map[string][]string{
		"ssh-brute-force": {"src_ip=208.111.34.7", "src_ip=119.201.243.117", "src_ip=208.87.243.236"},
		"password-spray":  {"src_ip=208.111.34.7", "src_ip=161.53.218.4"},
		"web-scan":        {"clientip=192.168.4.164", "clientip=192.168.4.163", "clientip=192.168.4.25"},
		"new-admin-login": {"src_ip=95.93.96.191 user=ubuntu"},
		"exfiltration":    {"clientip=94.23.164.135", "clientip=68.180.224.225"},
	}
	for rule, ents := range must {
		for _, e := range ents {
			if len(got[rule][e]) == 0 {
				t.Errorf("%s did not alert on %s", rule, e)
			}
		}
	}
	// quiet: the scanners are the only web-scan alerts (crawlers and the
	// benign traffic of semicomplete.com stay under the threshold)
	if len(got["web-scan"]) != 3 {
		t.Errorf("web-scan alerted on %d clients, want the 3 scanners", len(got["web-scan"]))
	}
	// a scanner's responses are small: it is not exfiltration
	for _, e := range must["web-scan"] {
		if len(got["exfiltration"][e]) > 0 {
			t.Errorf("exfiltration alerted on the scanner %s", e)
		}
	}
	// the ubuntu account's usual address is not new again within the week
	for _, a := range got["new-admin-login"]["src_ip=85.245.107.41 user=ubuntu"] {
		if a.First.Format("01-02") != "03-27" && a.First.Sub(got["new-admin-login"]["src_ip=85.245.107.41 user=ubuntu"][0].First).Hours() < 24*7 {
			t.Errorf("new-admin-login alerted on ubuntu's usual address again within the week: %v", a.First)
		}
	}
}

// comparable is an alert without its id, for comparing live and replay.
func comparable(a *alert.Alert) string {
	c := *a
	c.ID = 0
	return fmt.Sprintf("%+v", c)
}

func sortedAlerts(list []*alert.Alert) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = comparable(a)
	}
	sort.Strings(out)
	return out
}

// TestLiveEqualsReplay ingests a real auth log at once and replays the
// rules over it, and ingests it in many increments calling Advance after
// each (as watch does after each commit), and compares the final alerts
// field by field, ids included.
func TestLiveEqualsReplay(t *testing.T) {
	logs := []struct {
		path string
		year int
	}{
		{"testdata/auth_dfrws_excerpt.log", 2009},
		{"testdata/auth_elastic_excerpt.log", 2017},
		{filepath.Join(shared, "authlog/dfrws2009_auth.log"), 2009},
		{filepath.Join(shared, "authlog/elastic_suspicious_login_auth.log"), 2017},
	}
	rs := starter(t, "ssh-brute-force", "password-spray", "new-admin-login")
	for _, l := range logs {
		t.Run(filepath.Base(l.path), func(t *testing.T) {
			data, err := os.ReadFile(l.path)
			if err != nil {
				t.Skip(err)
			}
			if testing.Short() && !strings.HasPrefix(l.path, "testdata") {
				t.Skip("-short")
			}
			lines := strings.SplitAfter(string(data), "\n")
			dir := t.TempDir()
			// replay: all at once
			whole := filepath.Join(dir, "whole", "auth.log")
			os.MkdirAll(filepath.Dir(whole), 0o755)
			if err := os.WriteFile(whole, data, 0o644); err != nil {
				t.Fatal(err)
			}
			rdb := openDB(t, filepath.Join(dir, "replay.db"))
			ingestPaths(t, rdb, l.year, whole)
			replay := detectAll(t, rdb, rs)
			// live: in increments of 1 to ~400 lines
			live := filepath.Join(dir, "live", "auth.log")
			os.MkdirAll(filepath.Dir(live), 0o755)
			ldb := openDB(t, filepath.Join(dir, "live.db"))
			f, err := os.Create(live)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			eng := &Engine{Rules: rs}
			steps, seed := 0, uint32(7)
			var took []time.Duration
			for i := 0; i < len(lines); {
				seed = seed*1664525 + 1013904223
				n := 1 + int(seed>>16)%(max(len(lines)/60, 2))
				n = min(n, len(lines)-i)
				if _, err := f.WriteString(strings.Join(lines[i:i+n], "")); err != nil {
					t.Fatal(err)
				}
				i += n
				ingestPaths(t, ldb, l.year, live)
				start := time.Now()
				if _, err := eng.Advance(context.Background(), ldb); err != nil {
					t.Fatal(err)
				}
				took = append(took, time.Since(start))
				steps++
			}
			lv := alertsOf(t, ldb)
			// the sources differ by path: compare the events by time
			for _, list := range [][]*alert.Alert{replay, lv} {
				for _, a := range list {
					for i := range a.Events {
						a.Events[i].Source = filepath.Base(a.Events[i].Source)
					}
				}
			}
			if len(replay) == 0 {
				t.Fatal("replay raised no alerts: nothing compared")
			}
			r, g := sortedAlerts(replay), sortedAlerts(lv)
			if !reflect.DeepEqual(r, g) {
				t.Errorf("live (%d alerts, %d increments) and replay (%d alerts) differ", len(g), steps, len(r))
				for i := 0; i < max(len(r), len(g)); i++ {
					var a, b string
					if i < len(r) {
						a = r[i]
					}
					if i < len(g) {
						b = g[i]
					}
					if a != b {
						t.Errorf("replay: %s\nlive:   %s", a, b)
						break
					}
				}
			}
			sameIDs := len(replay) == len(lv)
			for i := 0; sameIDs && i < len(replay); i++ {
				sameIDs = replay[i].ID == lv[i].ID && comparable(replay[i]) == comparable(lv[i])
			}
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			if !sameIDs {
				t.Errorf("live and replay numbered the alerts differently")
			}
			t.Logf("%d alerts, %d increments, ids equal: %v; Advance p50 %v, p99 %v, max %v", len(replay), steps, sameIDs,
				took[len(took)/2], took[len(took)*99/100], took[len(took)-1])
		})
	}
}
