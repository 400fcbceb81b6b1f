package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"loghunt/render"
	"loghunt/sigma"
	"loghunt/sigmamap"
	"loghunt/store"
)

// sigmaLevels orders Sigma's levels.
var sigmaLevels = map[string]int{"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}

// huntSelect says which rules and correlations a hunt reports.
type huntSelect struct {
	minLevel int
	tags     []string
}

func (s huntSelect) keeps(level string, tags []string) bool {
	if s.minLevel > 0 && sigmaLevels[strings.ToLower(level)] < s.minLevel {
		return false
	}
	if len(s.tags) == 0 {
		return true
	}
	for _, want := range s.tags {
		for _, t := range tags {
			t = strings.ToLower(t)
			if t == want || strings.HasPrefix(t, want+".") {
				return true
			}
		}
	}
	return false
}

// huntHit is one row of a hunt's output.
type huntHit struct {
	t      int64 // _time: the event's, or a correlation's first
	id     string
	title  string
	level  string
	source string
	corr   *sigma.Hit
}

// huntMatch is an event a rule used by a correlation matched.
type huntMatch struct {
	rule   *sigma.Rule
	t      int64
	ev     mapEvent
	source string
}

// mapEvent is a copy of an event's fields (for correlations, which see
// events after the scan).
type mapEvent struct {
	fields map[string]string
	raw    string
}

func (m mapEvent) Get(f string) (string, bool) {
	if f == store.ColRaw {
		return m.raw, true
	}
	v, ok := m.fields[f]
	return v, ok
}
func (m mapEvent) Raw() string { return m.raw }

// rowEvent is one row of a chunk: its columns are decoded when a rule
// first asks for them (most rows are never asked: see huntPrefilter).
type rowEvent struct {
	idx   map[string]int // field (and spaceless alias) -> index in names
	names []string
	cols  [][]store.Value // by index in names; nil until loaded
	raws  []store.Value   // nil until loaded
	rows  *store.Rows
	err   error // the first decoding error
	row   int
}

func (r *rowEvent) column(i int) []store.Value {
	if r.cols[i] == nil {
		vals, err := r.rows.Values(r.names[i])
		if err != nil {
			if r.err == nil {
				r.err = fmt.Errorf("column %s: %w", r.names[i], err)
			}
			vals = make([]store.Value, r.rows.Len())
		}
		r.cols[i] = vals
	}
	return r.cols[i]
}

func (r *rowEvent) Get(f string) (string, bool) {
	if f == store.ColRaw {
		return r.Raw(), true
	}
	i, ok := r.idx[f]
	if !ok {
		return "", false
	}
	v := r.column(i)[r.row]
	if v.IsNull() {
		return "", false
	}
	return v.String(), true
}

func (r *rowEvent) Raw() string {
	if r.raws == nil {
		vals, err := r.rows.Values(store.ColRaw)
		if err != nil {
			if r.err == nil {
				r.err = fmt.Errorf("column _raw: %w", err)
			}
			vals = make([]store.Value, r.rows.Len())
		}
		r.raws = vals
	}
	return r.raws[r.row].String()
}

func (r *rowEvent) snapshot() mapEvent {
	m := mapEvent{fields: make(map[string]string, len(r.idx)), raw: r.Raw()} // (the aliases are in idx)
	for f := range r.idx {
		if v, ok := r.Get(f); ok {
			m.fields[f] = v
		}
	}
	return m
}

// addSpacelessNames lets a rule name a field without its spaces, as the
// Sigma specification says ("Source Name" is SourceName): Windows events
// keep the spaces of their EventData names.
func addSpacelessNames[V any](m map[string]V) {
	for name, v := range m {
		if strings.ContainsRune(name, ' ') {
			alias := strings.ReplaceAll(name, " ", "")
			if _, taken := m[alias]; !taken {
				m[alias] = v
			}
		}
	}
}

// huntStats counts what a hunt did.
type huntStats struct {
	scan         store.ScanStats
	rules        int
	events       int64
	tokenSkipped int64 // rule tests left out by the event's tokens
	evaluated    int64
}

// sigmaHunter runs a matcher over a store.
type sigmaHunter struct {
	m *sigmamap.Matcher
	// rawTokens: the store's Windows events are all from .evtx files, so
	// the chunk filter may use the tokens of the rules' field values.
	rawTokens  bool
	correlated map[*sigma.Rule]bool
	report     map[*sigma.Rule]bool
	pushdown   bool // prune chunks and events by the rules' tokens and sources
	// pre, with pushdown, runs each rule only on the rows holding its
	// literals; ruleIdx is each compiled rule's index in m.Rules.
	pre     *huntPrefilter
	ruleIdx map[*sigmamap.Compiled]int
}

// chunkResult is what a chunk's worker found.
type chunkResult struct {
	hits                    []huntHit
	matches                 []huntMatch
	events, skipped, evalue int64
}

// scanFilter is the store filter that skips the chunks no rule the hunt
// runs can match (sigmamap.Matcher.ChunkFilter).
func (h *sigmaHunter) scanFilter() *store.Filter {
	return h.m.ChunkFilter(func(r *sigma.Rule) bool { return h.report[r] || h.correlated[r] }, h.rawTokens)
}

// work evaluates the rules on the rows of a chunk: with the prefilter,
// each rule only on the rows that hold its literals.
func (h *sigmaHunter) work(c *store.Chunk) (any, error) {
	rows, err := c.Select(nil, math.MinInt64, math.MaxInt64, store.SelectOptions{Times: true})
	if err != nil {
		return nil, err
	}
	defer rows.Release()
	n := rows.Len()
	res := &chunkResult{}
	if n == 0 {
		return res, nil
	}
	ev := &rowEvent{idx: map[string]int{}, rows: rows}
	ev.names = []string{"source", "sourcetype"}
	for _, ci := range c.Cols {
		if ci.Name != store.ColTime && ci.Name != store.ColRaw {
			ev.names = append(ev.names, ci.Name)
		}
	}
	for i, name := range ev.names {
		ev.idx[name] = i
	}
	ev.cols = make([][]store.Value, len(ev.names))
	addSpacelessNames(ev.idx)
	var (
		cp    *chunkPrefilter
		bits  []uint64
		words int
		cand  []bool
		keep  func(*sigmamap.Compiled) bool
	)
	if h.pushdown && h.pre != nil {
		cp = h.pre.plan(h.m, c, ev.idx, ev.names)
		if bits, words, err = h.pre.scan(cp, rows, n); err != nil {
			return nil, fmt.Errorf("chunk %d: %w", c.ID, err)
		}
		cand = make([]bool, len(h.m.Rules))
		keep = func(rc *sigmamap.Compiled) bool { return cand[h.ruleIdx[rc]] }
	}
	times := rows.Times()
	lo, _ := rows.Range()
	toks := map[string]bool{}
	tokRow := -1
	var has func(string) bool
	if h.pushdown {
		has = func(tok string) bool {
			if tokRow != ev.row {
				clear(toks)
				store.Tokens(ev.Raw(), func(tok string) { toks[asciiLower(tok)] = true })
				tokRow = ev.row
			}
			return toks[tok]
		}
	}
	fieldsInRaw := sigmamap.FieldsInRaw(c.Sourcetype)
	for i := range n {
		res.events++
		if cp != nil {
			row := bits[i*words : (i+1)*words]
			if cp.keyAny != nil && !intersects(row, cp.keyAny) {
				continue
			}
			some := false
			for k, ri := range cp.rules {
				ok := cp.needs[k] == nil || intersects(row, cp.keys[k]) && cp.needs[k].holds(row)
				cand[ri] = ok
				some = some || ok
			}
			if !some {
				continue
			}
		}
		ev.row = i
		t := times[lo+rows.Row(i)]
		h.m.Match(ev, has, fieldsInRaw, keep, func(cr *sigmamap.Compiled, _ sigma.Event) {
			res.evalue++
			r := cr.Rule
			if h.report[r] {
				res.hits = append(res.hits, huntHit{t: t, id: r.Ref(), title: r.Title, level: r.Level, source: c.Source})
			}
			if h.correlated[r] {
				res.matches = append(res.matches, huntMatch{rule: r, t: t, ev: ev.snapshot(), source: c.Source})
			}
		})
		if ev.err != nil {
			return nil, fmt.Errorf("chunk %d: %w", c.ID, ev.err)
		}
	}
	return res, nil
}

// run scans the store and returns the hits in time order.
func (h *sigmaHunter) run(ctx context.Context, st interface {
	Scan(context.Context, store.ScanSpec, func(*store.Chunk) (any, error), func(*store.Chunk, any) error) (store.ScanStats, error)
}, set *sigma.Set, sel huntSelect) ([]huntHit, *huntStats, error) {
	spec := store.AllTime
	if h.pushdown {
		// Whether Windows events come only from .evtx files: the chunk
		// headers say (nothing is decoded).
		h.rawTokens = true
		_, err := st.Scan(ctx, store.AllTime, func(c *store.Chunk) (any, error) {
			return sigmamap.FieldsInRaw(c.Sourcetype) || c.Column("Channel") == nil, nil
		}, func(_ *store.Chunk, v any) error {
			h.rawTokens = h.rawTokens && v.(bool)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		spec.Filter = h.scanFilter()
	}
	var hits []huntHit
	var matches []huntMatch
	hs := &huntStats{}
	ss, err := st.Scan(ctx, spec, h.work, func(_ *store.Chunk, v any) error {
		r := v.(*chunkResult)
		hits = append(hits, r.hits...)
		matches = append(matches, r.matches...)
		hs.events += r.events
		hs.evaluated += r.evalue
		return nil
	})
	hs.scan = ss
	if err != nil {
		return nil, hs, err
	}
	if len(h.correlated) > 0 {
		ch, err := correlate(set, matches, sel)
		if err != nil {
			return nil, hs, err
		}
		hits = append(hits, ch...)
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.t != b.t {
			return a.t < b.t
		}
		if a.id != b.id {
			return a.id < b.id
		}
		return a.source < b.source
	})
	return hits, hs, nil
}

// correlate feeds the matches of the correlated rules to the correlation
// engine in event time order.
func correlate(set *sigma.Set, matches []huntMatch, sel huntSelect) ([]huntHit, error) {
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].t < matches[j].t })
	eng := sigma.NewEngine(set)
	var hits []sigma.Hit
	for _, m := range matches {
		hs, err := eng.Feed(m.rule, time.Unix(0, m.t), m.ev, m.source)
		if err != nil {
			return nil, err
		}
		hits = append(hits, hs...)
	}
	hits = append(hits, eng.Flush()...)
	return corrHits(hits, sel), nil
}

