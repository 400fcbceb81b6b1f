package main

import (
	"context"
	"fmt"
	"io"

	"loghunt/render"
	"loghunt/repl"
)

const replUsage = `usage: loghunt [--db FILE] repl

Opens an interactive session on the database (also what a bare 'loghunt'
does): type queries, end a line with | to continue it, Tab completes
stages, functions, options and field names, .help lists everything.
The database is held only while a query runs, so 'loghunt ingest' works
from another terminal meanwhile.

When stdin is not a terminal, queries are read from it like a .lhq script
('loghunt repl < hunt.lhq'); every query runs even if one fails, and the
exit status is 1 if any failed.
`

func (e *env) repl(ctx context.Context, args []string) error {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(e.stderr, replUsage)
			return nil
		}
		return usagef("repl takes no arguments")
	}
	return repl.Run(ctx, repl.Config{
		DB: e.db, Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr,
		Format: e.outFormat(), NewWriter: e.newResultWriter,
	})
}

// newResultWriter is render.New with charts fitted to the terminal.
func (e *env) newResultWriter(w io.Writer, f render.Format, fields []string) *render.Writer {
	rw := render.New(w, f, fields)
	rw.ChartOptions = e.chartOptions()
	return rw
}
