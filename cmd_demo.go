package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"loghunt/query"
	"loghunt/render"
)

//go:embed hunts/demo.lhq
var demoHunts string

// demoChart is the picture the demo ends with.
const demoChart = `action=failure auth_method=password | timechart span=10m count as attempts | anomalies attempts contamination=0.01`

const demoUsage = `usage: loghunt demo [--keep DIR]

Generates a day of auth and web logs with a brute-force attack, a password
spray and a 404 scan in it, ingests them, runs the hunts of hunts/demo.lhq
and shows what they find, with a chart of failed logins per 10 minutes.
Nothing outside the temporary folder is touched.

flags:
`

func (e *env) demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keep := fs.String("keep", "", "keep the logs and the database in this folder (created if needed)")
	fs.Usage = func() { fmt.Fprint(e.stderr, demoUsage); fs.PrintDefaults() }
	if pos, err := parseInterleaved(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("demo takes no arguments")
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "loghunt-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	out := e.stdout
	fmt.Fprintf(out, "== Generating a day of logs (%s) with three attacks in %s\n", demoDay.Format("2006-01-02"), dir)
	paths, err := writeDemoLogs(dir)
	if err != nil {
		return err
	}
	de := *e
	de.db = filepath.Join(dir, "demo.db")
	os.Remove(de.db) // a kept folder starts afresh
	fmt.Fprintln(out, "\n== Ingesting them")
	if err := de.ingest(ctx, append([]string{"--year", "2025"}, paths...)); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n== The hunts (hunts/demo.lhq):\n\n%s\n== Running them\n\n", demoHunts)
	if err := de.runScript(ctx, "hunts/demo.lhq", demoHunts, &queryFlags{}, render.Table); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n== Failed logins per 10 minutes; ^ marks what anomalies flags\n# %s\n", demoChart)
	q, err := query.Parse(demoChart)
	if err != nil {
		return fmt.Errorf("BUG: demo chart query: %w", err)
	}
	db, err := de.open(true)
	if err != nil {
		return err
	}
	err = de.runQuery(ctx, db, q, demoChart, &queryFlags{}, render.Chart)
	db.Close()
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n== What was injected (compare with what the hunts found)")
	for _, a := range demoAttacks {
		fmt.Fprintf(out, "  %-15s from %-14s %s to %s: %s\n", a.Kind, a.Source, a.Start.Format("15:04"), a.End.Format("15:04"), a.Detail)
	}
	if *keep != "" {
		fmt.Fprintf(out, "\nThe logs and the database are in %s. Hunt on in the REPL:\n  loghunt --db %s repl\n", dir, de.db)
	} else {
		fmt.Fprintf(out, "\nTo keep the logs and the database and hunt on in the REPL:\n  loghunt demo --keep DIR && loghunt --db DIR/demo.db repl\n")
	}
	return nil
}
