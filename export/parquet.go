// Package export writes the events a query selects as Hive-partitioned,
// zstd-compressed Parquet files (sourcetype=apache/day=2025-03-06/
// part-0.parquet) that DuckDB, Spark or pandas read directly.
//
// Files are written under a hidden temporary name and renamed when
// complete, so a killed export never leaves a half file under a final
// name. A checkpoint file (_loghunt_export.json) records which files are
// complete and the time before which every event is in them; running the
// same export again resumes from there.
package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"loghunt/query"
	"loghunt/store"
)

// CheckpointName is the checkpoint file in the export directory. Hive
// readers skip names starting with '_' or '.'.
const CheckpointName = "_loghunt_export.json"

// HiveNull is the directory value Hive uses for a null partition value.
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// ErrDone is returned by New when the directory holds a complete export
// of the same query.
var ErrDone = errors.New("export is already complete")

// Options describe one export.
type Options struct {
	Dir string
	// Partition lists the partition keys, outermost first: "day" (the UTC
	// date of _time) or a field name such as sourcetype or host.
	Partition []string
	// Query is the query's text, kept in the checkpoint so that a resume
	// is of the same export.
	Query string
	// Catalog is the store's field catalog: it gives the column types.
	Catalog []store.FieldStat
	// Fixed, when set, makes the schema the catalog's fields (a bare
	// search, whose batches may lack a field some chunks do not have);
	// otherwise it is the fields of the first batch, typed from the
	// catalog where it knows them and as strings where not (fields the
	// query computes).
	Fixed bool
	// CheckpointRows is how many rows pass between checkpoints; 0 means
	// DefaultCheckpointRows.
	CheckpointRows int64
	// RowGroupRows bounds a row group; 0 means DefaultRowGroupRows.
	RowGroupRows int64
	// MaxOpen bounds the files open at once (each holds a row group in
	// memory); 0 means DefaultMaxOpen.
	MaxOpen int
}

// Defaults of Options.
const (
	DefaultCheckpointRows = 1 << 21
	DefaultRowGroupRows   = 1 << 17
	DefaultMaxOpen        = 16
)

// Stats tell what an export did.
type Stats struct {
	Rows, Skipped int64 // rows written by this run; rows a resume skipped
	Files         int   // files completed by this run
	Bytes         int64 // bytes of those files
	Resumed       bool
}

type checkpoint struct {
	Version   int      `json:"version"`
	Query     string   `json:"query"`
	Partition []string `json:"partition"`
	// Before: every selected event with an original time before it is in
	// Files. Rows counts them.
	Before int64    `json:"before_ns"`
	Rows   int64    `json:"rows"`
	Files  []string `json:"files"` // relative to the directory, slash-separated
	Done   bool     `json:"done"`
}

// column is one Parquet column of the schema.
type column struct {
	name  string
	kind  store.Kind // KindString for text columns (what a mixed field becomes)
	index int        // leaf index in the Parquet schema
	batch int        // the field's column in the current batch, or -1
}

// Exporter writes batches of events to Parquet files.
type Exporter struct {
	opt    Options
	cp     checkpoint
	schema *parquet.Schema
	cols   []column // in Parquet leaf order
	open   map[string]*partFile
	parts  map[string]int // next part number of each partition directory
	tick   int64
	last   int64 // Order of the last row written
	any    bool
	since  int64 // rows since the last checkpoint
	day    string
	stats  Stats
	run    run   // rows of the current batch going to one file, not yet written
	pcols  []int // per partition key, the batch column (or -1; day uses _time)
	fields map[string]store.FieldStat
	// the partition of the last row: its keys, day and directory
	lastKey          []store.Value
	dayLo            int64
	lastDir, lastDay string
}

type partFile struct {
	dir, final, tmp string
	f               *os.File
	w               *parquet.Writer
	used            int64
	groupRows       int64             // rows in the row group being written
	vals            [][]parquet.Value // per column, the values of a slice of rows
}

