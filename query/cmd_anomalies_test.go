package query

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"loghunt/store"
)

// memModels is a ModelStore in memory that counts its writes.
type memModels struct {
	blobs map[string][]byte
	puts  int
}

func newMemModels() *memModels { return &memModels{blobs: map[string][]byte{}} }

func (m *memModels) PutModel(name string, blob []byte) error {
	m.puts++
	m.blobs[name] = slices.Clone(blob)
	return nil
}

func (m *memModels) Model(name string) ([]byte, bool, error) {
	b, ok := m.blobs[name]
	return b, ok, nil
}

func (m *memModels) Models() ([]string, [][]byte, error) {
	var names []string
	for n := range m.blobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil, nil
}

// collectOp gathers what reaches it into one batch.
type collectOp struct{ rows rowBuffer }

func (c *collectOp) push(b *Batch) error { return c.rows.add(b, math.MaxInt, "test") }
func (c *collectOp) finish() error       { return nil }

// runAnomalies runs the stage `| anomalies args` on the rows of in, pushed
// in batches of 1000, and returns its output.
func runAnomalies(t testing.TB, args string, in *Batch, ms ModelStore) (*Batch, error) {
	t.Helper()
	return runAnomaliesOpt(t, args, in, &Options{Models: ms})
}

func runAnomaliesOpt(t testing.TB, args string, in *Batch, opt *Options) (*Batch, error) {
	t.Helper()
	q, err := Parse("| anomalies " + args)
	if err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	out := &collectOp{}
	opt.MaxRows = DefaultMaxRows
	op, err := q.Stages[1].(*AnomaliesCmd).operator(&plan{opt: opt}, out)
	if err != nil {
		return nil, err
	}
	for i := 0; i < in.Len; i += 1000 {
		if err := op.push(in.Slice(i, min(i+1000, in.Len))); err != nil {
			return nil, err
		}
	}
	if err := op.finish(); err != nil {
		return nil, err
	}
	return out.rows.batch(), nil
}

func mustAnomalies(t testing.TB, args string, in *Batch, ms ModelStore) *Batch {
	t.Helper()
	out, err := runAnomalies(t, args, in, ms)
	if err != nil {
		t.Fatalf("anomalies %s: %v", args, err)
	}
	return out
}

// table makes a batch from named columns of Go values (int, float64,
// string, nil for null).
func table(fields []string, rows ...[]any) *Batch {
	b := &Batch{Fields: fields, Len: len(rows), Cols: make([][]store.Value, len(fields))}
	for _, r := range rows {
		for i, v := range r {
			b.Cols[i] = append(b.Cols[i], value(v))
		}
	}
	return b
}

func value(v any) store.Value {
	switch x := v.(type) {
	case int:
		return store.Int(int64(x))
	case float64:
		return store.Float(x)
	case string:
		return store.Str(x)
	}
	return store.Null
}

// flagged returns the rows whose is_anomaly is true.
func flagged(b *Batch) []int {
	var out []int
	for r := 0; r < b.Len; r++ {
		if b.Get(colFlag, r).Truthy() {
			out = append(out, r)
		}
	}
	return out
}

func scores(b *Batch) []float64 {
	out := make([]float64, b.Len)
	for r := range out {
		v := b.Get(colScore, r)
		out[r] = math.NaN()
		if !v.IsNull() {
			out[r] = v.F
		}
	}
	return out
}

// poisson draws from Poisson(lambda) by Knuth's method.
func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p < l {
			return k
		}
		k++
	}
}

// spikeCounts is SPEC §3's example: 50 per-minute counts from Poisson(5),
// then 30, 40 and 50.
func spikeCounts(seed uint64) *Batch {
	r := rand.New(rand.NewPCG(seed, 0))
	var rows [][]any
	for i := 0; i < 53; i++ {
		c := []int{30, 40, 50}[max(i-50, 0)]
		if i < 50 {
			c = poisson(r, 5)
		}
		rows = append(rows, []any{i * 60, c})
	}
	b := table([]string{"_time", "count"}, rows...)
	for i := range b.Cols[0] {
		b.Cols[0][i] = store.Time(base + int64(i)*60e9)
	}
	return b
}

