package refeval

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// TestDifferential runs random queries on the engine and on refeval over
// stores of real logs (when ../shared/datasets is there) and of generated
// events, and wants the same rows from both. LOGHUNT_DIFF_N sets the
// number of queries (default 300, a few seconds, 100 with -short; the long run is 100000:
// go test ./query/... -run Differential -count=1 -timeout 1h), and
// LOGHUNT_DIFF_SEED the seed (default: the time). A mismatch is reported
// with the shortest prefix of the query's pipeline that still mismatches.
func TestDifferential(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 100 // CI's run under the race detector
	}
	if s := os.Getenv("LOGHUNT_DIFF_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("LOGHUNT_DIFF_N=%q: %v", s, err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LOGHUNT_DIFF_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("LOGHUNT_DIFF_SEED=%q: %v", s, err)
		}
	}
	t.Logf("LOGHUNT_DIFF_SEED=%d LOGHUNT_DIFF_N=%d", seed, n)
	rnd := rand.New(rand.NewPCG(seed, 12))
	names := []string{"gen", "auth", "web", "zeek"}
	// Stores are rebuilt now and then in a long run, from other slices
	// of the logs and other generated events.
	perStore := max(50, n/len(names)/max(1, n/20000))
	done, failed := 0, 0
	start := time.Now()
	for done < n && failed < 10 {
		for _, name := range names {
			if done >= n || failed >= 10 {
				break
			}
			d := newDiffer(t, name, rnd)
			if d == nil {
				continue
			}
			k := min(perStore, n-done)
			// The scan's workers, and their tables, by the store.
			procs := runtime.GOMAXPROCS(1 + rnd.IntN(4))
			f := d.run(k)
			runtime.GOMAXPROCS(procs)
			closeStore(t, d.db)
			done += k
			failed += f
			if n >= 1000 {
				t.Logf("%d queries, %d mismatches, %s", done, failed, time.Since(start).Round(time.Second))
			}
		}
	}
	t.Logf("%d queries in %s, %d mismatches", done, time.Since(start).Round(time.Millisecond), failed)
}

// differ runs queries on one store.
type differ struct {
	t      *testing.T
	name   string
	db     *store.DB
	events []Row
	gen    *gen
	// stats
	parseErrors, bothErrors, limits, rows int
	decomposed                            int // queries with method=decompose whose rows were compared
}

