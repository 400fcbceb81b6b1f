package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"loghunt/render"
	"loghunt/repl"

	"golang.org/x/term"
)

const replUsage = `usage: loghunt [--db FILE] repl [--skip-damaged]

Opens an interactive session on the database (also what a bare 'loghunt'
does): type queries, end a line with | to continue it, Tab completes
stages, functions, options and field names, .help lists everything.
The database is held only while a query runs, so 'loghunt ingest' works
from another terminal meanwhile.

When stdin is not a terminal, queries are read from it like a .lhq script
('loghunt repl < hunt.lhq'); every query runs even if one fails, and the
exit status is 1 if any failed.

flags:
`

func (e *env) repl(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("repl", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	tz := fs.String("tz", "UTC", "show times in this zone (also .tz): UTC, Local, or an IANA name such as Europe/Berlin")
	skipDamaged := fs.Bool("skip-damaged", false, "run queries without the damaged chunks they meet, with a warning saying how many events, instead of failing")
	fs.Usage = func() { fmt.Fprint(e.stderr, replUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return usagef("repl takes no arguments")
	}
	loc, err := displayZone(*tz)
	if err != nil {
		return err
	}
	examples, err := huntExamples()
	if err != nil {
		return err
	}
	return repl.Run(ctx, repl.Config{
		DB: e.db, Stdin: e.stdin, Stdout: e.stdout, Stderr: e.stderr,
		Format: e.outFormat(), Chart: e.chartOptions(), SkipDamaged: *skipDamaged, Loc: loc,
		AskExamples: examples, Macros: e.loadMacros,
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