func TestAnomaliesSpecExample(t *testing.T) {
	for data := uint64(1); data <= 5; data++ {
		in := spikeCounts(data)
		for seed := 1; seed <= 10; seed++ {
			out := mustAnomalies(t, fmt.Sprintf("count contamination=0.05 seed=%d", seed), in, nil)
			if got := flagged(out); !slices.Equal(got, []int{50, 51, 52}) {
				t.Errorf("data %d seed %d: flagged rows %v, want [50 51 52]", data, seed, got)
			}
			if r := out.Get(colReason, 52).String(); !strings.HasPrefix(r, "count=50 (typical ") {
				t.Errorf("reason %q", r)
			}
		}
		// Default features: every numeric field but _time.
		if got := flagged(mustAnomalies(t, "contamination=0.05", in, nil)); !slices.Equal(got, []int{50, 51, 52}) {
			t.Errorf("data %d default features: flagged %v", data, got)
		}
	}
}

// fiveFeatures makes n rows of five features near their usual values and
// one row (the last) far off on feature outlier only.
func fiveFeatures(n, outlier int, seed uint64) *Batch {
	r := rand.New(rand.NewPCG(seed, 7))
	fields := []string{"f0", "f1", "f2", "f3", "f4"}
	var rows [][]any
	for i := 0; i < n; i++ {
		row := make([]any, 5)
		for j := range row {
			row[j] = math.Round((10+r.NormFloat64())*100) / 100
		}
		if i == n-1 {
			row[outlier] = 60.0
		}
		rows = append(rows, row)
	}
	return table(fields, rows...)
}

// An outlier on one feature of five is flagged and named first in its
// reason. With 256 rows (in every tree's subsample) it is the top score;
// with 1000 it is in only a quarter of the subsamples, scores lower, and
// is among the top 5% (not always the top 1%).
func TestAnomaliesReasonNamesTheFeature(t *testing.T) {
	for outlier := 0; outlier < 5; outlier++ {
		for _, n := range []int{256, 1000} {
			in := fiveFeatures(n, outlier, uint64(outlier))
			out := mustAnomalies(t, "f0, f1, f2, f3, f4 contamination=0.05", in, nil)
			last := in.Len - 1
			reason := out.Get(colReason, last).String()
			want := fmt.Sprintf("f%d=60 (typical ", outlier)
			if !strings.HasPrefix(reason, want) || !out.Get(colFlag, last).Truthy() {
				t.Errorf("%d rows, outlier on f%d: flag %v, reason %q, want it to start %q", n, outlier, out.Get(colFlag, last), reason, want)
			}
			if s := scores(out); n == 256 && slices.Max(s) != s[last] {
				t.Errorf("%d rows, outlier on f%d: score %v, max %v", n, outlier, s[last], slices.Max(s))
			}
		}
	}
}

