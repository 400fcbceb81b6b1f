package clickhouse

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"loghunt/ingest"
	"loghunt/query"
	"loghunt/store"
	"loghunt/store/storetest"
)

// datasets is the shared folder of real logs.
var datasets = filepath.Join("..", "..", "shared", "datasets")

// realLogs are the real logs of the differential tests: an Apache access
// log and two sshd auth.logs, whole (33,000 lines).
var realLogs = []string{"weblogs/elastic_apache_logs.log", "authlog/dfrws2009_auth.log", "authlog/elastic_suspicious_login_auth.log"}

// realStore ingests the real logs into a new store.
func realStore(t *testing.T) *store.DB {
	t.Helper()
	var paths []string
	for _, p := range realLogs {
		p = filepath.Join(datasets, p)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("the shared data sets are not available: %v", err)
		}
		paths = append(paths, p)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "real.db"), store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2015}, paths, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// referenceQueries are bench/'s questions (top404, perminute, rareword,
// the hour, the brute-force hunt) and others that exercise each
// translated piece and a local rest after it.
func referenceQueries(db *store.DB) []string {
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	srcs, _ := db.Sources()
	for _, s := range srcs {
		if s.Sourcetype == "apache" || strings.Contains(s.Name, "apache") {
			first, last = min(first, s.First), max(last, s.Last)
		}
	}
	mid := time.Unix(0, first+(last-first)/2).UTC().Truncate(time.Hour)
	hour := fmt.Sprintf("earliest=%s latest=%s | stats count, sum(bytes)", mid.Format(time.RFC3339), mid.Add(time.Hour).Format(time.RFC3339))
	return []string{
		"status=404 | stats count by clientip | sort -count, clientip | head 5",
		"* | bin _time span=1m | stats count, sum(bytes) as bytes by _time | sort -bytes | head 5",
		`"wp-login" | stats count`,
		hour,
		"action=failure auth_method=password | bin _time span=1m | stats count as attempts by _time, user | anomalies attempts contamination=0.01 | where is_anomaly | sort -anomaly_score | head 10",
		`"Failed password" | stats count by user, src_ip | sort -count | head 20`,
		`sshd NOT "Failed password" | stats count by action`,
		`status>=400 status<500 | stats count, dc(clientip) as ips, avg(bytes), min(bytes), max(bytes) by status`,
		`GET /favicon.ico | stats count by verb, status`,
		`(status=200 OR status=304) bytes<1000 | stats count by status | sort status`,
		`status IN (301, 302, 404) | stats count by status`,
		`useragent=*bot* | stats count`,
		`user!=root action=* | stats count by user | sort -count, user | head 3`,
		`*.php | stats count by uri_path | sort -count | head 5`,
		`sourcetype=sshd | stats count by host`,
		`clientip=83.149.9.216 | table _time, request, status`,
		`Invalid user | dedup user | table user`,
		`"Failed password" invalid | head 3`,
		`* | stats count by source, sourcetype`,
		`status=404 | bin _time span=1h | stats count by _time | delta count as change`,
		`Accepted | stats count by user | eval share=count*100 | sort -share`,
		`* | stats count`,
		`nosuchword_xyz | stats count, sum(bytes)`,
		`* | top clientip`,
		`sshd | rare user limit=3`,
		`status=404 | top 3 status, method`,
		`Failed | dedup src_ip | table _time, src_ip, user`,
		`* | dedup sourcetype, host | head 3`,
		`GET | top limit=0 status | eval p=percent*10`,
		`* | where status >= 400 AND bytes < 5000 | stats count by status`,
		`* | where user = "root" OR NOT (src_ip != "10.0.0.1") | stats count by src_ip | sort -count | head 3`,
		`* | where clientip > "200" | stats dc(clientip)`,
		`* | where pid < 3000 AND -1 < pid | stats count`,
		`* | where bytes = "abc" | stats count`,
		`* | where 404 == status | top clientip`,
		`* | where bytes * 2 > 100 | stats count`,
		`sshd | rex "port (?<port>\d+)" | stats count by port | sort -count, port | head 5`,
		`* | rex "(?<word>[A-Z][a-z]+) password" | stats count by word`,
		`"Failed password" | rex "from (?<ip>[0-9.]+)" | where ip > "200" | stats dc(ip)`,
		`* | rex field=useragent "(?<browser>Firefox|Chrome)/" | top browser`,
		`* | rex "user (?<user>\w+)" | stats count by user | sort -count, user | head 5`,
		`* | rex "HTTP/(?P<v>1\.[01])" | stats count by v`,
		`* | rex "(?<x>zzz)?q" | stats count by x`,
		`Accepted | rex "for (?<who>\S+) from" | table _time, who, user`,
		`* | rex "(?<a>\d+)\.(?<b>\d+)" | stats count by a`,
		`status=404 | stats count by clientip | where count > 50 | sort -count, clientip | head 5`,
		`"Failed password" | stats count, dc(user) as users by src_ip | where users >= 2 AND count > 10 | sort -count`,
		`* | stats avg(bytes) as avgb by status | where avgb < 1000 OR status = 404`,
		`* | stats count by sourcetype | where sourcetype != "apache"`,
		`* | stats sum(bytes) as b by method | where b > 1000000 | where method != "GET"`,
		`* | stats count by user | where nosuch > 1`,
		`* | timechart span=1h count`,
		`status=404 | timechart span=10m count, sum(bytes) as b, avg(bytes), dc(clientip) | sort -count | head 5`,
		`"Failed password" | timechart span=1d count by user`,
		`sshd | bin _time span=1h | timechart span=1d max(pid), min(pid)`,
		`nosuchword_xyz | timechart span=1h count`,
		`Accepted | timechart span=30m count limit=3 | where count > 0`,
		`* | eval kb = bytes * 2 - 1, m = lower(method) | stats sum(kb), count by m`,
		`* | eval f = bytes * 0.5 + 1 | where f > 100 | stats avg(f), max(f) by status`,
		`sshd | eval n = len(user), u = upper(user) | stats count by n, u | sort -count, u | head 5`,
		`* | eval x = -pid, y = "k" | stats min(x), count by y`,
		`* | eval status = lower(method) | stats count by status`,
		`* | eval b = bytes | eval b = b * 3 | where b < 3000 | stats count, sum(b)`,
		`* | eval r = bytes / 2 | stats count by r | head 3`,
		`* | top 2 status by method`,
		`"Failed password" | rare user by host limit=3`,
		`* | top limit=0 action by app, host`,
		`* | top 3 clientip, status by method | where percent > 1`,
	}
}

