package query

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | fillnull`, ``}, {`* | fillnull value=NA user, src_ip`, ``}, {`* | fillnull user src_ip value=0`, `* | fillnull user, src_ip value=0`},
		{`* | fillnull value="n a"`, ``}, {`* | fillnull value=-1 bytes`, `* | fillnull value="-1" bytes`}, {`| makeresults`, ``}, {`| makeresults count=5`, ``}, {`* | reverse`, ``},
		{`* | regex "a+"`, ``}, {`* | regex path="\.php$"`, ``}, {`* | regex path!="x"`, ``}, {"* | regex `a-b`=\"x\"", ``},
		{`* | delta bytes`, ``}, {`* | delta _time as gap p=2`, ``}, {`* | delta p=3 bytes`, ``},
		{`* | autoregress bytes`, ``}, {`* | autoregress bytes as prev p=2`, ``}, {`* | autoregress bytes p=1-3`, ``},
		{`* | mvexpand parts limit=3`, ``},
	}...)
}

// stageErrors checks that each query fails to parse with the message.
func stageErrors(t *testing.T, cases map[string]string) {
	t.Helper()
	for q, want := range cases {
		if _, err := Parse(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestFillnullOnRealLogs: on a web log and Windows events in one store
// (fields the other source lacks), fillnull with fields fills exactly the
// null cells of those fields, and without fields every field some row
// has, as computed here from the rows without fillnull.
func TestFillnullOnRealLogs(t *testing.T) {
	s := excerptDB(t, webExcerpt, windowsExcerpt)
	cols := "_time, clientip, bytes, EventID, Image, nosuch"
	plain := s.run(`* | table ` + cols)
	if len(plain) != 642 {
		t.Fatalf("%d rows", len(plain)-1)
	}
	filled := s.run(`* | fillnull value=NA bytes, EventID, nosuch | table ` + cols)
	all := s.run(`* | table ` + cols + ` | fillnull`)
	nulls := 0
	for r := 1; r < len(plain); r++ {
		for c, name := range plain[0] {
			v := plain[r][c]
			want, wantAll := v, v
			if v == "" {
				nulls++
				if slices.Contains([]string{"bytes", "EventID", "nosuch"}, name) {
					want = "NA"
				}
				if name != "nosuch" { // no row has it: no field to fill
					wantAll = "0"
				}
			}
			if got := cell(filled, r, name); got != want {
				t.Fatalf("row %d %s: fillnull with fields %q, want %q", r, name, got, want)
			}
			if got := cell(all, r, name); got != wantAll {
				t.Fatalf("row %d %s: fillnull %q, want %q", r, name, got, wantAll)
			}
		}
	}
	if nulls < 1000 {
		t.Fatalf("only %d null cells: the test shows little", nulls)
	}
	// The default 0 is a number: it adds up.
	got := s.run(`* | fillnull bytes | stats sum(bytes) as b, count(bytes) as n, avg(bytes) as a`)
	want := s.run(`* | stats sum(bytes) as b, count as n`)
	if got[1][0] != want[1][0] || got[1][1] != want[1][1] {
		t.Errorf("fillnull bytes: %q, without %q", got, want)
	}
	if got := s.run(`* | fillnull value=-1 bytes | where bytes < 0 | stats count, sum(bytes) as s`); got[1][0] != got[1][1][1:] || got[1][0] == "0" {
		t.Errorf("value=-1: %q", got)
	}
	stageErrors(t, map[string]string{
		`* | bin span=-5m`:             "span must be a duration",
		`* | fillnull val=0`:           `unknown option "val" for fillnull (did you mean "value"?)`,
		`* | fillnull value=1 value=2`: "given twice",
	})
}

// cell returns the value of field in row r of rows as run returns them.
func cell(rows [][]string, r int, field string) string {
	i := slices.Index(rows[0], field)
	if i < 0 {
		return fmt.Sprintf("<no column %s>", field)
	}
	return rows[r][i]
}

// TestFillnullAllBounded: fillnull without fields holds its rows within
// the bound of a blocking stage.
func TestFillnullAllBounded(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	pq, _ := Parse(`* | fillnull`)
	_, err := Run(context.Background(), s.DB, pq, Options{MaxRows: 100}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "fillnull would hold more than 100 rows") {
		t.Errorf("err %v", err)
	}
}
