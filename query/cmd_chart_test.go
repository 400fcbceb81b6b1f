package query

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | chart count`, ``}, {`* | chart count over clientip`, ``}, {`* | chart count over clientip by status`, ``},
		{`* | chart count by clientip status`, `* | chart count by clientip, status`}, {`* | chart limit=3 count by a, b`, ``},
		{`* | chart count, avg(bytes) as b over host by status limit=0 useother=false usenull=f`, ``},
		{`* | chart count OVER host`, `* | chart count over host`},
	}...)
}

// TestChartOnRealLogs: chart count over clientip by status on a web log
// is the pivot of stats count by clientip, status, computed here: the 3
// statuses with the most rows are columns, ordered by that total, the
// others summed in OTHER, a cell without rows empty.
func TestChartOnRealLogs(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	pairs := s.run(`* | stats count by clientip, status`)
	totals := map[string]int{}
	cells := map[[2]string]int{}
	var ips []string
	for _, r := range pairs[1:] {
		n, _ := strconv.Atoi(r[2])
		totals[r[1]] += n
		cells[[2]string{r[0], r[1]}] = n
		if len(ips) == 0 || ips[len(ips)-1] != r[0] {
			ips = append(ips, r[0])
		}
	}
	var statuses []string
	for st := range totals {
		statuses = append(statuses, st)
	}
	if len(statuses) < 5 {
		t.Fatalf("only %d statuses: the test shows little", len(statuses))
	}
	slices.SortFunc(statuses, func(a, b string) int {
		if c := cmp.Compare(totals[b], totals[a]); c != 0 {
			return c
		}
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return cmp.Compare(x, y)
	})
	got := s.run(`* | chart count over clientip by status limit=3`)
	wantHead := append([]string{"clientip"}, append(statuses[:3:3], "OTHER")...)
	if !slices.Equal(got[0], wantHead) {
		t.Fatalf("columns %q, want %q", got[0], wantHead)
	}
	if len(got)-1 != len(ips) {
		t.Fatalf("%d rows, want %d", len(got)-1, len(ips))
	}
	empty := 0
	for i, ip := range ips {
		row := got[i+1]
		if row[0] != ip {
			t.Fatalf("row %d is %s, want %s", i, row[0], ip)
		}
		other, hasOther := 0, false
		for _, st := range statuses[3:] {
			if n, ok := cells[[2]string{ip, st}]; ok {
				other, hasOther = other+n, true
			}
		}
		for c, st := range statuses[:3] {
			want := ""
			if n, ok := cells[[2]string{ip, st}]; ok {
				want = strconv.Itoa(n)
			} else {
				empty++
			}
			if row[c+1] != want {
				t.Fatalf("%s status %s: %q, want %q", ip, st, row[c+1], want)
			}
		}
		if want := strconv.Itoa(other); hasOther && row[4] != want || !hasOther && row[4] != "" {
			t.Fatalf("%s OTHER: %q, want %d", ip, row[4], other)
		}
	}
	if empty == 0 {
		t.Fatal("no empty cell: the test shows little")
	}
	// useother=false drops the OTHER column; by X, Y is over X by Y.
	noOther := s.run(`* | chart count by clientip, status limit=3 useother=false`)
	if !slices.Equal(noOther[0], wantHead[:4]) || len(noOther) != len(got) {
		t.Fatalf("useother=false: %q", noOther[0])
	}
	// Without a column field chart is stats.
	if a, b := s.run(`* | chart count, sum(bytes) over status`), s.run(`* | stats count, sum(bytes) by status`); !slices.EqualFunc(a, b, slices.Equal) {
		t.Fatalf("chart over status %q, stats %q", a, b)
	}
	// Several aggregates name their columns AGG: value.
	multi := s.run(`* | chart count, max(bytes) as big over method by status limit=1`)
	if want := []string{"method", "count: " + statuses[0], "big: " + statuses[0], "count: OTHER", "big: OTHER"}; !slices.Equal(multi[0], want) {
		t.Fatalf("columns %q, want %q", multi[0], want)
	}
	// Rows without the column field are the NULL column, or with
	// usenull=false left out.
	nulls := s.run(`* | eval st = if(status == 200, null, status) | chart count over method by st limit=0`)
	if !slices.Contains(nulls[0], "NULL") {
		t.Fatalf("no NULL column: %q", nulls[0])
	}
	if cell(nulls, 1, "NULL") != strconv.Itoa(cells200(s)) {
		t.Fatalf("NULL %q, want %d", cell(nulls, 1, "NULL"), cells200(s))
	}
	if nn := s.run(`* | eval st = if(status == 200, null, status) | chart count over method by st limit=0 usenull=false`); slices.Contains(nn[0], "NULL") {
		t.Fatalf("usenull=false: %q", nn[0])
	}
	stageErrors(t, map[string]string{
		`* | chart count by a, b, c`:      "at most two fields",
		`* | chart count over a by b, c`:  "at most two fields",
		`* | chart count over a by a`:     "both a",
		`* | chart count over`:            "chart",
		`* | chart count by a limit=x`:    "limit must be a whole number",
		`* | chart count by a useother=2`: "useother must be true or false",
		`* | chart count as a by a`:       "same name as a by field",
	})
}

// cells200 counts the GET rows with status 200 (method GET is the first
// row of the chart by verb).
func cells200(s *testStore) int {
	r := s.run(`* | where status == 200 | stats count by method`)
	n, _ := strconv.Atoi(r[1][1])
	return n
}

// TestChartBounded: chart holds its groups as stats does: more groups
// than MaxGroups, or a table larger than MaxAggBytes, is a limit error
// that says so, never an unbounded allocation.
func TestChartBounded(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	for _, c := range []struct {
		q    string
		opt  Options
		want string
	}{
		{`* | chart count over clientip by path limit=0`, Options{MaxGroups: 100}, "more than 100 groups"},
		{`* | chart count over path by clientip limit=0`, Options{MaxAggBytes: 256 << 10}, "chart would have"},
	} {
		pq, err := Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Run(context.Background(), s.DB, pq, c.opt, func(*Batch) error { return nil })
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a limit error with %q", c.q, err, c.want)
		}
	}
}
