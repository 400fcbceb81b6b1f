package query

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runOpts runs q with opt and returns its rows (header first, the union
// of every batch's fields) and the warnings.
func (s *testStore) runOpts(q string, opt Options) ([][]string, []string, error) {
	s.t.Helper()
	pq, err := Parse(q)
	if err != nil {
		return nil, nil, err
	}
	var warns []string
	opt.Warn = func(m string) { warns = append(warns, m) }
	var fields []string
	var rows []map[string]string
	_, err = Run(context.Background(), s.DB, pq, opt, func(b *Batch) error {
		for _, f := range b.Fields {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
		for r := 0; r < b.Len; r++ {
			row := map[string]string{}
			for i, f := range b.Fields {
				row[f] = b.Cols[i][r].String()
			}
			rows = append(rows, row)
		}
		return nil
	})
	out := [][]string{fields}
	for _, r := range rows {
		line := make([]string, len(fields))
		for i, f := range fields {
			line[i] = r[f]
		}
		out = append(out, line)
	}
	return out, warns, err
}

// TestSubsearchTermsOnRealAuthLog: a subsearch in search terms keeps the
// events whose fields equal one row of the subsearch's, against the same
// selection made here from the rows of the two searches apart: one field,
// two fields, a multi-value, no rows, and maxout.
func TestSubsearchTermsOnRealAuthLog(t *testing.T) {
	s := excerptDB(t, authExcerpt)
	all := s.run(`app=sshd | table _time, src_ip, user, _raw`)
	sel := func(keep func(r []string) bool) []string {
		var out []string
		for _, r := range all[1:] {
			if keep(r) {
				out = append(out, strings.Join(r, "|"))
			}
		}
		return out
	}
	joined := func(rows [][]string) []string {
		var out []string
		for i, r := range rows {
			if i > 0 { // rows[0] is the header; no rows, no header
				out = append(out, strings.Join(r, "|"))
			}
		}
		return out
	}
	// Users that an invalid_user line names, with the IPs of those lines.
	pairs := map[string]bool{}
	users := map[string]bool{}
	for _, r := range s.run(`action=invalid_user | table src_ip, user`)[1:] {
		pairs[r[0]+"|"+r[1]] = true
		users[r[1]] = true
	}
	if len(users) < 10 {
		t.Fatalf("%d users", len(users))
	}
	cases := []struct {
		q    string
		keep func(r []string) bool
	}{
		{`app=sshd [search action=invalid_user | dedup user | fields user] | table _time, src_ip, user, _raw`,
			func(r []string) bool { return users[r[2]] }},
		{`app=sshd [search action=invalid_user | stats count by src_ip, user | fields - count] | table _time, src_ip, user, _raw`,
			func(r []string) bool { return pairs[r[1]+"|"+r[2]] }},
		{`app=sshd [search action=invalid_user | stats values(user) as user | eval user = split(user, ", ")] | table _time, src_ip, user, _raw`,
			func(r []string) bool { return users[r[2]] }},
		{`app=sshd [search nosuchword] | table _time, src_ip, user, _raw`,
			func(r []string) bool { return false }},
		{`app=sshd NOT [search action=invalid_user | dedup user | fields user] | table _time, src_ip, user, _raw`,
			func(r []string) bool { return !users[r[2]] }},
		{`app=sshd | search [search action=invalid_user | dedup user | fields user] | table _time, src_ip, user, _raw`,
			func(r []string) bool { return users[r[2]] }},
	}
	for _, c := range cases {
		got, want := joined(s.run(c.q)), sel(c.keep)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d rows, want %d", c.q, len(got), len(want))
		}
		if len(want) == 0 && !strings.Contains(c.q, "nosuch") || len(want) == len(all)-1 {
			t.Fatalf("%s: a test that selects %d of %d rows", c.q, len(want), len(all)-1)
		}
	}
	// maxout=1: the first user only, with a warning.
	rows, warns, err := s.runOpts(`app=sshd [maxout=1 search action=invalid_user | dedup user | fields user] | stats dc(user) as n`, Options{})
	if err != nil || rows[1][0] != "1" || len(warns) != 1 || !strings.Contains(warns[0], "more than maxout=1 rows") {
		t.Fatalf("maxout: %q %q %v", rows, warns, err)
	}
	_, err = s.tryRun(`app=sshd [maxtime=1ms | makeresults count=1000000 | eval user = "x" | fields user]`)
	if err == nil || !strings.Contains(err.Error(), "ran longer than maxtime=1ms") {
		t.Fatalf("maxtime: %v", err)
	}
}

// TestSubsearchTimeRange: a subsearch runs over the time range of the
// query it is in; its own earliest= replaces the lower bound.
func TestSubsearchTimeRange(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	all := s.run(`* | table _time, clientip, status`)
	lo, hi := all[len(all)/3][0], all[2*len(all)/3][0]
	in := func(at string) bool { return at >= lo && at < hi }
	seen := map[string]bool{}   // clientips with a 404 in the range
	before := map[string]bool{} // clientips with a 404 before hi
	for _, r := range all[1:] {
		if r[2] == "404" && in(r[0]) {
			seen[r[1]] = true
		}
		if r[2] == "404" && r[0] < hi {
			before[r[1]] = true
		}
	}
	count := func(ips map[string]bool) string {
		n := 0
		for _, r := range all[1:] {
			if in(r[0]) && ips[r[1]] {
				n++
			}
		}
		return strconv.Itoa(n)
	}
	win := fmt.Sprintf("earliest=%s latest=%s", lo, hi)
	rows := s.run(win + ` [search status=404 | dedup clientip | fields clientip] | stats count`)
	if rows[1][0] != count(seen) || len(seen) == 0 {
		t.Fatalf("inherited range: %s, want %s", rows[1][0], count(seen))
	}
	rows = s.run(win + ` [search earliest=2015-01-01 status=404 | dedup clientip | fields clientip] | stats count`)
	if rows[1][0] != count(before) || len(before) == len(seen) {
		t.Fatalf("own earliest: %s, want %s (%d, %d ips)", rows[1][0], count(before), len(before), len(seen))
	}
	// The --latest flag narrows the subsearch too.
	rows, _, err := s.runOpts(`earliest=`+lo+` [search status=404 | dedup clientip | fields clientip] | stats count`, Options{Latest: hi})
	if err != nil || rows[1][0] != count(seen) {
		t.Fatalf("--latest: %q %v, want %s", rows, err, count(seen))
	}
}

// TestJoinOnRealWebLog: join inner and left, max=0 and overwrite=false,
// against the matches counted here from the two sides' rows.
func TestJoinOnRealWebLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	hits := s.run(`* | stats count as hits by clientip`)
	missing := map[string]string{}
	for _, r := range s.run(`status=404 | stats count as notfound by clientip`)[1:] {
		missing[r[0]] = r[1]
	}
	left := s.run(`* | stats count as hits by clientip | join type=left clientip [search status=404 | stats count as notfound by clientip]`)
	inner := s.run(`* | stats count as hits by clientip | join clientip [search status=404 | stats count as notfound by clientip]`)
	if len(left) != len(hits) || len(inner)-1 != len(missing) || len(missing) < 3 || len(missing) == len(hits)-1 {
		t.Fatalf("%d left, %d inner, %d hits, %d with a 404", len(left)-1, len(inner)-1, len(hits)-1, len(missing))
	}
	k := 1
	for r := 1; r < len(left); r++ {
		ip := cell(left, r, "clientip")
		if cell(left, r, "hits") != cell(hits, r, "hits") || cell(left, r, "notfound") != missing[ip] {
			t.Fatalf("left row %d: %q", r, left[r])
		}
		if missing[ip] != "" {
			if cell(inner, k, "clientip") != ip || cell(inner, k, "notfound") != missing[ip] {
				t.Fatalf("inner row %d: %q, want %s", k, inner[k], ip)
			}
			k++
		}
	}
	// max=0: a row per match; max=1: the first; overwrite=false keeps the
	// row's own value.
	main := s.run(`status=404 | table clientip, path`)
	sub := s.run(`status=404 | table clientip, path`)
	want0, want1 := 0, 0
	for _, m := range main[1:] {
		n := 0
		for _, r := range sub[1:] {
			if r[0] == m[0] {
				n++
			}
		}
		want0 += n
		want1 += min(n, 1)
	}
	all := s.run(`status=404 | table clientip, path | join max=0 clientip [search status=404 | table clientip, path | rename path as other]`)
	if len(all)-1 != want0 || want0 <= len(main)-1 {
		t.Fatalf("max=0: %d rows, want %d", len(all)-1, want0)
	}
	first := s.run(`status=404 | table clientip, path | join clientip [search status=404 | table clientip, path]`)
	kept := s.run(`status=404 | table clientip, path | join overwrite=false clientip [search status=404 | table clientip, path]`)
	if len(first)-1 != want1 || len(kept)-1 != want1 {
		t.Fatalf("max=1: %d and %d rows, want %d", len(first)-1, len(kept)-1, want1)
	}
	changed := 0
	for r := 1; r < len(first); r++ {
		ip := first[r][0]
		var firstPath string
		for _, x := range sub[1:] {
			if x[0] == ip {
				firstPath = x[1]
				break
			}
		}
		if first[r][1] != firstPath || kept[r][1] != main[r][1] {
			t.Fatalf("row %d: %q / %q, want path %s / %s", r, first[r], kept[r], firstPath, main[r][1])
		}
		if firstPath != main[r][1] {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no row whose path the subsearch replaces")
	}
}

// TestAppendOnRealWebLog: append adds the subsearch's rows after the
// rows, appendpipe the result of its stages on the rows.
func TestAppendOnRealWebLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	n404 := s.run(`status=404 | stats count`)[1][0]
	n200 := s.run(`status=200 | stats count`)[1][0]
	rows := s.run(`status=404 | stats count | append [search status=200 | stats count]`)
	if len(rows) != 3 || rows[1][0] != n404 || rows[2][0] != n200 {
		t.Fatalf("append: %q, want %s, %s", rows, n404, n200)
	}
	heads := s.run(`* | head 3 | table _time, status | append [search status=404 | head 2 | table _time, status]`)
	if len(heads) != 6 || heads[4][1] != "404" || heads[5][1] != "404" {
		t.Fatalf("append after head: %q", heads)
	}
	rows, warns, err := s.runOpts(`status=404 | stats count | append maxout=1 [search * | table status]`, Options{})
	if err != nil || len(rows) != 3 || len(warns) != 1 {
		t.Fatalf("append maxout: %q %q %v", rows, warns, err)
	}
	// A total under a table.
	by := s.run(`* | stats count by status | appendpipe [stats sum(count) as count | eval status = "total"]`)
	total := s.run(`* | stats count`)[1][0]
	last := by[len(by)-1]
	sum := 0
	for _, r := range by[1 : len(by)-1] {
		n, _ := strconv.Atoi(r[1])
		sum += n
	}
	if last[0] != "total" || last[1] != total || strconv.Itoa(sum) != total || len(by) < 5 {
		t.Fatalf("appendpipe: %q (sum %d, total %s)", by, sum, total)
	}
	// A head after appendpipe stops it; a head in it stops only it.
	if got := s.run(`* | stats count by status | appendpipe [stats sum(count) as count] | head 2`); len(got) != 3 {
		t.Fatalf("head after: %q", got)
	}
	if got := s.run(`* | stats count by status | appendpipe [head 1 | eval status = "first"]`); len(got) != len(by)+1-1 || got[len(got)-1][0] != "first" {
		t.Fatalf("head inside: %q", got)
	}
	// The appended row has no _time: timechart leaves it out, its by
	// value no series (the differential test found the engine making one).
	tc, _, err := s.runOpts(`* | appendpipe [stats count | eval total = "all"] | timechart span=2h count by total`, Options{})
	if err != nil || slices.Contains(tc[0], "all") || !slices.Contains(tc[0], "NULL") {
		t.Fatalf("timechart after appendpipe: %q %v", tc[0], err)
	}
	pq, _ := Parse(`* | appendpipe [stats count]`)
	if _, err := Run(context.Background(), s.DB, pq, Options{MaxRows: 100}, func(*Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), "appendpipe would hold more than 100 rows") {
		t.Fatalf("appendpipe bound: %v", err)
	}
	pq, _ = Parse(`* | head 1 | join clientip [search *]`)
	if _, err := Run(context.Background(), s.DB, pq, Options{MaxRows: 100}, func(*Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), "a subsearch would hold more than 100 rows") {
		t.Fatalf("join bound: %v", err)
	}
}