func newDiffer(t *testing.T, name string, rnd *rand.Rand) *differ {
	var db *store.DB
	if name == "gen" {
		db = genStore(t, rnd)
	} else if db = realStore(t, name, rnd); db == nil {
		return nil
	}
	events, err := Load(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	lookup := writeLookup(t, events, rnd)
	return &differ{t: t, name: name, db: db, events: events,
		gen: &gen{r: rnd, c: newCorpus(events, lookup, rnd)}}
}

// writeLookup writes a CSV keyed by values of user, ip and status: types
// of every kind, empty cells, a repeated key (the first row wins), keys
// in another case.
func writeLookup(t *testing.T, events []Row, rnd *rand.Rand) string {
	keys := map[string]bool{}
	var lines []string
	for _, e := range events {
		for _, f := range []string{"user", "ip", "status", "src_ip", "clientip", "host", "method"} {
			v := e.Get(f)
			if v.K == store.KindNull || keys[v.String()] || rnd.IntN(3) == 0 || strings.ContainsAny(v.String(), "\"\n\r") {
				continue
			}
			keys[v.String()] = true
			key := v.String()
			if rnd.IntN(8) == 0 {
				key = strings.ToUpper(key)
			}
			risk := []string{"1", "10", "007", "2.5", "", "high", "-3", "1e3"}[rnd.IntN(8)]
			lines = append(lines, fmt.Sprintf("%q,%s,%s,%s,%s", key, risk, []string{"ops", "", "sec team"}[rnd.IntN(3)],
				[]string{"a", "b", ""}[rnd.IntN(3)], []string{"", "404", "x"}[rnd.IntN(3)]))
			if rnd.IntN(10) == 0 {
				lines = append(lines, fmt.Sprintf("%q,99,dup,dup,dup", key))
			}
		}
		if len(lines) > 60 {
			break
		}
	}
	path := filepath.Join(t.TempDir(), "intel.csv")
	text := "key,risk,owner,note,status\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs n random queries and returns the number of mismatches.
func (d *differ) run(n int) int {
	failed := 0
	var trace *os.File
	if p := os.Getenv("LOGHUNT_DIFF_TRACE"); p != "" {
		var err error
		if trace, err = os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
			d.t.Fatal(err)
		}
		defer trace.Close()
	}
	for i := 0; i < n; i++ {
		q := d.gen.query()
		if trace != nil {
			fmt.Fprintf(trace, "%s\t%s\n", d.name, q)
		}
		start := time.Now()
		msg := d.check(q)
		if took := time.Since(start); trace != nil && took > time.Second {
			fmt.Fprintf(trace, "slow\t%s\t%s\n", took.Round(time.Millisecond), q)
		}
		if msg == "" {
			continue
		}
		failed++
		short := d.shrink(q)
		if m := d.check(strings.SplitN(short, "\n", 2)[0]); m != "" {
			msg = m
		}
		d.t.Errorf("store %s: %s\n%s", d.name, short, msg)
		if failed >= 5 {
			break
		}
	}
	d.t.Logf("store %s (%d events): %d queries, %d parse errors, %d both errors, %d over a limit, %d rows compared (%d queries with method=decompose)",
		d.name, len(d.events), n, d.parseErrors, d.bothErrors, d.limits, d.rows, d.decomposed)
	return failed
}

// shrink returns the shortest prefix of q's stages that still mismatches,
// then without each middle stage that it can do without.
func (d *differ) shrink(q string) string {
	stages := splitStages(q)
	for k := 1; k < len(stages); k++ {
		if p := strings.Join(stages[:k], " | "); d.check(p) != "" {
			stages = stages[:k]
			break
		}
	}
	for i := len(stages) - 2; i >= 1; i-- {
		try := slices.Delete(slices.Clone(stages), i, i+1)
		if d.check(strings.Join(try, " | ")) != "" {
			stages = try
		}
	}
	short := strings.Join(stages, " | ")
	if short != q {
		return fmt.Sprintf("%s\n(from %s)", short, q)
	}
	return q
}

// splitStages splits a query at the | outside quotes.
func splitStages(q string) []string {
	var out []string
	start, quote := 0, byte(0)
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\'' || c == '`'):
			quote = c
		case quote == 0 && c == '|':
			out = append(out, strings.TrimSpace(q[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(q[start:]))
}

// check runs q on both and describes how their answers differ ("" when
// they agree).
func (d *differ) check(q string) (msg string) {
	if strings.HasPrefix(q, " | ") || q == "" {
		q = "*" + q
	}
	pq, err := query.Parse(q)
	if err != nil {
		d.parseErrors++
		if os.Getenv("LOGHUNT_DIFF_SHOWPARSE") != "" { // to see what the generator writes wrong
			d.t.Logf("parse error: %v", err)
		}
		if d.parseErrors > 2 && d.parseErrors*10 > d.rows+10 {
			return fmt.Sprintf("the generator wrote a query that does not parse: %v", err)
		}
		return ""
	}
	// One query in ten also narrows the time as --earliest and --latest do.
	var opt Options
	h := fnv.New32a()
	h.Write([]byte(q))
	switch h.Sum32() % 20 {
	case 0:
		opt.Earliest = "-30m"
	case 1:
		opt.Latest = "-1h@h"
	}
	got, gerr := runEngine(d.db, pq, opt)
	pq2, _ := query.Parse(q) // refeval gets an AST of its own
	want, werr := func() (rows []Row, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("refeval panic: %v\n%s", p, debug.Stack())
			}
		}()
		return Eval(pq2, d.events, opt)
	}()
	switch {
	case errors.Is(gerr, query.ErrLimit) || errors.Is(werr, ErrLimit):
		d.limits++ // the engine's memory bounds are not the language's
		return ""
	case gerr != nil && werr != nil:
		d.bothErrors++
		return ""
	case gerr != nil:
		return fmt.Sprintf("engine error: %v", gerr)
	case werr != nil:
		return fmt.Sprintf("refeval error: %v (the engine gave %d rows)", werr, len(got))
	}
	d.rows += len(want)
	if strings.Contains(q, "method=decompose") && len(want) > 0 {
		d.decomposed++
	}
	return diffRows(got, want)
}

