package ingest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/store"
	"loghunt/store/storetest"
)

type stored struct {
	time int64
	raw  string
}

// allEvents returns every stored event's time and _raw, in scan order.
func allEvents(t *testing.T, db *store.DB) []stored {
	t.Helper()
	var out []stored
	_, err := db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		ts, err := c.Times()
		if err != nil {
			return nil, err
		}
		raws, err := c.Values(store.ColRaw)
		var rs []stored
		for i := range ts {
			rs = append(rs, stored{ts[i], raws[i].S})
		}
		return rs, err
	}, func(c *store.Chunk, v any) error {
		out = append(out, v.([]stored)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func raws(evs []stored) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.raw)
	}
	return out
}

func accessLines(from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		t := time.Date(2025, 3, 6, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
		out = append(out, fmt.Sprintf(`10.0.%d.%d - - [%s] "GET /item/%d HTTP/1.1" %d %d "-" "curl/8.0"`,
			i%7, i%250, t.Format("02/Jan/2006:15:04:05 -0700"), i, 200+i%3*102, i*3))
	}
	return out
}

func writeFile(t *testing.T, path string, lines []string, appendTo bool) {
	t.Helper()
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		fmt.Fprintln(f, l)
	}
	f.Close()
}

func ingestPaths(t *testing.T, db *store.DB, cfg Config, paths ...string) (Summary, []string) {
	t.Helper()
	sum, warns, err := ingestPathsErr(db, cfg, paths...)
	if err != nil {
		t.Fatalf("ingest: %v (warnings %q)", err, warns)
	}
	return sum, warns
}

// ingestPathsErr is ingestPaths for an ingest that may fail.
func ingestPathsErr(db *store.DB, cfg Config, paths ...string) (Summary, []string, error) {
	var warns []string
	cfg.Warn = func(m string) { warns = append(warns, m) }
	sum, err := Ingest(context.Background(), db, cfg, paths, nil)
	return sum, warns, err
}

func TestIngestExactlyOnceAndGrowth(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "access.log")
	lines := accessLines(0, 50000)
	writeFile(t, path, lines, false)
	sum, _ := ingestPaths(t, db, Config{}, path)
	if sum.Events != 50000 || sum.Lines != 50000 || sum.Files != 1 {
		t.Fatalf("first ingest: %+v", sum)
	}
	sum, _ = ingestPaths(t, db, Config{}, path)
	if sum.Events != 0 {
		t.Fatalf("second ingest added %d events", sum.Events)
	}
	more := accessLines(50000, 1234)
	writeFile(t, path, more, true)
	sum, _ = ingestPaths(t, db, Config{}, path)
	if sum.Events != 1234 {
		t.Fatalf("grown file added %d events, want 1234", sum.Events)
	}
	got := raws(allEvents(t, db))
	want := append(lines, more...)
	if !slices.Equal(got, want) {
		t.Fatalf("stored %d events, want %d (first diff at %d)", len(got), len(want), firstDiff(got, want))
	}
	srcs, _ := db.Sources()
	if len(srcs) != 1 || srcs[0].Sourcetype != "apache" || srcs[0].Events != 51234 {
		t.Errorf("sources: %+v", srcs[0])
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestIngestReplacedFileStartsOver(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, accessLines(0, 100), false)
	ingestPaths(t, db, Config{})
	ingestPaths(t, db, Config{}, path)
	writeFile(t, path, accessLines(500, 120), false) // rotated: new content
	sum, warns := ingestPaths(t, db, Config{}, path)
	if sum.Events != 120 || len(warns) != 1 || !strings.Contains(warns[0], "from the start") {
		t.Fatalf("replaced file: %+v %q", sum, warns)
	}
}

func TestIngestDirectoryGzipAndStdin(t *testing.T) {
	db := storetest.Open(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	writeFile(t, filepath.Join(dir, "a.log"), accessLines(0, 10), false)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(accessLines(10, 20), "\n") + "\n"))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "sub", "b.log.gz"), gz.Bytes(), 0o644)
	sum, _ := ingestPaths(t, db, Config{}, dir)
	if sum.Files != 2 || sum.Events != 30 {
		t.Fatalf("dir: %+v", sum)
	}
	// The .gz again adds nothing.
	if sum, _ = ingestPaths(t, db, Config{}, filepath.Join(dir, "sub", "b.log.gz")); sum.Events != 0 {
		t.Fatalf("gz again: %+v", sum)
	}
	var warns []string
	sum, err := Ingest(context.Background(), db, Config{Source: "piped", Warn: func(m string) { warns = append(warns, m) }},
		[]string{"-"}, strings.NewReader(strings.Join(accessLines(40, 5), "\n")))
	if err != nil || sum.Events != 5 {
		t.Fatalf("stdin: %+v %v", sum, err)
	}
	srcs, _ := db.Sources()
	names := []string{}
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	if !slices.Contains(names, "piped") {
		t.Errorf("sources %q lack the stdin source 'piped'", names)
	}
}

