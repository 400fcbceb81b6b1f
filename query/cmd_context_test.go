package query

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/ingest"
	"loghunt/store"
	"loghunt/store/storetest"
)

// countingStore counts the chunks each scan reads.
type countingStore struct {
	*store.DB
	scans []store.ScanStats
}

func (c *countingStore) Scan(ctx context.Context, spec store.ScanSpec, work func(*store.Chunk) (any, error),
	emit func(*store.Chunk, any) error) (store.ScanStats, error) {
	s, err := c.DB.Scan(ctx, spec, work, emit)
	c.scans = append(c.scans, s)
	return s, err
}

// excerptStore ingests the real auth excerpt one minute to a file, so
// that the store has a chunk per minute and pruning by time shows.
func excerptStore(t *testing.T) *countingStore {
	t.Helper()
	f, err := os.Open("../rules/testdata/auth_dfrws_excerpt.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byMinute := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		m := strings.ReplaceAll(strings.Fields(line)[2][:5], ":", "")
		byMinute[m] = append(byMinute[m], line)
	}
	dir := t.TempDir()
	db := storetest.Open(t)
	for m, lines := range byMinute {
		p := filepath.Join(dir, "auth-"+m+".log")
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2009}, []string{p}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return &countingStore{DB: db}
}

type ctxRow struct {
	of, raw string
	t       int64
}

func runContext(t *testing.T, st Store, q string) []ctxRow {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []ctxRow
	if _, err := Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
		for r := range b.Len {
			out = append(out, ctxRow{b.Get(ContextOfField, r).String(), b.Get("_raw", r).String(), b.Get("_time", r).I})
		}
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// TestContextOnRealAuth: context by src_ip gives, for each minute of the
// excerpt's brute force with more than 60 lines from 208.111.34.7, the
// events of that address within the span, exactly those that filtering
// every event in Go finds, in time order, reading only the chunks of the
// window.
func TestContextOnRealAuth(t *testing.T) {
	st := excerptStore(t)
	const ip = "208.111.34.7"
	type event struct {
		raw string
		t   int64
	}
	var all []event
	pq, _ := Parse("* | table _time, src_ip, _raw")
	if _, err := Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
		for r := range b.Len {
			if b.Get("src_ip", r).String() == ip {
				all = append(all, event{b.Get("_raw", r).String(), b.Get("_time", r).I})
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	totalChunks := st.scans[len(st.scans)-1].ChunksTotal
	if len(all) != 364 || totalChunks < 9 {
		t.Fatalf("the excerpt has %d events of %s (want 364) in %d chunks", len(all), ip, totalChunks)
	}
	// The findings, computed in Go: minutes with more than 60 events of ip.
	perMinute := map[int64]int{}
	for _, e := range all {
		perMinute[e.t/int64(time.Minute)*int64(time.Minute)]++
	}
	var minutes []int64
	for m, n := range perMinute {
		if n > 60 {
			minutes = append(minutes, m)
		}
	}
	slices.Sort(minutes)
	if len(minutes) != 4 {
		t.Fatalf("%d busy minutes, want 4: %v", len(minutes), perMinute)
	}
	span := int64(time.Minute)
	var want []ctxRow
	for _, m := range minutes {
		of := ip + " @ " + time.Unix(0, m).UTC().Format(time.RFC3339Nano)
		for _, e := range all {
			if e.t >= m-span && e.t <= m+span {
				want = append(want, ctxRow{of, e.raw, e.t})
			}
		}
	}
	st.scans = nil
	got := runContext(t, st, `src_ip=208.111.34.7 | bin _time span=1m | stats count by _time, src_ip | where count > 60 | context by src_ip span=1m limit=1000`)
	if len(got) != len(want) {
		t.Fatalf("context gave %d rows, the events filtered in Go %d", len(got), len(want))
	}
	sortRows := func(rs []ctxRow) []ctxRow {
		rs = slices.Clone(rs)
		slices.SortStableFunc(rs, func(a, b ctxRow) int {
			return strings.Compare(a.of+"\x00"+a.raw, b.of+"\x00"+b.raw)
		})
		return rs
	}
	if !slices.Equal(sortRows(got), sortRows(want)) {
		t.Errorf("context rows differ from the events filtered in Go")
	}
	for i := 1; i < len(got); i++ {
		if got[i].of == got[i-1].of && got[i].t < got[i-1].t {
			t.Fatalf("row %d: not in time order", i)
		}
	}
	if got[0].of != want[0].of || got[len(got)-1].of != want[len(want)-1].of {
		t.Errorf("findings out of order: first %q last %q", got[0].of, got[len(got)-1].of)
	}
	// The first scan is the findings' query; the windows of the four
	// overlapping minutes are one search, which reads only their chunks.
	if len(st.scans) != 2 {
		t.Fatalf("%d scans, want the findings' and one window search", len(st.scans))
	}
	t.Logf("%d context rows for %d findings; the window search read %d of %d chunks", len(got), len(minutes), st.scans[1].ChunksRead, st.scans[1].ChunksTotal)
	if w := st.scans[1]; w.ChunksRead >= w.ChunksTotal || w.ChunksRead == 0 {
		t.Errorf("the window search read %d of %d chunks", w.ChunksRead, w.ChunksTotal)
	}

	// limit keeps the nearest events to the finding, in time order.
	m := minutes[0]
	var near []event
	for _, e := range all {
		if e.t >= m-span && e.t <= m+span {
			near = append(near, e)
		}
	}
	slices.SortStableFunc(near, func(a, b event) int { return cmpAbs(a.t-m, b.t-m) })
	got = runContext(t, st, `src_ip=208.111.34.7 | bin _time span=1m | stats count by _time, src_ip | where count > 60 | head 1 | context by src_ip span=1m limit=7`)
	if len(got) != 7 {
		t.Fatalf("limit=7 gave %d rows", len(got))
	}
	farthest := near[6].t - m
	if farthest < 0 {
		farthest = -farthest
	}
	for _, r := range got {
		d := r.t - m
		if d < 0 {
			d = -d
		}
		if d > farthest {
			t.Errorf("limit=7 kept an event %v from the finding; the 7th nearest is %v", time.Duration(d), time.Duration(farthest))
		}
	}
}

func cmpAbs(a, b int64) int {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestContextParse(t *testing.T) {
	for q, want := range map[string]string{
		"* | context by src_ip":                 "",
		"* | context by src_ip span=5m limit=3": "",
		"* | context src_ip":                    "expected",
		"* | context by src_ip span=0s":         "span must be a duration",
		"* | context by src_ip limit=0":         "limit must be a whole number",
		"* | context by src_ip window=5m":       `unknown option "window" for context`,
	} {
		_, err := Parse(q)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", q, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want %q", q, err, want)
		}
	}
}

// TestContextSummaryOnRealAuth: summary=true gives one row per finding
// whose count, first and last event, counts by action and sourcetype, and
// next event of another action are those computed in Go from the events
// of the real auth excerpt, for every address with a busy minute.
func TestContextSummaryOnRealAuth(t *testing.T) {
	n, then := checkContextSummary(t, excerptStore(t), 20)
	t.Logf("DFRWS excerpt: %d findings, %d followed by a success or a new action", n, then)
	db := storetest.Open(t)
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2017}, []string{"testdata/auth_elastic_success_excerpt.log"}, nil); err != nil {
		t.Fatal(err)
	}
	n, then = checkContextSummary(t, db, 20)
	t.Logf("Elastic excerpt: %d findings, %d followed by a success or a new action", n, then)
	if then == 0 {
		t.Error("the Elastic excerpt's brute force is followed by a success: no finding says so")
	}
}

