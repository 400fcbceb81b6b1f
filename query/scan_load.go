package query

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"unsafe"

	"loghunt/store"
)

// prune skips a chunk by its header: a positive field comparison on a
// field the chunk does not have, or a numeric one outside its range.
func (p *plan) prune(c *store.Chunk) bool {
	return p.term == nil || mayMatchChunk(p.term, c)
}

func mayMatchChunk(t *Term, c *store.Chunk) bool {
	switch t.Kind {
	case TermAnd:
		for _, a := range t.Args {
			if !mayMatchChunk(a, c) {
				return false
			}
		}
		return true
	case TermOr:
		for _, a := range t.Args {
			if mayMatchChunk(a, c) {
				return true
			}
		}
		return false
	case TermCompare:
		if t.Op == "!=" || isBuiltin(t.Field) {
			return true
		}
		ci := c.Column(t.Field)
		if ci == nil {
			return false // null never equals or compares
		}
		if !ci.HasRange || !t.isNum || t.Wildcard {
			return true
		}
		switch t.Op {
		case "=":
			return t.num >= ci.Min && t.num <= ci.Max
		case "<":
			return ci.Min < t.num
		case "<=":
			return ci.Min <= t.num
		case ">":
			return ci.Max > t.num
		case ">=":
			return ci.Max >= t.num
		}
	case TermIn:
		return isBuiltin(t.Field) || c.Column(t.Field) != nil
	}
	return true
}

func isBuiltin(f string) bool {
	return f == store.ColTime || f == store.ColRaw || f == "source" || f == "sourcetype"
}

// chunkCols decodes the columns of one chunk's time range on demand,
// once each. Dictionary-encoded columns stay as codes until rows are
// gathered, so a filter can test each distinct value once and a gather
// of few rows builds only those values.
type chunkCols struct {
	c      *store.Chunk
	lo, hi int
	vals   map[string][]store.Value
	dicts  map[string]*store.Dict
	// rawWant, when set, marks the rows (of the whole chunk) whose _raw
	// may be needed; the blocks without one stay compressed.
	rawWant []bool
	// arena holds the _raw blocks a search decoded (nil until one did).
	arena *rawArena
	// reuse decodes dictionaries into the arena: for a caller that copies
	// the values it keeps before release.
	reuse bool
	// borrow gathers _raw as views of the arena (plan.borrowRaw).
	borrow bool
}

// rawArena is memory for searching a chunk's _raw, reused from chunk to
// chunk: a search decompresses much more than it keeps, and fresh memory
// for every block cost as much in page faults as the decompression.
// Nothing may keep a view of it past release: gather copies out the _raw
// of the rows it selects.
type rawArena struct {
	data []byte
	// ends[r]: where row r's text ends in data; it starts where row r-1's
	// ends, or for the first row of a block at begin[block]. Offsets, not
	// strings: the collector has no pointers to scan in them.
	ends  []uint32
	begin []uint32
	done  []bool // per block: decoded into data
	// times holds the chunk's times and timeBuf their column, when
	// decoded: the batch copies the times it keeps.
	times   []int64
	timeBuf []byte
	raw     bool // data, ends, begin and done are set up for the chunk
	// The search's row flags (bools[:nbools] in use) and the selected
	// rows.
	bools  [][]bool
	nbools int
	sel    []int
	// dictBuf holds the dictionaries decoded for a caller that copies
	// what it keeps of them (chunkCols.reuse).
	dictBuf []byte
	// cut holds a _raw block decoded without its cut fields' values, and
	// row a row put back, for searching such blocks.
	cut     store.CutBlock
	row     []byte
	cutEnds []int
	// What cutSearchable found of the cut values for touchPhrase.
	touchPhrase string
	touches     map[string]bool
	phraseBytes [256]bool
	touching    [][]bool // per cut field and code: the value can meet the phrase
}

// rawArenas holds arenas free for the next chunk. Unlike a sync.Pool it
// is not emptied by every collection, which would make a long scan fault
// in fresh pages again.
var rawArenas = make(chan *rawArena, 2*runtime.GOMAXPROCS(0))

