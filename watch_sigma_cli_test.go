package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"loghunt/rules"
	"loghunt/sigma"
	"loghunt/store"
)

// sigmaDone reads how far the watch's Sigma rules got and the newest
// chunk id.
func sigmaDone(t *testing.T, db string) (done, last uint64) {
	t.Helper()
	st, err := store.Open(db, store.OpenOptions{ReadOnly: true, Wait: 10 * time.Second})
	if err != nil {
		return 0, 1
	}
	defer st.Close()
	st.ReadRecords(sigmaProgressBucket, func(r *store.Records) error {
		if v := r.Get(sigmaProgressKey); len(v) == 8 {
			done = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	last, _ = st.LastChunkID()
	return done, last
}

// TestWatchSigma: watch --sigma over a real SSH server's auth log that
// grows in three parts, the watch stopped and started again between the
// second and the third. The alerts equal what the rules give on the whole
// log at once: one alert for the no-identification rule with as many events
// as the query counts; per source address, one brute-force alert whose
// count, first and last are those of the correlation's windows on the
// whole stream (the same engine fed every match in one pass, advanced to
// the newest event less the lag, as the watch's is). Nothing is lost or
// counted twice across the restart, and a window open across it is found.
func TestWatchSigma(t *testing.T) {
	src := filepath.Join(shared, "datasets", "authlog", "secrepo_auth.log")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skip("auth log not available")
	}
	lines := strings.SplitAfter(string(data), "\n")[:9000]
	bin := buildLoghunt(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	logf := filepath.Join(dir, "auth.log")
	rulesArgs := []string{"--sigma", filepath.Join("testdata", "sigma_hunt", "ssh_bruteforce.yml"),
		"--sigma", filepath.Join("testdata", "sigma_watch", "ssh_no_ident.yml"), "--sigma-lag", "2s", "--sigma-suppress", "100000h"}
	appendPart := func(part []string) {
		f, err := os.OpenFile(logf, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(strings.Join(part, ""))
		f.Close()
	}
	waitDone := func(w *watchProc, events int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			out, _, _ := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", "* | stats count")
			if strings.TrimSpace(out) == fmt.Sprintf("count\n%d", events) {
				if done, last := sigmaDone(t, db); done == last {
					return
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("the watch did not store and hunt %d events; stderr:\n%s", events, w.stderr)
	}
	appendPart(lines[:3000])
	w := startWatch(t, bin, db, append(rulesArgs, logf)...)
	waitDone(w, 3000)
	appendPart(lines[3000:6000])
	waitDone(w, 6000)
	if code := w.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d: %s", code, w.stderr)
	}
	first := w.stderr.String()
	appendPart(lines[6000:])
	w = startWatch(t, bin, db, append(rulesArgs, logf)...)
	waitDone(w, len(lines)-1+boolInt(strings.HasSuffix(lines[len(lines)-1], "\n")))
	if code := w.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d: %s", code, w.stderr)
	}
	if !strings.Contains(first, "alert 1 raised: sigma:") {
		t.Errorf("the first watch said no alert raised:\n%s", first)
	}

	st, err := store.Open(db, store.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	alerts, err := rules.ListAlerts(st, rules.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range alerts {
		k := a.Rule + " " + rules.EntityString(a.Entity)
		if _, dup := got[k]; dup {
			t.Errorf("two alerts for %s", k)
		}
		got[k] = fmt.Sprintf("%d %s %s", a.Count, a.First.Format(time.RFC3339), a.Last.Format(time.RFC3339))
	}

	// The whole stream at once.
	ls, err := loadSigmaRules("test", []string{filepath.Join("testdata", "sigma_hunt", "ssh_bruteforce.yml"),
		filepath.Join("testdata", "sigma_watch", "ssh_no_ident.yml")}, "")
	if err != nil {
		t.Fatal(err)
	}
	h := newSigmaHunter(ls, huntSelect{})
	var hits []huntHit
	var matches []huntMatch
	if _, err := st.Scan(context.Background(), store.AllTime, h.work, func(_ *store.Chunk, v any) error {
		r := v.(*chunkResult)
		hits = append(hits, r.hits...)
		matches = append(matches, r.matches...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].t < matches[j].t })
	eng := sigma.NewEngine(ls.set)
	var chits []sigma.Hit
	for _, m := range matches {
		hs, err := eng.Feed(m.rule, time.Unix(0, m.t), m.ev, m.source)
		if err != nil {
			t.Fatal(err)
		}
		chits = append(chits, hs...)
	}
	newest, _, _ := st.NewestTime()
	hs, _ := eng.Advance(time.Unix(0, newest-int64(2*time.Second)))
	chits = append(chits, hs...)
	type agg struct {
		n           int64
		first, last int64
	}
	want := map[string]*agg{}
	add := func(k string, n, first, last int64) {
		a := want[k]
		if a == nil {
			a = &agg{first: first, last: last}
			want[k] = a
		}
		a.n += n
		a.first, a.last = min(a.first, first), max(a.last, last)
	}
	for _, hh := range hits {
		add("sigma:"+hh.id+" source="+hh.source, 1, hh.t, hh.t)
	}
	for _, c := range chits {
		add("sigma:"+c.Correlation.Ref()+" src_ip="+c.Group[0], int64(c.Count), c.First.UnixNano(), c.Last.UnixNano())
	}
	wantS := map[string]string{}
	for k, a := range want {
		wantS[k] = fmt.Sprintf("%d %s %s", a.n, time.Unix(0, a.first).UTC().Format(time.RFC3339), time.Unix(0, a.last).UTC().Format(time.RFC3339))
	}
	keys := func(m map[string]string) []string {
		var ks []string
		for k, v := range m {
			ks = append(ks, k+": "+v)
		}
		sort.Strings(ks)
		return ks
	}
	if g, w := strings.Join(keys(got), "\n"), strings.Join(keys(wantS), "\n"); g != w {
		t.Errorf("watch alerts:\n%s\nthe whole log at once:\n%s", g, w)
	}
	// The no-identification count by an independent query.
	out, _, _ := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", `app=sshd "Did not receive identification string" | stats count`)
	acc := "sigma:0a1b2c3d-0000-4000-8000-0000000000d1 source=" + logf
	if n := strings.TrimPrefix(strings.TrimSpace(out), "count\n"); !strings.HasPrefix(got[acc], n+" ") || n == "0" {
		t.Errorf("no-identification lines: alert %q, query count %s", got[acc], n)
	}
	var brute int
	for k := range got {
		if strings.Contains(k, "src_ip=") {
			brute++
		}
	}
	if brute < 3 {
		t.Errorf("only %d brute-force alerts", brute)
	}
	t.Logf("%d alerts (%d brute force) over %d lines", len(got), brute, len(lines))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
