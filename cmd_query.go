package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"time"

	"loghunt/clickhouse"
	"loghunt/llm"
	"loghunt/query"
	"loghunt/render"
	"loghunt/store"
)

const queryUsage = `usage: loghunt [--db FILE] query [flags] 'QUERY'

Runs a query (see 'Query language' in README.md) and prints the result:
a table on a terminal, CSV otherwise. _time prints as RFC 3339, in UTC
unless --tz names another zone.

  loghunt query '"Failed password" | stats count by host'
  loghunt query --earliest -24h 'status>=500 | timechart span=1h count by status'

A query may use macros, ` + "`name` or `name(x, y)`" + ` in backquotes (see
'loghunt macros --help'); a macro's error shows its definition with a caret.

With --engine clickhouse=URL the query runs on a ClickHouse table that
'loghunt ship' filled (URL http://host:8123, the table loghunt_events or
?table=T): its longest translatable start becomes one SQL query run there,
and the rest runs here over the rows it returns; --explain prints the SQL
and which stages ran where (README.md, "When a case outgrows a laptop").

  loghunt query --engine clickhouse=http://127.0.0.1:8123 --explain 'status=404 | stats count by clientip'

flags:
`

// queryFlags are the flags query and run share.
type queryFlags struct {
	format           string
	earliest, latest string
	stats            bool
	plot             string
	skipDamaged      bool
	showPrompt       bool
	geoip            stringList // MaxMind-format databases for iplocation
	tz               string     // the zone results show times in
	where            string     // in a script, "FILE:LINE" of the query, for its warnings
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.format, "format", "", "output format: table, csv, json or chart (default: table on a terminal, else csv)")
	fs.StringVar(&q.plot, "plot", "", "also draw the result (_time and numeric columns) to this .png or .svg file")
	fs.StringVar(&q.earliest, "earliest", "", "only events at or after this time: 2025-03-06, -24h, -1d@d")
	fs.StringVar(&q.latest, "latest", "", "only events before this time")
	fs.BoolVar(&q.stats, "stats", false, "print chunks read, rows scanned, bytes decoded and time to stderr")
	fs.BoolVar(&q.skipDamaged, "skip-damaged", false, "leave out damaged chunks, with a warning saying how many events, instead of failing")
	fs.StringVar(&q.tz, "tz", "UTC", "show times in this zone: UTC, Local, or an IANA name such as Europe/Berlin")
	fs.Var(&q.geoip, "geoip", "a MaxMind-format database (.mmdb: GeoLite2 or DB-IP lite, City, Country or ASN) for iplocation (repeatable; default $LOGHUNT_GEOIP)")
	fs.BoolVar(&q.showPrompt, "show-prompt", false, "print what would be sent to the language model (by explain llm=true; by ask, its question), and send nothing")
}

func (e *env) resultFormat(q *queryFlags) (render.Format, error) {
	if q.format == "" {
		return e.outFormat(), nil
	}
	f, err := render.ParseFormat(q.format)
	if err != nil {
		return "", usageError{err.Error()}
	}
	return f, nil
}

func (e *env) query(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var qf queryFlags
	qf.register(fs)
	engine := fs.String("engine", "", "run on another engine: clickhouse=http://host:8123[?table=T] (a table 'loghunt ship' filled)")
	explain := fs.Bool("explain", false, "with --engine: print the SQL and which stages ran where to stderr")
	fs.Usage = func() { fmt.Fprint(e.stderr, queryUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("query takes one query (quote it)")
	}
	format, err := e.resultFormat(&qf)
	if err != nil {
		return err
	}
	q, err := e.parseQuery(pos[0])
	if err != nil {
		return queryError(err, pos[0])
	}
	if *engine != "" {
		return e.runRemote(ctx, *engine, *explain, q, pos[0], &qf, format)
	}
	if *explain {
		return usagef("--explain goes with --engine")
	}
	db, err := e.open(!q.SavesModel()) // save= writes the model
	if err != nil {
		return err
	}
	defer db.Close()
	return e.runQuery(ctx, db, q, pos[0], &qf, format)
}

// tuneGCForQueries leaves garbage collection to the soft memory limit:
// a query allocates in bursts and exits soon after, and a collection in
// the middle cost more than it saved (mark assists slowed the last
// stages' allocations: the brute-force hunt took 125 ms with GOGC=400,
// 108 ms without). The limit keeps the heap well under the 500 MB a
// laptop can spare; a script's queries share it.
func tuneGCForQueries() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(300 << 20)
}

