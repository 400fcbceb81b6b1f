package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"loghunt/query"
	"loghunt/store"
	"loghunt/store/storetest"
)

var day0 = time.Date(2025, 3, 6, 22, 0, 0, 0, time.UTC).UnixNano()

// testEvents spans three days and two sourcetypes, with an int, a float,
// a bool, a time, a sometimes-missing string and a mixed field.
func testEvents(n int, st string, seed int64) []store.Event {
	r := rand.New(rand.NewSource(seed))
	evs := make([]store.Event, n)
	t := day0
	for i := range evs {
		t += int64(r.Intn(int(2*time.Minute))) + 1 // 2 days in ~1400 events
		raw := fmt.Sprintf("%s event %d \"quoted\" ünïcode", st, i)
		f := []store.Field{
			{Name: "status", Value: store.Int(int64(200 + r.Intn(4)*100))},
			{Name: "dur", Value: store.Float(r.Float64() * 3)},
			{Name: "ok", Value: store.Bool(r.Intn(2) == 0)},
			{Name: "seen", Value: store.Time(t - int64(r.Intn(1e9)))},
		}
		if i%3 == 0 {
			f = append(f, store.Field{Name: "user", Value: store.Str(fmt.Sprintf("u%d", r.Intn(5)))})
		}
		if i%2 == 0 {
			f = append(f, store.Field{Name: "mixed", Value: store.Int(int64(i))})
		} else {
			f = append(f, store.Field{Name: "mixed", Value: store.Str("x" + fmt.Sprint(i))})
		}
		evs[i] = store.Event{Time: t, Raw: raw, Fields: f}
	}
	return evs
}

