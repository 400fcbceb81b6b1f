package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// openTest opens a new store in a temporary directory and checks its
// invariants when the test ends.
func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "test.db"), OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("Check: %v", err)
		}
		db.Close()
	})
	return db
}

type row struct {
	time   int64
	raw    string
	source string
	fields []Field
}

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "zulu42"}

func randomRows(r *rand.Rand, n int, source string) []row {
	out := make([]row, n)
	for i := range out {
		t := int64(r.IntN(1000)) * 1e9
		w1, w2 := words[r.IntN(len(words)-1)], words[r.IntN(len(words)-1)]
		if r.IntN(500) == 0 {
			w2 = "zulu42" // a rare word
		}
		var fs []Field
		fs = append(fs, Field{"status", Int(int64(200 + 100*r.IntN(4)))})
		if r.IntN(3) > 0 {
			fs = append(fs, Field{"user", Str(words[r.IntN(4)])})
		}
		switch r.IntN(4) {
		case 0:
			fs = append(fs, Field{"mixed", Float(r.Float64())})
		case 1:
			fs = append(fs, Field{"mixed", Str(fmt.Sprint(i))})
		case 2:
			fs = append(fs, Field{"mixed", Bool(i%2 == 0)})
		}
		fs = append(fs, Field{"bytes", Int(r.Int64N(1 << 40))})
		out[i] = row{t, fmt.Sprintf("%d %s %s line %d", t, w1, w2, i), source, fs}
	}
	return out
}

