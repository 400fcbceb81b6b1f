package query

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLookupRoundTrip: rows of a real web log written by outputlookup
// read back by inputlookup are the same rows (as text), the file holds
// exactly them (read with encoding/csv), and outputlookup passes its rows
// on unchanged.
func TestLookupRoundTrip(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	dir := t.TempDir()
	file := filepath.Join(dir, "clients.csv")
	base := `* | stats count, sum(bytes) as bytes, values(status) as statuses by clientip`
	want := s.run(base)
	if len(want) < 50 {
		t.Fatalf("only %d rows", len(want)-1)
	}
	if got := s.run(base + ` | outputlookup "` + file + `"`); !reflect.DeepEqual(got, want) {
		t.Fatalf("outputlookup changed its rows")
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || !reflect.DeepEqual(onDisk, want) {
		t.Fatalf("the file holds %d rows (%v), want the %d of the query", len(onDisk), err, len(want))
	}
	if got := s.run(`| inputlookup "` + file + `"`); !reflect.DeepEqual(got, want) {
		t.Fatalf("inputlookup read back\n%q\nwant\n%q", got[:3], want[:3])
	}
	// Cells are typed: counts add up as numbers.
	sum := 0
	for _, r := range want[1:] {
		n, _ := strconv.Atoi(r[1])
		sum += n
	}
	if got := s.run(`| inputlookup "` + file + `" | stats sum(count) as n`); got[1][0] != strconv.Itoa(sum) {
		t.Errorf("sum(count) = %q, want %d", got[1][0], sum)
	}
	// Times, multi-values and nulls survive; max= reads the first rows.
	q := `* | head 5 | eval parts = split(path, "/"), none = null | table _time, clientip, parts, none, bytes`
	want = s.run(q)
	s.run(q + ` | outputlookup "` + file + `"`)
	got := s.run(`| inputlookup "` + file + `"`)
	if len(got) != len(want) || !slices.Equal(got[0], []string{"_time", "clientip", "parts", "none", "bytes"}) {
		t.Fatalf("read back %q, want %q", got, want)
	}
	for r := 1; r < len(want); r++ {
		if !slices.Equal(got[r], want[r]) || !strings.Contains(got[r][2], "\n") {
			t.Errorf("row %d: %q, want %q", r, got[r], want[r])
		}
	}
	if got := s.run(`| inputlookup max=2 "` + file + `"`); len(got) != 3 || !slices.Equal(got[2], want[2]) {
		t.Errorf("max=2: %q", got)
	}
	// No rows make an empty file, which reads as no rows.
	s.run(`* | where 1 = 2 | outputlookup "` + file + `"`)
	if b, _ := os.ReadFile(file); len(b) != 0 {
		t.Errorf("no rows wrote %q", b)
	}
	if got := s.run(`| inputlookup "` + file + `"`); len(got) > 1 {
		t.Errorf("an empty file read as %q", got)
	}
}

// TestInputlookupInSubsearch: a lookup file of addresses as a subsearch
// keeps exactly the events of those addresses (counted here from the
// rows), in append and with append=true after the rows.
func TestInputlookupInSubsearch(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	dir := t.TempDir()
	file := filepath.Join(dir, "ips.csv")
	counts := s.run(`* | stats count by clientip | sort -count, clientip | head 4`)
	var lines []string
	want := 0
	for _, r := range counts[1:] {
		lines = append(lines, r[0])
		n, _ := strconv.Atoi(r[1])
		want += n
	}
	os.WriteFile(file, []byte("clientip,note\n"+strings.Join(lines, ",top\n")+",top\n"), 0o600)
	got := s.run(`* [| inputlookup "` + file + `" | fields clientip] | stats count`)
	if got[1][0] != strconv.Itoa(want) || want < 5 {
		t.Errorf("events of the listed addresses: %q, want %d", got, want)
	}
	got = s.run(`| makeresults | eval n = 1 | append [| inputlookup "` + file + `"] | table n, clientip, note`)
	if len(got) != 6 || got[1][0] != "1" || got[2][1] != lines[0] || got[5][2] != "top" {
		t.Errorf("append [inputlookup]: %q", got)
	}
	got = s.run(`* | join clientip [| inputlookup "` + file + `"] | stats count(note) as n`)
	if got[1][0] != strconv.Itoa(want) {
		t.Errorf("join [inputlookup]: %q, want %d rows with a note", got, want)
	}
	got = s.run(`| makeresults count=2 | inputlookup append=true "` + file + `" | stats count(_time) as t, count(note) as n`)
	if !slices.Equal(got[1], []string{"2", "4"}) {
		t.Errorf("inputlookup append=true: %q", got)
	}
}

// TestOutputlookupAppend: append=true keeps the old rows first, columns
// the union; without the file it writes a new one.
func TestOutputlookupAppend(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	file := filepath.Join(t.TempDir(), "a.csv")
	s.run(`| makeresults count=2 | eval a = 1, b = "x" | fields - _time | outputlookup append=true "` + file + `"`)
	s.run(`| makeresults | eval b = "y", c = 2.5 | fields - _time | outputlookup append=true "` + file + `"`)
	b, _ := os.ReadFile(file)
	if string(b) != "a,b,c\n1,x,\n1,x,\n,y,2.5\n" {
		t.Errorf("appended file %q", b)
	}
}

// TestOutputlookupAtomic: a write that fails halfway, and a query that
// fails before its last row, leave the old file as it was and no
// temporary file behind.
func TestOutputlookupAtomic(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	dir := t.TempDir()
	file := filepath.Join(dir, "keep.csv")
	old := "clientip,count\n10.0.0.1,3\n"
	os.WriteFile(file, []byte(old), 0o640)
	unchanged := func(what string) {
		t.Helper()
		if b, _ := os.ReadFile(file); string(b) != old {
			t.Errorf("%s: the file is now %q", what, b)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("%s: left %d files in the directory", what, len(ents))
		}
		if st, _ := os.Stat(file); st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v", what, st.Mode())
		}
	}
	q := `* | stats count by clientip | outputlookup "` + file + `"`
	defer func(w func(io.Writer) io.Writer) { lookupWriter = w }(lookupWriter)
	lookupWriter = func(w io.Writer) io.Writer { return &failingWriter{w: w, left: 700} }
	if _, err := s.tryRun(q); err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), file) {
		t.Errorf("a failed write: %v", err)
	}
	unchanged("a failed write")
	lookupWriter = func(w io.Writer) io.Writer { return w }

	pq, _ := Parse(q)
	_, err := Run(context.Background(), s.DB, pq, Options{MaxRows: 10}, func(*Batch) error { return nil })
	if !errors.Is(err, ErrLimit) {
		t.Errorf("over MaxRows: %v", err)
	}
	unchanged("a query over its row bound")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, s.DB, pq, Options{}, func(*Batch) error { return nil }); err == nil {
		t.Error("a cancelled query succeeded")
	}
	unchanged("a cancelled query")
	// The same query, left alone, replaces the file, keeping its mode.
	s.run(q)
	if b, _ := os.ReadFile(file); !strings.HasPrefix(string(b), "clientip,count\n") || string(b) == old {
		t.Errorf("replaced file %q", b)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after replacing", st.Mode())
	}
}