// run is a run of rows [start, end) of batch b that go to file pf: they
// are written column by column, the columns in parallel.
type run struct {
	pf         *partFile
	b          *query.Batch
	start, end int
}

// New prepares an export into opt.Dir: a new one into an empty or missing
// directory, or the resume of the same export. It removes what a killed
// run left behind (temporary files, files completed after the last
// checkpoint).
func New(opt Options) (*Exporter, error) {
	if opt.CheckpointRows <= 0 {
		opt.CheckpointRows = DefaultCheckpointRows
	}
	if opt.RowGroupRows <= 0 {
		opt.RowGroupRows = DefaultRowGroupRows
	}
	if opt.MaxOpen <= 0 {
		opt.MaxOpen = DefaultMaxOpen
	}
	for _, p := range opt.Partition {
		if p == "" || p == "_time" || p == "_raw" {
			return nil, fmt.Errorf("--partition: %q cannot be a partition key (day, or a field such as sourcetype or host)", p)
		}
	}
	e := &Exporter{opt: opt, open: map[string]*partFile{}, parts: map[string]int{}, fields: map[string]store.FieldStat{}}
	for _, f := range opt.Catalog {
		e.fields[f.Name] = f
	}
	e.cp = checkpoint{Version: 1, Query: opt.Query, Partition: opt.Partition}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(opt.Dir, CheckpointName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ents, err := os.ReadDir(opt.Dir)
		if err != nil {
			return nil, err
		}
		if len(ents) > 0 {
			return nil, fmt.Errorf("%s is not empty and holds no loghunt export (%s): export into a new or empty directory", opt.Dir, CheckpointName)
		}
	case err != nil:
		return nil, err
	default:
		var cp checkpoint
		if err := json.Unmarshal(b, &cp); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(opt.Dir, CheckpointName), err)
		}
		if cp.Query != opt.Query || !slices.Equal(cp.Partition, opt.Partition) {
			return nil, fmt.Errorf("%s holds the export of another query or partitioning (%q by %s): export into a new directory",
				opt.Dir, cp.Query, strings.Join(cp.Partition, ","))
		}
		if cp.Done {
			return nil, fmt.Errorf("%s: %w (%d events)", opt.Dir, ErrDone, cp.Rows)
		}
		e.cp = cp
		e.stats.Resumed = true
	}
	if err := e.cleanup(); err != nil {
		return nil, err
	}
	return e, e.saveCheckpoint()
}

// cleanup removes the temporary files and the files not in the
// checkpoint, and numbers the next parts after the kept ones.
func (e *Exporter) cleanup() error {
	keep := map[string]bool{}
	for _, f := range e.cp.Files {
		keep[f] = true
	}
	return filepath.WalkDir(e.opt.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(e.opt.Dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		switch {
		case rel == CheckpointName:
			return nil
		case strings.HasSuffix(name, ".parquet.tmp") || (strings.HasSuffix(name, ".parquet") && !keep[rel]):
			return os.Remove(path)
		case strings.HasSuffix(name, ".parquet"):
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "part-"), ".parquet"))
			if err == nil {
				dir := filepath.Dir(path)
				e.parts[dir] = max(e.parts[dir], n+1)
			}
		}
		return nil
	})
}