// release hands the arena back for the next chunk.
func (cc *chunkCols) release() {
	cc.c.ReleaseScratch()
	if cc.arena != nil {
		select {
		case rawArenas <- cc.arena:
		default:
		}
		cc.arena = nil
	}
}

// getArena returns the chunk's arena, taking a free one on first use.
func (cc *chunkCols) getArena() *rawArena {
	if cc.arena == nil {
		select {
		case cc.arena = <-rawArenas:
		default:
			cc.arena = new(rawArena)
		}
		cc.arena.raw, cc.arena.nbools, cc.arena.dictBuf = false, 0, cc.arena.dictBuf[:0]
		if cc.arena.sel == nil {
			// Never nil: a nil selection means every row.
			cc.arena.sel = make([]int, 0, 1024)
		}
	}
	return cc.arena
}

// bools returns n false flags from the arena, valid until release.
func (cc *chunkCols) bools(n int) []bool {
	a := cc.getArena()
	if a.nbools == len(a.bools) {
		a.bools = append(a.bools, nil)
	}
	b := slices.Grow(a.bools[a.nbools][:0], n)[:n]
	clear(b)
	a.bools[a.nbools] = b
	a.nbools++
	return b
}

// times returns the chunk's times, decoded into the arena: valid until
// release.
func (cc *chunkCols) times() ([]int64, error) {
	a := cc.getArena()
	var err error
	a.times, a.timeBuf, err = cc.c.TimesInto(a.times[:0], a.timeBuf)
	return a.times, err
}

// rawBlock decodes block b of a blocked _raw into the arena on first use
// and returns its rows' text, back to back, and where each row ends in it.
func (cc *chunkCols) rawBlock(b, bs int) (text string, ends []uint32, base uint32, err error) {
	a := cc.getArena()
	if !a.raw {
		a.raw = true
		if size := cc.c.RawSize(); cap(a.data) < size {
			// Room to spare: chunks differ a little in size, and an
			// arena grown for each slightly bigger one is fresh memory
			// every time.
			a.data = make([]byte, 0, size+size/4)
		}
		a.data = a.data[:0]
		a.ends = slices.Grow(a.ends[:0], cc.c.Rows)[:cc.c.Rows]
		nb := (cc.c.Rows + bs - 1) / bs
		a.begin = slices.Grow(a.begin[:0], nb)[:nb]
		a.done = slices.Grow(a.done[:0], nb)[:nb]
		clear(a.done)
	}
	ends = a.ends[b*bs : min((b+1)*bs, cc.c.Rows)]
	if !a.done[b] {
		var begin int
		if a.data, begin, err = cc.c.RawBlockAppend(b, a.data, ends); err != nil {
			return "", nil, 0, err
		}
		a.begin[b], a.done[b] = uint32(begin), true
	}
	base = a.begin[b]
	if len(ends) == 0 || ends[len(ends)-1] == base {
		return "", ends, base, nil
	}
	return unsafe.String(&a.data[base], int(ends[len(ends)-1]-base)), ends, base, nil
}

// rawAt returns the _raw of row r of the range, or ok=false when its
// block's token filter ruled it out (the row cannot match the search).
// Of a blocked _raw only the blocks asked for are decoded, into the
// arena: the string is valid until release.
func (cc *chunkCols) rawAt(r int) (raw string, ok bool, err error) {
	row := cc.lo + r
	if cc.rawWant != nil && !cc.rawWant[row] {
		return "", false, nil
	}
	bs := cc.c.RawBlockRows()
	if v, ok := cc.vals[store.ColRaw]; ok || bs == 0 {
		if !ok {
			if v, err = cc.values(store.ColRaw); err != nil {
				return "", false, err
			}
		}
		return v[r].S, true, nil
	}
	b := row / bs
	text, ends, base, err := cc.rawBlock(b, bs)
	if err != nil {
		return "", false, err
	}
	i, start := row-b*bs, base
	if i > 0 {
		start = ends[i-1]
	}
	return text[start-base : ends[i]-base], true, nil
}

