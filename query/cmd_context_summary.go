package query

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"loghunt/drain"
	"loghunt/store"
)

// The fields of context's summary rows (summary=true), one row per
// finding.
var contextSummaryFields = []string{ContextOfField, "events", "first", "last", "actions", "sourcetypes", "patterns", "then"}

// contextSummaryTop is how many values of each count a summary lists.
const contextSummaryTop = 3

// summaryBatch makes a finding's summary row from every event of its
// window (events, within span of its time, in time order): how many, the
// first and the last, the counts by action, by sourcetype and by
// pattern (Drain templates of message, else of _raw; the commonest first, at most 3 of
// each, with how many others), and what came next: at or after the
// finding's time, the first success when success is not the window's
// commonest action, else the first event of an action other than the
// commonest that the window had not seen before the finding (without
// actions: of such a pattern).
func (f *contextFinding) summaryBatch(events []contextEvent, span time.Duration) *Batch {
	of := store.Str(f.entity + " @ " + time.Unix(0, f.t).UTC().Format(time.RFC3339Nano))
	row := []store.Value{of, store.Int(int64(len(events))), store.Null, store.Null, store.Null, store.Null, store.Null, store.Null}
	if len(events) > 0 {
		row[2] = store.Time(events[0].t)
		row[3] = store.Time(events[len(events)-1].t)
	}
	get := func(e contextEvent, name string) store.Value {
		if k := e.b.Col(name); k >= 0 {
			return e.b.Cols[k][e.r]
		}
		return store.Null
	}
	miner := drain.New(drain.DefaultConfig())
	clusters := make([]int, len(events))
	actions, sourcetypes := map[string]int{}, map[string]int{}
	for i, e := range events {
		if v := get(e, "action"); !v.IsNull() {
			actions[v.String()]++
		}
		if v := get(e, "sourcetype"); !v.IsNull() {
			sourcetypes[v.String()]++
		}
		clusters[i] = -1
		text := get(e, "message") // a syslog line's message: no header to mask
		if text.IsNull() {
			text = get(e, store.ColRaw)
		}
		if !text.IsNull() {
			clusters[i] = miner.Add(text.String())
		}
	}
	patterns := map[string]int{}
	for _, c := range clusters {
		if c >= 0 {
			patterns[miner.Template(c)]++
		}
	}
	row[4], row[5], row[6] = countsText(actions, " "), countsText(sourcetypes, " "), countsText(patterns, ": ")
	// what came next: a success after anything else, else the first
	// event of an action (without actions: a pattern) not seen before
	// the finding in its window
	kindOf := func(i int) string {
		if len(actions) > 0 {
			if v := get(events[i], "action"); !v.IsNull() {
				return v.String()
			}
			return ""
		}
		if clusters[i] >= 0 {
			return miner.Template(clusters[i])
		}
		return ""
	}
	counts := actions
	if len(actions) == 0 {
		counts = patterns
	}
	top := ""
	if len(counts) > 0 {
		top = topCounts(counts)[0].name
	}
	seen := map[string]bool{}
	next := -1
	for i, e := range events {
		k := kindOf(i)
		if e.t < f.t {
			seen[k] = true
			continue
		}
		if len(actions) > 0 && k == "success" && top != "success" {
			next = i
			break
		}
		if next < 0 && k != "" && k != top && !seen[k] {
			next = i
		}
	}
	then := store.Str("nothing else within " + durationWords(span))
	if next >= 0 {
		e := events[next]
		s := time.Unix(0, e.t).UTC().Format(time.RFC3339Nano)
		if v := get(e, "action"); !v.IsNull() {
			s = "action=" + v.String() + " at " + s
		} else {
			s = "at " + s
		}
		if v := get(e, store.ColRaw); !v.IsNull() {
			s += ": " + v.String()
		}
		then = store.Str(s)
	}
	if len(events) == 0 {
		then = store.Null
	}
	row[7] = then
	b := &Batch{Fields: slices.Clone(contextSummaryFields), Cols: make([][]store.Value, len(row)), Len: 1}
	for i, v := range row {
		b.Cols[i] = []store.Value{v}
	}
	return b
}

type nameCount struct {
	name string
	n    int
}

// topCounts orders counts by count, then name.
func topCounts(m map[string]int) []nameCount {
	out := make([]nameCount, 0, len(m))
	for k, n := range m {
		out = append(out, nameCount{k, n})
	}
	slices.SortFunc(out, func(a, b nameCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name)) })
	return out
}

// countsText writes the commonest values with their counts ("failure
// 180, success 1"; for patterns "180: template"), at most
// contextSummaryTop, then how many other values; null for none.
func countsText(m map[string]int, sep string) store.Value {
	if len(m) == 0 {
		return store.Null
	}
	top := topCounts(m)
	var parts []string
	for _, c := range top[:min(len(top), contextSummaryTop)] {
		if sep == ": " {
			parts = append(parts, fmt.Sprintf("%d: %s", c.n, c.name))
		} else {
			parts = append(parts, fmt.Sprintf("%s %d", c.name, c.n))
		}
	}
	if rest := len(top) - contextSummaryTop; rest > 0 {
		others := 0
		for _, c := range top[contextSummaryTop:] {
			others += c.n
		}
		parts = append(parts, fmt.Sprintf("%d others %d", rest, others))
	}
	return store.Str(strings.Join(parts, "; "))
}