func TestIngestBadInput(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 5<<20)
	huge := strings.Repeat("y", MaxEvent+10)
	var trunc bytes.Buffer
	zw := gzip.NewWriter(&trunc)
	zw.Write([]byte(strings.Join(accessLines(0, 5000), "\n")))
	zw.Close()
	cases := []struct {
		name     string
		content  []byte
		format   string
		events   int64
		warn     string // a warning must contain this
		wantRaws []string
	}{
		{name: "empty", content: nil, events: 0},
		{name: "binary", content: append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 3000)...), warn: "binary"},
		{name: "five-mb-line", content: []byte("2025-03-06 08:00:00 start\n2025-03-06 08:00:01 " + long + "\n2025-03-06 08:00:02 end\n"), events: 3},
		{name: "over-limit-line", content: []byte(huge + "\n"), format: "text", events: 2, warn: "truncated"},
		{name: "invalid-utf8", content: []byte("2025-03-06 08:00:00 caf\xe9 \xff\xfe ok\n"), events: 1,
			wantRaws: []string{"2025-03-06 08:00:00 caf\xe9 \xff\xfe ok"}},
		{name: "nul-bytes", content: []byte("2025-03-06 08:00:00 a\x00b\n2025-03-06 08:00:01 plain\n"), format: "text", events: 2,
			wantRaws: []string{"2025-03-06 08:00:00 a\x00b", "2025-03-06 08:00:01 plain"}},
		{name: "crlf", content: []byte("2025-03-06 08:00:00 one\r\n2025-03-06 08:00:01 two\r\n"), events: 2,
			wantRaws: []string{"2025-03-06 08:00:00 one", "2025-03-06 08:00:01 two"}},
		{name: "truncated.gz", content: trunc.Bytes()[:trunc.Len()/2], warn: "stopped after line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.Open(t)
			path := filepath.Join(dir, c.name)
			os.WriteFile(path, c.content, 0o644)
			sum, warns, err := ingestPathsErr(db, Config{Format: c.format}, path)
			if skipped := c.name == "binary"; err != nil != skipped || skipped && !errors.Is(err, ErrAllSkipped) {
				t.Fatalf("ingest: %v (warnings %q)", err, warns)
			}
			if c.name != "truncated.gz" && sum.Events != c.events {
				t.Errorf("events %d, want %d (%+v)", sum.Events, c.events, sum)
			}
			if c.warn != "" && !strings.Contains(strings.Join(warns, "\n"), c.warn) {
				t.Errorf("warnings %q lack %q", warns, c.warn)
			}
			for _, w := range warns {
				if !strings.Contains(w, path) {
					t.Errorf("warning %q does not name the file", w)
				}
			}
			got := raws(allEvents(t, db))
			if c.wantRaws != nil && !slices.Equal(got, c.wantRaws) {
				t.Errorf("stored %q, want %q", got, c.wantRaws)
			}
			if c.name == "five-mb-line" && (len(got) != 3 || len(got[1]) != len(long)+20) {
				t.Errorf("the 5 MB line was not kept whole")
			}
			if c.name == "over-limit-line" && strings.Join(got, "") != huge {
				t.Errorf("the over-long line lost bytes")
			}
			if c.name == "truncated.gz" && (sum.Events == 0 || sum.Events >= 5000) {
				t.Errorf("truncated gz: %d events, want the readable part", sum.Events)
			}
		})
	}
}

func TestIngestUnreadable(t *testing.T) {
	db := storetest.Open(t)
	missing := filepath.Join(t.TempDir(), "nope.log")
	var warns []string
	_, err := Ingest(context.Background(), db, Config{Warn: func(m string) { warns = append(warns, m) }}, []string{missing}, nil)
	if !errors.Is(err, ErrNothingRead) || len(warns) != 1 || !strings.Contains(warns[0], missing) {
		t.Fatalf("err %v warnings %q", err, warns)
	}
}

func TestIngestMultiline(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, []string{
		"2025-03-06 08:00:00,123 ERROR boom",
		"java.lang.RuntimeException: x",
		"\tat a.b.C(C.java:1)",
		"2025-03-06 08:00:01,000 INFO fine",
	}, false)
	ingestPaths(t, db, Config{}, path)
	got := allEvents(t, db)
	if len(got) != 2 || !strings.Contains(got[0].raw, "\tat a.b.C") {
		t.Fatalf("multi-line: %q", raws(got))
	}
}

func TestIngestCSVWithoutTimeKeepsOrder(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "x.csv")
	lines := []string{"f1,f2,label"}
	for i := 0; i < 3000; i++ {
		lines = append(lines, fmt.Sprintf("%d.5,%d,%d", 3000-i, i, i%2))
	}
	writeFile(t, path, lines, false)
	sum, _ := ingestPaths(t, db, Config{Format: "csv"}, path)
	if sum.Events != 3000 {
		t.Fatalf("%+v", sum)
	}
	if got := raws(allEvents(t, db)); !slices.Equal(got, lines[1:]) {
		t.Fatalf("rows out of file order (first diff %d)", firstDiff(got, lines[1:]))
	}
}

