package store

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"unsafe"
)

// chunkCols decodes the columns of one chunk's time range on demand,
// once each. Dictionary-encoded columns stay as codes until rows are
// gathered, so a filter can test each distinct value once and a gather
// of few rows builds only those values.
type chunkCols struct {
	c      *Chunk
	lo, hi int
	vals   map[string][]Value
	dicts  map[string]*Dict
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
	cut     cutBlock
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
	cc.c.releaseScratch()
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
	a.times, a.timeBuf, err = cc.c.timesInto(a.times[:0], a.timeBuf)
	return a.times, err
}

// rawBlock decodes block b of a blocked _raw into the arena on first use
// and returns its rows' text, back to back, and where each row ends in it.
func (cc *chunkCols) rawBlock(b, bs int) (text string, ends []uint32, base uint32, err error) {
	a := cc.getArena()
	if !a.raw {
		a.raw = true
		if size := cc.c.rawSize(); cap(a.data) < size {
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
		if a.data, begin, err = cc.c.rawBlockAppend(b, a.data, ends); err != nil {
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
	bs := cc.c.rawBlockRows()
	if v, ok := cc.vals[ColRaw]; ok || bs == 0 {
		if !ok {
			if v, err = cc.values(ColRaw); err != nil {
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
	cuts := cc.c.rawCuts()
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
	err := cc.c.rawCutValues(func(field, code int, v string) bool {
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
	if err := cc.c.decodeCutBlockInto(b, cb); err != nil {
		return err
	}
	text, rowEnds := cb.rowText(), cb.rowEnds()
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
			if code := cb.code(j, first+i); code > 0 && code < len(a.touching[j]) && a.touching[j][code] {
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
		if a.row, err = cb.appendRow(first+i, a.row[:0]); err != nil {
			return err
		}
		c[i] = MatchPhrase(phrase, unsafe.String(unsafe.SliceData(a.row), len(a.row)))
	}
	return nil
}

// gatherRaw returns the _raw of the selected rows of a blocked _raw, in
// fresh memory of their own.
func (cc *chunkCols) gatherRaw(sel []int) ([]Value, error) {
	total := 0
	for _, r := range sel {
		s, _, err := cc.rawAt(r)
		if err != nil {
			return nil, err
		}
		total += len(s)
	}
	buf := make([]byte, 0, total)
	out := make([]Value, len(sel))
	for i, r := range sel {
		s, _, _ := cc.rawAt(r) // decoded above
		start := len(buf)
		buf = append(buf, s...)
		out[i] = Str(unsafe.String(unsafe.SliceData(buf[start:]), len(s)))
	}
	return out, nil
}

// rawViews returns the _raw of the selected rows as views of the arena,
// valid until release (see plan.borrowRaw).
func (cc *chunkCols) rawViews(sel []int) ([]Value, error) {
	out := make([]Value, len(sel))
	for i, r := range sel {
		s, _, err := cc.rawAt(r)
		if err != nil {
			return nil, err
		}
		out[i] = Str(s)
	}
	return out, nil
}

// dict returns the codes of a dictionary column in the range, or nil.
func (cc *chunkCols) dict(name string) (*Dict, error) {
	if d, ok := cc.dicts[name]; ok {
		return d, nil
	}
	var d *Dict
	var err error
	if cc.reuse {
		a := cc.getArena()
		d, a.dictBuf, err = cc.c.dictInto(name, a.dictBuf)
	} else {
		d, err = cc.c.dictNamed(name)
	}
	if err != nil || d == nil {
		return nil, err
	}
	d = d.slice(cc.lo, cc.hi)
	cc.dicts[name] = d
	return d, nil
}

// values returns a column's values in the range.
func (cc *chunkCols) values(name string) ([]Value, error) {
	if v, ok := cc.vals[name]; ok {
		return v, nil
	}
	if d, err := cc.dict(name); err != nil || d != nil {
		if err != nil {
			return nil, err
		}
		v := d.expand()
		cc.vals[name] = v
		return v, nil
	}
	var v []Value
	var err error
	if name == ColRaw {
		v, err = cc.c.rawValues(cc.rawWant)
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
func (cc *chunkCols) gather(name string, sel []int) ([]Value, error) {
	_, expanded := cc.vals[name]
	if name == ColRaw && sel != nil && !expanded && cc.c.rawBlockRows() > 0 {
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
			out := make([]Value, len(sel))
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
	return gatherValues(all, sel), nil
}

// Rows is the part of a chunk a query reads: the rows of a time range
// that match a filter (Chunk.Select). Its columns are decoded on demand,
// once each, into memory reused from chunk to chunk: call Release when
// done with the values it returned (Values' copies outlive it, the
// views of SelectOptions.Borrow do not).
type Rows struct {
	cc     *chunkCols
	times  []int64 // the chunk's times, when decoded (nil otherwise)
	lo, hi int     // the time range's rows
	sel    []int   // selected rows, relative to lo; nil means all
}

// SelectOptions say how Chunk.Select reads.
type SelectOptions struct {
	Times bool // decode the times even when the range takes the whole chunk
	// Reuse decodes dictionaries into reused memory: for a caller that
	// copies the values it keeps before Release.
	Reuse bool
	// Borrow makes Values of _raw views of reused memory, valid until
	// Release, instead of copies.
	Borrow bool
}

// Len is how many rows are selected.
func (r *Rows) Len() int {
	if r.sel != nil {
		return len(r.sel)
	}
	return r.hi - r.lo
}

// Chunk is the chunk the rows are of.
func (r *Rows) Chunk() *Chunk { return r.cc.c }

// Range returns the chunk rows [lo, hi) of the time range; the selection
// is among them.
func (r *Rows) Range() (lo, hi int) { return r.lo, r.hi }

// Selected returns the selected rows, relative to the range's first; nil
// means every row of the range. Valid until Release.
func (r *Rows) Selected() []int { return r.sel }

// Row returns the range row of the i-th selected row.
func (r *Rows) Row(i int) int {
	if r.sel == nil {
		return i
	}
	return r.sel[i]
}

// Times returns the chunk's times when they were decoded (the range cut
// the chunk, or SelectOptions.Times), else nil. Valid until Release.
func (r *Rows) Times() []int64 { return r.times }

// Values returns a column's values of the selected rows.
func (r *Rows) Values(name string) ([]Value, error) { return r.cc.gather(name, r.sel) }

// Dict returns the codes of a dictionary column for the rows of the
// range (not only the selected ones), or nil when the chunk does not
// store the column as a dictionary.
func (r *Rows) Dict(name string) (*Dict, error) { return r.cc.dict(name) }

// Ints returns an int column for the rows of the range (not only the
// selected ones) as int64s, 0 where null, and which rows are null (nil
// when none), without a Value per row. ok is false when the chunk does
// not store the column as plain ints (a dictionary is read with Dict).
func (r *Rows) Ints(name string) (vals []int64, nulls []bool, ok bool, err error) {
	all, bm, ok, err := r.cc.c.ints(name)
	if !ok || err != nil {
		return nil, nil, false, err
	}
	if bm != nil {
		nulls = make([]bool, r.hi-r.lo)
		for i := range nulls {
			row := r.lo + i
			nulls[i] = bm[row/8]&(1<<(row%8)) != 0
		}
	}
	return all[r.lo:r.hi], nulls, true, nil
}

// SelectedCodes returns a dictionary column's codes of the selected rows,
// when Values or Dict decoded it as one; else nil.
func (r *Rows) SelectedCodes(name string) *Dict { return r.cc.selectedCodes(name, r.sel) }

// Release hands the reused memory back for the next chunk.
func (r *Rows) Release() { r.cc.release() }

// Select finds the rows of the chunk in the time range [lo, hi] that
// match f (nil: every row). Times are decoded only when the range cuts
// the chunk or opt.Times is set. The _raw blocks whose token filter rules
// out a word f needs are not even decompressed; a single comparison on a
// dictionary column selects rows straight from the codes; other field
// tests run once per distinct value of a dictionary column.
func (c *Chunk) Select(f *Filter, lo, hi int64, opt SelectOptions) (*Rows, error) {
	r := &Rows{hi: c.Rows}
	r.cc = &chunkCols{c: c, vals: map[string][]Value{}, dicts: map[string]*Dict{}, reuse: opt.Reuse, borrow: opt.Borrow}
	if c.MinTime < lo || c.MaxTime > hi || opt.Times {
		var err error
		if r.times, err = r.cc.times(); err != nil {
			return nil, err
		}
		r.lo = sort.Search(len(r.times), func(i int) bool { return r.times[i] >= lo })
		r.hi = max(r.lo, sort.Search(len(r.times), func(i int) bool { return r.times[i] > hi }))
	}
	r.cc.lo, r.cc.hi = r.lo, r.hi
	if f == nil || f.Kind == FilterAll || r.hi <= r.lo {
		return r, nil
	}
	// Rows whose _raw block's token filter rules out a word the search
	// needs cannot match: their _raw is not even decompressed.
	var cand []bool
	if tokens := f.Tokens(); len(tokens) > 0 {
		all, err := c.rawCandidates(tokens)
		if err != nil {
			return nil, err
		}
		if all != nil {
			cand = all[r.lo:r.hi]
			if !slices.Contains(cand, true) {
				r.hi, r.cc.hi = r.lo, r.lo
				return r, nil
			}
			r.cc.rawWant = all
		}
	}
	if cand == nil {
		// One comparison on a dictionary column selects rows straight
		// from the codes.
		d, table, err := r.cc.dictTable(f)
		if err != nil {
			return nil, err
		}
		if d != nil {
			a := r.cc.getArena()
			a.sel = d.appendMatching(table, a.sel[:0])
			r.sel = a.sel
			return r, nil
		}
	}
	keep, err := r.cc.matchRows(f, r.hi-r.lo)
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
	return r, nil
}

// matchRows evaluates a filter over the n rows of the range, one test at
// a time over all rows (the same semantics as Filter.MatchRow). A field
// test on a dictionary column tests each distinct value once.
func (cc *chunkCols) matchRows(f *Filter, n int) ([]bool, error) {
	switch f.Kind {
	case FilterAnd, FilterOr:
		if len(f.Args) == 0 {
			return cc.trues(n, f.Kind == FilterAnd), nil
		}
		args := f.Args
		if f.Kind == FilterAnd {
			// Field tests first: they are cheap, and the rows they rule
			// out are not searched for words.
			args = slices.Clone(args)
			slices.SortStableFunc(args, func(a, b *Filter) int { return cmpBool(a.usesRaw(), b.usesRaw()) })
		}
		acc, err := cc.matchRows(args[0], n)
		if err != nil {
			return nil, err
		}
		for _, a := range args[1:] {
			if f.Kind == FilterAnd && (a.Kind == FilterWord || a.Kind == FilterPhrase) {
				if err := cc.matchRaw(a, acc); err != nil {
					return nil, err
				}
				continue
			}
			next, err := cc.matchRows(a, n)
			if err != nil {
				return nil, err
			}
			for r := range acc {
				if f.Kind == FilterAnd {
					acc[r] = acc[r] && next[r]
				} else {
					acc[r] = acc[r] || next[r]
				}
			}
		}
		return acc, nil
	case FilterNot:
		acc, err := cc.matchRows(f.Args[0], n)
		for r := range acc {
			acc[r] = !acc[r]
		}
		return acc, err
	case FilterWord, FilterPhrase:
		out := cc.trues(n, true)
		return out, cc.matchRaw(f, out)
	case FilterField:
		return cc.matchField(f, n)
	}
	return cc.trues(n, true), nil
}

// trues returns n flags, all set to v.
func (cc *chunkCols) trues(n int, v bool) []bool {
	out := cc.bools(n)
	if v {
		for r := range out {
			out[r] = true
		}
	}
	return out
}

// dictTable returns, for a field test on a column that the chunk stores
// as a dictionary, the column's codes and whether each code matches;
// otherwise a nil dictionary.
func (cc *chunkCols) dictTable(f *Filter) (*Dict, []bool, error) {
	if f.Kind != FilterField || IsBuiltin(f.Field) {
		return nil, nil, nil
	}
	d, err := cc.dict(f.Field)
	if err != nil || d == nil {
		return nil, nil, err
	}
	table := make([]bool, d.Len()+1) // code 0 is null: never matches
	for c := 1; c <= d.Len(); c++ {
		table[c] = f.Match(d.Value(uint16(c)))
	}
	return d, table, nil
}

func (cc *chunkCols) matchField(f *Filter, n int) ([]bool, error) {
	out := cc.bools(n)
	if !IsBuiltin(f.Field) {
		d, table, err := cc.dictTable(f)
		if err != nil {
			return nil, err
		}
		if d != nil {
			d.matchTable(table, out)
			return out, nil
		}
		if cc.c.Column(f.Field) == nil {
			return out, nil // every value null: no match
		}
	}
	vals, err := cc.values(f.Field)
	if err != nil {
		return nil, err
	}
	for r, v := range vals {
		out[r] = !v.IsNull() && f.Match(v)
	}
	return out, nil
}

// matchRaw narrows the candidate rows to those whose _raw has the word or
// phrase f.
func (cc *chunkCols) matchRaw(f *Filter, cand []bool) error {
	if !slices.Contains(cand, true) {
		return nil
	}
	if bs := cc.c.rawBlockRows(); bs > 0 && f.Text != "" &&
		(f.Kind == FilterPhrase || f.Kind == FilterWord && strings.IndexByte(f.Text, '*') < 0) {
		return cc.matchPhraseBlocks(f.Text, cand, bs)
	}
	for r, ok := range cand {
		if ok {
			raw, ok, err := cc.rawAt(r)
			if err != nil {
				return err
			}
			cand[r] = ok && f.MatchRow(raw, nil)
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

// selectedCodes returns a dictionary column's codes for the selected rows,
// or nil when the column is not dictionary-encoded (or not decoded as one).
func (cc *chunkCols) selectedCodes(name string, sel []int) *Dict {
	d := cc.dicts[name]
	if d == nil {
		return nil
	}
	if sel == nil {
		return d
	}
	return d.selectRows(sel)
}

// gatherValues returns the values of the selected rows (all when sel is nil).
func gatherValues(all []Value, sel []int) []Value {
	if sel == nil {
		return all
	}
	out := make([]Value, len(sel))
	for i, r := range sel {
		out[i] = all[r]
	}
	return out
}
