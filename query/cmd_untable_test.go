package query

import (
	"slices"
	"testing"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | untable clientip, status, count`, ``},
		{`* | untable clientip status count`, `* | untable clientip, status, count`},
	}...)
}

// TestUntableOnRealLogs: on the web excerpt, untable undoes chart: chart
// count over clientip by status then untable gives back the rows of stats
// count by clientip, status (every status is three digits, so the order
// of the names is the order of the numbers); over raw events each row
// becomes one row per non-null field but the key, in name order.
func TestUntableOnRealLogs(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	want := s.run(`* | stats count by clientip, status`)
	got := s.run(`* | chart count over clientip by status limit=0 | untable clientip status count`)
	if !slices.Equal(got[0], want[0]) {
		t.Fatalf("columns %q, want %q", got[0], want[0])
	}
	if len(want) < 30 {
		t.Fatalf("%d rows: the test shows little", len(want))
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("untable of chart differs from stats:\n%q\n%q", got[:min(5, len(got))], want[:min(5, len(want))])
	}
	// Raw events, three fields: one row per field with a value.
	plain := s.run(`* | head 40 | eval ref = if(referer == "-", null, referer) | table clientip, bytes, ref, status`)
	var rows [][]string
	for _, r := range plain[1:] {
		for _, c := range []int{1, 2, 3} { // bytes, ref, status: the names' order
			if r[c] != "" {
				rows = append(rows, []string{r[0], plain[0][c], r[c]})
			}
		}
	}
	un := s.run(`* | head 40 | eval ref = if(referer == "-", null, referer) | table clientip, bytes, ref, status | untable clientip, k, v`)
	if len(rows) == 3*40 || len(rows) < 80 {
		t.Fatalf("%d rows from 40: no null skipped, or the test shows little", len(rows))
	}
	if !slices.Equal(un[0], []string{"clientip", "k", "v"}) || !slices.EqualFunc(un[1:], rows, slices.Equal) {
		t.Fatalf("untable:\n%q\nwant\n%q", un[:min(6, len(un))], rows[:5])
	}
	cases := []struct{ q, want string }{
		{"| untable a b a", "| untable a b a\n              ^ untable needs three different field names (untable X NAME VALUE), not a twice"},
		{"| untable a a b", "| untable a a b\n            ^ untable needs three different field names (untable X NAME VALUE), not a twice"},
		{"| untable a b", "| untable a b\n             ^ unexpected end of query (usage: untable X NAME VALUE)"},
	}
	for _, c := range cases {
		if _, err := Parse(c.q); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
}