// runQuery runs one parsed query and prints its result.
func (e *env) runQuery(ctx context.Context, db *store.DB, q *query.Query, text string, qf *queryFlags, format render.Format) error {
	tuneGCForQueries()
	if format == render.Table {
		q = query.EventsView(q) // a bare search shows events, newest first
	}
	loc, err := displayZone(qf.tz)
	if err != nil {
		return err
	}
	p := render.NewResults(e.stdout, format, render.ResultOptions{Chart: e.chartOptions(), Plot: qf.plot, Loc: loc,
		Note: func(msg string) { fmt.Fprintf(e.stderr, "loghunt: %s\n", msg) }})
	opt := query.Options{Earliest: qf.earliest, Latest: qf.latest, Models: db, Warn: e.queryWarner(qf.where),
		SkipDamaged: qf.skipDamaged, GeoIP: qf.geoip, LLM: &query.LLMOptions{Load: llm.Load, ShowPrompt: qf.showPrompt,
			Print: func(s string) { fmt.Fprintln(e.stdout, s) }}}
	st, err := query.Run(ctx, db, q, opt, p.Add)
	if err != nil {
		return queryError(err, text)
	}
	if err := p.Close(); err != nil {
		return err
	}
	if p.Rows() == 0 && (format == render.Table || format == render.Chart) {
		fmt.Fprintln(e.stderr, "no results") // (CSV and JSON stay empty for scripts)
	}
	if qf.stats {
		fmt.Fprintf(e.stderr, "chunks read %d of %d (skipped: %d by time, %d by token filter, %d by field ranges), rows scanned %d, bytes decoded %s, rows out %d, %.3fs\n",
			st.ChunksRead, st.ChunksTotal, st.SkippedTime, st.SkippedTokens, st.SkippedPrune, st.Rows,
			humanBytes(st.BytesDecoded), st.RowsOut, st.Elapsed.Seconds())
	}
	return nil
}

// runRemote runs a query on ClickHouse (--engine), the stages it cannot
// translate here.
func (e *env) runRemote(ctx context.Context, engine string, explain bool, q *query.Query, text string, qf *queryFlags, format render.Format) error {
	tuneGCForQueries()
	c, table, err := clickhouse.ParseEngine(engine)
	if err != nil {
		return usagef("%v", err)
	}
	if q.SavesModel() {
		return usagef("anomalies save= writes a model into the local database: run it without --engine")
	}
	if format == render.Table {
		q = query.EventsView(q)
	}
	loc, err := displayZone(qf.tz)
	if err != nil {
		return err
	}
	p := render.NewResults(e.stdout, format, render.ResultOptions{Chart: e.chartOptions(), Plot: qf.plot, Loc: loc,
		Note: func(msg string) { fmt.Fprintf(e.stderr, "loghunt: %s\n", msg) }})
	opt := clickhouse.QueryOptions{Table: table, Query: query.Options{Earliest: qf.earliest, Latest: qf.latest,
		Warn: e.queryWarner(qf.where), GeoIP: qf.geoip}}
	if explain {
		opt.Translated = func(t *clickhouse.Translation) { fmt.Fprint(e.stderr, t.Explain()) }
	}
	tr, st, err := clickhouse.Query(ctx, c, q, opt, p.Add)
	if err != nil {
		return queryError(err, text)
	}
	if err := p.Close(); err != nil {
		return err
	}
	if p.Rows() == 0 && (format == render.Table || format == render.Chart) {
		fmt.Fprintln(e.stderr, "no results")
	}
	if qf.stats {
		fmt.Fprintf(e.stderr, "ClickHouse ran %d of %d stages, rows from ClickHouse %d, rows out %d, %.3fs\n",
			tr.From, len(q.Stages), st.Rows, st.RowsOut, st.Elapsed.Seconds())
	}
	return nil
}

// queryWarner prints a query's warnings to stderr, after where (a script
// line) when set.
func (e *env) queryWarner(where string) func(string) {
	if where != "" {
		where += ": "
	}
	return func(msg string) { fmt.Fprintf(e.stderr, "loghunt: %swarning: %s\n", where, msg) }
}

// queryError makes a query's syntax or validation error a usage error
// (exit 2) rendered with the query line and a caret.
func queryError(err error, text string) error {
	var qe *query.Error
	if errors.As(err, &qe) {
		if qe.Query == "" {
			qe.Query = text
		}
		return usageError{"query error:\n" + qe.Error()}
	}
	var de *store.DamageError
	if errors.As(err, &de) {
		return fmt.Errorf("%w\n(loghunt check lists the damage; --skip-damaged runs queries without the damaged chunks)", err)
	}
	return err
}

// displayZone reads --tz: nil for UTC (times print as 2025-03-06T03:12:00Z).
func displayZone(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return nil, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, usagef("--tz: unknown time zone %q (UTC, Local, or an IANA name such as Europe/Berlin)", name)
	}
	return loc, nil
}