func (e *Exporter) saveCheckpoint() error {
	b, err := json.MarshalIndent(&e.cp, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(e.opt.Dir, CheckpointName)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// kindOf is the column kind of a catalog field: its one kind, float for
// ints mixed with floats, string for any other mix.
func kindOf(f store.FieldStat) store.Kind {
	var kinds []store.Kind
	for k := store.KindString; k <= store.KindTime; k++ {
		if f.Kinds[k] > 0 {
			kinds = append(kinds, k)
		}
	}
	switch {
	case len(kinds) == 1:
		return kinds[0]
	case len(kinds) == 2 && kinds[0] == store.KindInt && kinds[1] == store.KindFloat:
		return store.KindFloat
	}
	return store.KindString
}

// ColumnKind is the Parquet column type export gives a field of the
// catalog (what tests and the ClickHouse schema agree on).
func ColumnKind(f store.FieldStat) store.Kind { return kindOf(f) }

// leaf is the Parquet column of a field. Text columns other than _raw
// are dictionary-encoded (most hold few distinct values: the pages to
// compress shrink to small codes); a dictionary that outgrows
// dictionaryMaxBytes falls back to plain pages.
func leaf(name string, k store.Kind) parquet.Node {
	if k == store.KindString && name != "_raw" {
		return parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))
	}
	switch k {
	case store.KindInt:
		return parquet.Optional(parquet.Int(64))
	case store.KindFloat:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case store.KindBool:
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	case store.KindTime:
		return parquet.Optional(parquet.TimestampAdjusted(parquet.Nanosecond, true))
	}
	return parquet.Optional(parquet.String())
}

// makeSchema fixes the columns from the catalog or the first batch.
func (e *Exporter) makeSchema(b *query.Batch) {
	names := map[string]store.Kind{}
	partKey := map[string]bool{}
	for _, p := range e.opt.Partition {
		partKey[p] = true
	}
	add := func(name string) {
		if partKey[name] {
			return // in the directory name
		}
		if f, ok := e.fields[name]; ok {
			names[name] = kindOf(f)
		} else if name == "_time" {
			names[name] = store.KindTime
		} else {
			names[name] = store.KindString
		}
	}
	if e.opt.Fixed {
		for _, f := range e.opt.Catalog {
			add(f.Name)
		}
	}
	for _, f := range b.Fields {
		add(f)
	}
	g := parquet.Group{}
	for n, k := range names {
		g[n] = leaf(n, k)
	}
	e.schema = parquet.NewSchema("event", g)
	for i, path := range e.schema.Columns() {
		e.cols = append(e.cols, column{name: path[0], kind: names[path[0]], index: i})
	}
}

// Add writes the rows of a batch. Rows must come in time order (as a
// query without sort gives them), each with its original time
// (Batch.Order).
func (e *Exporter) Add(b *query.Batch) error {
	if b.Len == 0 {
		return nil
	}
	if b.Order == nil {
		return errors.New("export writes events in time order, and this query's result is not events in time order (it aggregates, sorts or reverses): export a search, with where, eval, rex or fields stages")
	}
	if e.schema == nil {
		e.makeSchema(b)
	}
	// Map the batch's columns; a field the schema lacks must be null.
	known := map[string]bool{}
	for i := range e.cols {
		e.cols[i].batch = b.Col(e.cols[i].name)
		known[e.cols[i].name] = true
	}
	for _, p := range e.opt.Partition {
		known[p] = true
	}
	for fi, name := range b.Fields {
		if known[name] {
			continue
		}
		for _, v := range b.Cols[fi] {
			if !v.IsNull() {
				return fmt.Errorf("field %q first appears after the export's columns were fixed by the first events; add it to every event (eval %s=...) or leave it out (fields - %s)", name, name, name)
			}
		}
	}
	e.pcols = e.pcols[:0]
	for _, p := range e.opt.Partition {
		if p == "day" {
			e.pcols = append(e.pcols, b.Col("_time"))
		} else {
			e.pcols = append(e.pcols, b.Col(p))
		}
	}
	for r := 0; r < b.Len; r++ {
		t := b.Order[r]
		if e.any && t < e.last {
			return fmt.Errorf("export needs events in time order, and the query reorders them (sort, reverse, ...): row at %s comes after %s",
				store.FormatTime(t), store.FormatTime(e.last))
		}
		if e.any && t > e.last && e.since >= e.opt.CheckpointRows {
			if err := e.commit(t); err != nil {
				return err
			}
		}
		if t < e.cp.Before {
			e.stats.Skipped++ // written by the run that was killed
			e.last, e.any = t, true
			continue
		}
		if err := e.writeRow(b, r, t); err != nil {
			return err
		}
		e.last, e.any = t, true
	}
	// Values may view the batch's memory, which the scan reuses: the
	// writer copies them now.
	return e.flushRun()
}

