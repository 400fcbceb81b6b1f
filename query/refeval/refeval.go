// Package refeval is a reference evaluator of the query language: the
// oracle the engine (package query) is tested against.
//
// It is written to be obviously correct, not fast: it reads every event of
// a store into memory through the plainest API (one scan, every column of
// every chunk), puts them in time order, and evaluates the parsed query
// one row at a time, stage after stage, each stage holding all of its
// rows. There is no pushdown, no dictionary codes, no workers and no typed
// paths, and none of the engine's evaluation code: only its parser and
// AST are shared. Where the engine's documentation (SPEC.md, .help) is
// silent, the semantics are Splunk's.
package refeval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// ErrLimit is wrapped by the errors of a query whose answer would be too
// large to hold (a timechart of a million buckets): the engine stops such
// a query with its own limit error, which the test does not compare.
var ErrLimit = errors.New("refeval limit")

// Row is one row: its fields by name. A null value is never stored: a
// missing field and a null one are the same thing.
type Row map[string]store.Value

// Get returns the value of a field, or null.
func (r Row) Get(name string) store.Value { return r[name] }

// Set sets a field; setting null removes it.
func (r Row) Set(name string, v store.Value) {
	if v.K == store.KindNull {
		delete(r, name)
		return
	}
	r[name] = v
}

