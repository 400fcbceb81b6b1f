package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"loghunt/alert"
	"loghunt/query"
	"loghunt/rules"
)

const detectUsage = `usage: loghunt [--db FILE] detect --rules PATH [--rules PATH]... [--from T] [--to T]
                              [--format table|csv|json]

Replays detection rules over the events already in the database, on their
own timestamps: every window of every rule, in event time, as 'loghunt
watch' evaluates them when the events arrive, so it raises the same alerts.
Alerts are stored in the database (loghunt alerts lists them) and the ones
this run raised or updated are printed. The rules' progress is kept: a
second detect evaluates only windows that have become complete since, so
nothing is raised twice. detect runs no actions.

  loghunt detect --rules hunts/rules
  loghunt detect --rules hunts/rules/ssh-brute-force.yml --from 2025-12-01 --to 2025-12-08

flags:
`

// stringList is a flag that may be given several times.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (e *env) detect(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var paths stringList
	fs.Var(&paths, "rules", "a rule file or a directory of them (repeatable)")
	from := fs.String("from", "", "only windows that end after this time: 2025-12-01, 2025-12-01T10:00:00Z, -7d (from the newest event)")
	to := fs.String("to", "", "only events before this time")
	format := fs.String("format", "", "output format: table, csv or json (default: table on a terminal, else csv)")
	fs.Usage = func() { fmt.Fprint(e.stderr, detectUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("detect takes no arguments (--rules PATH names the rules)")
	}
	if len(paths) == 0 {
		fs.Usage()
		return usagef("detect: --rules PATH is required")
	}
	f, err := e.alertFormat(*format)
	if err != nil {
		return err
	}
	rs, err := rules.Load(paths)
	if err != nil {
		return rulesError(e, err)
	}
	db, err := e.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	eng := &rules.Engine{Rules: rs}
	newest, ok, err := db.NewestTime()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s holds no events (loghunt ingest PATH first)", e.db)
	}
	now := time.Unix(0, newest).UTC()
	for _, b := range []struct {
		spec, name string
		t          *time.Time
	}{{*from, "--from", &eng.From}, {*to, "--to", &eng.To}} {
		if b.spec == "" {
			continue
		}
		t, err := query.ParseTimeSpec(b.spec, now)
		if err != nil {
			return usagef("detect: %s %s: %v", b.name, b.spec, err)
		}
		*b.t = t
	}
	start := time.Now()
	raised, err := eng.Advance(ctx, db)
	if err != nil {
		return err
	}
	alerts := make([]*alert.Alert, len(raised))
	nNew := 0
	for i, r := range raised {
		alerts[i] = r.Alert
		if r.New {
			nNew++
		}
	}
	if err := e.printAlerts(alerts, f); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "detect: %d rule%s, %d alert%s raised, %d updated, in %.2fs\n", len(rs), plural(len(rs)),
		nNew, plural(nNew), len(raised)-nNew, time.Since(start).Seconds())
	return nil
}

// rulesError prints the problems of rule files and returns errShown.
func rulesError(e *env, err error) error {
	var probs rules.Problems
	if !errors.As(err, &probs) {
		return err
	}
	for _, p := range probs {
		fmt.Fprintln(e.stderr, p)
	}
	fmt.Fprintf(e.stderr, "loghunt: %d problem%s in the rules (loghunt rules check PATH lists them)\n", len(probs), plural(len(probs)))
	return errShown
}
