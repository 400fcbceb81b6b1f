package query

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// ContextCmd replaces each finding row by the events around it: the events
// whose By field has the finding's value, within Span of its _time, in
// time order, at most Limit of them (the nearest in time), each with
// context_of naming the finding. The events are read by a search of the
// store narrowed to the window and the entity, so the store reads only
// the chunks that may hold them.
type ContextCmd struct {
	Pos     lexer.Position
	By      *Field    `parser:"'context':Stage 'by':Keyword @@"`
	Options []*Option `parser:"@@*"`
	EndPos  lexer.Position

	Span    time.Duration // span=, default 10m
	Limit   int           // limit=, default 100
	Summary bool          // summary=true: one row per finding (see summaryBatch)
	Host    bool          // host=true: only the events of the finding's host too
}

// Defaults of context.
const (
	DefaultContextSpan  = 10 * time.Minute
	DefaultContextLimit = 100
)

// ContextOfField is the field context gives each event it outputs.
const ContextOfField = "context_of"

func (*ContextCmd) command()                   {}
func (c *ContextCmd) Position() lexer.Position { return c.Pos }

func (c *ContextCmd) String() string {
	s := "context by " + c.By.String()
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	return s
}

func (c *ContextCmd) check() *posError {
	opts, err := checkOptions("context", c.Options)
	if err != nil {
		return err
	}
	if c.Span, err = opts.duration("span"); err != nil {
		return err
	}
	if c.Span == 0 {
		c.Span = DefaultContextSpan
	}
	if c.Limit, err = opts.int("limit", DefaultContextLimit, 1); err != nil {
		return err
	}
	if c.Summary, err = opts.boolean("summary", false); err != nil {
		return err
	}
	c.Host, err = opts.boolean("host", false)
	return err
}

// inputFields: the findings' entity and time; the events come from the
// store with all their fields.
func (c *ContextCmd) inputFields(after fieldSet) fieldSet {
	if c.Host {
		return fieldsOf(c.By.Name, store.ColTime, "host")
	}
	return fieldsOf(c.By.Name, store.ColTime)
}

func (c *ContextCmd) operator(p *plan, next operator) (operator, error) {
	if p.st == nil {
		return nil, fmt.Errorf("context needs a store to read the events from")
	}
	return &contextOp{cmd: c, p: p, next: next}, nil
}

// contextFinding is one input row context looks around.
type contextFinding struct {
	entity string
	host   string // with host=true
	t      int64
	events []contextEvent // chosen, in time order
}

// contextEvent is one event of a window's search: row r of batch b.
type contextEvent struct {
	b *Batch
	r int
	t int64
}

// contextOp holds the findings; at the end it searches around each
// entity's findings (one search per run of overlapping windows) and
// passes on each finding's events.
type contextOp struct {
	cmd      *ContextCmd
	p        *plan
	next     operator
	findings []*contextFinding
	skipped  int
}

func (o *contextOp) push(b *Batch) error {
	ent, tc, hc := b.Col(o.cmd.By.Name), b.Col(store.ColTime), b.Col("host")
	for r := 0; r < b.Len; r++ {
		if ent < 0 || tc < 0 || b.Cols[ent][r].IsNull() || b.Cols[tc][r].K != store.KindTime ||
			o.cmd.Host && (hc < 0 || b.Cols[hc][r].IsNull()) {
			o.skipped++
			continue
		}
		f := &contextFinding{entity: b.Cols[ent][r].String(), t: b.Cols[tc][r].I}
		if o.cmd.Host {
			f.host = b.Cols[hc][r].String()
		}
		o.findings = append(o.findings, f)
		if len(o.findings) > o.p.opt.MaxRows {
			return fmt.Errorf("%w: context would hold more than %d findings; narrow the search first", ErrLimit, o.p.opt.MaxRows)
		}
	}
	return nil
}

func (o *contextOp) finish() error {
	if o.skipped > 0 {
		o.p.opt.warn("context: %d rows without %s or a _time were left out", o.skipped, o.cmd.By.Name)
	}
	// Windows of one entity that overlap are read by one search.
	order := slices.Clone(o.findings)
	slices.SortStableFunc(order, func(a, b *contextFinding) int {
		return cmp.Or(cmp.Compare(a.entity, b.entity), cmp.Compare(a.host, b.host), cmp.Compare(a.t, b.t))
	})
	span := int64(o.cmd.Span)
	for i := 0; i < len(order); {
		j := i + 1
		hi := order[i].t + span
		for j < len(order) && order[j].entity == order[i].entity && order[j].host == order[i].host && order[j].t-span <= hi {
			hi = order[j].t + span
			j++
		}
		events, err := o.search(order[i].entity, order[i].host, order[i].t-span, hi)
		if err != nil {
			return err
		}
		for _, f := range order[i:j] {
			if o.cmd.Summary {
				f.events = nearest(events, f.t, span, len(events))
			} else {
				f.events = nearest(events, f.t, span, o.cmd.Limit)
			}
		}
		i = j
	}
	empty := 0
	for _, f := range o.findings {
		if len(f.events) == 0 {
			empty++
			continue
		}
		b := f.batch(o.cmd.By.Name)
		if o.cmd.Summary {
			b = f.summaryBatch(f.events, o.cmd.Span)
		}
		err := o.next.push(b)
		if errors.Is(err, errStop) {
			break // head has its rows
		}
		if err != nil {
			return err
		}
	}
	if empty > 0 {
		o.p.opt.warn("context: %d of %d findings have no events of their %s within %s of their _time (a bucket's _time is its start: give a span of at least the bucket's)",
			empty, len(o.findings), o.cmd.By.Name, durationWords(o.cmd.Span))
	}
	return o.next.finish()
}

