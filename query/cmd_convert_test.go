package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	parseCases = append(parseCases, []struct{ q, want string }{
		{`* | convert ctime(_time)`, ``}, {`* | convert ctime(_time) as t, num(bytes)`, ``},
		{`* | convert timeformat="%Y-%m-%d" ctime(_time) as day`, ``},
		{`* | convert ctime(_time) as t num(bytes)`, `* | convert ctime(_time) as t, num(bytes)`},
		{`* | convert num(bytes) timeformat="%H"`, ``},
	}...)
}

// TestConvertOnRealLogs: on the web excerpt, ctime writes _time in the
// time format (hand-checked on the first event, 18:05:00 on 17 May 2015,
// 1431885900 s), mktime reads it back to the seconds of every event,
// dur2sec of each event's HH:MM:SS is its seconds of the day computed
// here, rmcomma undoes printf's thousands separators, rmunit and memk
// read the numbers of sizes written with units, num makes an address
// null and auto leaves it as it is; the converted field is new with as.
func TestConvertOnRealLogs(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	first := s.run(`* | head 1 | convert ctime(_time) as t | convert mktime(t) as back | table _time, t, back`)
	if want := []string{"2015-05-17T18:05:00Z", "05/17/2015 18:05:00", "1431885900"}; !slices.Equal(first[1], want) {
		t.Fatalf("first event %q, want %q", first[1], want)
	}
	// A time has no unit: rmunit once read 2015 off its text.
	if r := s.run(`* | head 1 | convert rmunit(_time) as r, num(_time) as n | table r, n`); r[1][0] != "2015-05-17T18:05:00Z" || r[1][1] != "" {
		t.Fatalf("rmunit, num of a time: %q", r)
	}
	if y := s.run(`* | head 1 | convert timeformat="%Y/%j" ctime(_time) as y | table y`); y[1][0] != "2015/137" {
		t.Fatalf("timeformat: %q, want 2015/137", y)
	}
	rows := s.run(`* | eval hms = strftime(_time, "%H:%M:%S"), big = printf("%'d", bytes * 1000), sz = tostring(bytes) + "kb", mem = tostring(bytes) + "m"` +
		` | convert ctime(_time) as t | convert mktime(t) as secs, dur2sec(hms) as day, rmcomma(big) as big, rmunit(sz), memk(mem), num(clientip) as n, auto(clientip) as a, num(bytes) as nb` +
		` | table _time, secs, hms, day, bytes, big, sz, mem, clientip, n, a, nb`)
	if len(rows) < 600 {
		t.Fatalf("%d rows", len(rows))
	}
	withBytes := 0
	for i := 1; i < len(rows); i++ {
		at := func(f string) string { return cell(rows, i, f) }
		tm, err := time.Parse(time.RFC3339, at("_time"))
		if err != nil {
			t.Fatal(err)
		}
		if at("secs") != strconv.FormatInt(tm.Unix(), 10) {
			t.Fatalf("row %d: mktime %s, want %d", i, at("secs"), tm.Unix())
		}
		if want := strconv.Itoa(tm.Hour()*3600 + tm.Minute()*60 + tm.Second()); at("day") != want {
			t.Fatalf("row %d: dur2sec(%s) = %s, want %s", i, at("hms"), at("day"), want)
		}
		if at("n") != "" || at("a") != at("clientip") {
			t.Fatalf("row %d: num(%s) = %q, auto = %q", i, at("clientip"), at("n"), at("a"))
		}
		if at("bytes") == "" {
			if at("big") != "" || at("sz") != "" || at("nb") != "" {
				t.Fatalf("row %d: no bytes, but %q %q %q", i, at("big"), at("sz"), at("nb"))
			}
			continue
		}
		withBytes++
		b, _ := strconv.Atoi(at("bytes"))
		if at("big") != strconv.Itoa(b*1000) || at("sz") != at("bytes") || at("nb") != at("bytes") {
			t.Fatalf("row %d: bytes %d: rmcomma %s, rmunit %s, num %s", i, b, at("big"), at("sz"), at("nb"))
		}
		if at("mem") != strconv.Itoa(b*1024) {
			t.Fatalf("row %d: memk(%dm) = %s, want %d", i, b, at("mem"), b*1024)
		}
	}
	if withBytes < 500 || withBytes == len(rows)-1 {
		t.Fatalf("%d of %d rows with bytes: the test shows little", withBytes, len(rows)-1)
	}
}

// TestConvertValues: each function on hand-computed values, as Splunk's
// convert documents them; what a function cannot convert is kept (num
// aside, which empties it).
func TestConvertValues(t *testing.T) {
	cases := []struct{ fn, in, want string }{
		{"auto", "1,234.5", "1234.5"}, {"auto", "42", "42"}, {"auto", "0x1F", "0x1F"}, {"auto", "abc", "abc"}, {"auto", "1,23", "1,23"},
		{"num", "1,234", "1234"}, {"num", "abc", ""}, {"num", "-3.25", "-3.25"},
		{"rmcomma", "1,234,567", "1234567"}, {"rmcomma", "a,b", "ab"},
		{"rmunit", "10kb", "10"}, {"rmunit", "2.5 MB", "2.5"}, {"rmunit", "kb10", "kb10"}, {"rmunit", "-7ms", "-7"},
		{"memk", "10k", "10"}, {"memk", "2m", "2048"}, {"memk", "1.5g", "1572864"}, {"memk", "7", "7"}, {"memk", "5t", "5t"},
		{"dur2sec", "01:02:03", "3723"}, {"dur2sec", "2+00:00:01", "172801"}, {"dur2sec", "00:00:01.5", "1.5"}, {"dur2sec", "1:2", "1:2"},
		{"mktime", "05/17/2015 18:05:00", "1431885900"}, {"mktime", "yesterday", "yesterday"},
		{"ctime", "1431885900", "05/17/2015 18:05:00"}, {"ctime", "soon", "soon"},
		{"none", "1,234", "1,234"},
	}
	s := excerptDB(t)
	for _, c := range cases {
		q := fmt.Sprintf(`| makeresults | eval v = %s | convert %s(v) as out | table out`, QuoteText(c.in), c.fn)
		if c.fn == "ctime" && c.in == "1431885900" {
			q = strings.Replace(q, QuoteText(c.in), c.in, 1)
		}
		got := s.run(q)
		if len(got) != 2 {
			t.Fatalf("%s: %q", q, got)
		}
		if got[1][0] != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.fn, c.in, got[1][0], c.want)
		}
	}
	errs := []struct{ q, want string }{
		{"| convert numb(x)", "| convert numb(x)\n          ^ unknown convert function \"numb\" (did you mean \"num\"?) (convert takes auto, ctime, dur2sec, memk, mktime, none, num, rmcomma, rmunit)"},
		{"| convert num(x) as", "| convert num(x) as\n                   ^ expected a name after 'as', got end of query (usage: convert [timeformat=F] FUNC(f) [as g] [, ...])"},
		{"| convert tz=UTC num(x)", "| convert tz=UTC num(x)\n          ^ unknown option \"tz\" for convert"},
	}
	for _, c := range errs {
		if _, err := Parse(c.q); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.q, err, c.want)
		}
	}
}
