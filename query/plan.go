package query

import (
	"context"
	"fmt"
	"math"
	"sort"

	"loghunt/store"
)

// plan is a query made ready to run: the first search pushed into the
// scan, the row-independent stages after it run per chunk in the scan
// workers, an aggregation right after them done per chunk and merged, and
// the other stages on the time-ordered stream.
type plan struct {
	ctx  context.Context // the run's; long stages check it
	st   Store           // the run's; context searches it again
	q    *Query
	opt  *Options
	env  *EvalEnv
	term *Term
	// filter is the search, compiled for the store.
	filter *store.Filter
	lo, hi int64
	need   fieldSet // columns the chunks must decode
	pushed []rowStage
	// leading is set while the stage right after the search makes its
	// pushed row stage: it may narrow the scan's filter (sigma does).
	leading bool
	// partial, when set, aggregates the rows of each chunk in the scan
	// workers (the first operator merges what they made).
	partial partialAggregator
	// typed, when set, aggregates chunks of the right shape without
	// making Values (see typedAgg); others go the general way.
	typed *typedAgg
	// borrowRaw lets rows view their _raw in the chunk's arena instead of
	// a copy: the workers' aggregation copies its group keys and keeps no
	// other text of the rows, and the arena is released after it.
	borrowRaw bool
	// noScan is set by a stage that reads no events (makeresults): the
	// store is not scanned.
	noScan bool
}

// textFreeAggregator is a partial aggregation that keeps no text of the
// rows it folds but copies of its group keys.
type textFreeAggregator interface {
	keepsNoRowText() bool
}

// rowCommand is a stage that can run on each batch alone.
type rowCommand interface {
	rowStage(p *plan) (rowStage, error)
}

// maybeRowCommand is a stage that is a row stage with some arguments
// only; without them its operator runs on the ordered stream.
type maybeRowCommand interface {
	perRow() bool
}

// opCommand is a stage on the ordered stream.
type opCommand interface {
	operator(p *plan, next operator) (operator, error)
}

// fieldUser tells which fields a stage reads, given the fields needed
// after it: the engine decodes only those columns.
type fieldUser interface {
	inputFields(after fieldSet) fieldSet
}

// partialCommand is an aggregation that can run per chunk and merge.
type partialCommand interface {
	partialAggregator(p *plan, next operator) (partialAggregator, operator, error)
}

// partialAggregator makes per-chunk aggregation states.
type partialAggregator interface {
	// aggregate folds a chunk's rows into a new partial state.
	aggregate(b *Batch) (any, error)
}

// fieldSet is a set of field names, or every field.
type fieldSet struct {
	all   bool
	names map[string]bool
}

func allFields() fieldSet { return fieldSet{all: true} }

func fieldsOf(names ...string) fieldSet {
	s := fieldSet{names: map[string]bool{}}
	for _, n := range names {
		s.names[n] = true
	}
	return s
}

func (s fieldSet) has(name string) bool { return s.all || s.names[name] }

// with returns s plus names.
func (s fieldSet) with(names ...string) fieldSet {
	if s.all {
		return s
	}
	out := fieldsOf(names...)
	for n := range s.names {
		out.names[n] = true
	}
	return out
}

// without returns s less names (every field stays every field).
func (s fieldSet) without(names ...string) fieldSet {
	if s.all {
		return s
	}
	out := fieldsOf()
	for n := range s.names {
		out.names[n] = true
	}
	for _, n := range names {
		delete(out.names, n)
	}
	return out
}

