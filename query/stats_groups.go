package query

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"loghunt/store"
)

// aggSpec is one aggregate to compute: its function, input field ("" for
// a plain count), percentile, and output column.
type aggSpec struct {
	fn    string
	field string
	perc  float64
	out   string
	spark *sparkSpec // sparkline's inner aggregate and span
}

func aggSpecs(aggs []*Aggregate) []aggSpec {
	out := make([]aggSpec, len(aggs))
	for i, a := range aggs {
		out[i] = aggSpec{fn: a.Kind, field: a.Field(), perc: a.Perc, out: a.OutputName()}
		if _, per := PerUnits[a.Kind]; per {
			out[i].fn = "sum" // scaled to its unit by timechart
		}
		if in := a.Inner; a.Kind == "sparkline" && in != nil {
			out[i].spark = &sparkSpec{fn: in.Kind, perc: in.Perc, hasField: in.Field() != "", span: a.spanNs}
			if _, per := PerUnits[in.Kind]; per {
				out[i].spark.fn = "sum"
			}
		}
	}
	return out
}

// aggFields lists the fields aggregates read (earliest/latest read _time).
func aggFields(specs []aggSpec) []string {
	var out []string
	for _, s := range specs {
		if s.field != "" {
			out = append(out, s.field)
		}
		switch s.fn {
		case "earliest", "latest", "list", "earliest_time", "latest_time", "rate", "sparkline":
			out = append(out, store.ColTime)
		}
	}
	return out
}

// group is the state of one combination of by-values.
type group struct {
	key []store.Value // normalized (normKey): 10.0 and "10" are kept as 10
	// show is the by-values the group's row shows: of the values of the
	// group's text, the first in compareTotal order (text before numbers),
	// whichever worker saw which first. It is key when they are the same.
	show   []store.Value
	states []aggState
}

// groupTable aggregates rows by the values of the by fields. Groups with
// one by field are keyed by the value itself; several by fields by an
// encoding of the values.
type groupTable struct {
	specs  []aggSpec
	by     []string
	single map[store.Value]*group
	strs   map[string]*group // single string keys: hashing the text alone is faster
	multi  map[string]*group
	// pairs holds the groups of two by-values: by the first, then by an
	// encoding of the second (lookupPair); lastPair is the first value's
	// groups of the last lookup.
	pairs       map[string]map[string]*group
	lastPair    map[string]*group
	lastPairKey string
	n           int
	opt         *Options
	maxGroups   int
	keyBuf      []byte
	// keepNull groups rows whose by-values are null (timechart's NULL
	// series); otherwise such rows are left out, as in Splunk's stats.
	keepNull bool
	// budget bounds the memory of the groups and of the values dc and
	// perc keep; the tables of one stage's workers share it.
	budget    *memBudget
	uncharged int64    // memory of new groups not yet charged to budget
	order     []*group // the groups in order of first appearance
	slab      struct {
		groups []group
		states []aggState
		counts []countAgg
		keys   []store.Value
		text   []byte
	}
}

// memBudget is the memory an aggregation may still take, in bytes.
type memBudget struct {
	left  atomic.Int64
	limit int64
}

func newMemBudget(limit int64) *memBudget {
	b := &memBudget{limit: limit}
	b.left.Store(limit)
	return b
}

func (b *memBudget) charge(n int64) {
	if b != nil {
		b.left.Add(-n)
	}
}

func (b *memBudget) err(by []string) error {
	if b == nil || b.left.Load() >= 0 {
		return nil
	}
	what := "the aggregation"
	if len(by) > 0 {
		what = fmt.Sprintf("the groups by %s", strings.Join(by, ", "))
	}
	return fmt.Errorf("%w: %s would take more than %d MB of memory; narrow the search or group by fewer values",
		ErrLimit, what, max(b.limit>>20, 1))
}

// groupOverhead is about what a group costs besides its key's text.
const groupOverhead = 160