// checkContextSummary runs context summary=true on the minutes with more
// than busy events of an address, and compares each row with what is
// computed here from the store's events.
func checkContextSummary(t *testing.T, st Store, busy int) (findings, withThen int) {
	type event struct {
		ip, action, sourcetype, raw string
		t                           int64
	}
	var all []event
	pq, _ := Parse("src_ip=* | table _time, src_ip, action, sourcetype, _raw")
	if _, err := Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
		for r := range b.Len {
			all = append(all, event{b.Get("src_ip", r).String(), b.Get("action", r).String(), b.Get("sourcetype", r).String(), b.Get("_raw", r).String(), b.Get("_time", r).I})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(all, func(a, b event) int { return cmp.Compare(a.t, b.t) })
	type key struct {
		ip string
		m  int64
	}
	perMinute := map[key]int{}
	for _, e := range all {
		perMinute[key{e.ip, e.t / int64(time.Minute) * int64(time.Minute)}]++
	}
	span := 5 * time.Minute
	want := map[string][]string{}

	for k, n := range perMinute {
		if n <= busy {
			continue
		}
		var win []event
		for _, e := range all {
			if e.ip == k.ip && e.t >= k.m-int64(span) && e.t <= k.m+int64(span) {
				win = append(win, e)
			}
		}
		actions := map[string]int{}
		for _, e := range win {
			actions[e.action]++
		}
		top := ""
		for a, n := range actions {
			if top == "" || n > actions[top] || n == actions[top] && a < top {
				top = a
			}
		}
		// then: the first success after, when success is not the
		// commonest; else the first action new since the window began
		then := "nothing else within 5 minutes"
		var next *event
		seen := map[string]bool{}
		for i, e := range win {
			if e.t < k.m {
				seen[e.action] = true
				continue
			}
			if e.action == "success" && top != "success" {
				next = &win[i]
				break
			}
			if next == nil && e.action != "" && e.action != top && !seen[e.action] {
				next = &win[i]
			}
		}
		if next != nil {
			then = "action=" + next.action + " at " + time.Unix(0, next.t).UTC().Format(time.RFC3339Nano) + ": " + next.raw
			withThen++
		}
		of := k.ip + " @ " + time.Unix(0, k.m).UTC().Format(time.RFC3339Nano)
		want[of] = []string{fmt.Sprint(len(win)), time.Unix(0, win[0].t).UTC().Format(time.RFC3339Nano),
			time.Unix(0, win[len(win)-1].t).UTC().Format(time.RFC3339Nano), fmt.Sprint(actions[top]), then}
	}
	if len(want) < 3 {
		t.Fatalf("only %d busy minutes", len(want))
	}
	q, err := Parse(fmt.Sprintf(`src_ip=* | bin _time span=1m | stats count by _time, src_ip | where count > %d | context by src_ip span=5m summary=true`, busy))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	if _, err := Run(context.Background(), st, q, Options{}, func(b *Batch) error {
		if !slices.Equal(b.Fields, contextSummaryFields) {
			t.Fatalf("fields %v", b.Fields)
		}
		for r := range b.Len {
			actions := b.Get("actions", r).String()
			// the commonest action's count: "failure 180; success 1"
			first, _, _ := strings.Cut(actions, "; ")
			_, n, _ := strings.Cut(first, " ")
			got[b.Get(ContextOfField, r).String()] = []string{b.Get("events", r).String(),
				time.Unix(0, b.Get("first", r).I).UTC().Format(time.RFC3339Nano), time.Unix(0, b.Get("last", r).I).UTC().Format(time.RFC3339Nano),
				n, b.Get("then", r).String()}
			if st := b.Get("sourcetypes", r).String(); st != "syslog "+b.Get("events", r).String() {
				t.Errorf("%s: sourcetypes %q", b.Get(ContextOfField, r), st)
			}
			if !strings.Contains(b.Get("patterns", r).String(), ": ") {
				t.Errorf("%s: patterns %q", b.Get(ContextOfField, r), b.Get("patterns", r))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d summary rows, want %d", len(got), len(want))
	}
	for of, w := range want {
		if !slices.Equal(got[of], w) {
			t.Errorf("%s:\n got %q\nwant %q", of, got[of], w)
		}
	}
	return len(want), withThen
}

// TestContextHost: host=true keeps the events of the finding's host only:
// the real Elastic brute force, with every third line moved to another
// host, gives per finding the events of its own host, counted here.
func TestContextHost(t *testing.T) {
	raw, err := os.ReadFile("testdata/auth_elastic_success_excerpt.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for i := range lines {
		if i%3 == 0 {
			lines[i] = strings.Replace(lines[i], " ip-10-77-20-248 ", " bastion2 ", 1)
		}
	}
	p := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2017}, []string{p}, nil); err != nil {
		t.Fatal(err)
	}
	// counted here: events per host within 2 minutes of each finding minute
	perHost := func(host string, m time.Time) int {
		n := 0
		for _, l := range lines {
			ts, _ := time.Parse("2006 Jan _2 15:04:05", "2017 "+l[:15])
			if strings.Contains(l, " "+host+" ") && !ts.Before(m.Add(-2*time.Minute)) && !ts.After(m.Add(2*time.Minute)) {
				n++
			}
		}
		return n
	}
	// the summary rows do not say the host: the findings of each host,
	// and each row's count
	hosts, rows := map[string]bool{}, 0
	for _, host := range []string{"ip-10-77-20-248", "bastion2"} {
		q, _ := Parse(`src_ip=* host=` + host + ` | bin _time span=1m | stats count by _time, src_ip, host | where count > 10 | context by src_ip span=2m host=true summary=true`)
		if _, err := Run(context.Background(), db, q, Options{}, func(b *Batch) error {
			for r := range b.Len {
				of := b.Get(ContextOfField, r).String()
				m, _ := time.Parse(time.RFC3339, of[strings.Index(of, " @ ")+3:])
				if got, want := b.Get("events", r).I, perHost(host, m); int(got) != want {
					t.Errorf("%s on %s: %d events, counted here %d", of, host, got, want)
				}
				hosts[host] = true
				rows++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(hosts) != 2 || rows < 4 {
		t.Errorf("%d findings on %d hosts", rows, len(hosts))
	}
}