// randomQuery writes a query of search terms and a tail of stages,
// translatable or not, from the values of the store's fields.
func randomQuery(rnd *rand.Rand, vals map[string][]string) string {
	pick := func(s []string) string { return s[rnd.IntN(len(s))] }
	fields := []string{"status", "verb", "user", "action", "clientip", "bytes", "host", "app"}
	var terms []string
	for range 1 + rnd.IntN(3) {
		f := pick(fields)
		v := pick(vals[f])
		var t string
		switch rnd.IntN(9) {
		case 0:
			t = f + "!=" + v
		case 1:
			t = f + pick([]string{"<", "<=", ">", ">="}) + v
		case 2:
			if len(v) > 2 {
				t = f + "=" + v[:len(v)/2] + "*"
			} else {
				t = f + "=" + v
			}
		case 3:
			t = pick([]string{"Failed", "password", "GET", "POST", "sshd", "root", "Mozilla", "html", "fail*", "*bot*", "10.*", `"Accepted publickey"`, `"HTTP/1.1"`, "Invalid"})
		case 4:
			t = fmt.Sprintf("%s IN (%s, %s)", f, v, pick(vals[f]))
		case 5:
			t = "NOT " + f + "=" + v
		case 6:
			t = "(" + f + "=" + v + " OR " + pick([]string{"Failed", "GET", "sshd"}) + ")"
		default:
			t = f + "=" + v
		}
		terms = append(terms, t)
	}
	q := strings.Join(terms, " ")
	by := pick(fields)
	agg := pick([]string{"count", "count", "dc(clientip)", "sum(bytes)", "avg(bytes)", "max(bytes)", "min(status)", "count(user)"})
	switch rnd.IntN(8) {
	case 0:
		q += " | stats " + agg + " as n by " + by + fmt.Sprintf(" | where n %s %d", pick([]string{">", "<=", "!="}), rnd.IntN(50))
	case 1:
		q += fmt.Sprintf(" | stats %s as n, count by %s | sort -n | head %d", agg, by, 1+rnd.IntN(5))
	case 2:
		if rnd.IntN(2) == 0 {
			q += " | timechart span=" + pick([]string{"1m", "1h", "1d", "15m"}) + " " + agg
			break
		}
		q += " | bin _time span=" + pick([]string{"1m", "1h", "1d", "15m"}) + " | stats count by _time | sort -count | head 3"
	case 3:
		q += " | stats " + agg
	case 4:
		if rnd.IntN(2) == 0 {
			q += fmt.Sprintf(" | eval x = bytes * %d - %d, l = lower(%s) | stats count, sum(x) by l", rnd.IntN(5), rnd.IntN(100), pick([]string{"user", "method", "action", "host"}))
			break
		}
		q += " | top " + by
		if rnd.IntN(2) == 0 {
			q += " by " + pick([]string{"sourcetype", "host", "status", "method"})
		}
	case 5:
		q += " | dedup " + by + " | table _time, " + by
	case 6:
		q += fmt.Sprintf(" | where %s %s %s OR NOT %s = \"%s\" | stats count by %s", pick(fields), pick([]string{"<", ">=", "=", "!="}), pick(vals["bytes"]), pick(fields), pick(vals[by]), by)
	default:
		q += " | stats count by " + by + ", sourcetype | sort " + by
	}
	return q
}