func newGroupTable(specs []aggSpec, by []string, opt *Options) *groupTable {
	return &groupTable{specs: specs, by: by, single: map[store.Value]*group{}, strs: map[string]*group{},
		multi: map[string]*group{}, pairs: map[string]map[string]*group{}, opt: opt, maxGroups: opt.MaxGroups, budget: newMemBudget(opt.MaxAggBytes)}
}

// spare returns an empty table for the same aggregation that shares g's
// budget (a scan worker's).
func (g *groupTable) spare() *groupTable {
	t := newGroupTable(g.specs, g.by, g.opt)
	t.keepNull, t.budget = g.keepNull, g.budget
	return t
}

func (g *groupTable) newGroup(key []store.Value) (*group, error) {
	if g.n >= g.maxGroups {
		return nil, fmt.Errorf("%w: more than %d groups (by %v); narrow the search or group by fewer values", ErrLimit, g.maxGroups, g.by)
	}
	// Groups, their states and counts come from slabs: a question by
	// minute and user makes tens of thousands of groups, and allocating
	// each piece alone was most of its time.
	if len(g.slab.groups) == 0 {
		g.slab.groups = make([]group, slabSize)
		g.slab.states = make([]aggState, slabSize*len(g.specs))
	}
	gr := &g.slab.groups[0]
	g.slab.groups = g.slab.groups[1:]
	gr.key, gr.show = key, key
	g.order = append(g.order, gr)
	gr.states, g.slab.states = g.slab.states[:len(g.specs):len(g.specs)], g.slab.states[len(g.specs):]
	size := int64(groupOverhead)
	for i, s := range g.specs {
		if s.fn == "count" {
			if len(g.slab.counts) == 0 {
				g.slab.counts = make([]countAgg, slabSize)
			}
			c := &g.slab.counts[0]
			g.slab.counts = g.slab.counts[1:]
			c.all = s.field == ""
			gr.states[i] = c
			continue
		}
		if s.spark != nil {
			gr.states[i] = newSparkAgg(*s.spark, g.budget)
			continue
		}
		gr.states[i] = newAggState(s.fn, s.perc, s.field != "")
		setBudget(gr.states[i], g.budget)
	}
	for _, v := range key {
		size += int64(len(v.S))
	}
	// The budget is shared by the workers' tables: charge it in lots.
	if g.uncharged += size; g.uncharged >= 1<<16 {
		g.budget.charge(g.uncharged)
		g.uncharged = 0
		if err := g.budget.err(g.by); err != nil {
			return nil, err
		}
	}
	g.n++
	return gr, nil
}

// slabSize is how many groups a slab holds.
const slabSize = 256

// keyCopy returns a copy of the by-values of a new group, texts included
// (a key must not pin the memory of the chunk it came from, which may be
// reused), from slabs. The values are normalized as the group's map key
// is (a whole float as an int): whichever of 10 and 10.0 a worker saw
// first, the group's key is the same.
func (g *groupTable) keyCopy(vals []store.Value) []store.Value {
	if len(g.slab.keys) < len(vals) {
		g.slab.keys = make([]store.Value, slabSize*len(vals))
	}
	k := g.slab.keys[:len(vals):len(vals)]
	g.slab.keys = g.slab.keys[len(vals):]
	for i, v := range vals {
		k[i] = normKey(v)
	}
	for i := range k {
		if k[i].S != "" {
			k[i].S = g.keyString([]byte(k[i].S))
		}
	}
	return k
}

// newGroupOf makes the group of vals (a row's by-values).
func (g *groupTable) newGroupOf(vals []store.Value) (*group, error) {
	gr, err := g.newGroup(g.keyCopy(vals))
	if err != nil {
		return nil, err
	}
	for i, v := range vals {
		if v != gr.key[i] { // "true" is shown as the text, not its key true
			gr.show = make([]store.Value, len(vals))
			for j, v := range vals {
				v.S = strings.Clone(v.S) // not a view of a chunk
				gr.show[j] = v
			}
			break
		}
	}
	return gr, nil
}

