package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"loghunt/query"
	"loghunt/render"
	"loghunt/repl"
	"os"
	"strings"
)

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
		if parsed[i], err = e.parseQuery(sq.Text); err != nil {
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
					Format: *format, Chart: e.chartOptions(), Macros: e.loadMacros}); err != nil {
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