// TestSubsearchErrors: caret errors inside and around brackets.
func TestSubsearchErrors(t *testing.T) {
	cases := []struct{ q, want string }{
		{"a [search b", "a [search b\n  ^ '[' is not closed"},
		{"a [search (b]", "a [search (b]\n          ^ '(' is not closed"},
		{"a [search b | stast]", "a [search b | stast]\n              ^ unknown stage \"stast\" (did you mean \"stats\"?)"},
		{"| where x [", "| where x [\n          ^ a subsearch [...] goes in search terms or after join or append (appendpipe takes [STAGES])"},
		{"a [maxout=0 b]", "a [maxout=0 b]\n          ^ maxout must be a whole number of at least 1, not \"0\""},
		{"a [maxtime=x b]", "a [maxtime=x b]\n           ^ maxtime must be a duration such as 30s, 5m, 1h or 1d, not \"x\""},
		{"| appendpipe []", "| appendpipe []\n              ^ expected a stage name after '['"},
		{"| join [search a]", "| join [search a]\n       ^ join needs the fields to join on (usage: join [type=inner|left] [max=N] f, g [ SUBSEARCH ])"},
		{"| join x [maxout=5 search a]", "| join x [maxout=5 search a]\n          ^ maxout= of join goes before its [ ... ] (join maxout=... [ ... ])"},
		{"| join type=cross x [search a]", "| join type=cross x [search a]\n            ^ type must be inner, left or outer, not \"cross\""},
		{"| appendpipe [makeresults]", "| appendpipe [makeresults]\n              ^ makeresults makes rows out of nothing: it cannot be in appendpipe, which runs on the rows so far"},
		{"| append", "| append\n        ^ unexpected end of query (usage: append [maxout=N] [maxtime=DUR] [ SUBSEARCH ])"},
	}
	for _, c := range cases {
		_, err := Parse(c.q)
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
	// Round trip: the canonical text parses to itself.
	for _, q := range []string{
		`a [maxout=5 maxtime=10s search b | fields c] d`,
		`| join type=left max=0 x, y [search a | head 1] | append maxout=3 [| makeresults] | appendpipe [stats count | eval x = 1]`,
		`a NOT ([search b] OR c)`,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		again, err := Parse(pq.String())
		if err != nil || again.String() != pq.String() {
			t.Fatalf("%s: %s then %v %v", q, pq.String(), again, err)
		}
	}
}