func putEvents(t *testing.T, db *store.DB, source, sourcetype string, evs []store.Event, per int) {
	t.Helper()
	b := store.NewChunkBuilder(source, sourcetype, "key:"+source)
	err := db.Write(func(w *store.WriteTx) error {
		rec := &store.Source{Key: "key:" + source, Name: source, Sourcetype: sourcetype}
		for i := 0; i < len(evs); i += per {
			for j := i; j < min(i+per, len(evs)); j++ {
				b.Add(&evs[j])
			}
			c := b.Encode()
			if err := w.PutChunk(c); err != nil {
				return err
			}
			w.AddBuiltinFields(int64(c.Rows), source, sourcetype)
			if rec.Events == 0 || c.MinTime < rec.First {
				rec.First = c.MinTime
			}
			rec.Events += int64(c.Rows)
			rec.Last = max(rec.Last, c.MaxTime)
		}
		return w.PutSource(rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testDB(t *testing.T) (*store.DB, map[string]map[string]string) {
	db := storetest.Open(t)
	want := map[string]map[string]string{} // _raw -> field -> value as text
	for i, st := range []string{"apache", "sshd"} {
		evs := testEvents(1400, st, int64(i+1))
		putEvents(t, db, "/var/log/"+st, st, evs, 300)
		for _, ev := range evs {
			m := map[string]string{"_time": store.FormatTime(ev.Time), "sourcetype": st, "source": "/var/log/" + st,
				"day": time.Unix(0, ev.Time).UTC().Format("2006-01-02")}
			for _, f := range ev.Fields {
				m[f.Name] = f.Value.String()
			}
			want[ev.Raw] = m
		}
	}
	return db, want
}

func runExport(t *testing.T, db *store.DB, opt Options, q string, add func(*query.Batch) error) (Stats, error) {
	t.Helper()
	catalog, err := db.Fields()
	if err != nil {
		t.Fatal(err)
	}
	opt.Catalog = catalog
	opt.Query = q
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	opt.Fixed = len(pq.Stages) == 1
	ex, err := New(opt)
	if err != nil {
		return Stats{}, err
	}
	if add == nil {
		add = ex.Add
	} else {
		inner := add
		add = func(b *query.Batch) error {
			if err := inner(b); err != nil {
				return err
			}
			return ex.Add(b)
		}
	}
	if _, err := query.Run(context.Background(), db, pq, query.Options{}, add); err != nil {
		return Stats{}, err // as a kill would: nothing closed
	}
	return ex.Close()
}

// readBack reads every Parquet file under dir into rows of text values,
// with the Hive partition keys of its path, and checks the column types.
func readBack(t *testing.T, dir string, wantTypes map[string]string) []map[string]string {
	t.Helper()
	var rows []map[string]string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".parquet") {
			return err
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(path))
		parts := map[string]string{}
		for _, kv := range strings.Split(filepath.ToSlash(rel), "/") {
			k, v, _ := strings.Cut(kv, "=")
			parts[k] = v
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		cols := pf.Schema().Columns()
		for _, c := range cols {
			leaf, _ := pf.Schema().Lookup(c...)
			got := leaf.Node.Type().String()
			if w, ok := wantTypes[c[0]]; ok && got != w {
				t.Errorf("%s: column %s has type %s, want %s", path, c[0], got, w)
			}
		}
		r := parquet.NewReader(pf)
		buf := make([]parquet.Row, 100)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				m := map[string]string{}
				maps := func(k, v string) { m[k] = v }
				for k, v := range parts {
					maps(k, v)
				}
				for _, v := range row {
					if v.IsNull() {
						continue
					}
					name := cols[v.Column()][0]
					switch wantTypes[name] {
					case "TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)":
						m[name] = store.FormatTime(v.Int64())
					case "INT(64,true)":
						m[name] = fmt.Sprint(v.Int64())
					case "DOUBLE":
						m[name] = store.FormatFloat(v.Double())
					case "BOOLEAN":
						m[name] = fmt.Sprint(v.Boolean())
					default:
						m[name] = string(v.ByteArray())
					}
				}
				rows = append(rows, m)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		return r.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

var typesWant = map[string]string{
	"_time":  "TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)",
	"seen":   "TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)",
	"status": "INT(64,true)",
	"dur":    "DOUBLE",
	"ok":     "BOOLEAN",
	"_raw":   "STRING",
	"user":   "STRING",
	"mixed":  "STRING",
	"source": "STRING",
}

func checkRows(t *testing.T, got []map[string]string, want map[string]map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("read back %d rows, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, g := range got {
		raw := g["_raw"]
		if seen[raw] {
			t.Fatalf("event %q written twice", raw)
		}
		seen[raw] = true
		w, ok := want[raw]
		if !ok {
			t.Fatalf("unexpected row %v", g)
		}
		delete(g, "_raw")
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Fatalf("event %q:\n got %v\nwant %v", raw, g, w)
		}
	}
}

func TestExportReadBack(t *testing.T) {
	db, want := testDB(t)
	dir := filepath.Join(t.TempDir(), "out")
	st, err := runExport(t, db, Options{Dir: dir, Partition: []string{"sourcetype", "day"}, CheckpointRows: 500, RowGroupRows: 200}, "*", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 2800 || st.Files < 6 {
		t.Errorf("stats %+v: want 2800 rows in at least 6 files (2 sourcetypes x 3 days)", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "sourcetype=sshd", "day=2025-03-07", "part-0.parquet")); err != nil {
		t.Error(err)
	}
	checkRows(t, readBack(t, dir, typesWant), want)
	// Done: the same export again does nothing.
	if _, err := runExport(t, db, Options{Dir: dir, Partition: []string{"sourcetype", "day"}}, "*", nil); !errors.Is(err, ErrDone) {
		t.Errorf("second run: %v, want ErrDone", err)
	}
	// Another query into the same directory is refused.
	if _, err := runExport(t, db, Options{Dir: dir, Partition: []string{"sourcetype", "day"}}, "status=200", nil); err == nil || !strings.Contains(err.Error(), "another query") {
		t.Errorf("other query: %v", err)
	}
}

func TestExportQueryAndPartitions(t *testing.T) {
	db, all := testDB(t)
	want := map[string]map[string]string{}
	for raw, m := range all {
		if m["status"] == "500" {
			c := map[string]string{}
			for k, v := range m {
				if k != "host" {
					c[k] = v
				}
			}
			delete(c, "day")
			c["host"] = HiveNull
			c["big"] = "yes"
			want[raw] = c
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := runExport(t, db, Options{Dir: dir, Partition: []string{"host"}}, `status=500 | eval big="yes"`, nil); err != nil {
		t.Fatal(err)
	}
	checkRows(t, readBack(t, dir, typesWant), want)
}

// TestExportResume kills an export (an error in the middle, leaving its
// open files as a crash would) and runs it again: every event exactly
// once, and no final name ever names a half file.
func TestExportResume(t *testing.T) {
	db, want := testDB(t)
	for _, stopAt := range []int{1, 3, 7} {
		dir := filepath.Join(t.TempDir(), "out")
		opt := Options{Dir: dir, Partition: []string{"sourcetype", "day"}, CheckpointRows: 400, RowGroupRows: 100}
		batches := 0
		kill := errors.New("killed")
		_, err := runExport(t, db, opt, "*", func(b *query.Batch) error {
			batches++
			if batches == stopAt {
				return kill
			}
			return nil
		})
		if !errors.Is(err, kill) {
			t.Fatalf("stop at %d: %v", stopAt, err)
		}
		// Whatever is under a final name is a complete file.
		readBack(t, dir, typesWant)
		st, err := runExport(t, db, opt, "*", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Resumed {
			t.Error("not resumed")
		}
		checkRows(t, readBack(t, dir, typesWant), want)
		var tmps []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if strings.HasSuffix(p, ".tmp") {
				tmps = append(tmps, p)
			}
			return nil
		})
		if len(tmps) > 0 {
			t.Errorf("temporary files left: %v", tmps)
		}
		t.Logf("stop at batch %d: resumed with %d skipped, %d written", stopAt, st.Skipped, st.Rows)
	}
}

func TestExportErrors(t *testing.T) {
	db, _ := testDB(t)
	cases := []struct{ q, want string }{
		{"* | stats count by status", "not events"},
		{"* | sort -status", "not events in time order"},
		{"* | eval status=\"text\"", `field "status" holds a string`},
	}
	for _, c := range cases {
		_, err := runExport(t, db, Options{Dir: filepath.Join(t.TempDir(), "o")}, c.q, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.q, err, c.want)
		}
	}
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "notes.txt"), []byte("x"), 0o644)
	if _, err := runExport(t, db, Options{Dir: full}, "*", nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty directory: %v", err)
	}
	if _, err := New(Options{Dir: t.TempDir(), Partition: []string{"_time"}}); err == nil {
		t.Error("_time accepted as a partition key")
	}
}

// TestExportInterleavedFiles partitions by a field whose value changes
// from row to row, with two files open at most and row groups of 7 rows:
// the runs of a batch's rows that go to one file are short, files close
// in the middle of a batch, and row groups end inside a run. Every value
// must read back, and no row group may hold more than 7 rows.
func TestExportInterleavedFiles(t *testing.T) {
	db, all := testDB(t)
	want := map[string]map[string]string{}
	for raw, m := range all {
		c := map[string]string{}
		for k, v := range m {
			c[k] = v
		}
		delete(c, "day")
		if c["user"] == "" {
			c["user"] = HiveNull
		}
		want[raw] = c
	}
	dir := filepath.Join(t.TempDir(), "out")
	st, err := runExport(t, db, Options{Dir: dir, Partition: []string{"user"}, RowGroupRows: 7, MaxOpen: 2}, "*", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files < 100 {
		t.Errorf("%d files: want many, the two open files closing as the user changes", st.Files)
	}
	checkRows(t, readBack(t, dir, typesWant), want)
	groups := 0
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".parquet") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, _ := f.Stat()
		pf, err := parquet.OpenFile(f, fi.Size())
		if err != nil {
			return err
		}
		for _, rg := range pf.RowGroups() {
			groups++
			if n := rg.NumRows(); n > 7 || n == 0 {
				t.Errorf("%s: row group of %d rows, want 1 to 7", path, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if groups < 2800/7 {
		t.Errorf("%d row groups for 2800 rows of at most 7", groups)
	}
}

// TestAppendColumnMatchesToParquet checks the per-kind loops of
// appendColumn against toParquet value by value, for every column kind
// and values of every kind (nulls, the column's own, others that convert
// or are refused).
func TestAppendColumnMatchesToParquet(t *testing.T) {
	vals := []store.Value{store.Null, store.Str("a b"), store.Str(""), store.Int(-7), store.Int(1 << 40),
		store.Float(2.5), store.Bool(true), store.Bool(false), store.Time(day0 + 123)}
	for _, k := range []store.Kind{store.KindString, store.KindInt, store.KindFloat, store.KindBool, store.KindTime} {
		c := column{name: "f", kind: k, index: 3}
		for _, v := range vals {
			in := []store.Value{store.Null, v, v}
			got, gerr := appendColumn(nil, c, in)
			var want []parquet.Value
			var werr error
			for _, x := range in {
				pv, err := toParquet(c, x)
				if err != nil {
					werr = err
					break
				}
				want = append(want, pv)
			}
			if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
				t.Fatalf("column %s, value %v: error %v, want %v", k, v, gerr, werr)
			}
			if len(got) != len(want) {
				t.Fatalf("column %s, value %v: %d values, want %d", k, v, len(got), len(want))
			}
			for i := range want {
				if !parquet.Equal(got[i], want[i]) || got[i].DefinitionLevel() != want[i].DefinitionLevel() || got[i].Column() != want[i].Column() {
					t.Errorf("column %s, value %v, #%d: %v, want %v", k, v, i, got[i], want[i])
				}
			}
		}
	}
}
