package query

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | xyseries clientip, status, count`, ``},
		{`* | xyseries clientip status count`, `* | xyseries clientip, status, count`},
		{`* | xyseries clientip status count, b`, `* | xyseries clientip, status, count, b`},
	}...)
}

// TestXyseriesOnRealLogs: on the web excerpt, xyseries of stats count by
// clientip, status is the table built here from the stats rows (a row per
// client in order of first appearance, a column per status in order of
// first appearance, an empty cell where the pair has no row); with two
// values the columns are V: y; over raw events a cell holds the value of
// the last row of its pair that has one.
func TestXyseriesOnRealLogs(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	pairs := s.run(`* | stats count, sum(bytes) as b by clientip, status`)
	var ips, statuses []string
	cells := map[[2]string][2]string{}
	for _, r := range pairs[1:] {
		if !slices.Contains(ips, r[0]) {
			ips = append(ips, r[0])
		}
		if !slices.Contains(statuses, r[1]) {
			statuses = append(statuses, r[1])
		}
		cells[[2]string{r[0], r[1]}] = [2]string{r[2], r[3]}
	}
	if len(ips) < 20 || len(statuses) < 4 {
		t.Fatalf("%d clients, %d statuses: the test shows little", len(ips), len(statuses))
	}
	got := s.run(`* | stats count, sum(bytes) as b by clientip, status | xyseries clientip status count`)
	if want := append([]string{"clientip"}, statuses...); !slices.Equal(got[0], want) {
		t.Fatalf("columns %q, want %q", got[0], want)
	}
	if len(got)-1 != len(ips) {
		t.Fatalf("%d rows, want %d", len(got)-1, len(ips))
	}
	empty := 0
	for i, ip := range ips {
		if got[i+1][0] != ip {
			t.Fatalf("row %d: %s, want %s", i, got[i+1][0], ip)
		}
		for j, st := range statuses {
			want := cells[[2]string{ip, st}][0]
			if want == "" {
				empty++
			}
			if got[i+1][j+1] != want {
				t.Fatalf("%s %s: %q, want %q", ip, st, got[i+1][j+1], want)
			}
		}
	}
	if empty == 0 {
		t.Fatal("no empty cell: the test shows little")
	}
	two := s.run(`* | stats count, sum(bytes) as b by clientip, status | xyseries clientip, status, count, b`)
	var head []string
	for _, v := range []string{"count", "b"} {
		for _, st := range statuses {
			head = append(head, v+": "+st)
		}
	}
	if !slices.Equal(two[0][1:], head) {
		t.Fatalf("columns %q, want %q", two[0], head)
	}
	for i, ip := range ips {
		for j, st := range statuses {
			c := cells[[2]string{ip, st}]
			if two[i+1][1+j] != c[0] || two[i+1][1+len(statuses)+j] != c[1] {
				t.Fatalf("%s %s: %q %q, want %q", ip, st, two[i+1][1+j], two[i+1][1+len(statuses)+j], c)
			}
		}
	}
	// Raw events: the last bytes of each client and method, nulls skipped.
	raw := s.run(`* | table clientip, method, bytes`)
	last := map[[2]string]string{}
	var methods []string
	for _, r := range raw[1:] {
		if r[0] == "" {
			continue
		}
		if r[1] != "" && !slices.Contains(methods, r[1]) {
			methods = append(methods, r[1])
		}
		if r[1] != "" && r[2] != "" {
			last[[2]string{r[0], r[1]}] = r[2]
		}
	}
	byMethod := s.run(`* | xyseries clientip method bytes`)
	if !slices.Equal(byMethod[0][1:], methods) {
		t.Fatalf("columns %q, want %q", byMethod[0], methods)
	}
	for _, row := range byMethod[1:] {
		for j, m := range methods {
			if want := last[[2]string{row[0], m}]; row[j+1] != want {
				t.Fatalf("%s %s: %q, want %q", row[0], m, row[j+1], want)
			}
		}
	}
}

// TestXyseriesErrorsAndLimits: errors point at their column; a table of
// more rows or columns than an aggregation may hold is a limit error.
func TestXyseriesErrorsAndLimits(t *testing.T) {
	cases := []struct{ q, want string }{
		{"| xyseries a a b", "| xyseries a a b\n             ^ xyseries takes the rows and the column names from two fields, not a twice"},
		{"| xyseries a b", "| xyseries a b\n              ^ unexpected end of query (usage: xyseries X Y V [V2 ...])"},
		{"| xyseries a", "| xyseries a\n            ^ unexpected end of query (usage: xyseries X Y V [V2 ...])"},
	}
	for _, c := range cases {
		if _, err := Parse(c.q); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
	s := excerptDB(t, webExcerpt)
	for _, q := range []string{`* | xyseries clientip path bytes`, `* | xyseries path clientip bytes`} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Run(context.Background(), s.DB, pq, Options{MaxGroups: 50}, func(*Batch) error { return nil })
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than 50 rows or columns") {
			t.Errorf("%s: %v, want a limit error", q, err)
		}
	}
	pq, _ := Parse(`* | xyseries clientip path bytes`)
	_, err := Run(context.Background(), s.DB, pq, Options{MaxAggBytes: 64 << 10}, func(*Batch) error { return nil })
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "xyseries would") {
		t.Errorf("MaxAggBytes: %v, want a limit error", err)
	}
}