// corrHits turns the engine's hits of the correlations sel keeps into
// hunt hits (their source: the sources of the events, joined).
func corrHits(hits []sigma.Hit, sel huntSelect) []huntHit {
	var out []huntHit
	for i := range hits {
		h := &hits[i]
		c := h.Correlation
		if !sel.keeps(c.Level, c.Tags) {
			continue
		}
		var srcs []string
		for _, r := range h.Refs {
			if s, ok := r.(string); ok && !slices.Contains(srcs, s) {
				srcs = append(srcs, s)
			}
		}
		sort.Strings(srcs)
		out = append(out, huntHit{t: h.First.UnixNano(), id: c.Ref(), title: c.Title, level: c.Level,
			source: strings.Join(srcs, ","), corr: h})
	}
	return out
}

// newSigmaHunter picks the rules to run: the selected ones that can run,
// and those the selected correlations use.
func newSigmaHunter(ls *loadedSigma, sel huntSelect) *sigmaHunter {
	report, correlated := map[*sigma.Rule]bool{}, map[*sigma.Rule]bool{}
	var use func(c *sigma.Correlation)
	use = func(c *sigma.Correlation) {
		for _, s := range c.Sources {
			switch x := s.(type) {
			case *sigma.Rule:
				correlated[x] = true
			case *sigma.Correlation:
				use(x)
			}
		}
	}
	for _, c := range ls.set.Correlations {
		if c.CanRun() && c.Standalone && sel.keeps(c.Level, c.Tags) {
			use(c)
		}
	}
	for _, r := range ls.set.Rules {
		if r.CanRun() && ls.sources[r] != nil && r.Standalone && sel.keeps(r.Level, r.Tags) {
			report[r] = true
		}
	}
	return newSigmaHunterFor(ls, report, correlated)
}