// commit completes every open file and records that every event before
// t is written.
func (e *Exporter) commit(t int64) error {
	if err := e.flushRun(); err != nil {
		return err
	}
	if err := e.closeAll(); err != nil {
		return err
	}
	e.cp.Before = t
	e.cp.Rows += e.since
	e.since = 0
	return e.saveCheckpoint()
}

func (e *Exporter) closeAll() error {
	keys := make([]string, 0, len(e.open))
	for k := range e.open {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := e.closeFile(k); err != nil {
			return err
		}
	}
	return nil
}

// partitionDir is the Hive directory of row r.
func (e *Exporter) partitionDir(b *query.Batch, r int, t int64) (string, string) {
	// Rows in a row mostly share their partition: reuse the last one's
	// directory when the keys are equal.
	same := e.lastKey != nil
	for i, p := range e.opt.Partition {
		if !same {
			break
		}
		var v store.Value
		if c := e.pcols[i]; c >= 0 {
			v = b.Cols[c][r]
		}
		if p == "day" {
			ns := t
			if v.K == store.KindTime {
				ns = v.I
			}
			same = ns >= e.dayLo && ns < e.dayLo+int64(24*time.Hour)
		} else {
			same = v == e.lastKey[i]
		}
	}
	if same {
		return e.lastDir, e.lastDay
	}
	e.lastKey = e.lastKey[:0]
	var sb strings.Builder
	day := ""
	for i, p := range e.opt.Partition {
		if i > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(url.PathEscape(p))
		sb.WriteByte('=')
		var v store.Value
		if c := e.pcols[i]; c >= 0 {
			v = b.Cols[c][r]
		}
		if p == "day" {
			ns := t
			if v.K == store.KindTime {
				ns = v.I
			}
			d := time.Unix(0, ns).UTC()
			day = d.Format("2006-01-02")
			e.dayLo = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).UnixNano()
			sb.WriteString(day)
			e.lastKey = append(e.lastKey, store.Null)
			continue
		}
		v.S = strings.Clone(v.S) // kept past the batch
		e.lastKey = append(e.lastKey, v)
		if v.IsNull() || v.String() == "" {
			sb.WriteString(HiveNull)
		} else {
			sb.WriteString(hiveEscape(v.String()))
		}
	}
	e.lastDir, e.lastDay = sb.String(), day
	return e.lastDir, e.lastDay
}