// matchPhraseBlocks tests a phrase on the candidate rows of the range,
// a block at a time: a block with many candidates is searched as one
// text, one with few row by row.
func (cc *chunkCols) matchPhraseBlocks(phrase string, cand []bool, bs int) error {
	var ends []int
	var match []bool
	cut, err := cc.cutSearchable(phrase)
	if err != nil {
		return err
	}
	for b := cc.lo / bs; b*bs < cc.hi; b++ {
		lo, hi := max(b*bs, cc.lo), min((b+1)*bs, cc.hi) // chunk rows
		c := cand[lo-cc.lo : hi-cc.lo]
		n := 0
		for i, ok := range c {
			if ok && cc.rawWant != nil && !cc.rawWant[lo+i] {
				c[i], ok = false, false // its block's filter ruled it out
			}
			if ok {
				n++
			}
		}
		if n == 0 {
			continue
		}
		if cut {
			if err := cc.matchCutBlock(phrase, b, bs, lo, c); err != nil {
				return err
			}
			continue
		}
		if n < bs/8 {
			for i, ok := range c {
				if ok {
					raw, _, err := cc.rawAt(lo + i - cc.lo)
					if err != nil {
						return err
					}
					c[i] = MatchPhrase(phrase, raw)
				}
			}
			continue
		}
		text, rowEnds, base, err := cc.rawBlock(b, bs)
		if err != nil {
			return err
		}
		// The rows' texts lie back to back: search the block's rows lo..hi
		// as one text.
		first, last := lo-b*bs, hi-b*bs
		from := base
		if first > 0 {
			from = rowEnds[first-1]
		}
		ends, match = ends[:0], slices.Grow(match[:0], last-first)[:last-first]
		clear(match)
		for _, e := range rowEnds[first:last] {
			ends = append(ends, int(e-from))
		}
		matchPhraseRows(phrase, text[from-base:rowEnds[last-1]-base], ends, match)
		for i := range c {
			c[i] = c[i] && match[i]
		}
	}
	return nil
}

// cutSearchable reports whether the chunk's _raw has fields cut out, and
// notes in the arena which of their values can meet an occurrence of
// phrase: then its blocks are searched without putting the values back
// (matchCutBlock).
func (cc *chunkCols) cutSearchable(phrase string) (bool, error) {
	cuts := cc.c.RawCuts()
	if cuts == nil {
		return false, nil
	}
	// The same values come back chunk after chunk: the arena, reused by
	// the worker, remembers the answers for the phrase.
	a := cc.getArena()
	if a.touchPhrase != phrase || a.touches == nil {
		a.touchPhrase, a.touches = phrase, map[string]bool{}
		clear(a.phraseBytes[:])
		for i := range len(phrase) {
			a.phraseBytes[lowerASCII(phrase[i])] = true
		}
	}
	for len(a.touching) < len(cuts) {
		a.touching = append(a.touching, nil)
	}
	a.touching = a.touching[:len(cuts)] // (the arena's last chunk may have cut more fields)
	for j := range a.touching {
		a.touching[j] = a.touching[j][:0]
	}
	err := cc.c.RawCutValues(func(field, code int, v string) bool {
		t, seen := a.touches[v]
		if !seen {
			t = mayTouch(phrase, v, &a.phraseBytes)
			if len(a.touches) < maxTouchMemo {
				a.touches[strings.Clone(v)] = t
			}
		}
		tc := a.touching[field]
		for len(tc) <= code {
			tc = append(tc, false)
		}
		tc[code] = t
		a.touching[field] = tc
		return true
	})
	return err == nil, err
}

// maxTouchMemo bounds the values a worker remembers for a search.
const maxTouchMemo = 1 << 16

