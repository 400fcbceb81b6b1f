package sigma

import (
	"container/heap"
	"fmt"
	"slices"
	"time"
)

// Engine runs every correlation of a Set that can run over one
// time-ordered stream of rule matches, chaining correlations that use
// other correlations: a hit of a used correlation enters the one that
// uses it as an event at the hit's Trigger time, with the hit's group-by
// values as its fields (and the Hit as its reference).
//
// Hits come out once they are final, which for a chain can be a few
// timespans after the events that made them; Flush returns the rest at
// the end of the stream. Only hits of Standalone correlations are
// returned.
type Engine struct {
	nodes  []*corrNode // children before the correlations that use them
	byRule map[*Rule][]corrSub
	now    time.Time
	seen   bool
	seq    uint64
}

type corrSub struct {
	n   *corrNode
	src int
}

type corrNode struct {
	c        *Correlation
	k        *Correlator
	queue    pendingInputs
	parents  []corrSub
	children []*corrNode
	hasBase  bool
	w        time.Time // every input older than w has been released
	flushed  bool
}

// NewEngine prepares the correlations of s that can run.
func NewEngine(s *Set) *Engine {
	e := &Engine{byRule: map[*Rule][]corrSub{}}
	nodes := map[*Correlation]*corrNode{}
	var visit func(c *Correlation) *corrNode
	visit = func(c *Correlation) *corrNode {
		if n, ok := nodes[c]; ok {
			return n
		}
		n := &corrNode{c: c, k: NewCorrelator(c)}
		nodes[c] = n
		for i, src := range c.Sources {
			switch x := src.(type) {
			case *Rule:
				n.hasBase = true
				e.byRule[x] = append(e.byRule[x], corrSub{n, i})
			case *Correlation:
				child := visit(x)
				child.parents = append(child.parents, corrSub{n, i})
				if !slices.Contains(n.children, child) {
					n.children = append(n.children, child)
				}
			}
		}
		e.nodes = append(e.nodes, n)
		return n
	}
	for _, c := range s.Correlations {
		if c.CanRun() {
			visit(c)
		}
	}
	return e
}

// Correlated reports whether some correlation of the engine uses r, so
// that its matches must be fed.
func (e *Engine) Correlated(r *Rule) bool { return len(e.byRule[r]) > 0 }

// Feed gives the engine one event that rule r matched, at time t; events
// must come in time order (all rules together). ref is handed back in
// the hits.
func (e *Engine) Feed(r *Rule, t time.Time, ev Event, ref any) ([]Hit, error) {
	if e.seen && t.Before(e.now) {
		return nil, fmt.Errorf("%w: %s after %s", ErrOutOfOrder, t.Format(time.RFC3339Nano), e.now.Format(time.RFC3339Nano))
	}
	e.now, e.seen = t, true
	for _, s := range e.byRule[r] {
		group, val, hasVal, ok := s.n.c.Extract(s.src, ev)
		if !ok {
			continue
		}
		e.seq++
		heap.Push(&s.n.queue, pendingInput{in: Input{Source: s.src, Time: t, Group: group, Value: val,
			HasValue: hasVal, Ref: ref}, seq: e.seq})
	}
	return e.run(false)
}

// FeedInput gives the engine an input already extracted for correlation
// c (whose Rules[in.Source] names a rule, not a correlation).
func (e *Engine) FeedInput(c *Correlation, in Input) ([]Hit, error) {
	if e.seen && in.Time.Before(e.now) {
		return nil, fmt.Errorf("%w: %s after %s", ErrOutOfOrder, in.Time.Format(time.RFC3339Nano), e.now.Format(time.RFC3339Nano))
	}
	e.now, e.seen = in.Time, true
	for _, n := range e.nodes {
		if n.c == c {
			e.seq++
			heap.Push(&n.queue, pendingInput{in: in, seq: e.seq})
		}
	}
	return e.run(false)
}

