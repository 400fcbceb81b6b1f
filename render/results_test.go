package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loghunt/query"
	"loghunt/store"
)

func batchOf(fields []string, rows ...[]store.Value) *query.Batch {
	b := &query.Batch{Fields: fields, Len: len(rows), Cols: make([][]store.Value, len(fields))}
	for _, r := range rows {
		for i, v := range r {
			b.Cols[i] = append(b.Cols[i], v)
		}
	}
	return b
}

// TestResultsColumns: the columns are every field of the held rows in
// order of appearance; a row without one prints it empty.
func TestResultsColumns(t *testing.T) {
	var out bytes.Buffer
	p := NewResults(&out, CSV, ResultOptions{})
	p.Add(batchOf([]string{"a"}, []store.Value{store.Int(1)}))
	p.Add(batchOf([]string{"b", "a"}, []store.Value{store.Str("x"), store.Int(2)}))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "a,b\n1,\n2,x\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if p.Rows() != 2 {
		t.Errorf("rows %d", p.Rows())
	}
}

// TestResultsLateField: a field that first appears after HoldRows rows is
// not shown, with one note.
func TestResultsLateField(t *testing.T) {
	var out bytes.Buffer
	var notes []string
	p := NewResults(&out, CSV, ResultOptions{Note: func(m string) { notes = append(notes, m) }})
	for range HoldRows {
		p.Add(batchOf([]string{"a"}, []store.Value{store.Int(1)}))
	}
	p.Add(batchOf([]string{"a", "late"}, []store.Value{store.Int(2), store.Str("x")}))
	p.Add(batchOf([]string{"a", "late"}, []store.Value{store.Int(3), store.Str("y")}))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `warning: field "late" first appears after the first 10000 rows`) {
		t.Errorf("notes %q", notes)
	}
	if !strings.HasSuffix(out.String(), "\n2\n3\n") || strings.Contains(out.String(), "late") {
		t.Errorf("output ends %q", out.String()[len(out.String())-20:])
	}
}

// TestResultsPage: with a page, the first rows print as one table and the
// rest are counted.
func TestResultsPage(t *testing.T) {
	var out bytes.Buffer
	p := NewResults(&out, Table, ResultOptions{Page: 3})
	for i := range 5 {
		p.Add(batchOf([]string{"n"}, []store.Value{store.Int(int64(i * 100))}))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	want := "n\n---\n  0\n100\n200\n... 2 more rows (add | head, or .format csv to see all)\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestResultsEmpty: an empty result prints nothing in any format (no CSV
// header for a script to mistake for data).
func TestResultsEmpty(t *testing.T) {
	for _, f := range []Format{Table, CSV, JSON, Chart} {
		var out bytes.Buffer
		p := NewResults(&out, f, ResultOptions{})
		p.Add(&query.Batch{Fields: []string{"a"}})
		if err := p.Close(); err != nil || out.Len() != 0 || p.Rows() != 0 {
			t.Errorf("%s: %v %q", f, err, out.String())
		}
	}
}

// TestResultsPlot draws the rows to a file and notes it.
func TestResultsPlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.svg")
	var notes []string
	p := NewResults(&bytes.Buffer{}, CSV, ResultOptions{Plot: path, Note: func(m string) { notes = append(notes, m) }})
	for i := range 3 {
		p.Add(batchOf([]string{"_time", "count"}, []store.Value{store.Time(int64(i) * 60e9), store.Int(int64(i))}))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("plot: %v", err)
	}
	if fmt.Sprint(notes) != "[wrote "+path+"]" {
		t.Errorf("notes %q", notes)
	}
}