// matchCutBlock tests a phrase on the candidate rows c of block b (chunk
// rows from lo) of a _raw with cut fields: an occurrence either lies
// within what is left of a row, so it is in the remaining texts, searched
// as one text without token boundaries (the neighbours of a cut are not a
// row's own), or meets one of the row's cut values, which cutSearchable
// noted. Only those rows get their values back, for the exact test.
func (cc *chunkCols) matchCutBlock(phrase string, b, bs, lo int, c []bool) error {
	a := cc.getArena()
	cb := &a.cut
	if err := cc.c.DecodeCutBlock(b, cb); err != nil {
		return err
	}
	text, rowEnds := cb.Text(), cb.Ends()
	first := lo - b*bs
	from, to := 0, int(rowEnds[first+len(c)-1])
	if first > 0 {
		from = int(rowEnds[first-1])
	}
	a.cutEnds = a.cutEnds[:0]
	for i := range c {
		a.cutEnds = append(a.cutEnds, int(rowEnds[first+i])-from)
	}
	ends := a.cutEnds
	match := cc.bools(len(c))
	matchPhraseRowsIn(phrase, text[from:to], ends, match, false)
	// An occurrence that is not within what is left of a row meets one
	// of its cut values: rows with a value that can meet the phrase are
	// candidates too.
	for i, ok := range c {
		for j := 0; ok && !match[i] && j < len(a.touching); j++ {
			if code := cb.Code(j, first+i); code > 0 && code < len(a.touching[j]) && a.touching[j][code] {
				match[i] = true
			}
		}
	}
	for i, ok := range c {
		if !ok || !match[i] {
			c[i] = false
			continue
		}
		var err error
		if a.row, err = cb.AppendRow(first+i, a.row[:0]); err != nil {
			return err
		}
		c[i] = MatchPhrase(phrase, unsafe.String(unsafe.SliceData(a.row), len(a.row)))
	}
	return nil
}