// seen notes that a row with by-values vals is in gr: a value that comes
// before the one gr shows (compareTotal) is shown instead.
func (g *groupTable) seen(gr *group, vals []store.Value) {
	for i, v := range vals {
		if w := gr.show[i]; v != w && compareTotal(v, w) < 0 {
			if &gr.show[0] == &gr.key[0] {
				gr.show = slices.Clone(gr.key)
			}
			v.S = strings.Clone(v.S) // not a view of a chunk
			gr.show[i] = v
		}
	}
}

// keyString returns the map key of a new multi-value group, from a slab.
func (g *groupTable) keyString(b []byte) string {
	if len(b) > 4096 {
		return string(b)
	}
	if cap(g.slab.text)-len(g.slab.text) < len(b) {
		g.slab.text = make([]byte, 0, 64<<10)
	}
	start := len(g.slab.text)
	g.slab.text = append(g.slab.text, b...)
	return unsafe.String(unsafe.SliceData(g.slab.text[start:]), len(b))
}

// lookup finds or makes the group of a row's by-values.
func (g *groupTable) lookup(vals []store.Value) (*group, error) {
	if len(vals) == 1 && vals[0].K == store.KindString {
		if gr, ok := g.strs[vals[0].S]; ok {
			return gr, nil // all of its values are this very text
		}
		if k := normText(vals[0]); k.K == store.KindString {
			gr, err := g.newGroupOf(vals)
			if err == nil {
				g.strs[gr.key[0].S] = gr
			}
			return gr, err
		}
	}
	if len(vals) == 1 {
		k := normKey(vals[0])
		if k.K == store.KindString { // a value whose key is its text (-0)
			if gr, ok := g.strs[k.S]; ok {
				g.seen(gr, vals)
				return gr, nil
			}
			gr, err := g.newGroupOf(vals)
			if err == nil {
				g.strs[gr.key[0].S] = gr
			}
			return gr, err
		}
		if gr, ok := g.single[k]; ok {
			g.seen(gr, vals)
			return gr, nil
		}
		gr, err := g.newGroupOf(vals)
		if err == nil {
			g.single[normKey(gr.key[0])] = gr
		}
		return gr, err
	}
	if len(vals) == 2 {
		return g.lookupPair(vals)
	}
	g.keyBuf = g.keyBuf[:0]
	for _, v := range vals {
		g.keyBuf = appendKey(g.keyBuf, normKey(v))
	}
	if gr, ok := g.multi[string(g.keyBuf)]; ok {
		g.seen(gr, vals)
		return gr, nil
	}
	gr, err := g.newGroupOf(vals)
	if err == nil {
		g.multi[g.keyString(g.keyBuf)] = gr
	}
	return gr, err
}

// lookupPair finds or makes the group of two by-values in two steps: the
// groups of the first value (a time bucket), then the second among them.
// Rows come in runs of the first value, whose few groups stay in cache;
// one map of tens of thousands of groups missed it at every row.
func (g *groupTable) lookupPair(vals []store.Value) (*group, error) {
	// Keys are encoded as for multi, so the same values make a group.
	g.keyBuf = appendKey(g.keyBuf[:0], normKey(vals[0]))
	m := g.lastPair
	if m == nil || string(g.keyBuf) != g.lastPairKey {
		if m = g.pairs[string(g.keyBuf)]; m == nil {
			m = map[string]*group{}
			g.pairs[string(g.keyBuf)] = m
		}
		g.lastPair, g.lastPairKey = m, string(g.keyBuf)
	}
	g.keyBuf = appendKey(g.keyBuf[:0], normKey(vals[1]))
	if gr, ok := m[string(g.keyBuf)]; ok {
		g.seen(gr, vals)
		return gr, nil
	}
	gr, err := g.newGroupOf(vals)
	if err == nil {
		m[g.keyString(g.keyBuf)] = gr
	}
	return gr, err
}

func appendKey(b []byte, v store.Value) []byte {
	b = append(b, byte(v.K))
	switch v.K {
	case store.KindString:
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		b = append(b, v.S...)
	case store.KindFloat:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
	default:
		b = binary.AppendVarint(b, v.I)
	}
	return b
}

