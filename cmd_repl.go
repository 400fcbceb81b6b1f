package main

import (
	"context"
	"fmt"
	"os"

	"loghunt/render"
	"loghunt/repl"

	"golang.org/x/term"
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
		Format: e.outFormat(), Chart: e.chartOptions(),
	})
}

// chartOptions fit a terminal chart to stdout: its width, and red marks
// only on a terminal without NO_COLOR.
func (e *env) chartOptions() render.ChartOptions {
	opt := render.ChartOptions{Width: 80}
	if f, ok := e.stdout.(*os.File); ok && isTerminal(e.stdout) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			opt.Width = w
		}
		_, noColor := os.LookupEnv("NO_COLOR")
		opt.Color = !noColor
	}
	return opt
}