// newSigmaHunterFor runs the rules of report (listing their hits) and of
// correlated (feeding the correlations); the matcher holds only those.
func newSigmaHunterFor(ls *loadedSigma, report, correlated map[*sigma.Rule]bool) *sigmaHunter {
	var rules []*sigma.Rule
	for _, r := range ls.set.Rules {
		if report[r] || correlated[r] {
			rules = append(rules, r)
		}
	}
	h := &sigmaHunter{m: sigmamap.NewMatcher(rules, ls.sources), report: report, correlated: correlated, pushdown: true}
	h.pre = newHuntPrefilter(h.m)
	h.ruleIdx = map[*sigmamap.Compiled]int{}
	for i, c := range h.m.Rules {
		h.ruleIdx[c] = i
	}
	return h
}

// huntColumns are the output columns: the fixed ones, then for
// correlations first, last, count and the group-by fields (sorted).
func huntColumns(hits []huntHit) []string {
	cols := []string{"_time", "sigma_level", "sigma_id", "sigma_title", "source"}
	group := map[string]bool{}
	corr := false
	for _, h := range hits {
		if h.corr != nil {
			corr = true
			for _, g := range h.corr.Correlation.GroupBy {
				group[g] = true
			}
		}
	}
	if !corr {
		return cols
	}
	cols = append(cols, "first", "last", "count")
	var gs []string
	for g := range group {
		if !slices.Contains(cols, g) {
			gs = append(gs, g)
		}
	}
	sort.Strings(gs)
	return append(cols, gs...)
}