// hiveEscape escapes a partition value as Hive does: %XX for the
// characters a path or the key=value syntax cannot hold.
func hiveEscape(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&sb, "%%%02X", c)
		} else {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

func (e *Exporter) writeRow(b *query.Batch, r int, t int64) error {
	dir, day := e.partitionDir(b, r, t)
	if day != "" && e.day != "" && day != e.day && len(e.open) > 0 && t > e.last {
		// A new day: the files of the last one are complete.
		if err := e.commit(t); err != nil {
			return err
		}
	}
	if day != "" {
		e.day = day
	}
	if e.run.pf == nil || e.run.pf.dir != dir || e.run.b != b || e.run.end != r {
		// The row does not extend the run: write the run, then start one
		// in the row's file (opening it may close another).
		if err := e.flushRun(); err != nil {
			return err
		}
		pf, err := e.file(dir)
		if err != nil {
			return err
		}
		e.run = run{pf: pf, b: b, start: r, end: r}
	}
	pf := e.run.pf
	e.run.end++
	e.tick++
	pf.used = e.tick
	e.since++
	e.stats.Rows++
	return nil
}

// unsafeBytes views s as bytes; the Parquet writer copies what it keeps.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// dictionaryMaxBytes bounds the dictionary of a column in a row group.
const dictionaryMaxBytes = 1 << 20

// writeSlice is how many rows of a column go to the Parquet writer at a
// time: a page is cut only between such writes.
const writeSlice = 1024

// flushRun writes the current run, ending row groups at RowGroupRows.
func (e *Exporter) flushRun() error {
	rn := e.run
	e.run = run{}
	for lo := rn.start; lo < rn.end; {
		hi := min(rn.end, lo+int(e.opt.RowGroupRows-rn.pf.groupRows))
		if err := e.writeColumns(rn.pf, rn.b, lo, hi); err != nil {
			return err
		}
		rn.pf.groupRows += int64(hi - lo)
		lo = hi
		if rn.pf.groupRows >= e.opt.RowGroupRows {
			if err := rn.pf.endGroup(); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeColumns writes rows [lo, hi) of b to pf's row group, each column
// on its own (the columns of a row group are independent: encoding and
// compressing them runs in parallel).
func (e *Exporter) writeColumns(pf *partFile, b *query.Batch, lo, hi int) error {
	cws := pf.w.ColumnWriters()
	if pf.vals == nil {
		pf.vals = make([][]parquet.Value, len(e.cols))
	}
	return forEach(len(e.cols), func(i int) error {
		c := e.cols[i]
		cw := cws[c.index]
		buf := pf.vals[i]
		defer func() { pf.vals[i] = buf[:0] }()
		for r0 := lo; r0 < hi; r0 += writeSlice {
			r1 := min(hi, r0+writeSlice)
			buf = buf[:0]
			if c.batch < 0 {
				for range r1 - r0 {
					buf = append(buf, parquet.NullValue().Level(0, 0, c.index))
				}
			} else {
				var err error
				if buf, err = appendColumn(buf, c, b.Cols[c.batch][r0:r1]); err != nil {
					return fmt.Errorf("event at %s: %w", store.FormatTime(b.Order[r0+len(buf)]), err)
				}
			}
			if _, err := cw.WriteRowValues(buf); err != nil {
				return err
			}
		}
		return nil
	})
}

// endGroup completes the row group being written: the last page of every
// column (in parallel), then the row group.
func (pf *partFile) endGroup() error {
	if pf.groupRows == 0 {
		return nil
	}
	cws := pf.w.ColumnWriters()
	if err := forEach(len(cws), func(i int) error { return cws[i].Flush() }); err != nil {
		return err
	}
	pf.groupRows = 0
	return pf.w.Flush()
}

// forEach runs f(0..n-1) on up to GOMAXPROCS goroutines and returns the
// first error.
func forEach(n int, f func(i int) error) error {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if errs[i] = f(i); errs[i] != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // the first by index, whatever the timing
		}
	}
	return nil
}

// appendColumn appends the Parquet values of a column's values to buf;
// on an error, buf holds the values before the one in error. The values
// of the column's own kind (nearly all) take a loop of their own.
func appendColumn(buf []parquet.Value, c column, vals []store.Value) ([]parquet.Value, error) {
	null := parquet.NullValue().Level(0, 0, c.index)
	for _, v := range vals {
		var pv parquet.Value
		switch {
		case v.K == store.KindNull:
			buf = append(buf, null)
			continue
		case v.K == c.kind && c.kind == store.KindString:
			pv = parquet.ByteArrayValue(unsafeBytes(v.S))
		case v.K == c.kind && (c.kind == store.KindInt || c.kind == store.KindTime):
			pv = parquet.Int64Value(v.I)
		default:
			var err error
			if pv, err = toParquet(c, v); err != nil {
				return buf, err
			}
			buf = append(buf, pv)
			continue
		}
		buf = append(buf, pv.Level(0, 1, c.index))
	}
	return buf, nil
}

// toParquet converts a value to its column's type; a value of another
// kind becomes text in a text column and is an error elsewhere.
func toParquet(c column, v store.Value) (parquet.Value, error) {
	if v.IsNull() {
		return parquet.NullValue().Level(0, 0, c.index), nil
	}
	var pv parquet.Value
	switch c.kind {
	case store.KindInt:
		if v.K != store.KindInt {
			return pv, mismatch(c, v)
		}
		pv = parquet.Int64Value(v.I)
	case store.KindFloat:
		switch v.K {
		case store.KindFloat:
			pv = parquet.DoubleValue(v.F)
		case store.KindInt:
			pv = parquet.DoubleValue(float64(v.I))
		default:
			return pv, mismatch(c, v)
		}
	case store.KindBool:
		if v.K != store.KindBool {
			return pv, mismatch(c, v)
		}
		pv = parquet.BooleanValue(v.I != 0)
	case store.KindTime:
		if v.K != store.KindTime {
			return pv, mismatch(c, v)
		}
		pv = parquet.Int64Value(v.I)
	default:
		s := v.String()
		if v.K == store.KindString {
			s = v.S
		}
		pv = parquet.ByteArrayValue(unsafeBytes(s))
	}
	return pv.Level(0, 1, c.index), nil
}

func mismatch(c column, v store.Value) error {
	return fmt.Errorf("field %q holds a %s (%q) where its column is %s (the store's type of the field); rename the field the query computes (eval %s_2=...)",
		c.name, v.K, v.String(), c.kind, c.name)
}

// file returns the open file of a partition directory, opening one (and
// closing the least recently used when too many are open).
func (e *Exporter) file(dir string) (*partFile, error) {
	if pf := e.open[dir]; pf != nil {
		return pf, nil
	}
	if len(e.open) >= e.opt.MaxOpen {
		oldest, key := int64(-1), ""
		for k, pf := range e.open {
			if oldest < 0 || pf.used < oldest {
				oldest, key = pf.used, k
			}
		}
		if err := e.closeFile(key); err != nil {
			return nil, err
		}
	}
	abs := filepath.Join(e.opt.Dir, filepath.FromSlash(dir))
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	n := e.parts[abs]
	e.parts[abs] = n + 1
	name := fmt.Sprintf("part-%d.parquet", n)
	pf := &partFile{dir: dir, final: filepath.Join(abs, name), tmp: filepath.Join(abs, "."+name+".tmp")}
	f, err := os.Create(pf.tmp)
	if err != nil {
		return nil, err
	}
	pf.f = f
	pf.w = parquet.NewWriter(f, e.schema,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.MaxRowsPerRowGroup(e.opt.RowGroupRows),
		parquet.DictionaryMaxBytes(dictionaryMaxBytes),
		// _raw's bounds say nothing a reader can prune by, and finding
		// them compares every line.
		parquet.SkipPageBounds("_raw"), parquet.SkipPageStatistics("_raw"),
		parquet.CreatedBy("loghunt", "", ""))
	e.open[dir] = pf
	return pf, nil
}

// closeFile completes a file: footer, sync, then the rename to its final
// name.
func (e *Exporter) closeFile(key string) error {
	pf := e.open[key]
	delete(e.open, key)
	if e.run.pf == pf {
		if err := e.flushRun(); err != nil {
			return err
		}
	}
	err := pf.endGroup()
	if err == nil {
		err = pf.w.Close()
	}
	if err == nil {
		err = pf.f.Sync()
	}
	if cerr := pf.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(pf.tmp, pf.final)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", pf.final, err)
	}
	if st, err := os.Stat(pf.final); err == nil {
		e.stats.Bytes += st.Size()
	}
	rel, _ := filepath.Rel(e.opt.Dir, pf.final)
	e.cp.Files = append(e.cp.Files, filepath.ToSlash(rel))
	e.stats.Files++
	return nil
}

// Close completes the export: every file, then the checkpoint marked
// done.
func (e *Exporter) Close() (Stats, error) {
	if err := e.closeAll(); err != nil {
		return e.stats, err
	}
	e.cp.Done = true
	e.cp.Rows += e.since
	e.since = 0
	return e.stats, e.saveCheckpoint()
}

// Abort closes the open files without completing them (their temporary
// files are removed by the next run).
func (e *Exporter) Abort() {
	e.run = run{}
	for k, pf := range e.open {
		pf.f.Close()
		os.Remove(pf.tmp)
		delete(e.open, k)
	}
}