func TestAnomaliesSaveAndLoad(t *testing.T) {
	ms := newMemModels()
	fitRows := fiveFeatures(600, 2, 1)
	fitRows.Fields = append(fitRows.Fields, "agent")
	agents := make([]store.Value, fitRows.Len)
	for i := range agents {
		agents[i] = store.Str([]string{"firefox", "chrome", "safari"}[i%3])
	}
	agents[17] = store.Str("sqlmap/1.7")
	fitRows.Cols = append(fitRows.Cols, agents)

	args := "f0, f1, f2, f3, f4, agent contamination=0.02 seed=9"
	fitted := mustAnomalies(t, args+" save=weekly", fitRows, ms)
	if ms.puts != 1 {
		t.Fatalf("%d PutModel calls, want 1", ms.puts)
	}
	again := mustAnomalies(t, args, fitRows, nil)
	if !slices.Equal(scores(fitted), scores(again)) {
		t.Error("the same data, parameters and seed gave different scores")
	}
	loaded := mustAnomalies(t, "model=weekly", fitRows, ms)
	if !slices.Equal(scores(fitted), scores(loaded)) || !slices.Equal(flagged(fitted), flagged(loaded)) {
		t.Error("model= scores differ from the fit's on the same rows")
	}
	// New rows: scored by the stored model, an unseen agent is rarer than any.
	fresh := table([]string{"f0", "f1", "f2", "f3", "f4", "agent"},
		[]any{10.0, 10.0, 10.0, 10.0, 10.0, "firefox"}, []any{10.0, 10.0, 10.0, 10.0, 10.0, "nmap"})
	got := mustAnomalies(t, "f0, f1, f2, f3, f4, agent model=weekly", fresh, ms)
	if s := scores(got); !(s[1] > s[0]) {
		t.Errorf("unseen agent scores %v, not above a common one's", s)
	}
	byAgent := mustAnomalies(t, "agent save=agents", fitRows, ms)
	if r := byAgent.Get(colReason, 17).String(); r != "agent=sqlmap/1.7 (in 1 of 600 rows)" {
		t.Errorf("rare agent reason %q", r)
	}
	got = mustAnomalies(t, "model=agents", fresh, ms)
	if r := got.Get(colReason, 1).String(); r != "agent=nmap (never seen in 600 rows)" || !got.Get(colFlag, 1).Truthy() {
		t.Errorf("unseen agent alone: flag %v reason %q", got.Get(colFlag, 1), r)
	}

	for _, tc := range []struct{ args, want string }{
		{"model=monthly", "no saved model of that name (saved: agents, weekly)"},
		{"f0 model=weekly", "the model scores f0, f1, f2, f3, f4, agent"},
		{"model=weekly contamination=0.1", "the threshold was fixed"},
		{"model=weekly trees=10", "trees= was fixed"},
		{"model=weekly by user", "no per-entity baselines"},
	} {
		if _, err := runAnomalies(t, tc.args, fitRows, ms); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.args, err, tc.want)
		}
	}
	missing := table([]string{"f0", "f1", "f2", "f3", "agent"}, []any{1.0, 1.0, 1.0, 1.0, "x"})
	if _, err := runAnomalies(t, "model=weekly", missing, ms); err == nil || !strings.Contains(err.Error(), "needs the feature f4") {
		t.Errorf("missing feature: %v", err)
	}
	if _, err := runAnomalies(t, "f0 save=x", fitRows, nil); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("save without a store: %v", err)
	}
}

// TestAnomaliesSaveRefusesToReplace: save=NAME once overwrote a saved
// model of that name without a word; now it needs replace=true.
func TestAnomaliesSaveRefusesToReplace(t *testing.T) {
	ms := newMemModels()
	mustAnomalies(t, "count save=m", spikeCounts(1), ms)
	first := slices.Clone(ms.blobs["m"])
	_, err := runAnomalies(t, "count trees=7 save=m", spikeCounts(2), ms)
	if err == nil || !strings.Contains(err.Error(), "a model named m is saved already; add replace=true") {
		t.Errorf("save over a saved model: %v", err)
	}
	if !slices.Equal(ms.blobs["m"], first) || ms.puts != 1 {
		t.Fatal("the saved model changed")
	}
	mustAnomalies(t, "count trees=7 save=m replace=true", spikeCounts(2), ms)
	if slices.Equal(ms.blobs["m"], first) || ms.puts != 2 {
		t.Error("replace=true did not replace the model")
	}
	for _, tc := range []struct{ args, want string }{
		{"count replace=true", "replace= goes with save="},
		{"count save=m replace=yes", "replace must be true or false"},
	} {
		if _, err := Parse("| anomalies " + tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.args, err, tc.want)
		}
	}
	mustAnomalies(t, "count save=new replace=false", spikeCounts(1), ms)
}