// Advance tells the engine that no match older than t will come (a
// watch knows it from the events stored, matched or not) and returns the
// hits that became final: a window that ended before t closes though no
// later match arrived. A t before the last match's time changes nothing.
func (e *Engine) Advance(t time.Time) ([]Hit, error) {
	if e.seen && !t.After(e.now) {
		return nil, nil
	}
	e.now, e.seen = t, true
	return e.run(false)
}

// Flush ends the stream and returns the remaining hits.
func (e *Engine) Flush() []Hit {
	hits, _ := e.run(true)
	return hits
}

func (e *Engine) run(flush bool) ([]Hit, error) {
	var out []Hit
	for _, n := range e.nodes {
		var hits []Hit
		if flush {
			for n.queue.Len() > 0 {
				p := heap.Pop(&n.queue).(pendingInput)
				h, err := n.k.Push(p.in)
				if err != nil {
					return out, err
				}
				hits = append(hits, h...)
			}
			hits = append(hits, n.k.Flush()...)
			n.flushed = true
		} else {
			w := e.watermark(n)
			for n.queue.Len() > 0 && n.queue[0].in.Time.Before(w) {
				p := heap.Pop(&n.queue).(pendingInput)
				h, err := n.k.Push(p.in)
				if err != nil {
					return out, err
				}
				hits = append(hits, h...)
			}
			hits = append(hits, n.k.Advance(w)...)
			n.w = w
		}
		for _, h := range hits {
			e.route(n, h)
			if n.c.Standalone {
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// watermark is the time before which n has all its inputs: base events
// are complete before the current time; a used correlation's hits before
// its own watermark less its timespan (a window still open may yet hit
// with a Trigger as early as its anchor).
func (e *Engine) watermark(n *corrNode) time.Time {
	var w time.Time
	set := false
	if n.hasBase {
		w, set = e.now, true
	}
	for _, c := range n.children {
		cw := c.w.Add(-c.c.Timespan)
		if !set || cw.Before(w) {
			w, set = cw, true
		}
	}
	return w
}

func (e *Engine) route(n *corrNode, h Hit) {
	for _, p := range n.parents {
		pc := p.n.c
		group := make([]string, len(pc.GroupBy))
		for j, g := range pc.GroupBy {
			group[j] = h.Group[slices.Index(n.c.GroupBy, pc.fieldFor(g, p.src))]
		}
		in := Input{Source: p.src, Time: h.Trigger, Group: group, Ref: h}
		if len(pc.Field) > 0 {
			in.HasValue = true
			for j, f := range pc.Field {
				if j > 0 {
					in.Value += "\x1f"
				}
				in.Value += h.Group[slices.Index(n.c.GroupBy, pc.fieldFor(f, p.src))]
			}
		}
		heap.Push(&p.n.queue, pendingInput{in: in, hitKey: groupKey(h.Group), hitFirst: h.First, isHit: true})
	}
}

// pendingInput orders a correlation's inputs by time, then by source,
// then by arrival for events and by group and first time for hits of
// used correlations (so the order does not depend on when hits closed).
type pendingInput struct {
	in       Input
	seq      uint64
	isHit    bool
	hitKey   string
	hitFirst time.Time
}

type pendingInputs []pendingInput

func (q pendingInputs) Len() int           { return len(q) }
func (q pendingInputs) Less(i, j int) bool { return pendingLess(&q[i], &q[j]) }
func (q pendingInputs) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *pendingInputs) Push(x any)        { *q = append(*q, x.(pendingInput)) }
func (q *pendingInputs) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func pendingLess(a, b *pendingInput) bool {
	if !a.in.Time.Equal(b.in.Time) {
		return a.in.Time.Before(b.in.Time)
	}
	if a.in.Source != b.in.Source {
		return a.in.Source < b.in.Source
	}
	if a.isHit && b.isHit {
		if a.hitKey != b.hitKey {
			return a.hitKey < b.hitKey
		}
		return a.hitFirst.Before(b.hitFirst)
	}
	return a.seq < b.seq
}
