package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | stats sparkline(count, 1h)`, ``},
		{`* | stats sparkline(count,1h) as trend, count by app`, `* | stats sparkline(count, 1h) as trend, count by app`},
		{`* | stats sparkline(avg(bytes), 30m) by host`, ``},
		{`* | stats SPARKLINE(DC(user), 5m)`, `* | stats sparkline(dc(user), 5m)`},
	}...)
}

// TestSparklineOnRealLogs: on the DFRWS auth excerpt, stats
// sparkline(count, 10m) by app is, for every app, the count of each
// 10-minute bucket from the first bucket with events (of any app) to the
// last, 0 where the app has none, as bin | stats count by app, _time
// counts them here; hand-checked for sshd alone (its rows' range): the
// brute force (386 lines in 04:00-04:09) and the 21 lines after it. With earliest/latest the buckets
// are the search's range; another aggregate (avg) works the same way.
func TestSparklineOnRealLogs(t *testing.T) {
	s := excerptDB(t, authExcerpt)
	got := s.run(`* | stats sparkline(count, 10m) as trend, count by app`)
	counts := map[[2]string]string{}
	var first, last time.Time
	for _, r := range s.run(`* | bin _time span=10m | stats count by app, _time`)[1:] {
		counts[[2]string{r[0], r[1]}] = r[2]
		tm, _ := time.Parse(time.RFC3339, r[1])
		if first.IsZero() || tm.Before(first) {
			first = tm
		}
		if tm.After(last) {
			last = tm
		}
	}
	if len(got) < 3 {
		t.Fatalf("%d apps", len(got)-1)
	}
	for _, r := range got[1:] {
		vals, ok := SparklineValues(store.Str(r[1]))
		if !ok {
			t.Fatalf("%s: %q is no sparkline", r[0], r[1])
		}
		i := 0
		for tm := first; !tm.After(last); tm = tm.Add(10 * time.Minute) {
			want := counts[[2]string{r[0], tm.Format(time.RFC3339)}]
			if want == "" {
				want = "0"
			}
			if i >= len(vals) || vals[i] != want {
				t.Fatalf("%s at %s: %q, want %s", r[0], tm.Format(time.RFC3339), vals, want)
			}
			i++
		}
		if i != len(vals) {
			t.Fatalf("%s: %d buckets, want %d", r[0], len(vals), i)
		}
	}
	sshd := s.run(`app=sshd | stats sparkline(count, 10m) as trend`)[1][0]
	if want := SparklineMark + "\n386\n21"; sshd != want { // only sshd's rows: its range
		t.Fatalf("sshd: %q, want %q", sshd, want)
	}
	// The search's range: 03:00 to 05:00, 4 buckets of 30m, the first
	// two before any sshd line.
	r := s.run(`app=sshd earliest=2015-02-27T03:00:00Z latest=2015-02-27T05:00:00Z | stats sparkline(count, 30m) as c, sparkline(dc(src_ip), 30m) as ips`)
	if r[1][0] != SparklineMark+"\n0\n0\n407\n0" {
		t.Fatalf("bounded: %q", r)
	}
	if ips := s.run(`app=sshd | stats dc(src_ip) as n`)[1][0]; r[1][1] != SparklineMark+"\n0\n0\n"+ips+"\n0" {
		t.Fatalf("dc per bucket %q, want %s in the third", r[1][1], ips)
	}
	// A bucket span too small for the range is a limit error.
	pq, _ := Parse(`* | stats sparkline(count, 1s)`)
	if _, err := Run(context.Background(), s.DB, pq, Options{}, func(*Batch) error { return nil }); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than 1000") {
		t.Fatalf("1s buckets: %v", err)
	}
	// Its buckets are charged to the aggregation's memory.
	pq, _ = Parse(`* | stats sparkline(count, 1m) by pid`)
	if _, err := Run(context.Background(), s.DB, pq, Options{MaxAggBytes: 4 << 10}, func(*Batch) error { return nil }); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("memory: %v", err)
	}
	cases := []struct{ q, want string }{
		{"| stats sparkline(count)", "| stats sparkline(count)\n                       ^ sparkline needs an aggregate and a span: sparkline(count, 1h) or sparkline(avg(f), 5m)"},
		{"| stats sparkline(count, x)", "| stats sparkline(count, x)\n                         ^ the span of sparkline must be a duration such as 30s, 5m, 1h or 1d, not \"x\""},
		{"| stats sparkline(avgg(f), 1h)", "| stats sparkline(avgg(f), 1h)\n                  ^ unknown aggregate \"avgg\" (did you mean \"avg\"?)"},
		{"| stats avg(bytes, 1h)", "| stats avg(bytes, 1h)\n           ^ avg takes one field: avg(field) (only sparkline takes an aggregate and a span)"},
		{"| timechart span=1h sparkline(count, 1h)", "| timechart span=1h sparkline(count, 1h)\n                    ^ sparkline is stats': a trend per group (stats sparkline(count, 1h) by host)"},
		{"| stats sparkline(per_second(b), 1h)", "| stats sparkline(per_second(b), 1h)\n                  ^ sparkline draws an aggregate that is a number (count, dc, sum, avg, min, max, range, median, percN, stdev, var, estdc, rate), not per_second"},
		{"| stats sparkline(values(b), 1h)", "| stats sparkline(values(b), 1h)\n                  ^ sparkline draws an aggregate that is a number (count, dc, sum, avg, min, max, range, median, percN, stdev, var, estdc, rate), not values"},
	}
	for _, c := range cases {
		if _, err := Parse(c.q); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
}