func writeHunt(w io.Writer, format render.Format, hits []huntHit) error {
	cols := huntColumns(hits)
	rw := render.New(w, format, cols)
	rows := make([][]store.Value, 0, len(hits))
	for _, h := range hits {
		row := make([]store.Value, len(cols))
		for i, c := range cols {
			switch c {
			case "_time":
				row[i] = store.Time(h.t)
			case "sigma_level":
				row[i] = store.Str(h.level)
			case "sigma_id":
				row[i] = store.Str(h.id)
			case "sigma_title":
				row[i] = store.Str(h.title)
			case "source":
				row[i] = store.Str(h.source)
			default:
				if h.corr == nil {
					continue
				}
				switch c {
				case "first":
					row[i] = store.Time(h.corr.First.UnixNano())
				case "last":
					row[i] = store.Time(h.corr.Last.UnixNano())
				case "count":
					row[i] = store.Int(int64(h.corr.Count))
				default:
					if k := slices.Index(h.corr.Correlation.GroupBy, c); k >= 0 && k < len(h.corr.Group) {
						row[i] = store.Str(h.corr.Group[k])
					}
				}
			}
		}
		rows = append(rows, row)
	}
	if err := rw.Write(rows); err != nil {
		return err
	}
	return rw.Flush()
}

func (e *env) sigmaHunt(args []string) error {
	fs := flag.NewFlagSet("sigma hunt", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "", "output format: table, csv or json (default: table on a terminal, else csv)")
	level := fs.String("level", "", "only rules of this `level` or above (informational, low, medium, high, critical)")
	tags := fs.String("tags", "", "only rules with one of these comma-separated `tags` (attack.t1110 also takes attack.t1110.001)")
	mapping := fs.String("mapping", "", "a log-source mapping `FILE` (thor.yml's shape) that extends the built-in one")
	stats := fs.Bool("stats", false, "print rules run, chunks read and skipped, events and time to stderr")
	fs.Usage = func() { fmt.Fprint(e.stderr, sigmaUsage); fs.PrintDefaults() }
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return usagef("sigma hunt: name the rule files or directories")
	}
	out := e.outFormat()
	if *format != "" {
		switch f := render.Format(strings.ToLower(*format)); f {
		case render.Table, render.CSV, render.JSON:
			out = f
		default:
			return usagef("sigma hunt: unknown format %q (want table, csv or json)", *format)
		}
	}
	var sel huntSelect
	if *level != "" {
		if sel.minLevel = sigmaLevels[strings.ToLower(*level)]; sel.minLevel == 0 {
			return usagef("sigma hunt: unknown level %q (want informational, low, medium, high or critical)", *level)
		}
	}
	for _, t := range strings.Split(*tags, ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			sel.tags = append(sel.tags, t)
		}
	}
	start := time.Now()
	ls, err := loadSigmaRules("sigma hunt", paths, *mapping)
	if err != nil {
		return err
	}
	h := newSigmaHunter(ls, sel)
	if len(h.report) == 0 && len(h.correlated) == 0 {
		return fmt.Errorf("sigma hunt: none of the %d rules can run with this selection (see sigma check)", len(ls.set.Rules))
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	tuneGCForQueries() // as a query: one burst of allocation, then exit
	hits, hs, err := h.run(context.Background(), db, ls.set, sel)
	if err != nil {
		return err
	}
	if err := writeHunt(e.stdout, out, hits); err != nil {
		return err
	}
	if *stats {
		byLevel := map[string]int{}
		for _, x := range hits {
			byLevel[x.level]++
		}
		var lv []string
		for _, l := range []string{"critical", "high", "medium", "low", "informational", ""} {
			if byLevel[l] > 0 {
				name := l
				if name == "" {
					name = "none"
				}
				lv = append(lv, fmt.Sprintf("%s %d", name, byLevel[l]))
			}
		}
		fmt.Fprintf(e.stderr, "sigma hunt: %d rules run (%d reported, %d for correlations), %d hits (%s); %d of %d chunks read (%d skipped by tokens, %d by log source), %d events; %v\n",
			len(h.m.Rules), len(h.report), len(h.correlated), len(hits), strings.Join(lv, ", "),
			hs.scan.ChunksRead, hs.scan.ChunksTotal, hs.scan.SkippedTokens, hs.scan.SkippedPrune, hs.events,
			time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// asciiLower lower-cases the ASCII letters of s (the token plans' case).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
