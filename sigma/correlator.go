package sigma

import (
	"container/heap"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Input is one event entering a correlation: which of the correlation's
// Rules matched it (Source, an index into Rules), its event time, its
// group-by values (in GroupBy order), the condition field value, and a
// reference to the event for the hit. Correlation.Extract builds Group
// and Value from an event.
type Input struct {
	Source   int
	Time     time.Time
	Group    []string
	Value    string
	HasValue bool
	Ref      any
}

// Hit is one window of one group that meets the correlation's condition.
type Hit struct {
	Correlation *Correlation
	Group       []string  // values of Correlation.GroupBy
	First, Last time.Time // times of the window's first and last events
	// Trigger is the time of the event at which the window first met the
	// condition (counting from First); Last when no shorter prefix does.
	// A chained correlation sees the hit as an event at this time.
	Trigger time.Time
	Count   int     // events in the window
	Value   float64 // what the condition compared
	Refs    []any   // the window's events, in order
}

// ErrOutOfOrder is returned when an input is older than one already pushed.
var ErrOutOfOrder = errors.New("sigma correlation: events must come in time order")

// Correlator evaluates one correlation over a time-ordered stream, on
// sliding windows in event time anchored at each event:
//
// For each group (equal group-by values), take the group's events in
// order and an anchor a at the first one. The anchor's window is every
// event of the group from a on whose time is at most a.time + Timespan
// (both ends included). If the window meets the condition, it is a hit
// and all its events are used up: the next anchor is the first event
// after the window. Otherwise the next anchor is the event after a.
//
// So every window of Timespan is looked at (no fixed buckets: a burst
// across a bucket edge is found), and hits do not overlap: a burst of 50
// failures with `gte: 20` in one window is one hit with Count 50.
//
// Memory per group is the group's events within one Timespan of its
// oldest open anchor; a group with no open window is forgotten.
type Correlator struct {
	c      *Correlation
	span   time.Duration
	now    time.Time
	seen   bool
	seq    uint64
	groups map[string]*corrGroup
	dl     deadlines
}

type corrEvent struct {
	t      time.Time
	src    int
	val    string
	hasVal bool
	num    float64
	isNum  bool
	ref    any
	seq    uint64
}

type corrGroup struct {
	key  string
	vals []string
	evs  []corrEvent // evs[head:] is the open window of evs[head]
	head int
	agg  *aggregate
}

// NewCorrelator returns a correlator for c (which must have no problems).
func NewCorrelator(c *Correlation) *Correlator {
	return &Correlator{c: c, span: c.Timespan, groups: map[string]*corrGroup{}}
}

// Push adds one input and returns the hits whose windows closed before
// it (its time is past their end).
func (k *Correlator) Push(in Input) ([]Hit, error) {
	if k.seen && in.Time.Before(k.now) {
		return nil, fmt.Errorf("%w: %s after %s", ErrOutOfOrder, in.Time.Format(time.RFC3339Nano), k.now.Format(time.RFC3339Nano))
	}
	if in.Source < 0 || in.Source >= len(k.c.Rules) {
		return nil, fmt.Errorf("sigma correlation %s: source %d out of range", k.c.Ref(), in.Source)
	}
	hits := k.advance(in.Time)
	k.now, k.seen = in.Time, true
	key := groupKey(in.Group)
	g := k.groups[key]
	if g == nil {
		g = &corrGroup{key: key, vals: append([]string(nil), in.Group...), agg: newAggregate(k.c)}
		k.groups[key] = g
	}
	k.seq++
	e := corrEvent{t: in.Time, src: in.Source, val: in.Value, hasVal: in.HasValue, ref: in.Ref, seq: k.seq}
	if e.hasVal && (k.c.Type == ValueSum || k.c.Type == ValueAvg) {
		e.num, e.isNum = parseNumber(e.val)
	}
	if g.head == len(g.evs) {
		heap.Push(&k.dl, deadline{t: in.Time.Add(k.span), g: g, seq: e.seq})
	}
	g.evs = append(g.evs, e)
	g.agg.add(&g.evs[len(g.evs)-1])
	return hits, nil
}

// Advance declares that no input older than t will come, and returns
// the hits of the windows that ended before t.
func (k *Correlator) Advance(t time.Time) []Hit {
	if k.seen && t.Before(k.now) {
		return nil
	}
	return k.advance(t)
}

// Flush closes every open window (end of the stream).
func (k *Correlator) Flush() []Hit {
	var hits []Hit
	for k.dl.Len() > 0 {
		d := heap.Pop(&k.dl).(deadline)
		hits = append(hits, k.close(d, time.Time{}, true)...)
	}
	sortHits(hits)
	return hits
}

func (k *Correlator) advance(t time.Time) []Hit {
	var hits []Hit
	for k.dl.Len() > 0 && k.dl[0].t.Before(t) {
		d := heap.Pop(&k.dl).(deadline)
		hits = append(hits, k.close(d, t, false)...)
	}
	sortHits(hits)
	return hits
}

// close evaluates the windows of d's group whose anchors end before t
// (all of them at the end of the stream).
func (k *Correlator) close(d deadline, t time.Time, all bool) []Hit {
	g := d.g
	if g.head >= len(g.evs) || g.evs[g.head].seq != d.seq {
		return nil // stale: the anchor moved on
	}
	var hits []Hit
	for g.head < len(g.evs) && (all || g.evs[g.head].t.Add(k.span).Before(t)) {
		if v, ok := g.agg.value(g.evs[g.head:]); ok {
			hits = append(hits, k.hit(g, v))
			for i := g.head; i < len(g.evs); i++ {
				g.evs[i] = corrEvent{}
			}
			g.head = len(g.evs)
			g.agg = newAggregate(k.c)
			continue
		}
		g.agg.remove(&g.evs[g.head])
		g.evs[g.head] = corrEvent{}
		g.head++
	}
	if g.head == len(g.evs) {
		delete(k.groups, g.key)
		return hits
	}
	if g.head > 64 && g.head*2 > len(g.evs) {
		g.evs = append([]corrEvent(nil), g.evs[g.head:]...)
		g.head = 0
	}
	heap.Push(&k.dl, deadline{t: g.evs[g.head].t.Add(k.span), g: g, seq: g.evs[g.head].seq})
	return hits
}

func (k *Correlator) hit(g *corrGroup, v float64) Hit {
	w := g.evs[g.head:]
	h := Hit{Correlation: k.c, Group: g.vals, First: w[0].t, Last: w[len(w)-1].t, Trigger: w[len(w)-1].t,
		Count: len(w), Value: v, Refs: make([]any, len(w))}
	for i := range w {
		h.Refs[i] = w[i].ref
	}
	// the first prefix of the window that meets the condition
	a := newAggregate(k.c)
	for i := range w {
		a.add(&w[i])
		if _, ok := a.value(w[:i+1]); ok {
			h.Trigger = w[i].t
			break
		}
	}
	return h
}

func sortHits(h []Hit) {
	sort.SliceStable(h, func(i, j int) bool {
		if !h[i].First.Equal(h[j].First) {
			return h[i].First.Before(h[j].First)
		}
		return groupKey(h[i].Group) < groupKey(h[j].Group)
	})
}

func groupKey(vals []string) string { return strings.Join(vals, "\x1f") }

type deadline struct {
	t   time.Time
	g   *corrGroup
	seq uint64
}

type deadlines []deadline

func (d deadlines) Len() int { return len(d) }
func (d deadlines) Less(i, j int) bool {
	if !d[i].t.Equal(d[j].t) {
		return d[i].t.Before(d[j].t)
	}
	return d[i].g.key < d[j].g.key
}
func (d deadlines) Swap(i, j int) { d[i], d[j] = d[j], d[i] }
func (d *deadlines) Push(x any)   { *d = append(*d, x.(deadline)) }
func (d *deadlines) Pop() any {
	old := *d
	x := old[len(old)-1]
	*d = old[:len(old)-1]
	return x
}