// failingWriter fails once left bytes are written.
type failingWriter struct {
	w    io.Writer
	left int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.w.Write(p[:f.left])
		f.left = 0
		return n, errors.New("disk full")
	}
	f.left -= len(p)
	return f.w.Write(p)
}

// TestLookupFileErrors: a malformed file names its line, a missing one
// the path; stage placement and names are checked at parse time.
func TestLookupFileErrors(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	for _, c := range []struct{ file, want string }{
		{write("quote.csv", "a,b\n1,2\n3,\"x\"y\n"), "quote.csv line 3 column 5: extraneous or missing \" in quoted-field"},
		{write("count.csv", "a,b\n1,2\n3\n"), "count.csv line 3: the row has a different number of cells than the header"},
		{write("dup.csv", "a,b,a\n1,2,3\n"), `dup.csv line 1: the header names "a" twice`},
		{write("noname.csv", "a,,c\n1,2,3\n"), "noname.csv line 1: column 2 of the header has no name"},
		{filepath.Join(dir, "missing.csv"), "missing.csv: no such file or directory"},
	} {
		_, err := s.tryRun(`| inputlookup "` + c.file + `"`)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "inputlookup") {
			t.Errorf("%s: %v, want %q", filepath.Base(c.file), err, c.want)
		}
	}
	stageErrors(t, map[string]string{
		`* | inputlookup x.csv`:               "inputlookup makes rows out of nothing: it must be the first stage",
		`| head 1 | inputlookup x.csv`:        "it must be the first stage",
		`* | appendpipe [inputlookup x.csv]`:  "it cannot be in appendpipe",
		`| inputlookup max=0 x.csv`:           "max must be a whole number of at least 1",
		`| inputlookup`:                       "unexpected end of query",
		`* | outputlookup x.txt`:              "the name must end in .csv",
		`* | outputlookup append=maybe x.csv`: "append must be true or false",
		`* | outputlookup x.csv y.csv`:        "unexpected",
	})
	for _, q := range []string{`| inputlookup ti/ips.csv`, `| inputlookup append=true max=5 "my file.csv"`, `* | outputlookup append=true out/x.csv`} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if again, err := Parse(pq.String()); err != nil || again.String() != pq.String() {
			t.Errorf("%s printed %q: %v", q, pq.String(), err)
		}
	}
}