// add folds the rows of a batch into the table.
func (g *groupTable) add(b *Batch) error {
	byCols := make([][]store.Value, len(g.by))
	for i, f := range g.by {
		byCols[i] = b.Column(f)
	}
	aggCols := make([][]store.Value, len(g.specs))
	for i, s := range g.specs {
		if s.field != "" {
			aggCols[i] = b.Column(s.field)
		}
	}
	var times []store.Value
	if c := b.Col(store.ColTime); c >= 0 {
		times = b.Cols[c]
	}
	spark := false
	for _, s := range g.specs {
		spark = spark || s.spark != nil
	}
	key := make([]store.Value, len(g.by))
	var only *group
	if len(g.by) == 0 {
		var err error
		if only, err = g.lookup(nil); err != nil {
			return err
		}
	}
	byCode := g.codeGroups(b)
	// prev is the group of row r-1, nil when that row had none (a null
	// by-value): sorted keys come in runs, and a row with the same
	// by-values as the row before it is in the same group, or in none.
	var prev *group
	for r := 0; r < b.Len; r++ {
		gr := only
		if byCode != nil {
			if gr = byCode.group(r); gr == nil {
				if byCode.err != nil {
					return byCode.err
				}
				continue // a null by-value
			}
		}
		if gr == nil && prev != nil && sameKey(byCols, r) {
			gr = prev
		}
		if gr == nil {
			prev = nil
			null := false
			for i, c := range byCols {
				key[i] = c[r]
				null = null || c[r].K == store.KindNull
			}
			if null && !g.keepNull {
				continue // as in Splunk: a row without a by-value is in no group
			}
			var err error
			if gr, err = g.lookup(key); err != nil {
				return err
			}
			prev = gr
		}
		if r%4096 == 4095 {
			if err := g.budget.err(g.by); err != nil {
				return err
			}
		}
		t := int64(0)
		timed := false
		if times != nil {
			t, timed = times[r].I, times[r].K == store.KindTime
		}
		for i, st := range gr.states {
			v := store.Null
			if aggCols[i] != nil {
				v = aggCols[i][r]
			}
			if spark && g.specs[i].spark != nil && !timed {
				continue // a row without a time is in no bucket
			}
			st.add(v, t)
		}
	}
	return g.budget.err(g.by)
}

// merge folds another table of the same aggregation into g.
func (g *groupTable) merge(o *groupTable) error {
	for _, og := range o.groups() {
		gr, err := g.lookup(og.show)
		if err != nil {
			return err
		}
		for i, st := range gr.states {
			mergeAgg(st, og.states[i])
		}
	}
	return nil
}

// groups returns the groups in order of first appearance (which depends
// on the order the workers' chunks came in: see sorted).
func (g *groupTable) groups() []*group {
	if len(g.by) == 0 && len(g.order) == 0 {
		// No rows at all: one group, so that `stats count` says 0.
		g.newGroup(nil)
	}
	return slices.Clone(g.order)
}

