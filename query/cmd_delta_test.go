package query

import (
	"strconv"
	"testing"
	"time"
)

// TestDeltaOnRealLog: delta of bytes (p=1 and p=3) and of _time over a
// real web log, against the differences computed here from the rows in
// order; rows without bytes get none and are skipped when counting back.
func TestDeltaOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run("* | delta bytes | delta bytes as d3 p=3 | delta _time as gap | table _time, bytes, `delta(bytes)`, d3, gap")
	var prev []int64
	var lastTime time.Time
	missing := 0
	for r := 1; r < len(rows); r++ {
		tm, err := time.Parse(time.RFC3339, cell(rows, r, "_time"))
		if err != nil {
			t.Fatal(err)
		}
		wantGap := ""
		if r > 1 {
			wantGap = strconv.FormatInt(int64(tm.Sub(lastTime)/time.Second), 10)
		}
		lastTime = tm
		if got := cell(rows, r, "gap"); got != wantGap {
			t.Fatalf("row %d gap %q, want %q", r, got, wantGap)
		}
		b := cell(rows, r, "bytes")
		want1, want3 := "", ""
		if b == "" {
			missing++
		} else {
			n, err := strconv.ParseInt(b, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if k := len(prev); k >= 1 {
				want1 = strconv.FormatInt(n-prev[k-1], 10)
			}
			if k := len(prev); k >= 3 {
				want3 = strconv.FormatInt(n-prev[k-3], 10)
			}
			prev = append(prev, n)
		}
		if got := cell(rows, r, "delta(bytes)"); got != want1 {
			t.Fatalf("row %d delta(bytes) %q, want %q", r, got, want1)
		}
		if got := cell(rows, r, "d3"); got != want3 {
			t.Fatalf("row %d d3 %q, want %q", r, got, want3)
		}
	}
	if missing == 0 || len(prev) < 600 {
		t.Fatalf("%d rows without bytes, %d with", missing, len(prev))
	}
	stageErrors(t, map[string]string{
		`* | delta`:               "unexpected",
		`* | delta bytes p=0`:     "p must be a whole number of at least 1",
		`* | delta bytes p=20000`: "p must be at most 10000",
		`* | delta bytes q=1`:     `unknown option "q" for delta`,
	})
}

// TestAutoregressOnRealLog: autoregress copies the values of earlier rows,
// every row counted back (those without the field too).
func TestAutoregressOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | autoregress bytes P=1-3 | autoregress clientip as prev_ip | table bytes, bytes_p1, bytes_p2, bytes_p3, clientip, prev_ip`)
	for r := 1; r < len(rows); r++ {
		for p := 1; p <= 3; p++ {
			want := ""
			if r-p >= 1 {
				want = cell(rows, r-p, "bytes")
			}
			if got := cell(rows, r, "bytes_p"+strconv.Itoa(p)); got != want {
				t.Fatalf("row %d bytes_p%d %q, want %q", r, p, got, want)
			}
		}
		want := ""
		if r > 1 {
			want = cell(rows, r-1, "clientip")
		}
		if got := cell(rows, r, "prev_ip"); got != want {
			t.Fatalf("row %d prev_ip %q, want %q", r, got, want)
		}
	}
	if got := s.run(`* | autoregress bytes p=2 | where isnotnull(bytes_p2) | stats count`); got[1][0] != strconv.Itoa(len(rows)-1-2-countEmpty(rows, "bytes", 1, len(rows)-2)) {
		t.Errorf("p=2: %q", got)
	}
	stageErrors(t, map[string]string{
		`* | autoregress`:                  "unexpected",
		`* | autoregress bytes p=0`:        "p must be a whole number from 1 to 10000",
		`* | autoregress bytes p=3-1`:      "the range must go from the smaller to the larger",
		`* | autoregress bytes as b p=1-2`: "as names one field",
		`* | autoregress bytes q=1`:        `unknown option "q" for autoregress`,
	})
}

// countEmpty counts the rows from..to (inclusive) where field is empty.
func countEmpty(rows [][]string, field string, from, to int) int {
	n := 0
	for r := from; r <= to; r++ {
		if cell(rows, r, field) == "" {
			n++
		}
	}
	return n
}