func TestAnomaliesDamagedModel(t *testing.T) {
	ms := newMemModels()
	mustAnomalies(t, "count save=m", spikeCounts(1), ms)
	blob := ms.blobs["m"]
	for _, bad := range [][]byte{nil, []byte("LHAM"), blob[:len(blob)/2], append([]byte("LHAM\x07"), blob[5:]...),
		append(slices.Clone(blob[:len(blob)-1]), blob[len(blob)-1]^1)} {
		ms.blobs["m"] = bad
		if _, err := runAnomalies(t, "model=m", spikeCounts(1), ms); err == nil {
			t.Errorf("damaged model of %d bytes loaded", len(bad))
		}
	}
}

// byEntityRows has 100 rows of user "big" (one spike at row 99) and five
// of each of "s1", "s2" (too few for a baseline of their own) and one row
// without a user.
func byEntityRows() *Batch {
	var rows [][]any
	for i := 0; i < 100; i++ {
		c := 5 + i%3
		if i == 99 {
			c = 80
		}
		rows = append(rows, []any{"big", c})
	}
	for i := 0; i < 10; i++ {
		rows = append(rows, []any{[]string{"s1", "s2"}[i%2], 6})
	}
	rows = append(rows, []any{nil, 7})
	return table([]string{"user", "count"}, rows...)
}

func TestAnomaliesByEntity(t *testing.T) {
	in := byEntityRows()
	ms := newMemModels()
	out := mustAnomalies(t, "count by user save=peruser", in, ms)
	for r := 0; r < out.Len; r++ {
		want := "all"
		if r < 100 {
			want = "big"
		}
		if got := out.Get(colBaseline, r).String(); got != want {
			t.Errorf("row %d (user %q): baseline %q, want %q", r, out.Get("user", r), got, want)
		}
	}
	if got := flagged(out); !slices.Equal(got, []int{99}) {
		t.Errorf("flagged %v, want [99]", got)
	}
	// The stored model scores the same rows the same way, and an entity it
	// has never seen by the baseline of all rows.
	loaded := mustAnomalies(t, "count by user model=peruser", in, ms)
	if !slices.Equal(scores(out), scores(loaded)) {
		t.Error("by-entity model= scores differ from the fit's")
	}
	newcomer := table([]string{"user", "count"}, []any{"zed", 6}, []any{"big", 6})
	got := mustAnomalies(t, "model=peruser", newcomer, ms)
	if got.Get(colBaseline, 0).String() != "all" || got.Get(colBaseline, 1).String() != "big" {
		t.Errorf("newcomer baselines %v, %v", got.Get(colBaseline, 0), got.Get(colBaseline, 1))
	}
	// Without by there is no baseline column.
	if plain := mustAnomalies(t, "count", in, nil); plain.Col(colBaseline) >= 0 {
		t.Error("anomaly_baseline without by")
	}
}

func TestAnomaliesMAD(t *testing.T) {
	var rows [][]any
	for i := 0; i < 200; i++ {
		rows = append(rows, []any{5 + i%4})
	}
	rows[123] = []any{53}
	out := mustAnomalies(t, "attempts method=mad", table([]string{"attempts"}, rows...), nil)
	if got := flagged(out); !slices.Equal(got, []int{123}) {
		t.Errorf("flagged %v, want [123]", got)
	}
	if r := out.Get(colReason, 123).String(); !strings.HasPrefix(r, "attempts=53 (median 6.5, z=") {
		t.Errorf("reason %q", r)
	}
	two := table([]string{"a", "b"}, []any{1, 2})
	if _, err := runAnomalies(t, "method=mad", two, nil); err == nil || !strings.Contains(err.Error(), "single feature; name one of a, b") {
		t.Errorf("mad on two default features: %v", err)
	}
	if _, err := Parse("| anomalies a, b method=mad"); err == nil || !strings.Contains(err.Error(), "method=mad scores a single feature, not 2") {
		t.Errorf("mad on two listed features: %v", err)
	}
	// A saved MAD model scores new values by the training median and scale.
	ms := newMemModels()
	mustAnomalies(t, "attempts method=mad save=x", table([]string{"attempts"}, rows...), ms)
	got := mustAnomalies(t, "model=x", table([]string{"attempts"}, []any{6}, []any{53}, []any{7}), ms)
	if !slices.Equal(flagged(got), []int{1}) || got.Get(colReason, 1).String() != out.Get(colReason, 123).String() ||
		got.Get(colScore, 1) != out.Get(colScore, 123) {
		t.Errorf("mad model=: flagged %v, reason %q, score %v; fit gave %q, %v", flagged(got), got.Get(colReason, 1), got.Get(colScore, 1),
			out.Get(colReason, 123), out.Get(colScore, 123))
	}
}