func (s fieldSet) list() []string {
	var out []string
	for n := range s.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func newPlan(st Store, q *Query, opt *Options) (*plan, error) {
	search, _ := q.Stages[0].(*SearchCmd)
	if search == nil {
		return nil, fmt.Errorf("BUG: query does not start with a search")
	}
	lo, hi, now, err := timeBounds(st, search, opt)
	if err != nil {
		return nil, err
	}
	p := &plan{q: q, opt: opt, env: &EvalEnv{Now: now}, term: search.Term, lo: lo, hi: hi}
	p.filter = p.term.filter()
	if opt.MaxGroups <= 0 {
		opt.MaxGroups = DefaultMaxGroups
	}
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if opt.MaxAggBytes <= 0 {
		opt.MaxAggBytes = DefaultMaxAggBytes
	}
	need, err := stageFields(q)
	if err != nil {
		return nil, err
	}
	p.need = need.with(searchFields(p.term)...)
	return p, nil
}

// resolveSearch runs the subsearches of the first search and compiles
// what they make into the scan's filter.
func (p *plan) resolveSearch() error {
	if !hasSubsearch(p.term) {
		return nil
	}
	t, err := p.resolveTerm(p.term)
	if err != nil {
		return err
	}
	p.term, p.filter = t, t.filter()
	p.need = p.need.with(searchFields(t)...)
	return nil
}

// searchFields lists the fields a search term compares.
func searchFields(t *Term) []string {
	if t == nil {
		return nil
	}
	var out []string
	if t.Kind == TermCompare || t.Kind == TermIn {
		out = append(out, t.Field)
	}
	for _, a := range t.Args {
		out = append(out, searchFields(a)...)
	}
	return out
}

// build makes the stages: the row stages to push into the scan, then
// operators for the rest, returning the first operator of the ordered
// stream.
func (p *plan) build(sink operator) (operator, error) {
	stages := p.q.Stages[1:]
	i := 0
	for ; i < len(stages); i++ {
		rc, ok := stages[i].(rowCommand)
		if mr, is := stages[i].(maybeRowCommand); is && !mr.perRow() {
			ok = false
		}
		if !ok {
			break
		}
		p.leading = i == 0
		rs, err := rc.rowStage(p)
		p.leading = false
		if err != nil {
			return nil, err
		}
		p.pushed = append(p.pushed, rs)
	}
	next := sink
	for j := len(stages) - 1; j >= i; j-- {
		if pc, ok := stages[j].(partialCommand); ok && j == i {
			agg, op, err := pc.partialAggregator(p, next)
			if err != nil {
				return nil, err
			}
			p.partial = agg
			p.typed = newTypedAgg(p)
			if tf, ok := agg.(textFreeAggregator); ok {
				p.borrowRaw = tf.keepsNoRowText()
			}
			return op, nil
		}
		op, err := p.stageOp(stages[j], next)
		if err != nil {
			return nil, err
		}
		next = op
	}
	return next, nil
}

// rowOp runs a row stage on the ordered stream.
type rowOp struct {
	stage rowStage
	next  operator
}

func (r *rowOp) push(b *Batch) error {
	out, err := r.stage.apply(b)
	if err != nil {
		return err
	}
	return r.next.push(out)
}

func (r *rowOp) finish() error { return r.next.finish() }

// partialResult is what a worker hands on for one chunk.
type partialResult struct{ state any }

// scan runs the pushed part in the scan workers and feeds the ordered
// stream (or the partial aggregation).
func (p *plan) scan(ctx context.Context, st Store, first operator) (store.ScanStats, error) {
	if p.noScan {
		return store.ScanStats{}, nil // Run finishes the stages
	}
	spec := store.ScanSpec{Start: p.lo, End: p.hi, Filter: p.filter}
	var damaged []*store.DamageError
	if p.opt.SkipDamaged {
		spec.SkipDamaged = func(de *store.DamageError) { damaged = append(damaged, de) }
		defer func() { warnDamaged(p.opt, damaged) }()
	}
	m := &merger{next: first}
	work := func(c *store.Chunk) (any, error) {
		if p.typed != nil {
			if done, err := p.typed.chunk(p, c); done || err != nil {
				return partialResult{}, err
			}
		}
		b, done, err := p.load(c)
		defer done() // the rows are folded or copied by then
		if err != nil {
			return nil, err
		}
		for _, rs := range p.pushed {
			if b.Len == 0 {
				break
			}
			if b, err = rs.apply(b); err != nil {
				return nil, err
			}
		}
		if p.partial != nil {
			s, err := p.partial.aggregate(b)
			return partialResult{s}, err
		}
		return b, nil
	}
	emit := func(c *store.Chunk, v any) error {
		if r, ok := v.(partialResult); ok {
			return first.(partialMerger).mergePartial(r.state)
		}
		return m.add(v.(*Batch), c.MinTime)
	}
	stats, err := st.Scan(ctx, spec, work, emit)
	if err != nil {
		return stats, err
	}
	if p.partial == nil {
		// The merger finishes the stream after its last rows.
		return stats, m.flushBefore(math.MaxInt64)
	}
	return stats, nil
}

// partialMerger is the operator side of a partial aggregation.
type partialMerger interface {
	mergePartial(state any) error
}

// maxDamageWarnings bounds the damaged chunks a query names one by one.
const maxDamageWarnings = 10

// warnDamaged warns of the damaged chunks a query skipped and of the
// events it left out.
func warnDamaged(opt *Options, damaged []*store.DamageError) {
	if len(damaged) == 0 {
		return
	}
	var events int64
	unknown := 0
	for i, de := range damaged {
		if de.Known {
			events += int64(de.Rows)
		} else {
			unknown++
		}
		if i < maxDamageWarnings {
			opt.warn("skipped damaged chunk %d (%s): %s", de.ID, de.Describe(), de.What())
		}
	}
	if len(damaged) > maxDamageWarnings {
		opt.warn("... and %d more damaged chunks", len(damaged)-maxDamageWarnings)
	}
	nchunks := func(n int) string {
		if n == 1 {
			return "1 damaged chunk"
		}
		return fmt.Sprintf("%d damaged chunks", n)
	}
	var msg string
	if known := len(damaged) - unknown; known > 0 {
		msg = fmt.Sprintf("skipped %d events in %s", events, nchunks(known))
		if unknown > 0 {
			msg += " and"
		}
	} else {
		msg = "skipped"
	}
	if unknown > 0 {
		msg += fmt.Sprintf(" the unknown events of %s with a damaged header", nchunks(unknown))
	}
	opt.warn("%s: the result leaves them out (loghunt check lists the damage)", msg)
}

// StageFields says which fields the stages after q's search read (all is
// true when they may read any field): a caller that keeps a query's
// matched events to run its later stages again (a rule's windows) keeps
// only those.
func StageFields(q *Query) (names []string, all bool, err error) {
	need, err := stageFields(q)
	return need.list(), need.all, err
}

// stageFields walks back from the output, which shows every field, to
// the fields the stages after the search read.
func stageFields(q *Query) (fieldSet, error) {
	need := allFields()
	for i := len(q.Stages) - 1; i >= 1; i-- {
		fu, ok := q.Stages[i].(fieldUser)
		if !ok {
			return fieldSet{}, fmt.Errorf("BUG: stage %T does not say which fields it reads", q.Stages[i])
		}
		need = fu.inputFields(need)
	}
	return need, nil
}
