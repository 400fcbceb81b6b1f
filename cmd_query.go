package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"loghunt/query"
	"loghunt/render"
	"loghunt/repl"
	"loghunt/store"
)

const queryUsage = `usage: loghunt [--db FILE] query [flags] 'QUERY'

Runs a query (see 'Query language' in README.md) and prints the result:
a table on a terminal, CSV otherwise. _time prints as RFC 3339 UTC.

  loghunt query '"Failed password" | stats count by host'
  loghunt query --earliest -24h 'status>=500 | timechart span=1h count by status'

flags:
`

// queryFlags are the flags query and run share.
type queryFlags struct {
	format           string
	earliest, latest string
	stats            bool
	plot             string
	skipDamaged      bool
	where            string // in a script, "FILE:LINE" of the query, for its warnings
}

func (q *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.format, "format", "", "output format: table, csv, json or chart (default: table on a terminal, else csv)")
	fs.StringVar(&q.plot, "plot", "", "also draw the result (_time and numeric columns) to this .png or .svg file")
	fs.StringVar(&q.earliest, "earliest", "", "only events at or after this time: 2025-03-06, -24h, -1d@d")
	fs.StringVar(&q.latest, "latest", "", "only events before this time")
	fs.BoolVar(&q.stats, "stats", false, "print chunks read, rows scanned, bytes decoded and time to stderr")
	fs.BoolVar(&q.skipDamaged, "skip-damaged", false, "leave out damaged chunks, with a warning saying how many events, instead of failing")
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
	q, err := query.Parse(pos[0])
	if err != nil {
		return queryError(err, pos[0])
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
	p := newResultPrinter(e.stdout, e.stderr, format)
	p.chart = e.chartOptions()
	p.plotPath = qf.plot
	opt := query.Options{Earliest: qf.earliest, Latest: qf.latest, Models: db, Warn: e.queryWarner(qf.where),
		SkipDamaged: qf.skipDamaged}
	st, err := query.Run(ctx, db, q, opt, p.add)
	if err != nil {
		return queryError(err, text)
	}
	if err := p.close(); err != nil {
		return err
	}
	if qf.stats {
		fmt.Fprintf(e.stderr, "chunks read %d of %d (skipped: %d by time, %d by token filter, %d by field ranges), rows scanned %d, bytes decoded %s, rows out %d, %.3fs\n",
			st.ChunksRead, st.ChunksTotal, st.SkippedTime, st.SkippedTokens, st.SkippedPrune, st.Rows,
			humanBytes(st.BytesDecoded), st.RowsOut, st.Elapsed.Seconds())
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

const runUsage = `usage: loghunt [--db FILE] run [flags] SCRIPT.lhq

Runs the queries of a script in order, printing each result under its
query. Queries are separated by ';' at the end of a line or by blank lines;
'#' starts a comment; a line ending in '|' continues the query. A line
starting with '.' between queries is a dot-command, as in the REPL:
'.format json' sets the format of the queries after it, '.run OTHER.lhq'
runs another script, '.quit' ends, '.sources', '.fields', '.models',
'.ingest PATH' and '.help' print what they print in the REPL. Every query
and command is checked first; the first error stops the script, naming
its line.

flags:
`

func (e *env) run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var qf queryFlags
	qf.register(fs)
	fs.Usage = func() { fmt.Fprint(e.stderr, runUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("run takes one script")
	}
	format, err := e.resultFormat(&qf)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	db, err := e.open(true) // a missing database fails before any output
	if err != nil {
		return err
	}
	db.Close()
	err = e.runScript(ctx, pos[0], string(src), &qf, format)
	if errors.Is(err, errQuitScript) {
		return nil
	}
	return err
}

// runScript parses every query and checks every dot-command first, so a
// typo on the last line stops the script before the first query runs,
// then runs them in order. Dot-commands (.format json, .sources, .ingest
// PATH, ...) do what they do in the REPL; .run runs another script as
// this one runs, and .quit ends the script. The database is open only
// while a query runs, so a .ingest between queries can write to it.
func (e *env) runScript(ctx context.Context, name, src string, qf *queryFlags, format render.Format) error {
	return e.runScriptDepth(ctx, name, src, qf, &format, 0)
}

func (e *env) runScriptDepth(ctx context.Context, name, src string, qf *queryFlags, format *render.Format, depth int) error {
	if depth > repl.MaxScriptDepth {
		return fmt.Errorf("%s: scripts run each other more than %d deep", name, repl.MaxScriptDepth)
	}
	queries, err := query.SplitScript(src)
	if err != nil {
		return usagef("%s: %v", name, err)
	}
	parsed := make([]*query.Query, len(queries))
	for i, sq := range queries {
		if sq.Dot {
			if err := repl.CheckDot(sq.Text); err != nil {
				return scriptError(name, sq, usageError{err.Error()})
			}
			continue
		}
		if parsed[i], err = query.Parse(sq.Text); err != nil {
			return scriptError(name, sq, queryError(err, sq.Text))
		}
	}
	var commands *repl.REPL // for dot-commands, made at the first
	for i, sq := range queries {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "# %s:%d\n# %s\n", name, sq.Line, strings.ReplaceAll(sq.Text, "\n", "\n# "))
		if sq.Dot {
			if repl.IsQuit(sq.Text) {
				return errQuitScript
			}
			if script, ok := repl.IsRun(sq.Text); ok {
				src, err := os.ReadFile(script)
				if err == nil {
					err = e.runScriptDepth(ctx, script, string(src), qf, format, depth+1)
				}
				if err != nil {
					return scriptError(name, sq, err)
				}
				continue
			}
			if commands == nil {
				if commands, err = repl.New(repl.Config{DB: e.db, Stdout: e.stdout, Stderr: e.stderr,
					Format: *format, NewWriter: e.newResultWriter}); err != nil {
					return scriptError(name, sq, err)
				}
			}
			if _, err := commands.Dot(ctx, sq.Text); err != nil {
				return scriptError(name, sq, err)
			}
			*format = commands.Format()
			continue
		}
		qf.where = fmt.Sprintf("%s:%d", name, sq.Line)
		if err := e.runOne(ctx, parsed[i], sq.Text, qf, *format); err != nil {
			return scriptError(name, sq, err)
		}
	}
	return nil
}

// errQuitScript is how .quit ends a script (and scripts that .run it).
var errQuitScript = errors.New("quit")

// runOne opens the database for one query of a script (for writing when
// it saves a model) and runs it.
func (e *env) runOne(ctx context.Context, q *query.Query, text string, qf *queryFlags, format render.Format) error {
	db, err := e.open(!q.SavesModel()) // save= writes the model
	if err != nil {
		return err
	}
	defer db.Close()
	return e.runQuery(ctx, db, q, text, qf, format)
}

func scriptError(name string, sq query.ScriptQuery, err error) error {
	if errors.Is(err, errQuitScript) {
		return err
	}
	var ue usageError
	if errors.As(err, &ue) {
		return usageError{fmt.Sprintf("%s:%d: %s", name, sq.Line, ue.msg)}
	}
	return fmt.Errorf("%s:%d: %w", name, sq.Line, err)
}
