package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"loghunt/action"
	"loghunt/alert"
	"loghunt/render"
	"loghunt/rules"
)

const alertsUsage = `usage: loghunt [--db FILE] alerts [list] [--state new|acknowledged|closed|open] [--rule NAME]
                              [--format table|csv|json]
       loghunt [--db FILE] alerts show ID [--format table|json]
       loghunt [--db FILE] alerts ack ID
       loghunt [--db FILE] alerts close ID
       loghunt [--db FILE] alerts undo ID


Lists the alerts that detection rules raised (loghunt detect, loghunt watch),
shows one with its actions, the query that shows its events, the summary
of its entity's events around it (context ... summary=true by the entity's
first field, sorted by name: counts by action, sourcetype and pattern, and
what came next, e.g. a success after failures) and a computed account of
it, or moves
one along new -> acknowledged -> closed, or reverses its actions now
(undo: runs the undo of each action that holds, e.g. unblocks an address,
and cancels an exec not yet run). An acknowledged alert is still
updated when its rule detects its entity again; a closed one is not (a new
alert is raised). --format json prints one JSON object per alert with the
keys id, rule, severity, entity, first, last, count, score, value, reason,
query, events, state and actions.

flags:
`

func (e *env) alerts(ctx context.Context, args []string) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	state := fs.String("state", "", "only alerts in this state: new, acknowledged (ack), closed, or open (new or acknowledged)")
	rule := fs.String("rule", "", "only the alerts of this rule")
	format := fs.String("format", "", "output format: table, csv or json (default: table on a terminal, else csv)")
	fs.Usage = func() { fmt.Fprint(e.stderr, alertsUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usagef("alerts list takes no arguments (--state, --rule filter)")
		}
		st, err := rules.NormalState(*state)
		if err != nil {
			return usageError{err.Error()}
		}
		f, err := e.alertFormat(*format)
		if err != nil {
			return err
		}
		db, err := e.open(true)
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := rules.ListAlerts(db, rules.Filter{State: st, Rule: *rule})
		if err != nil {
			return err
		}
		if len(list) == 0 && f == render.Table {
			fmt.Fprintln(e.stderr, "no alerts")
			return nil
		}
		return e.printAlerts(list, f)
	case "show", "ack", "close", "undo":
		if len(pos) != 1 {
			return usagef("alerts %s takes one alert id", sub)
		}
		id, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil || id == 0 {
			return usagef("alerts %s: %q is not an alert id (a number: loghunt alerts lists them)", sub, pos[0])
		}
		if *state != "" || *rule != "" {
			return usagef("alerts %s: --state and --rule are for alerts list", sub)
		}
		db, err := e.open(sub == "show")
		if err != nil {
			return err
		}
		defer db.Close()
		if sub == "undo" {
			if _, err := rules.ReadAlert(db, id); err != nil {
				return err
			}
			r := &action.Runner{Stderr: e.stderr}
			if err := r.Undo(ctx, db, id); err != nil {
				return err
			}
			a, err := rules.ReadAlert(db, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "alert %d (%s %s): actions undone\n", a.ID, a.Rule, rules.EntityString(a.Entity))
			for _, rec := range a.Actions {
				if rec.UndoStatus != "" {
					fmt.Fprintf(e.stdout, "  %s %s: undo %s %s\n", rec.Spec.Type, strings.Join(rec.Spec.Argv, " "), rec.UndoStatus, rec.UndoDetail)
				}
			}
			return nil
		}
		if sub == "show" {
			a, err := rules.ReadAlert(db, id)
			if err != nil {
				return err
			}
			if *format == "json" {
				return e.printAlerts([]*alert.Alert{a}, render.JSON)
			}
			if *format != "" && *format != "table" {
				return usagef("alerts show: --format must be table or json")
			}
			e.showAlert(a)
			return e.showAlertContext(ctx, db, a)
		}
		to := alert.StateAcked
		if sub == "close" {
			to = alert.StateClosed
		}
		a, err := rules.SetState(db, id, to)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "alert %d (%s %s) is %s\n", a.ID, a.Rule, rules.EntityString(a.Entity), a.State)
		return nil
	}
	return usagef("alerts: unknown subcommand %q (list, show ID, ack ID, close ID, undo ID)", sub)
}

// alertFormat parses --format of the alert commands.
func (e *env) alertFormat(s string) (render.Format, error) {
	if s == "" {
		return e.outFormat(), nil
	}
	f, err := render.ParseFormat(s)
	if err != nil || f == render.Chart {
		return "", usagef("--format must be table, csv or json")
	}
	return f, nil
}

// printAlerts prints alerts as a table, CSV, or one JSON object a line.
func (e *env) printAlerts(list []*alert.Alert, f render.Format) error {
	if f == render.JSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, a := range list {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	fields, rows := rules.AlertsTable(list)
	out := render.New(e.stdout, f, fields)
	out.Write(rows)
	return out.Flush()
}

// showAlert prints one alert, its actions and how to see its events.
func (e *env) showAlert(a *alert.Alert) {
	w := e.stdout
	t := func(x time.Time) string { return x.UTC().Format(time.RFC3339) }
	fmt.Fprintf(w, "alert %d: %s, %s\n", a.ID, a.Rule, a.Severity)
	fmt.Fprintf(w, "  entity   %s\n", rules.EntityString(a.Entity))
	fmt.Fprintf(w, "  state    %s\n", a.State)
	fmt.Fprintf(w, "  first    %s\n  last     %s\n", t(a.First), t(a.Last))
	fmt.Fprintf(w, "  count    %d events\n", a.Count)
	if a.Score != 0 {
		fmt.Fprintf(w, "  score    %s\n", strconv.FormatFloat(a.Score, 'g', 4, 64))
	}
	fmt.Fprintf(w, "  reason   %s\n", a.Reason)
	fmt.Fprintf(w, "  events   %d referenced", len(a.Events))
	if int64(len(a.Events)) < a.Count {
		fmt.Fprintf(w, " (the first %d)", len(a.Events))
	}
	fmt.Fprintln(w)
	if len(a.Actions) == 0 {
		fmt.Fprintln(w, "  actions  none")
	} else {
		fmt.Fprintln(w, "  actions:")
		for _, r := range a.Actions {
			what := r.Spec.Type
			switch {
			case r.Spec.URL != "":
				what += " " + r.Spec.URL
			case r.Spec.File != "":
				what += " " + r.Spec.File
			case len(r.Spec.Argv) > 0:
				what += " " + strings.Join(r.Spec.Argv, " ")
			}
			line := fmt.Sprintf("    %-9s %s", r.Status, what)
			if r.Detail != "" {
				line += ": " + r.Detail
			}
			if !r.At.IsZero() {
				line += " (at " + t(r.At) + ")"
			}
			if r.Hold > 0 {
				line += fmt.Sprintf(" holds %s", r.Hold)
				if r.Offence > 1 {
					line += fmt.Sprintf(" (offence %d)", r.Offence)
				}
			}
			if !r.Until.IsZero() {
				line += " until " + t(r.Until)
			}
			if r.UndoStatus != "" {
				line += "; undo " + r.UndoStatus
				if r.UndoDetail != "" {
					line += ": " + r.UndoDetail
				}
			}
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "its events:\n  loghunt --db %s query '%s'\n", shellQuoteDB(e.db), strings.ReplaceAll(a.Query, "'", `'\''`))
}

func shellQuoteDB(p string) string {
	if strings.ContainsAny(p, " '\"$\\") {
		return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return p
}
