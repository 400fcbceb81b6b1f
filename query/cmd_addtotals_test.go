package query

import (
	"slices"
	"strconv"
	"testing"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | addtotals`, ``}, {`* | addtotals bytes, status`, ``},
		{`* | addtotals col=true labelfield=clientip label=All fieldname=sum bytes`, ``},
		{`* | addtotals bytes status row=false col=true`, `* | addtotals bytes, status row=false col=true`},
	}...)
}

// TestAddtotalsOnRealLogs: on the web excerpt, the row totals of chart
// count over clientip by status are each client's count (stats count by
// clientip), the column totals each status's count and the grand total
// the number of events; over raw events a row's Total is the sum of its
// numeric fields, hand-checked on the first line (bytes 3638 + status 200).
func TestAddtotalsOnRealLogs(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	perIP := s.run(`* | stats count by clientip`)
	perStatus := s.run(`* | stats count by status`)
	events := s.run(`* | stats count`)[1][0]
	got := s.run(`* | chart count over clientip by status limit=0 | addtotals col=true labelfield=clientip label=ALL`)
	if len(got) != len(perIP)+1 {
		t.Fatalf("%d rows, want %d clients and the totals", len(got)-1, len(perIP)-1)
	}
	for i, r := range perIP[1:] {
		if cell(got, i+1, "clientip") != r[0] || cell(got, i+1, "Total") != r[1] {
			t.Fatalf("row %d: %s %s, want %q", i, cell(got, i+1, "clientip"), cell(got, i+1, "Total"), r)
		}
	}
	last := len(got) - 1
	if cell(got, last, "clientip") != "ALL" || cell(got, last, "Total") != events {
		t.Fatalf("totals row: %s %s, want ALL %s", cell(got, last, "clientip"), cell(got, last, "Total"), events)
	}
	for _, r := range perStatus[1:] {
		if c := cell(got, last, r[0]); c != r[1] {
			t.Fatalf("status %s total %s, want %s", r[0], c, r[1])
		}
	}
	// Raw rows: clientip is text (no number), _time is left out. The
	// first event is 207.255.245.133 at 18:05:00, bytes 4877, status 200;
	// after head (not pushed into the scan) no row of totals was once
	// added all the same.
	raw := s.run(`* | head 1 | table _time, clientip, bytes, status | addtotals`)
	if len(raw) != 2 || cell(raw, 1, "clientip") != "207.255.245.133" || cell(raw, 1, "Total") != "5077" {
		t.Fatalf("first line: %q, want one row, Total 4877+200", raw)
	}
	pushed := s.run(`* | table _time, clientip, bytes, status | addtotals | head 1`)
	if !slices.Equal(pushed[1], raw[1]) {
		t.Fatalf("in the scan %q, after head %q", pushed[1], raw[1])
	}
	// Listed fields only, another name, no row totals.
	listed := s.run(`* | where isnotnull(bytes) | table bytes, status | addtotals fieldname=sum bytes`)
	for i := 1; i < len(listed); i++ {
		if cell(listed, i, "sum") != cell(listed, i, "bytes") {
			t.Fatalf("row %d: sum %s, bytes %s", i, cell(listed, i, "sum"), cell(listed, i, "bytes"))
		}
	}
	colOnly := s.run(`* | table bytes | addtotals row=false col=true`)
	sum := 0
	for _, r := range colOnly[1 : len(colOnly)-1] {
		n, _ := strconv.Atoi(r[0])
		sum += n
	}
	if want := s.run(`* | stats sum(bytes) as b`)[1][0]; colOnly[len(colOnly)-1][0] != want || strconv.Itoa(sum) != want {
		t.Fatalf("column total %s, sum here %d, stats %s", colOnly[len(colOnly)-1][0], sum, want)
	}
	if _, ok := colIndex(colOnly[0], "Total"); ok {
		t.Fatalf("row=false added Total: %q", colOnly[0])
	}
	cases := []struct{ q, want string }{
		{"| addtotals label=x", "| addtotals label=x\n            ^ label labels the row of column totals: it needs col=true"},
		{"| addtotals row=maybe", "| addtotals row=maybe\n                ^ row must be true or false, not \"maybe\""},
		{"| addtotals fieldname=\"\"", "| addtotals fieldname=\"\"\n                      ^ fieldname must name a field"},
		{"| addtotals rows=true", "| addtotals rows=true\n            ^ unknown option \"rows\" for addtotals (did you mean \"row\"?)"},
	}
	for _, c := range cases {
		if _, err := Parse(c.q); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
}

func colIndex(head []string, name string) (int, bool) {
	for i, h := range head {
		if h == name {
			return i, true
		}
	}
	return -1, false
}