// sortedUnion returns the groups of tables of the same aggregation (the
// scan workers'), merged and sorted by their key values: each table is
// sorted on its own core, then the sorted runs are merged, adding up the
// states of a key that several tables have. This is the serial end of a
// big group-by, and faster than folding the tables into one map first.
func sortedUnion(tables []*groupTable) ([]*group, error) {
	first := tables[0]
	tables = slices.DeleteFunc(tables, func(t *groupTable) bool { return t.n == 0 })
	switch len(tables) {
	case 0:
		return first.sorted(), nil // no rows: `stats count` still says 0
	case 1:
		return tables[0].sorted(), nil
	}
	runs := make([][]sortable, len(tables))
	var wg sync.WaitGroup
	for i, t := range tables {
		wg.Go(func() { runs[i] = t.sortables() })
	}
	wg.Wait()
	g := tables[0]
	var out []*group
	var keyA, keyB []byte
	for {
		// The smallest head (groups merged into another are nil).
		m := -1
		for i, r := range runs {
			for len(r) > 0 && r[0].g == nil {
				r = r[1:]
			}
			runs[i] = r
			if len(r) > 0 && (m < 0 || compareSortables(r[0], runs[m][0]) < 0) {
				m = i
			}
		}
		if m < 0 {
			break
		}
		head := runs[m][0]
		runs[m] = runs[m][1:]
		// The same key in another table is among its groups that compare
		// equal ("1" and "1.0" sort alike but are two groups).
		keyA = keyA[:0]
		for i, r := range runs {
			for j := 0; i != m && j < len(r) && compareSortKeys(r[j].keys, head.keys) == 0; j++ {
				if r[j].g == nil {
					continue
				}
				if len(keyA) == 0 {
					keyA = appendKeys(keyA, head.g.key)
				}
				if keyB = appendKeys(keyB[:0], r[j].g.key); string(keyA) == string(keyB) {
					for k, st := range head.g.states {
						mergeAgg(st, r[j].g.states[k])
					}
					g.seen(head.g, r[j].g.show)
					r[j].g = nil
				}
			}
		}
		out = append(out, head.g)
		if len(out) > g.maxGroups {
			return nil, fmt.Errorf("%w: more than %d groups (by %v); narrow the search or group by fewer values", ErrLimit, g.maxGroups, g.by)
		}
	}
	return out, nil
}

// sortable is a group with its keys made ready to compare.
type sortable struct {
	g    *group
	keys []sortKey
}