// Rows whose numeric feature is null, not a number or not finite are not
// scored: they keep their place, with a null score and a note.
func TestAnomaliesUnscorableRows(t *testing.T) {
	in := table([]string{"x", "y"}, []any{1.0, 2}, []any{nil, 3}, []any{math.NaN(), 4}, []any{math.Inf(1), 5},
		[]any{2.0, 2}, []any{1.5, 3})
	out := mustAnomalies(t, "x, y", in, nil)
	wantNotes := map[int]string{1: "not scored: x is null", 2: "not scored: x is NaN", 3: "not scored: x is +Inf"}
	for r := 0; r < out.Len; r++ {
		score, reason := out.Get(colScore, r), out.Get(colReason, r).String()
		if note, bad := wantNotes[r]; bad {
			if !score.IsNull() || reason != note || out.Get(colFlag, r).Truthy() {
				t.Errorf("row %d: score %v flag %v reason %q, want null, false, %q", r, score, out.Get(colFlag, r), reason, note)
			}
		} else if score.IsNull() {
			t.Errorf("row %d not scored: %q", r, reason)
		}
	}
	// A string among a listed numeric field's values makes it text.
	mixed := table([]string{"x"}, []any{"1"}, []any{"abc"}, []any{"1"})
	if out := mustAnomalies(t, "x", mixed, nil); out.Get(colScore, 1).IsNull() {
		t.Error("text feature row not scored")
	}
	// Every row unscorable: nothing to fit, the rows pass with their notes.
	nulls := table([]string{"x", "y"}, []any{nil, 1}, []any{2, nil})
	if out := mustAnomalies(t, "x, y", nulls, nil); out.Len != 2 || out.Get(colReason, 1).String() != "not scored: y is null" {
		t.Errorf("all unscorable: %d rows, reason %v", out.Len, out.Get(colReason, 0))
	}
}

func TestAnomaliesEdgeCases(t *testing.T) {
	// Zero rows: no output, no error.
	if out := mustAnomalies(t, "x", table([]string{"x"}), nil); out.Len != 0 {
		t.Errorf("zero rows gave %d", out.Len)
	}
	// One row: a forest of one row has no notion of normal; it scores 0.5.
	one := mustAnomalies(t, "x", table([]string{"x"}, []any{3}), nil)
	if s := one.Get(colScore, 0); s.F != 0.5 || one.Get(colFlag, 0).Truthy() {
		t.Errorf("single row: score %v flag %v", s, one.Get(colFlag, 0))
	}
	// A constant feature: every row alike, none flagged.
	var rows [][]any
	for i := 0; i < 100; i++ {
		rows = append(rows, []any{7, i % 10})
	}
	out := mustAnomalies(t, "c", table([]string{"c", "d"}, rows...), nil)
	if got := flagged(out); len(got) != 0 {
		t.Errorf("constant feature flagged %v", got)
	}
	for _, tc := range []struct{ args, want string }{
		{"nope", "no row has the feature nope (fields: c, d)"},
		{"", "no numeric field to score"},
	} {
		in := table([]string{"c", "d"}, rows...)
		if tc.args == "" {
			in = table([]string{"name"}, []any{"a"}, []any{"b"})
		}
		if _, err := runAnomalies(t, tc.args, in, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("anomalies %s: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{{53, "53"}, {-4, "-4"}, {18.6, "18.6"}, {2.345678, "2.35"}, {0.012345, "0.0123"}, {1234.56, "1235"},
		{1e20, "1e+20"}, {0.00001234, "1.23e-05"}, {math.NaN(), "NaN"}, {0, "0"}} {
		if got := formatNumber(tc.x); got != tc.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}