// TestIngestReusesBlocks: the memory of parsed blocks is reused for later
// ones, so nothing stored may keep viewing it. logfmt field names and
// values are pieces of each line; over many blocks every event must come
// back whole with its own fields, and the catalog must hold exactly the
// names the lines use.
func TestIngestReusesBlocks(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "app.log")
	var lines []string
	for i := range 60000 {
		ts := time.Date(2025, 3, 6, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		lines = append(lines, fmt.Sprintf("time=%s level=info key%d=v%d n=%d msg=\"event %d\"", ts, i%5, i%11, i, i))
	}
	writeFile(t, path, lines, false)
	sum, _ := ingestPaths(t, db, Config{Workers: 2}, path)
	if sum.Events != int64(len(lines)) {
		t.Fatalf("%d events, want %d", sum.Events, len(lines))
	}
	got := raws(allEvents(t, db))
	if !slices.Equal(got, lines) {
		t.Fatal("stored _raw differs from the lines")
	}
	var names []string
	for _, f := range must(db.Fields()) {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	want := []string{"_raw", "_time", "key0", "key1", "key2", "key3", "key4", "level", "msg", "n", "source", "sourcetype", "time"}
	if !slices.Equal(names, want) {
		t.Errorf("fields %q, want %q", names, want)
	}
	// Each event's field keyK holds vJ for its own line.
	_, err := db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		ns, err := c.Values("n")
		if err != nil {
			return nil, err
		}
		for k := range 5 {
			vs, err := c.Values(fmt.Sprintf("key%d", k))
			if err != nil {
				return nil, err
			}
			for r, n := range ns {
				i := int(n.I)
				want := store.Null
				if i%5 == k {
					want = store.Str(fmt.Sprintf("v%d", i%11))
				}
				if vs[r] != want {
					return nil, fmt.Errorf("event %d key%d = %v, want %v", i, k, vs[r], want)
				}
			}
		}
		return nil, nil
	}, func(*store.Chunk, any) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestIngestZip: each member of a zip archive is a source of its own
// (security datasets come as zips of JSON logs), named archive!member; a
// second ingest adds nothing; a damaged archive is reported by name.
func TestIngestZip(t *testing.T) {
	db := storetest.Open(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "evidence.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	members := map[string][]string{
		"sysmon.json": {`{"@timestamp":"2020-08-07T14:32:25.358Z","EventID":10,"Image":"C:\\mimikatz.exe"}`,
			`{"@timestamp":"2020-08-07T14:32:26.000Z","EventID":1,"Image":"C:\\cmd.exe"}`},
		"logs/access.log": accessLines(0, 3),
	}
	for _, name := range []string{"sysmon.json", "logs/access.log"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(w, strings.Join(members[name], "\n"))
	}
	if err := errors.Join(zw.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	sum, warns := ingestPaths(t, db, Config{}, dir)
	if sum.Events != 5 || sum.Files != 2 || len(warns) != 0 {
		t.Fatalf("summary %+v, warnings %q", sum, warns)
	}
	srcs, err := db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range srcs {
		got[s.Name] = s.Sourcetype
	}
	want := map[string]string{path + "!logs/access.log": "apache", path + "!sysmon.json": "json"}
	if !maps.Equal(got, want) {
		t.Errorf("sources %v, want %v", got, want)
	}
	if sum, _ := ingestPaths(t, db, Config{}, path); sum.Events != 0 {
		t.Errorf("second ingest added %d events", sum.Events)
	}

	bad := filepath.Join(dir, "broken.zip")
	os.WriteFile(bad, append([]byte("PK\x03\x04"), bytes.Repeat([]byte{7}, 100)...), 0o644)
	var warned []string
	sum, err = Ingest(context.Background(), db, Config{Warn: func(m string) { warned = append(warned, m) }}, []string{bad}, nil)
	if !errors.Is(err, ErrNothingRead) || sum.Failed != 1 || len(warned) != 1 || !strings.Contains(warned[0], bad) {
		t.Errorf("damaged zip: %+v %v %q", sum, err, warned)
	}
}

// TestIngestZipOnlyByName: an office document is a zip too, but not a
// .zip: it is skipped as a binary file, not read as its XML members.
func TestIngestZipOnlyByName(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "report.docx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("word/document.xml")
	fmt.Fprintln(w, `<?xml version="1.0"?><w:document/>`)
	if err := errors.Join(zw.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	sum, warns, err := ingestPathsErr(db, Config{}, path)
	if !errors.Is(err, ErrAllSkipped) || sum.Events != 0 || sum.Skipped != 1 || len(warns) != 1 || !strings.Contains(warns[0], "binary") {
		t.Errorf("err %v, summary %+v, warnings %q", err, sum, warns)
	}
}