// search returns the events whose field is entity with lo <= _time <= hi,
// in time order.
func (o *contextOp) search(entity, host string, lo, hi int64) ([]contextEvent, error) {
	field := o.cmd.By.Name
	text := fieldString(field, modeSearch) + "=" + quoteText(entity)
	if o.cmd.Host {
		text += " host=" + quoteText(host)
	}
	q, err := Parse(text)
	if err != nil {
		return nil, fmt.Errorf("context: the search for %s=%q: %w", field, entity, err)
	}
	opt := Options{
		Now:      o.p.opt.Now,
		Earliest: time.Unix(0, lo).UTC().Format(time.RFC3339Nano),
		Latest:   time.Unix(0, hi+1).UTC().Format(time.RFC3339Nano),
		MaxRows:  o.p.opt.MaxRows, SkipDamaged: o.p.opt.SkipDamaged, Warn: o.p.opt.Warn,
	}
	var out []contextEvent
	_, err = Run(o.p.ctx, o.p.st, q, opt, func(b *Batch) error {
		ent, tc, hc := b.Col(field), b.Col(store.ColTime), b.Col("host")
		if ent < 0 || tc < 0 || o.cmd.Host && hc < 0 {
			return nil
		}
		for r := 0; r < b.Len; r++ {
			// The search matches case-insensitively; the entity is exact.
			if v := b.Cols[ent][r]; !v.IsNull() && v.String() == entity && (!o.cmd.Host || b.Cols[hc][r].String() == host) {
				out = append(out, contextEvent{b: b, r: r, t: b.Cols[tc][r].I})
			}
		}
		if len(out) > o.p.opt.MaxRows {
			return fmt.Errorf("%w: context would hold more than %d events of %s=%s; use a smaller span", ErrLimit, o.p.opt.MaxRows, field, entity)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nearest picks, from events in time order, the at most limit events
// within span of t that are nearest to it (the earlier of two as near),
// in time order.
func nearest(events []contextEvent, t, span int64, limit int) []contextEvent {
	lo, _ := slices.BinarySearchFunc(events, t-span, func(e contextEvent, x int64) int { return cmp.Compare(e.t, x) })
	hi, _ := slices.BinarySearchFunc(events, t+span+1, func(e contextEvent, x int64) int { return cmp.Compare(e.t, x) })
	w := events[lo:hi]
	if len(w) <= limit {
		return w
	}
	// Grow [a, b) around t, taking the nearer end each time.
	b, _ := slices.BinarySearchFunc(w, t, func(e contextEvent, x int64) int { return cmp.Compare(e.t, x) })
	a := b
	for b-a < limit {
		switch {
		case a == 0:
			b++
		case b == len(w):
			a--
		case t-w[a-1].t <= w[b].t-t:
			a--
		default:
			b++
		}
	}
	return w[a:b]
}

// batch makes the finding's output rows: context_of, then the events'
// fields in order of first appearance.
func (f *contextFinding) batch(field string) *Batch {
	of := store.Str(f.entity + " @ " + time.Unix(0, f.t).UTC().Format(time.RFC3339Nano))
	fields := []string{ContextOfField}
	index := map[string]int{ContextOfField: 0}
	for _, e := range f.events {
		for _, name := range e.b.Fields {
			if _, ok := index[name]; !ok {
				index[name] = len(fields)
				fields = append(fields, name)
			}
		}
	}
	out := &Batch{Fields: fields, Cols: make([][]store.Value, len(fields)), Len: len(f.events)}
	for i := range out.Cols {
		out.Cols[i] = make([]store.Value, len(f.events))
	}
	for r, e := range f.events {
		out.Cols[0][r] = of
		for k, name := range e.b.Fields {
			if name != ContextOfField {
				out.Cols[index[name]][r] = e.b.Cols[k][e.r]
			}
		}
	}
	return out
}