// mayTouch reports whether an occurrence of phrase (ASCII case ignored)
// in a text could overlap v where v lies in that text: v holds the
// phrase, the phrase holds v, or an end of one is the start of the other.
// in holds the phrase's bytes, lower-cased.
func mayTouch(phrase, v string, in *[256]bool) bool {
	if v == "" {
		return false
	}
	// Each way but the first needs v's first or last byte in the phrase.
	first, last := in[lowerASCII(v[0])], in[lowerASCII(v[len(v)-1])]
	if len(v) >= len(phrase) && containsFold(v, phrase) || first && len(v) <= len(phrase) && containsFold(phrase, v) {
		return true
	}
	for k := 1; k < len(phrase) && k <= len(v) && (first || last); k++ {
		if first && equalFoldASCII(phrase[len(phrase)-k:], v[:k]) || last && equalFoldASCII(phrase[:k], v[len(v)-k:]) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds sub, ASCII case ignored.
func containsFold(s, sub string) bool {
	if len(sub) == 0 {
		return true
	}
	f := newFoldFinder(sub, s)
	for i := f.next(0); i >= 0; i = f.next(i + 1) {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// gatherRaw returns the _raw of the selected rows of a blocked _raw, in
// fresh memory of their own.
func (cc *chunkCols) gatherRaw(sel []int) ([]store.Value, error) {
	total := 0
	for _, r := range sel {
		s, _, err := cc.rawAt(r)
		if err != nil {
			return nil, err
		}
		total += len(s)
	}
	buf := make([]byte, 0, total)
	out := make([]store.Value, len(sel))
	for i, r := range sel {
		s, _, _ := cc.rawAt(r) // decoded above
		start := len(buf)
		buf = append(buf, s...)
		out[i] = store.Str(unsafe.String(unsafe.SliceData(buf[start:]), len(s)))
	}
	return out, nil
}

// rawViews returns the _raw of the selected rows as views of the arena,
// valid until release (see plan.borrowRaw).
func (cc *chunkCols) rawViews(sel []int) ([]store.Value, error) {
	out := make([]store.Value, len(sel))
	for i, r := range sel {
		s, _, err := cc.rawAt(r)
		if err != nil {
			return nil, err
		}
		out[i] = store.Str(s)
	}
	return out, nil
}

// dict returns the codes of a dictionary column in the range, or nil.
func (cc *chunkCols) dict(name string) (*store.Dict, error) {
	if d, ok := cc.dicts[name]; ok {
		return d, nil
	}
	var d *store.Dict
	var err error
	if cc.reuse {
		a := cc.getArena()
		d, a.dictBuf, err = cc.c.DictIn(name, a.dictBuf)
	} else {
		d, err = cc.c.Dict(name)
	}
	if err != nil || d == nil {
		return nil, err
	}
	d = d.Slice(cc.lo, cc.hi)
	cc.dicts[name] = d
	return d, nil
}

// values returns a column's values in the range.
func (cc *chunkCols) values(name string) ([]store.Value, error) {
	if v, ok := cc.vals[name]; ok {
		return v, nil
	}
	if d, err := cc.dict(name); err != nil || d != nil {
		if err != nil {
			return nil, err
		}
		v := d.Expand()
		cc.vals[name] = v
		return v, nil
	}
	var v []store.Value
	var err error
	if name == store.ColRaw {
		v, err = cc.c.RawValues(cc.rawWant)
	} else {
		v, err = cc.c.Values(name)
	}
	if err != nil {
		return nil, err
	}
	v = v[cc.lo:cc.hi]
	cc.vals[name] = v
	return v, nil
}

// gather returns the values of the selected rows (all when sel is nil).
func (cc *chunkCols) gather(name string, sel []int) ([]store.Value, error) {
	_, expanded := cc.vals[name]
	if name == store.ColRaw && sel != nil && !expanded && cc.c.RawBlockRows() > 0 {
		if cc.borrow {
			return cc.rawViews(sel)
		}
		return cc.gatherRaw(sel)
	}
	if sel != nil && !expanded {
		if d, err := cc.dict(name); err != nil || d != nil {
			if err != nil {
				return nil, err
			}
			out := make([]store.Value, len(sel))
			for i, r := range sel {
				if code := d.Code(r); code != 0 {
					out[i] = d.Value(code)
				}
			}
			return out, nil
		}
	}
	all, err := cc.values(name)
	if err != nil {
		return nil, err
	}
	return gather(all, sel), nil
}

// chunkRows is the part of a chunk a query reads: the rows of the time
// range that match the search.
type chunkRows struct {
	cc     *chunkCols
	times  []int64 // the chunk's times, when decoded (nil otherwise), until cc.release
	lo, hi int     // the time range's rows
	sel    []int   // selected rows, relative to lo; nil means all; in cc's arena
}

// n is how many rows are selected.
func (r *chunkRows) n() int {
	if r.sel != nil {
		return len(r.sel)
	}
	return r.hi - r.lo
}

// selectRows finds the rows of a chunk in the time range that match the
// search. Times are decoded only when the range cuts the chunk or when
// needTimes is set. With reuse, dictionaries are decoded into the arena:
// for a caller that copies what it keeps of their values.
func (p *plan) selectRows(c *store.Chunk, needTimes, reuse bool) (*chunkRows, error) {
	r := &chunkRows{hi: c.Rows}
	r.cc = &chunkCols{c: c, vals: map[string][]store.Value{}, dicts: map[string]*store.Dict{}, reuse: reuse}
	if c.MinTime < p.lo || c.MaxTime > p.hi || needTimes {
		var err error
		if r.times, err = r.cc.times(); err != nil {
			return nil, err
		}
		r.lo = sort.Search(len(r.times), func(i int) bool { return r.times[i] >= p.lo })
		r.hi = max(r.lo, sort.Search(len(r.times), func(i int) bool { return r.times[i] > p.hi }))
	}
	r.cc.lo, r.cc.hi = r.lo, r.hi
	// Rows whose _raw block's token filter rules out a word the search
	// needs cannot match: their _raw is not even decompressed.
	var cand []bool
	if len(p.rawTokens) > 0 && r.hi > r.lo {
		all, err := c.RawCandidates(p.rawTokens)
		if err != nil {
			return nil, err
		}
		if all != nil {
			cand = all[r.lo:r.hi]
			if !slices.Contains(cand, true) {
				r.hi = r.lo
				return r, nil
			}
			r.cc.rawWant = all
		}
	}
	if p.term != nil && r.hi > r.lo && cand == nil {
		// One comparison on a dictionary column selects rows straight
		// from the codes.
		d, table, err := p.dictTable(r.cc, p.term)
		if err != nil {
			return nil, err
		}
		if d != nil {
			a := r.cc.getArena()
			a.sel = d.AppendMatching(table, a.sel[:0])
			r.sel = a.sel
			return r, nil
		}
	}
	if p.term != nil && r.hi > r.lo {
		keep, err := p.matchRows(r.cc, p.term, r.hi-r.lo)
		if err != nil {
			return nil, err
		}
		for i, ok := range cand {
			keep[i] = keep[i] && ok
		}
		a := r.cc.getArena()
		a.sel = a.sel[:0]
		for i, k := range keep {
			if k {
				a.sel = append(a.sel, i)
			}
		}
		r.sel = a.sel
	}
	return r, nil
}

// load decodes the rows of a chunk in the time range that match the
// search, with the columns the query needs.
//
// The batch holds copies of what it needs, except with p.borrowRaw: then
// its _raw values view the chunk's arena, and the caller calls done when
// nothing views them any more. done is never nil.
func (p *plan) load(c *store.Chunk) (b *Batch, done func(), err error) {
	// Rows need times for time order, or for _time itself.
	rows, err := p.selectRows(c, p.partial == nil || p.need.has(store.ColTime), false)
	if err != nil {
		return nil, noop, err
	}
	rows.cc.borrow = p.borrowRaw
	if rows.cc.borrow {
		defer func() {
			if err != nil {
				rows.cc.release()
			}
		}()
		b, err = p.loadRows(rows)
		return b, rows.cc.release, err
	}
	defer rows.cc.release()
	b, err = p.loadRows(rows)
	return b, noop, err
}

func noop() {}

// loadRows makes the batch of the selected rows of a chunk.
func (p *plan) loadRows(rows *chunkRows) (*Batch, error) {
	if rows.hi <= rows.lo {
		return &Batch{}, nil
	}
	cc, times, lo, sel := rows.cc, rows.times, rows.lo, rows.sel
	n := rows.hi - lo
	if sel != nil {
		n = len(sel)
	}
	b := &Batch{Len: n}
	if times != nil && p.partial == nil { // (the order merges streams; an aggregation in the workers needs none)
		b.Order = make([]int64, n)
		for i := range n {
			b.Order[i] = times[lo+rowAt(sel, i)]
		}
	}
	for _, name := range p.columnsOf(cc.c) {
		var vals []store.Value
		var err error
		if name == store.ColTime {
			vals = make([]store.Value, n)
			for i := range vals {
				if times != nil {
					vals[i] = store.Time(times[lo+rowAt(sel, i)])
				}
			}
		} else if vals, err = cc.gather(name, sel); err != nil {
			return nil, err
		}
		b.Fields = append(b.Fields, name)
		b.Cols = append(b.Cols, vals)
		if p.partial != nil && len(p.pushed) == 0 {
			b.dicts = append(b.dicts, cc.selectedCodes(name, sel))
		}
	}
	return b, nil
}

func rowAt(sel []int, i int) int {
	if sel == nil {
		return i
	}
	return sel[i]
}

func gather(all []store.Value, sel []int) []store.Value {
	if sel == nil {
		return all
	}
	out := make([]store.Value, len(sel))
	for i, r := range sel {
		out[i] = all[r]
	}
	return out
}

// columnsOf lists the columns to decode for a chunk: those the query
// needs, or every column of the chunk (with _time first and _raw last)
// when the output shows every field.
func (p *plan) columnsOf(c *store.Chunk) []string {
	if !p.need.all {
		var out []string
		for _, f := range p.need.list() {
			if f == store.ColTime || isBuiltin(f) || c.Column(f) != nil {
				out = append(out, f)
			}
		}
		return out
	}
	out := []string{store.ColTime}
	for _, ci := range c.Cols {
		if ci.Name != store.ColTime && ci.Name != store.ColRaw {
			out = append(out, ci.Name)
		}
	}
	return append(out, "source", "sourcetype", store.ColRaw)
}

// matchRows evaluates a search term over the n rows of a chunk's range,
// one term at a time over all rows (the same semantics as Term.Match). A
// comparison on a dictionary column tests each distinct value once.
func (p *plan) matchRows(cc *chunkCols, t *Term, n int) ([]bool, error) {
	switch t.Kind {
	case TermAnd, TermOr:
		args := t.Args
		if t.Kind == TermAnd {
			// Field tests first: they are cheap, and the rows they rule
			// out are not searched for words.
			args = slices.Clone(args)
			slices.SortStableFunc(args, func(a, b *Term) int { return cmpBool(usesRaw(a), usesRaw(b)) })
		}
		acc, err := p.matchRows(cc, args[0], n)
		if err != nil {
			return nil, err
		}
		for _, a := range args[1:] {
			if t.Kind == TermAnd && (a.Kind == TermWord || a.Kind == TermPhrase) {
				if err := p.matchRaw(cc, a, acc); err != nil {
					return nil, err
				}
				continue
			}
			next, err := p.matchRows(cc, a, n)
			if err != nil {
				return nil, err
			}
			for r := range acc {
				if t.Kind == TermAnd {
					acc[r] = acc[r] && next[r]
				} else {
					acc[r] = acc[r] || next[r]
				}
			}
		}
		return acc, nil
	case TermNot:
		acc, err := p.matchRows(cc, t.Args[0], n)
		for r := range acc {
			acc[r] = !acc[r]
		}
		return acc, err
	case TermWord, TermPhrase:
		out := cc.bools(n)
		for r := range out {
			out[r] = true
		}
		return out, p.matchRaw(cc, t, out)
	case TermCompare, TermIn:
		return p.matchField(cc, t, n)
	}
	out := cc.bools(n)
	for r := range out {
		out[r] = true
	}
	return out, nil
}

// dictTable returns, for a comparison on a column that the chunk stores
// as a dictionary, the column's codes and whether each code matches;
// otherwise a nil dictionary.
func (p *plan) dictTable(cc *chunkCols, t *Term) (*store.Dict, []bool, error) {
	if t.Kind != TermCompare && t.Kind != TermIn || isBuiltin(t.Field) {
		return nil, nil, nil
	}
	d, err := cc.dict(t.Field)
	if err != nil || d == nil {
		return nil, nil, err
	}
	table := make([]bool, d.Len()+1) // code 0 is null: never matches
	for c := 1; c <= d.Len(); c++ {
		table[c] = t.MatchValue(d.Value(uint16(c)))
	}
	return d, table, nil
}

func (p *plan) matchField(cc *chunkCols, t *Term, n int) ([]bool, error) {
	out := cc.bools(n)
	if !isBuiltin(t.Field) {
		d, table, err := p.dictTable(cc, t)
		if err != nil {
			return nil, err
		}
		if d != nil {
			d.Match(table, out)
			return out, nil
		}
		if cc.c.Column(t.Field) == nil {
			return out, nil // every value null: no match
		}
	}
	vals, err := cc.values(t.Field)
	if err != nil {
		return nil, err
	}
	for r, v := range vals {
		out[r] = t.MatchValue(v)
	}
	return out, nil
}

// matchRaw narrows the candidate rows to those whose _raw has the word or
// phrase t.
func (p *plan) matchRaw(cc *chunkCols, t *Term, cand []bool) error {
	if !slices.Contains(cand, true) {
		return nil
	}
	if bs := cc.c.RawBlockRows(); bs > 0 && t.Value != "" &&
		(t.Kind == TermPhrase || t.Kind == TermWord && strings.IndexByte(t.Value, '*') < 0) {
		return cc.matchPhraseBlocks(t.Value, cand, bs)
	}
	for r, ok := range cand {
		if ok {
			raw, ok, err := cc.rawAt(r)
			if err != nil {
				return err
			}
			cand[r] = ok && t.Match(raw, nil)
		}
	}
	return nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func usesRaw(t *Term) bool {
	if t.Kind == TermWord || t.Kind == TermPhrase {
		return true
	}
	for _, a := range t.Args {
		if usesRaw(a) {
			return true
		}
	}
	return false
}

// selectedCodes returns a dictionary column's codes for the selected rows,
// or nil when the column is not dictionary-encoded.
func (cc *chunkCols) selectedCodes(name string, sel []int) *store.Dict {
	d := cc.dicts[name]
	if d == nil {
		return nil
	}
	if sel == nil {
		return d
	}
	return d.Select(sel)
}