// writeRows stores rows of one source in chunks of size per.
func writeRows(t *testing.T, db *DB, rows []row, per int) {
	t.Helper()
	src := rows[0].source
	b := NewChunkBuilder(src, "test", "key:"+src)
	err := db.Write(func(w *WriteTx) error {
		s, err := w.Source("key:" + src)
		if err != nil {
			return err
		}
		if s == nil {
			s = &Source{Key: "key:" + src, Name: src}
		}
		for i := 0; i < len(rows); i += per {
			for _, r := range rows[i:min(i+per, len(rows))] {
				b.Add(&Event{Time: r.time, Raw: r.raw, Fields: r.fields})
			}
			c := b.Encode()
			if err := w.PutChunk(c); err != nil {
				return err
			}
			s.Events += int64(c.Rows)
			w.AddBuiltinFields(int64(c.Rows), src, "test")
		}
		return w.PutSource(s)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type scanned struct {
	time int64
	raw  string
	vals []Value
}

func scanAll(t *testing.T, db *DB, spec ScanSpec, cols []string) []scanned {
	t.Helper()
	var out []scanned
	_, err := db.Scan(context.Background(), spec, func(c *Chunk) (any, error) {
		ts, err := c.Times()
		if err != nil {
			return nil, err
		}
		raws, err := c.Values(ColRaw)
		if err != nil {
			return nil, err
		}
		var colVals [][]Value
		for _, name := range cols {
			v, err := c.Values(name)
			if err != nil {
				return nil, err
			}
			colVals = append(colVals, v)
		}
		var rs []scanned
		for i := range ts {
			s := scanned{time: ts[i], raw: raws[i].S}
			for _, cv := range colVals {
				s.vals = append(s.vals, cv[i])
			}
			rs = append(rs, s)
		}
		return rs, nil
	}, func(c *Chunk, v any) error {
		out = append(out, v.([]scanned)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func key(s scanned) string { return fmt.Sprint(s.time, s.raw, s.vals) }

// TestScanModel checks the indexed scan against a brute-force filter of
// the same events, over random time ranges and token filters.
func TestScanModel(t *testing.T) {
	db := openTest(t)
	r := rand.New(rand.NewPCG(1, 2))
	var all []row
	for s := 0; s < 3; s++ {
		rows := randomRows(r, 3000, fmt.Sprintf("src%d", s))
		// Source 0 is in time order, so its chunks cover disjoint ranges.
		if s == 0 {
			slices.SortStableFunc(rows, func(a, b row) int { return int(a.time - b.time) })
		}
		writeRows(t, db, rows, 500+s*300)
		all = append(all, rows...)
	}
	cols := []string{"status", "user", "mixed", "bytes", "source", "absent"}
	for trial := 0; trial < 60; trial++ {
		spec := AllTime
		if trial > 0 {
			a, b := int64(r.IntN(1100))*1e9-50e9, int64(r.IntN(1100))*1e9
			spec.Start, spec.End = min(a, b), max(a, b)
		}
		var tok string
		if trial%3 == 0 {
			tok = words[r.IntN(len(words))]
			spec.Filter = Word(tok)
		}
		got := scanAll(t, db, spec, cols)
		var want []string
		for _, rw := range all {
			if rw.time < spec.Start || rw.time > spec.End {
				continue
			}
			if tok != "" && !strings.Contains(" "+rw.raw+" ", " "+tok+" ") {
				continue
			}
			ev := &Event{Fields: rw.fields}
			vals := []Value{ev.Get("status"), ev.Get("user"), ev.Get("mixed"), ev.Get("bytes"), Str(rw.source), Null}
			want = append(want, key(scanned{rw.time, rw.raw, vals}))
		}
		var gotKeys []string
		for _, g := range got {
			if g.time < spec.Start || g.time > spec.End {
				continue // chunks come whole: rows outside the range are the caller's to drop
			}
			if tok != "" && !strings.Contains(" "+g.raw+" ", " "+tok+" ") {
				continue // the token filter passes a superset
			}
			gotKeys = append(gotKeys, key(g))
		}
		slices.Sort(gotKeys)
		slices.Sort(want)
		if !slices.Equal(gotKeys, want) {
			t.Fatalf("trial %d spec %+v: got %d rows, want %d", trial, spec, len(gotKeys), len(want))
		}
	}
}

func TestScanSkipsByTokenAndTime(t *testing.T) {
	db := openTest(t)
	var rows []row
	for i := 0; i < 10000; i++ {
		raw := fmt.Sprintf("event %d common words", i)
		if i == 7777 {
			raw += " needle"
		}
		rows = append(rows, row{int64(i) * 1e9, raw, "s", nil})
	}
	writeRows(t, db, rows, 1000)
	var n int
	st, err := db.Scan(context.Background(), ScanSpec{Start: math.MinInt64, End: math.MaxInt64, Filter: Word("NEEDLE")},
		func(c *Chunk) (any, error) { return c.Rows, nil },
		func(c *Chunk, v any) error { n += v.(int); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunksRead != 1 || st.SkippedTokens != 9 || n != 1000 {
		t.Errorf("token scan: %+v rows %d, want 1 chunk read and 9 skipped", st, n)
	}
	st, err = db.Scan(context.Background(), ScanSpec{Start: 2500e9, End: 3499e9},
		func(c *Chunk) (any, error) { return nil, nil }, func(*Chunk, any) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunksRead != 2 || st.ChunksTotal != 10 {
		t.Errorf("time scan: %+v, want 2 of 10 chunks read", st)
	}
}

// TestScanAfterID: LastChunkID grows with every chunk stored, and a scan
// with AfterID reads exactly the chunks stored after it (whatever their
// times: the later write holds older events).
func TestScanAfterID(t *testing.T) {
	db := openTest(t)
	if id, err := db.LastChunkID(); err != nil || id != 0 {
		t.Fatalf("empty store: last id %d, %v", id, err)
	}
	var first, second []row
	for i := range 3000 {
		first = append(first, row{int64(i+5000) * 1e9, fmt.Sprintf("first %d", i), "s", nil})
		second = append(second, row{int64(i) * 1e9, fmt.Sprintf("second %d", i), "s", nil})
	}
	writeRows(t, db, first, 1000)
	mid, err := db.LastChunkID()
	if err != nil || mid < 3 {
		t.Fatalf("after 3 chunks: last id %d, %v", mid, err)
	}
	writeRows(t, db, second, 1000)
	last, _ := db.LastChunkID()
	count := func(after uint64) (rows int, ids []uint64) {
		_, err := db.Scan(context.Background(), ScanSpec{Start: math.MinInt64, End: math.MaxInt64, AfterID: after},
			func(c *Chunk) (any, error) {
				raws, err := c.Values(ColRaw)
				if err != nil {
					return nil, err
				}
				for _, r := range raws {
					if (c.ID > mid) != strings.HasPrefix(r.String(), "second") {
						return nil, fmt.Errorf("chunk %d (after %d) holds %q", c.ID, mid, r.String())
					}
				}
				return c.ID, nil
			},
			func(c *Chunk, v any) error { rows += c.Rows; ids = append(ids, v.(uint64)); return nil })
		if err != nil {
			t.Fatal(err)
		}
		return rows, ids
	}
	if n, _ := count(0); n != 6000 {
		t.Errorf("AfterID 0: %d rows, want 6000", n)
	}
	n, ids := count(mid)
	if n != 3000 {
		t.Errorf("AfterID %d: %d rows, want the 3000 of the second write", mid, n)
	}
	for _, id := range ids {
		if id <= mid || id > last {
			t.Errorf("chunk %d read, outside (%d, %d]", id, mid, last)
		}
	}
	if n, _ := count(last); n != 0 {
		t.Errorf("AfterID last: %d rows", n)
	}
}

func TestScanCancel(t *testing.T) {
	db := openTest(t)
	writeRows(t, db, randomRows(rand.New(rand.NewPCG(3, 4)), 5000, "s"), 100)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := db.Scan(ctx, AllTime, func(c *Chunk) (any, error) { return nil, nil }, func(*Chunk, any) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestColumnRoundTrip(t *testing.T) {
	cases := map[string][]Value{
		"strings":  {Str("a"), Null, Str(""), Str("héllo\x00\xff")},
		"dict":     slices.Repeat([]Value{Str("x"), Str("y"), Null}, 100),
		"ints":     {Int(5), Int(-3), Null, Int(math.MaxInt64), Int(math.MinInt64)},
		"intdict":  slices.Repeat([]Value{Int(200), Int(404)}, 100),
		"mixed":    {Int(1), Float(2.5), Str("s"), Bool(true), Time(123), Null, Float(math.NaN())},
		"allnull":  {Null, Null},
		"fixed2":   randomInts(5000, 0, 60000, false),
		"fixed3":   randomInts(3000, -1_000_000, 5_000_000, true),
		"fixed7":   randomInts(2000, -(1 << 54), 1<<54, true),
		"floatbig": {Float(1), Float(2), Float(3), Float(4), Float(5), Float(6), Float(7), Float(8), Float(9), Float(10), Float(11), Float(12), Float(13), Float(14), Float(15), Float(16), Float(17), Float(18), Float(19), Float(20), Float(21)},
	}
	var d dictBuilder
	for name, vals := range cases {
		var kinds uint8
		for _, v := range vals {
			kinds |= 1 << v.K
		}
		b, enc := encodeColumn(nil, vals, kinds, &d)
		var got []Value
		var err error
		switch enc {
		case encStrings:
			got, err = decodeStrings(b, len(vals))
		case encInts:
			got, err = decodeInts(b, len(vals))
		case encMixed:
			got, err = decodeMixed(b, len(vals))
		case encDict:
			var dd *Dict
			dd, err = decodeDict(b, len(vals))
			if err == nil {
				got = dd.expand()
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.HasPrefix(name, "fixed") && (enc != encInts || b[0]&intsFixed == 0) {
			t.Errorf("%s: encoding %d flags %d, want fixed-width ints", name, enc, b[0])
		}
		for i := range vals {
			if vals[i] != got[i] && !(math.IsNaN(vals[i].F) && math.IsNaN(got[i].F)) {
				t.Errorf("%s[%d]: got %#v want %#v (enc %d)", name, i, got[i], vals[i], enc)
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := Open(missing, OpenOptions{}); !errors.Is(err, ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing: %v", err)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database\n", 1000)), 0o600)
	if _, err := Open(junk, OpenOptions{}); !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), junk) {
		t.Errorf("junk: %v", err)
	}
	created := filepath.Join(dir, "new.db")
	db, err := Open(created, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(created)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A second writer waits, says so, and gives up naming the file.
	waited := false
	_, err = Open(created, OpenOptions{Wait: 300e6, OnWait: func() { waited = true }})
	if !errors.Is(err, ErrLocked) || !waited || !strings.Contains(err.Error(), created) {
		t.Errorf("locked: %v waited=%v", err, waited)
	}
	db.Close()
}

func TestTokens(t *testing.T) {
	var got []string
	Tokens("Failed password for root from 203.0.113.5 port=22 wp-login.php héllo", func(s string) { got = append(got, s) })
	want := []string{"Failed", "password", "for", "root", "from", "203", "0", "113", "5", "port", "22", "wp", "login", "php", "héllo"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
	if TokenHash("ROOT") != TokenHash("root") {
		t.Error("hash is case-sensitive")
	}
}

// randomInts returns n ints in [lo, hi), every tenth null when nulls.
func randomInts(n int, lo, hi int64, nulls bool) []Value {
	r := rand.New(rand.NewPCG(uint64(n), uint64(hi)))
	out := make([]Value, n)
	for i := range out {
		if nulls && i%10 == 3 {
			continue
		}
		out[i] = Int(lo + r.Int64N(hi-lo))
	}
	return out
}

// TestTokenFilterFieldSpans: fields that are pieces of _raw (as parsers
// make them) have their tokens hashed once per block; every token of
// every row must still pass its block's filter, also where a field value
// is only part of a token of _raw ("bob" in "userbob").
func TestTokenFilterFieldSpans(t *testing.T) {
	db := openTest(t)
	r := rand.New(rand.NewPCG(9, 9))
	agents := []string{"Mozilla/5.0 (X11; Linux)", "curl/8.1", "Go-http-client/1.1"}
	var rows []row
	for i := range 2500 {
		raw := fmt.Sprintf("10.0.%d.%d user%s \"%s\" tail%d=%s", r.IntN(4), r.IntN(9), words[r.IntN(4)],
			agents[r.IntN(3)], i, words[r.IntN(len(words)-1)])
		ip := raw[:strings.IndexByte(raw, ' ')]
		u0 := strings.Index(raw, "user") + 4 // inside the token "user<word>"
		u1 := strings.IndexByte(raw[u0:], ' ') + u0
		a0 := strings.IndexByte(raw, '"') + 1
		a1 := strings.IndexByte(raw[a0:], '"') + a0
		v := raw[strings.LastIndexByte(raw, '=')+1:]
		rows = append(rows, row{int64(i) * 1e9, raw, "s", []Field{
			{"ip", Str(ip)}, {"user", Str(raw[u0:u1])}, {"agent", Str(raw[a0:a1])}, {"v", Str(v)}, {"ua_tail", Str(raw[a1-3 : a1])}}})
	}
	writeRows(t, db, rows, 2500)
	_, err := db.Scan(context.Background(), ScanSpec{Start: math.MinInt64, End: math.MaxInt64}, func(c *Chunk) (any, error) {
		for i, rw := range rows {
			var toks []string
			Tokens(rw.raw, func(s string) { toks = append(toks, strings.ToLower(s)) })
			for _, tok := range toks {
				cand, err := c.rawCandidates([]string{tok})
				if err != nil {
					return nil, err
				}
				if !cand[i] {
					return nil, fmt.Errorf("row %d %q: token %q ruled out", i, rw.raw, tok)
				}
			}
		}
		return nil, nil
	}, func(*Chunk, any) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuilderColumnModes: columns built as codes or ints turn into Values
// when a value of another kind comes, with leading and trailing nulls,
// and every value reads back.
func TestBuilderColumnModes(t *testing.T) {
	db := openTest(t)
	var rows []row
	for i := range 3000 {
		var fs []Field
		switch {
		case i < 10: // nulls first
		case i < 2000:
			fs = append(fs, Field{"x", Int(int64(i % 7))}, Field{"y", Int(int64(i) * 1000)}, Field{"s", Str(fmt.Sprint("v", i%3))})
		case i == 2000:
			fs = append(fs, Field{"x", Str("text")}, Field{"y", Float(1.5)}, Field{"s", Int(5)})
		default:
			if i%3 == 0 {
				fs = append(fs, Field{"x", Int(-int64(i))}, Field{"y", Null})
			}
		}
		rows = append(rows, row{int64(i) * 1e9, fmt.Sprint("line ", i), "s", fs})
	}
	writeRows(t, db, rows, 3000)
	got := scanAll(t, db, ScanSpec{Start: math.MinInt64, End: math.MaxInt64}, []string{"x", "y", "s"})
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i, g := range got {
		for j, name := range []string{"x", "y", "s"} {
			want := Null
			for _, f := range rows[i].fields {
				if f.Name == name {
					want = f.Value
				}
			}
			if g.vals[j] != want {
				t.Fatalf("row %d %s = %#v, want %#v", i, name, g.vals[j], want)
			}
		}
	}
}

// TestTimesRoundTrip decodes time deltas of one byte (the fast path, both
// signs) and of many, and the lengths of strings short and long.
func TestTimesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	ts := make([]int64, 5000)
	for i := range ts {
		prev := int64(0)
		if i > 0 {
			prev = ts[i-1]
		}
		switch r.IntN(4) {
		case 0:
			ts[i] = prev + int64(r.IntN(127)) - 63 // one byte
		case 1:
			ts[i] = prev - int64(r.IntN(1<<40))
		default:
			ts[i] = prev + int64(r.IntN(1<<40))
		}
	}
	got, err := appendTimes([]int64{42}, encodeTimes(nil, ts), len(ts))
	if err != nil || got[0] != 42 || !slices.Equal(got[1:], ts) {
		t.Fatalf("times round trip: err %v, equal %v", err, err == nil && slices.Equal(got[1:], ts))
	}
	if _, err := appendTimes(nil, encodeTimes(nil, ts)[:100], len(ts)); err == nil {
		t.Fatal("truncated times decoded without error")
	}
	vals := make([]Value, 300)
	for i := range vals {
		vals[i] = Str(strings.Repeat("x", r.IntN(300)))
		if i%7 == 0 {
			vals[i] = Null
		}
	}
	enc := encodeStrings(nil, vals)
	ends := make([]uint32, len(vals))
	start, err := stringEnds(enc, 1000, ends)
	if err != nil {
		t.Fatal(err)
	}
	prev := uint32(start)
	for i, e := range ends {
		if got := string(enc[prev-1000 : e-1000]); got != vals[i].S {
			t.Fatalf("row %d: %d bytes, want %d", i, len(got), len(vals[i].S))
		}
		prev = e
	}
	if _, err := stringEnds(enc[:len(enc)-1], 0, ends); err == nil {
		t.Fatal("short strings decoded without error")
	}
}

// webRows makes web-log-like rows whose fields are pieces of the line, as
// a parser's are: the address and the agent long enough to be cut out of
// _raw. Some rows have fields that are copies (not pieces), fields that
// overlap, a missing agent, odd bytes, or nothing at all.
func webRows(r *rand.Rand, n int) []row {
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/121.0", "curl/8.1.2", "Go-http-client/1.1 \x00\xff"}
	out := make([]row, n)
	for i := range out {
		ip := fmt.Sprintf("10.%d.%d.%d", r.IntN(3), r.IntN(4), 100+r.IntN(20))
		agent := agents[r.IntN(len(agents))]
		raw := fmt.Sprintf("%s - - [%d] \"GET /%s HTTP/1.1\" 200 %d \"%s\"", ip, i, words[r.IntN(len(words))], r.IntN(9999), agent)
		a0 := strings.LastIndexByte(raw[:len(raw)-1], '"') + 1
		fs := []Field{{"ip", Str(raw[:len(ip)])}, {"agent", Str(raw[a0 : len(raw)-1])}, {"path", Str(raw[strings.IndexByte(raw, '/'):strings.Index(raw, " HTTP")])},
			{"product", Str(raw[a0 : a0+10])}} // overlaps the agent
		switch r.IntN(12) {
		case 0: // a copy of the address, not a piece of the line
			fs[0].Value = Str(strings.Clone(ip))
		case 1: // the agent's end as a field of its own: overlaps the agent
			fs = append(fs, Field{"tail", Str(raw[len(raw)-5 : len(raw)-1])})
		case 2:
			fs = fs[:1] // no agent
		case 3:
			raw, fs = "", nil
		case 4: // the address twice in the line; the field is the second
			raw = ip + " " + raw
			fs[0].Value = Str(raw[len(ip)+1 : 2*len(ip)+1])
			fs = fs[:1]
		}
		out[i] = row{int64(i) * 1e9, raw, "web", fs}
	}
	return out
}

// TestRawCutRoundTrip: fields cut out of _raw come back in place, byte
// for byte, through every way of reading _raw, with rows where they are
// copies, overlap, are missing or repeat elsewhere in the line.
func TestRawCutRoundTrip(t *testing.T) {
	db := openTest(t)
	r := rand.New(rand.NewPCG(11, 11))
	rows := webRows(r, 5000)
	writeRows(t, db, rows, 2500)
	n := 0
	_, err := db.Scan(context.Background(), AllTime, func(c *Chunk) (any, error) {
		if ci := c.Column(ColRaw); ci.Enc != encRawCut {
			return nil, fmt.Errorf("chunk %d: _raw encoding %d, want the cut one", c.ID, ci.Enc)
		}
		d, err := c.rawDir()
		if err != nil {
			return nil, err
		}
		if !slices.Contains(d.cuts, "ip") || !slices.Contains(d.cuts, "agent") || !slices.Contains(d.cuts, "product") || slices.Contains(d.cuts, "tail") {
			return nil, fmt.Errorf("chunk %d: cut %v", c.ID, d.cuts)
		}
		vals, err := c.rawValues(nil)
		if err != nil {
			return nil, err
		}
		var arena []byte
		start := 0
		for b := range d.blocks {
			ends := make([]uint32, d.blocks[b].nrows)
			var begin int
			if arena, begin, err = c.rawBlockAppend(b, arena, ends); err != nil {
				return nil, err
			}
			start = begin
			for i, e := range ends {
				row := d.blocks[b].first + i
				if got := string(arena[start:e]); got != vals[row].S {
					return nil, fmt.Errorf("chunk %d row %d: block text %q, values %q", c.ID, row, got, vals[row].S)
				}
				start = int(e)
			}
		}
		return vals, nil
	}, func(c *Chunk, v any) error {
		for _, val := range v.([]Value) {
			if val.S != rows[n].raw {
				return fmt.Errorf("row %d: %q, want %q", n, val.S, rows[n].raw)
			}
			n++
		}
		return nil
	})
	if err != nil || n != len(rows) {
		t.Fatalf("%v (%d rows of %d)", err, n, len(rows))
	}
}