// Clone copies a row.
func (r Row) Clone() Row {
	out := make(Row, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

// Options are what a run needs besides the query and the events.
type Options struct {
	// Now anchors relative times and now(); zero means the time of the
	// newest event (the engine's default).
	Now time.Time
	// Earliest and Latest narrow the time range as the CLI flags do.
	Earliest, Latest string
	// LookupDir, when set, is where relative lookup file names are found
	// (the engine opens them relative to the working directory).
	LookupDir string
}

// Load reads every event of db, with every field, in the engine's event
// order: by _time, events at the same time in the order of their chunks'
// keys and, within a chunk, in their stored order.
func Load(ctx context.Context, db *store.DB) ([]Row, error) {
	var chunks [][]Row
	_, err := db.Scan(ctx, store.AllTime, func(c *store.Chunk) (any, error) {
		return chunkRows(c)
	}, func(_ *store.Chunk, v any) error {
		chunks = append(chunks, v.([]Row))
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []Row
	for _, rows := range chunks {
		all = append(all, rows...)
	}
	slices.SortStableFunc(all, func(a, b Row) int {
		ta, tb := a[store.ColTime].I, b[store.ColTime].I
		switch {
		case ta < tb:
			return -1
		case ta > tb:
			return 1
		}
		return 0
	})
	return all, nil
}

// chunkRows decodes every column of a chunk into rows.
func chunkRows(c *store.Chunk) ([]Row, error) {
	rows := make([]Row, c.Rows)
	for i := range rows {
		rows[i] = Row{}
	}
	names := []string{store.ColTime, "source", "sourcetype"}
	for _, ci := range c.Cols {
		if ci.Name != store.ColTime {
			names = append(names, ci.Name)
		}
	}
	for _, name := range names {
		vals, err := c.Values(name)
		if err != nil {
			return nil, fmt.Errorf("chunk %d column %s: %w", c.ID, name, err)
		}
		if len(vals) != c.Rows {
			return nil, fmt.Errorf("chunk %d column %s: %d values for %d rows", c.ID, name, len(vals), c.Rows)
		}
		for i, v := range vals {
			rows[i].Set(name, v)
		}
	}
	return rows, nil
}

// evaluator is the state of one run.
type evaluator struct {
	opt Options
	now time.Time
	// events are every event, for subsearches; lo and hi the first
	// search's time range, which they run over.
	events []Row
	lo, hi int64
	// window, in a subsearch, is the range of the query it is in.
	window *[2]int64
	subs   map[*query.Subsearch][]Row
	err    error // of a subsearch in search terms
}

// Eval runs q over events (as Load returns them, which it does not
// change) and returns the result rows in order.
func Eval(q *query.Query, events []Row, opt Options) ([]Row, error) {
	ev := &evaluator{opt: opt, now: opt.Now, events: events}
	if ev.now.IsZero() {
		var newest int64
		for i, e := range events {
			if t := e[store.ColTime].I; i == 0 || t > newest {
				newest = t
			}
		}
		if len(events) == 0 {
			return nil, fmt.Errorf("refeval: an empty store needs Options.Now")
		}
		ev.now = time.Unix(0, newest).UTC()
	}
	return ev.run(q.Stages)
}

// run evaluates a query's stages over ev.events.
func (ev *evaluator) run(stages []query.Command) ([]Row, error) {
	first, ok := stages[0].(*query.SearchCmd)
	if !ok {
		return nil, fmt.Errorf("refeval: the query does not start with a search")
	}
	rows, err := ev.firstSearch(first, ev.events)
	if err != nil {
		return nil, err
	}
	return ev.stages(stages[1:], rows)
}

// stages evaluates stages after the first.
func (ev *evaluator) stages(stages []query.Command, rows []Row) ([]Row, error) {
	var err error
	for _, st := range stages {
		if rows, err = ev.stage(st, rows); err != nil {
			return nil, err
		}
		if ev.err != nil {
			return nil, ev.err
		}
	}
	return rows, nil
}

// firstSearch applies the time range and the terms of the first stage,
// copying the rows it keeps.
func (ev *evaluator) firstSearch(c *query.SearchCmd, events []Row) ([]Row, error) {
	lo, hi, err := ev.timeRange(c)
	if err != nil {
		return nil, err
	}
	ev.lo, ev.hi = lo, hi
	var out []Row
	for _, e := range events {
		t := e[store.ColTime].I
		if t < lo || t >= hi {
			continue
		}
		if c.Expr == nil || ev.matchAnd(c.Expr, e) {
			out = append(out, e.Clone())
		}
	}
	return out, ev.err
}

// stage evaluates one stage after the first over all of its input rows.
func (ev *evaluator) stage(st query.Command, rows []Row) ([]Row, error) {
	if out, ok, err := ev.pivotStage(st, rows); ok {
		return out, err
	}
	switch c := st.(type) {
	case *query.SearchCmd:
		if c.Expr == nil {
			return rows, nil
		}
		return filter(rows, func(r Row) bool { return ev.matchAnd(c.Expr, r) }), nil
	case *query.WhereCmd:
		return filter(rows, func(r Row) bool { return truthy(ev.expr(c.Expr, r)) }), nil
	case *query.EvalCmd:
		for _, r := range rows {
			for _, a := range c.Assigns {
				r.Set(string(a.Field), ev.expr(a.Expr, r))
			}
		}
		return rows, nil
	case *query.RexCmd:
		return rex(c, rows)
	case *query.FieldsCmd:
		return fields(c, rows), nil
	case *query.TableCmd:
		return table(c, rows), nil
	case *query.RenameCmd:
		return rename(c, rows), nil
	case *query.StatsCmd:
		if hasSparkline(c.Aggs) {
			return ev.sparkStats(c, rows)
		}
		return stats(c.Aggs, query.FieldNames(c.By), rows), nil
	case *query.BinCmd:
		return bin(c, rows), nil
	case *query.TimechartCmd:
		return timechart(c, rows)
	case *query.EventstatsCmd:
		return eventstats(c, rows), nil
	case *query.StreamstatsCmd:
		return streamstats(c, rows)
	case *query.SortCmd:
		return sortRows(c, rows), nil
	case *query.HeadCmd:
		return rows[:min(c.N, len(rows))], nil
	case *query.TailCmd:
		return rows[len(rows)-min(c.N, len(rows)):], nil
	case *query.DedupCmd:
		return dedup(c, rows), nil
	case *query.TopCmd:
		return top(query.FieldNames(c.Fields), query.FieldNames(c.By), c.Limit, false, rows), nil
	case *query.RareCmd:
		return top(query.FieldNames(c.Fields), query.FieldNames(c.By), c.Limit, true, rows), nil
	case *query.LookupCmd:
		return ev.lookup(c, rows)
	case *query.AnomaliesCmd:
		if c.Method == "decompose" {
			return decompose(c, rows)
		}
		return anomalies(c, rows)
	case *query.PatternsCmd:
		return patterns(c, rows), nil
	case *query.MvexpandCmd:
		return mvexpand(c, rows), nil
	case *query.FillnullCmd:
		return fillnull(c, rows), nil
	case *query.MakeresultsCmd:
		return ev.makeresults(c), nil
	case *query.ReverseCmd:
		slices.Reverse(rows)
		return rows, nil
	case *query.RegexCmd:
		return regexRows(c, rows), nil
	case *query.DeltaCmd:
		return delta(c, rows), nil
	case *query.AutoregressCmd:
		return autoregress(c, rows), nil
	case *query.TransactionCmd:
		return ev.transaction(c, rows)
	case *query.JoinCmd:
		return ev.join(c, rows)
	case *query.AppendCmd:
		sub, err := ev.subsearch(c.Sub, c.MaxOut)
		return append(rows, sub...), err
	case *query.InputlookupCmd:
		return inputlookup(c, rows)
	case *query.OutputlookupCmd:
		return outputlookup(c, rows)
	case *query.SpathCmd:
		return spath(c, rows), nil
	case *query.AppendpipeCmd:
		copies := make([]Row, len(rows))
		for i, r := range rows {
			copies[i] = r.Clone()
		}
		more, err := ev.stages(c.Sub.Stages, copies)
		return append(rows, more...), err
	}
	return nil, fmt.Errorf("refeval: no semantics for the stage %T", st)
}

func filter(rows []Row, keep func(Row) bool) []Row {
	var out []Row
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}