func compareSortKeys(a, b []sortKey) int {
	for i := range a {
		if c := a[i].compare(&b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// compareSortables orders by key, then keys that compare equal but are
// two groups ("1" and "1.0") by kind and bits (compareIdentity), so they
// come out in the same order whichever worker saw which first.
func compareSortables(a, b sortable) int {
	if c := compareSortKeys(a.keys, b.keys); c != 0 {
		return c
	}
	for i := range a.g.key {
		if c := compareIdentity(a.g.key[i], b.g.key[i]); c != 0 {
			return c
		}
	}
	return 0
}

// sorted returns the groups sorted by their key values.
func (g *groupTable) sorted() []*group {
	dec := g.sortables()
	out := make([]*group, len(dec))
	for i := range dec {
		out[i] = dec[i].g
	}
	return out
}

// sortables returns the groups sorted by their key values, with the keys.
func (g *groupTable) sortables() []sortable {
	out := g.groups() // in order of appearance: mostly sorted already by time
	// Each key's sort rank and number once, not at every comparison.
	dec := make([]sortable, len(out))
	keys := make([]sortKey, len(out)*len(g.by))
	for i, gr := range out {
		dec[i] = sortable{gr, keys[i*len(g.by) : (i+1)*len(g.by)]}
		for j, v := range gr.key {
			dec[i].keys[j] = newSortKey(v)
		}
	}
	sortSortables(dec)
	return dec
}

// sortSortables sorts groups by key. Groups by time bucket and something
// else come from a scan in time order: the first key is in order already
// but for a few places (where a worker went on to a chunk that starts
// earlier). Each such run needs sorting only among groups that share the
// first key, and then the runs are merged.
func sortSortables(dec []sortable) {
	if len(dec) < 2 || len(dec[0].keys) < 2 {
		slices.SortFunc(dec, compareSortables)
		return
	}
	var runs [][]sortable
	start := 0
	for i := 1; i <= len(dec); i++ {
		if i == len(dec) || dec[i-1].keys[0].compare(&dec[i].keys[0]) > 0 {
			if runs = append(runs, dec[start:i]); len(runs) > maxSortRuns {
				slices.SortFunc(dec, compareSortables)
				return
			}
			start = i
		}
	}
	for _, run := range runs {
		for i := 0; i < len(run); {
			j := i + 1
			for j < len(run) && run[j].keys[0].compare(&run[i].keys[0]) == 0 {
				j++
			}
			if j-i > 1 {
				slices.SortFunc(run[i:j], compareSortables)
			}
			i = j
		}
	}
	if len(runs) == 1 {
		return
	}
	out := make([]sortable, 0, len(dec))
	for {
		m := -1
		for i, run := range runs {
			if len(run) > 0 && (m < 0 || compareSortables(run[0], runs[m][0]) < 0) {
				m = i
			}
		}
		if m < 0 {
			break
		}
		out = append(out, runs[m][0])
		runs[m] = runs[m][1:]
	}
	copy(dec, out)
}

// maxSortRuns is how many ordered runs sortSortables merges; more, and it
// sorts the whole.
const maxSortRuns = 16

// sortKey is a value made ready to compare as compareValues does, and
// times (whose seconds as floats lose nanoseconds) exactly among
// themselves.
type sortKey struct {
	rank int
	num  float64
	s    string
	time bool
	ns   int64
}

func newSortKey(v store.Value) sortKey {
	k := sortKey{s: v.S, time: v.K == store.KindTime, ns: v.I}
	switch v.K {
	case store.KindNull:
	case store.KindString:
		k.rank = 2
		if n, ok := v.Number(); ok {
			k.rank, k.num = 1, n
		}
	default:
		k.rank = 1
		k.num, _ = v.Number()
	}
	return k
}

func (a *sortKey) compare(b *sortKey) int {
	if a.rank != b.rank {
		return a.rank - b.rank
	}
	switch a.rank {
	case 1:
		if a.time && b.time {
			return cmp.Compare(a.ns, b.ns)
		}
		return cmp.Compare(a.num, b.num)
	case 2:
		return strings.Compare(a.s, b.s)
	}
	return 0
}

func compareKeys(a, b []store.Value) int {
	for i := range a {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// batch renders groups as rows: the by fields, then each aggregate.
func (g *groupTable) batch(groups []*group) *Batch {
	b := &Batch{Len: len(groups)}
	for _, f := range g.by {
		b.Fields = append(b.Fields, f)
		b.Cols = append(b.Cols, make([]store.Value, len(groups)))
	}
	for _, s := range g.specs {
		b.Fields = append(b.Fields, s.out)
		b.Cols = append(b.Cols, make([]store.Value, len(groups)))
	}
	fillParallel(len(groups), func(lo, hi int) {
		for r, gr := range groups[lo:hi] {
			for i := range g.by {
				b.Cols[i][lo+r] = gr.show[i]
			}
			for i, st := range gr.states {
				b.Cols[len(g.by)+i][lo+r] = st.result()
			}
		}
	})
	return b
}

// sameKey reports whether row r has the same by-values as row r-1.
func sameKey(byCols [][]store.Value, r int) bool {
	for _, c := range byCols {
		if c[r] != c[r-1] {
			return false
		}
	}
	return true
}

// codeGroups maps the dictionary codes of a batch's one by-column to
// groups, so rows find their group by code instead of by hashing the
// value. It returns nil when that does not apply.
func (g *groupTable) codeGroups(b *Batch) *codeMap {
	if len(g.by) != 1 || b.dicts == nil || g.keepNull {
		return nil
	}
	c := b.Col(g.by[0])
	if c < 0 || c >= len(b.dicts) || b.dicts[c] == nil {
		return nil
	}
	return &codeMap{g: g, d: b.dicts[c], groups: make([]*group, b.dicts[c].Len()+1)}
}

type codeMap struct {
	g      *groupTable
	d      *store.Dict
	groups []*group // by code; nil until first seen
	err    error
}

// group returns the group of row r, or nil for a null value (or after an
// error, which err holds).
func (m *codeMap) group(r int) *group {
	code := m.d.Code(r)
	if code == 0 {
		return nil
	}
	if gr := m.groups[code]; gr != nil {
		return gr
	}
	gr, err := m.g.lookup([]store.Value{m.d.Value(code)})
	if err != nil {
		m.err = err
		return nil
	}
	m.groups[code] = gr
	return gr
}