// runEngine runs a parsed query on the engine and returns its rows.
func runEngine(db *store.DB, pq *query.Query, opt Options) (rows []Row, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("engine panic: %v\n%s", p, debug.Stack())
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = query.Run(ctx, db, pq, query.Options{Earliest: opt.Earliest, Latest: opt.Latest}, func(b *query.Batch) error {
		for r := 0; r < b.Len; r++ {
			row := Row{}
			for i, f := range b.Fields {
				row.Set(f, b.Cols[i][r])
			}
			rows = append(rows, row)
		}
		return nil
	})
	return rows, err
}

// diffRows describes the first difference of two row lists.
func diffRows(got, want []Row) string {
	for i := 0; i < min(len(got), len(want)); i++ {
		if d := diffRow(got[i], want[i]); d != "" {
			return fmt.Sprintf("row %d of %d (refeval %d): %s\nengine:  %s\nrefeval: %s", i, len(got), len(want), d,
				showRow(got[i]), showRow(want[i]))
		}
	}
	if len(got) != len(want) {
		extra := "engine has"
		var row Row
		if len(got) > len(want) {
			row = got[len(want)]
		} else {
			extra, row = "refeval has", want[len(got)]
		}
		return fmt.Sprintf("engine %d rows, refeval %d; %s also %s", len(got), len(want), extra, showRow(row))
	}
	return ""
}

func diffRow(got, want Row) string {
	for _, k := range unionKeys(got, want) {
		if !sameValue(got.Get(k), want.Get(k)) {
			return fmt.Sprintf("field %s: engine %s, refeval %s", k, showValue(got.Get(k)), showValue(want.Get(k)))
		}
	}
	return ""
}

func unionKeys(a, b Row) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// sameValue compares values as a user sees them: by their text; numbers
// of which one is a float within a relative 1e-9 (means, variances and
// percentiles may round differently in their last bits); a refeval text
// that starts with PrefixMark stands for any text that starts with the
// rest.
func sameValue(got, want store.Value) bool {
	if want.K == store.KindString && strings.HasPrefix(want.S, PrefixMark) {
		return got.K == store.KindString && strings.HasPrefix(got.S, want.S[len(PrefixMark):])
	}
	if got.K == store.KindNull || want.K == store.KindNull {
		return got.K == want.K
	}
	if a, ok := query.SparklineValues(got); ok {
		b, ok := query.SparklineValues(want)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a { // each bucket as a number, within the tolerance of floats
			x, y := store.Str(a[i]), store.Str(b[i])
			if fx, err := strconv.ParseFloat(a[i], 64); err == nil {
				x = store.Float(fx)
			}
			if fy, err := strconv.ParseFloat(b[i], 64); err == nil {
				y = store.Float(fy)
			}
			if !sameValue(x, y) {
				return false
			}
		}
		return true
	}
	if got.String() == want.String() {
		return true
	}
	if got.K == store.KindFloat || want.K == store.KindFloat {
		x, okx := asFloat(got)
		y, oky := asFloat(want)
		if okx && oky && (got.K == store.KindFloat || got.K == store.KindInt) && (want.K == store.KindFloat || want.K == store.KindInt) {
			return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
		}
	}
	return false
}

func showValue(v store.Value) string {
	if v.K == store.KindNull {
		return "null"
	}
	s := v.String()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return v.K.String() + " " + strconv.Quote(s)
}

func showRow(r Row) string {
	var parts []string
	for _, k := range unionKeys(r, nil) {
		if k == store.ColRaw {
			continue
		}
		parts = append(parts, k+"="+showValue(r[k]))
	}
	s := strings.Join(parts, " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