// fieldValues samples the values of fields in the store, for the generator.
func fieldValues(t *testing.T, db *store.DB) map[string][]string {
	pq, err := query.Parse("* | table status, verb, user, action, clientip, bytes, host, app")
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string][]string{}
	seen := map[string]bool{}
	_, err = query.Run(context.Background(), db, pq, query.Options{}, func(b *query.Batch) error {
		for i, f := range b.Fields {
			for r := 0; r < b.Len; r += 37 {
				v := b.Cols[i][r]
				if v.IsNull() || seen[f+"="+v.String()] || strings.ContainsAny(v.String(), ` "()=|[]`) {
					continue
				}
				seen[f+"="+v.String()] = true
				vals[f] = append(vals[f], v.String())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"status", "verb", "user", "action", "clientip", "bytes", "host", "app"} {
		if len(vals[f]) == 0 {
			vals[f] = []string{"x"}
		}
	}
	return vals
}

// result is a query's rows, each as its non-null fields' values.
type result struct {
	fields []string
	rows   []map[string]string
}

func collectRows(fields *[]string, rows *[]map[string]string) func(*query.Batch) error {
	return func(b *query.Batch) error {
		if *fields == nil {
			*fields = append([]string{}, b.Fields...)
		}
		for r := 0; r < b.Len; r++ {
			m := map[string]string{}
			for i, f := range b.Fields {
				if v := b.Cols[i][r]; !v.IsNull() {
					m[f] = v.String()
				}
			}
			*rows = append(*rows, m)
		}
		return nil
	}
}

func runLocal(db *store.DB, q string) (result, error) {
	var res result
	pq, err := query.Parse(q)
	if err != nil {
		return res, err
	}
	_, err = query.Run(context.Background(), db, pq, query.Options{}, collectRows(&res.fields, &res.rows))
	return res, err
}

func runRemote(c *Client, table, q string) (result, *Translation, error) {
	var res result
	pq, err := query.Parse(q)
	if err != nil {
		return res, nil, err
	}
	tr, _, err := Query(context.Background(), c, pq, QueryOptions{Table: table}, collectRows(&res.fields, &res.rows))
	return res, tr, err
}

// sameValue compares printed values: numbers to 1e-9 relative (ClickHouse
// sums floats in order, loghunt exactly), the rest exactly.
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-9*max(math.Abs(x), math.Abs(y))
}

// diff says how got differs from want, "" when the rows are the same,
// in the same order.
func diff(got, want result) string {
	if len(got.rows) != len(want.rows) {
		return fmt.Sprintf("%d rows, want %d", len(got.rows), len(want.rows))
	}
	gf, wf := got.fields, want.fields
	if slices.Contains(wf, store.ColRaw) {
		// Events: a local batch has the columns of its chunk, in the
		// chunk's order; the server's have the table's.
		// Every field of the local rows must be there.
		for _, f := range wf {
			if !slices.Contains(gf, f) {
				return fmt.Sprintf("no column %s: %v, want %v", f, gf, wf)
			}
		}
		gf = wf
	}
	if len(want.rows) > 0 && strings.Join(gf, ",") != strings.Join(wf, ",") {
		return fmt.Sprintf("columns %v, want %v", got.fields, want.fields)
	}
	for i := range want.rows {
		g, w := got.rows[i], want.rows[i]
		for k, wv := range w {
			if gv, ok := g[k]; !ok || !sameValue(gv, wv) {
				return fmt.Sprintf("row %d: %s=%q, want %q\n got  %v\n want %v", i, k, gv, wv, g, w)
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Sprintf("row %d: %s=%q, want none", i, k, g[k])
			}
		}
	}
	return ""
}

// TestQueryDifferential ships real logs to a server and asks it the
// reference queries and random ones: each gives the local store's answer.
func TestQueryDifferential(t *testing.T) {
	c := startServer(t)
	db := realStore(t)
	if _, err := Ship(context.Background(), db, c, ShipOptions{Table: "events"}); err != nil {
		t.Fatal(err)
	}
	checkQueries(t, db, c, "events", 150)
}

// TestTimeFields ships events with a time-valued field and a field whose
// kind changes after the first ship (its later values go to _extra):
// nothing on them is translated, the time comes back as a time, the text
// from _extra, and the answers are the local store's.
func TestTimeFields(t *testing.T) {
	c := startServer(t)
	db, _ := testStore(t)
	ctx := context.Background()
	t0 := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC).UnixNano()
	add := func(src string, field func(i int) store.Field) {
		b := store.NewChunkBuilder(src, "t", "key:"+src)
		err := db.Write(func(w *store.WriteTx) error {
			for i := range 100 {
				ev := store.Event{Time: t0 + int64(i)*1e9, Raw: fmt.Sprintf("%s event %d", src, i), Fields: []store.Field{field(i)}}
				b.Add(&ev)
			}
			ch := b.Encode()
			if err := w.PutChunk(ch); err != nil {
				return err
			}
			w.AddBuiltinFields(int64(ch.Rows), src, "t")
			return w.PutSource(&store.Source{Key: "key:" + src, Name: src, Sourcetype: "t", Events: int64(ch.Rows), First: ch.MinTime, Last: ch.MaxTime})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add("/t1", func(i int) store.Field { return store.Field{Name: "seen", Value: store.Time(t0 + int64(i%3)*3600e9)} })
	add("/t2", func(i int) store.Field { return store.Field{Name: "code", Value: store.Int(int64(i % 4))} })
	if _, err := Ship(ctx, db, c, ShipOptions{Table: "tf"}); err != nil {
		t.Fatal(err)
	}
	add("/t3", func(i int) store.Field { return store.Field{Name: "code", Value: store.Str(fmt.Sprintf("E%d", i%2))} })
	if _, err := Ship(ctx, db, c, ShipOptions{Table: "tf"}); err != nil {
		t.Fatal(err)
	}
	if got := query1(t, c, "SELECT count() FROM tf WHERE _extra LIKE '%\"code\":\"E%'"); got != "100" {
		t.Errorf("rows with code in _extra: %s, want 100", got)
	}
	for _, q := range []string{
		`* | stats count by seen`,
		`seen>1741222800 | stats count`,
		`code=E1 | stats count by code`,
		`code=2 | stats count`,
		`* | stats count by code | sort -count, code`,
		`event | table _time, seen, code`,
		`* | where code > 1 | stats count`,
	} {
		want, err := runLocal(db, q)
		if err != nil {
			t.Fatal(err)
		}
		got, tr, err := runRemote(c, "tf", q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if d := diff(got, want); d != "" {
			t.Errorf("%s\n%s\n%s", q, d, tr.Explain())
		}
		_, where, _ := strings.Cut(tr.SQL, " WHERE ")
		if strings.Contains(tr.SQL, "`seen` AS") || strings.Contains(tr.SQL, "`code` AS") || strings.Contains(where, "`seen`") || strings.Contains(where, "`code`") {
			t.Errorf("%s: translated a comparison on seen or code:\n%s", q, tr.SQL)
		}
	}
}

// checkQueries compares the reference queries and n random ones.
func checkQueries(t *testing.T, db *store.DB, c *Client, table string, n int) {
	t.Helper()
	qs := referenceQueries(db)
	if testing.Short() {
		n /= 10 // (-race -short in .ci/run)
	}
	rnd := rand.New(rand.NewPCG(19, 3))
	vals := fieldValues(t, db)
	for range n {
		qs = append(qs, randomQuery(rnd, vals))
	}
	remote, whole := 0, 0
	for _, q := range qs {
		want, err := runLocal(db, q)
		if err != nil {
			t.Errorf("local %s: %v", q, err)
			continue
		}
		got, tr, err := runRemote(c, table, q)
		if err != nil {
			t.Errorf("clickhouse %s: %v", q, err)
			continue
		}
		if len(tr.Local) == 0 {
			whole++
		}
		if tr.From > 0 {
			remote++
		} else {
			t.Logf("all in loghunt: %s", q)
		}
		if d := diff(got, want); d != "" {
			t.Errorf("%s\n%s\n%s", q, d, tr.Explain())
		}
	}
	t.Logf("%d queries, %d with their search or more on the server, %d wholly", len(qs), remote, whole)
	if remote < len(qs)*3/4 {
		t.Errorf("only %d of %d queries translated anything", remote, len(qs))
	}
}

// TestDecodeErrors: a server that fails in the middle of its answer, or
// answers rows of another shape, is an error naming the row, not a panic.
func TestDecodeErrors(t *testing.T) {
	cols := []outCol{{"n", kInt}, {"s", kStr}}
	push := func(*query.Batch) error { return nil }
	for _, c := range []struct{ body, want string }{
		{"1\ta\nCode: 241, e.displayText() = DB::Exception: Memory limit exceeded\n", "in the middle of the result: Code: 241"},
		{"1\ta\n2\n", "row 2 has 1 columns, want 2"},
		{"x\ta\n", "row 1, column n"},
	} {
		err := decode(strings.NewReader(c.body), cols, push)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.body, err, c.want)
		}
	}
	var got []string
	err := decode(strings.NewReader("3\tx\\ty\n\\N\t\\N\n"), cols, func(b *query.Batch) error {
		for r := 0; r < b.Len; r++ {
			n, s := b.Get("n", r), b.Get("s", r)
			got = append(got, fmt.Sprintf("%s|%s|%v|%v", n.String(), s.String(), n.IsNull(), s.IsNull()))
		}
		return nil
	})
	if err != nil || len(got) != 2 || got[0] != "3|x\ty|false|false" || !strings.HasSuffix(got[1], "|true|true") {
		t.Errorf("decoded %q, %v", got, err)
	}
}

// TestTieOrder: events of one time from overlapping chunks come in
// loghunt's order (the chunk with the earlier first time, then the lower
// id), also when the later chunk was written first: dedup and the local
// stages over events see the rows as they would on the store.
func TestTieOrder(t *testing.T) {
	c := startServer(t)
	db := storetest.Open(t)
	t0 := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC).UnixNano()
	add := func(src string, from, to int) {
		b := store.NewChunkBuilder(src, "t", "key:"+src)
		err := db.Write(func(w *store.WriteTx) error {
			for i := from; i <= to; i++ {
				ev := store.Event{Time: t0 + int64(i/3)*1e9, Raw: fmt.Sprintf("%s %d", src, i),
					Fields: []store.Field{{Name: "k", Value: store.Int(int64(i % 5))}, {Name: "src", Value: store.Str(src)}}}
				b.Add(&ev)
			}
			ch := b.Encode()
			if err := w.PutChunk(ch); err != nil {
				return err
			}
			w.AddBuiltinFields(int64(ch.Rows), src, "t")
			return w.PutSource(&store.Source{Key: "key:" + src, Name: src, Sourcetype: "t", Events: int64(ch.Rows), First: ch.MinTime, Last: ch.MaxTime})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add("/late", 300, 600) // written first, starts later
	add("/early", 0, 450)
	if _, err := Ship(context.Background(), db, c, ShipOptions{Table: "ties"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`* | dedup k | table _time, k, src, _raw`, `* | table _raw`, `* | streamstats count as n by k | where n = 7 | table _raw`} {
		want, err := runLocal(db, q)
		if err != nil {
			t.Fatal(err)
		}
		got, tr, err := runRemote(c, "ties", q)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(got, want); d != "" {
			t.Errorf("%s\n%s\n%s", q, d, tr.Explain())
		}
	}
}
