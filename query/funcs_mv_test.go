package query

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"loghunt/store"
)

func init() {
	evalCases = append(evalCases, []struct {
		expr string
		want store.Value
	}{
		{`mvcount(split(csv, ","))`, i64(3)}, {`mvcount(n)`, i64(1)}, {`mvcount("")`, i64(1)}, {`mvcount(z)`, null},
		{`mvindex(split(csv, ","), 0)`, str("a")}, {`mvindex(split(csv, ","), -1)`, str("c")}, {`mvindex(split(csv, ","), 1, 2)`, str("b\nc")},
		{`mvindex(split(csv, ","), 1, 9)`, str("b\nc")}, {`mvindex(split(csv, ","), 3)`, null}, {`mvindex(split(csv, ","), -4)`, null},
		{`mvindex(split(csv, ","), 2, 1)`, null}, {`mvindex(n, 0)`, i64(5)}, {`mvindex(n, 1)`, null}, {`mvindex(z, 0)`, null},
		{`mvjoin(split(csv, ","), ";")`, str("a;b;c")}, {`mvjoin(s, ";")`, str("Hello World")}, {`mvjoin(z, ";")`, null},
		{`mvdedup(split("b,a,b,c,a", ","))`, str("b\na\nc")}, {`mvdedup(n)`, i64(5)}, {`mvdedup(z)`, null},
		{`mvfilter(csv != "b")`, str("a,b,c")}, {`mvfilter(match(csv, "b"))`, str("a,b,c")}, {`mvfilter(csv = "x")`, null},
		{`mvfilter(n > 3)`, i64(5)}, {`mvfilter(n > 9)`, null}, {`mvfilter(z = 1)`, null},
	}...)
}

func TestMVFilterOneField(t *testing.T) {
	for _, q := range []string{`| eval x = mvfilter(a = b)`, `| eval x = mvfilter(true)`} {
		if _, err := Parse(q); err == nil || !strings.Contains(err.Error(), "exactly one field") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// TestMVOnRealLog splits the paths of a real web log at "/" and checks
// mvcount, mvindex, mvjoin, mvfilter, mvdedup and mvexpand against the
// same computed here with strings.Split.
func TestMVOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | eval parts = split(path, "/"), n = mvcount(parts), first = mvindex(parts, 1), last2 = mvindex(parts, -2, -1), joined = mvjoin(parts, "|"), html = mvfilter(match(parts, "\.html$")), d = mvcount(mvdedup(split(path, ""))) | table path, n, first, last2, joined, html, d`)
	col := func(n string) []string { return column(t, rows, n) }
	paths := col("path")
	if len(paths) != 639 {
		t.Fatalf("%d rows", len(paths))
	}
	total := 0
	for i, p := range paths {
		parts := strings.Split(p, "/")
		total += len(parts)
		var html []string
		for _, x := range parts {
			if strings.HasSuffix(x, ".html") {
				html = append(html, x)
			}
		}
		chars := strings.Split(p, "")
		slices.Sort(chars)
		want := []string{fmt.Sprint(len(parts)), parts[1], strings.Join(parts[len(parts)-2:], "\n"), strings.Join(parts, "|"),
			strings.Join(html, "\n"), fmt.Sprint(len(slices.Compact(chars)))}
		got := []string{col("n")[i], col("first")[i], col("last2")[i], col("joined")[i], col("html")[i], col("d")[i]}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: got %q, want %q", p, got, want)
		}
	}
	// mvexpand: a row per part, in order, the other fields repeated.
	exp := s.run(`* | eval part = split(path, "/") | mvexpand part | table _time, clientip, path, part`)
	if len(exp)-1 != total {
		t.Fatalf("mvexpand made %d rows, the paths have %d parts", len(exp)-1, total)
	}
	k := 1
	for _, p := range paths {
		for _, part := range strings.Split(p, "/") {
			if exp[k][2] != p || exp[k][3] != part {
				t.Fatalf("row %d: %q, want path %s part %q", k, exp[k], p, part)
			}
			k++
		}
	}
	// limit=2 keeps the first two parts of each path: "" and the first.
	lim := s.run(`* | eval part = split(path, "/") | mvexpand part limit=2 | stats count`)
	if lim[1][0] != fmt.Sprint(2*len(paths)) {
		t.Errorf("limit=2: %q", lim)
	}
	// limit=1 of a multi-value is its first value alone (found by the
	// differential test: it was the whole multi-value)
	if got := s.run(`* | head 1 | eval part = split(path, "/") | mvexpand part limit=1 | eval n = mvcount(part) | table n`); fmt.Sprint(got) != "[[n] [1]]" {
		t.Errorf("limit=1: %q", got)
	}
	// a row without the field is dropped, and a single value keeps its type.
	if got := s.run(`* | mvexpand nosuch | stats count`); got[1][0] != "0" {
		t.Errorf("mvexpand of a missing field: %q", got)
	}
	has := s.run(`* | stats count(bytes) as c`)[1][0]
	if got := s.run(`* | mvexpand bytes | eval t = typeof(bytes) | stats count by t`); fmt.Sprint(got) != "[[t count] [int "+has+"]]" || has == "0" {
		t.Errorf("single values: %q, want %s ints", got, has)
	}
}

func TestMvexpandErrors(t *testing.T) {
	for q, want := range map[string]string{
		`| mvexpand`:                   "unexpected",
		`| mvexpand f limit=0`:         "limit must be a whole number of at least 1",
		`| mvexpand f max=3`:           `unknown option "max" for mvexpand`,
		`| mvexpand f limit=2 limit=3`: "given twice",
	} {
		if _, err := Parse(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}
