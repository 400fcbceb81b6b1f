package repl

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"loghunt/action"
	"loghunt/ingest"
	"loghunt/query"
	"loghunt/render"
	"loghunt/rules"
	"loghunt/store"
)

// dotCommand is one of the REPL's own commands.
type dotCommand struct {
	name, args, summary string
	run                 func(r *REPL, ctx context.Context, args []string) error
}

// errQuit ends the session.
var errQuit = fmt.Errorf("quit")

var dotCommands []dotCommand

func init() {
	dotCommands = []dotCommand{
		{".help", "[NAME]", "list stages, functions and commands; or a stage's or function's syntax and an example", (*REPL).help},
		{".sources", "", "list what has been ingested", (*REPL).sources},
		{".fields", "", "list the fields of the events, with types and examples", (*REPL).listFields},
		{".models", "", "list the anomaly models saved with anomalies save=NAME", (*REPL).models},
		{".macros", "", "list the macros queries can use as `name` or `name(x, y)` (loghunt macros --help)", (*REPL).listMacros},
		{".alerts", "[new|acknowledged|closed|open] [RULE]", "list the alerts detection rules raised (.help rules: the rule format)", (*REPL).alerts},
		{".ingest", "PATH...", "ingest log files or directories into the database", (*REPL).ingest},
		{".format", "[" + strings.Join(formatNames(), "|") + "]", "show or set the output format", (*REPL).setFormat},
		{".tz", "[ZONE]", "show or set the time zone results show times in (UTC, Local, Europe/Berlin, ...)", (*REPL).setTZ},
		{".run", "SCRIPT", "run the queries of a .lhq script", (*REPL).runScriptFile},
		{".ask", "[--yes] QUESTION", "ask the language model for a query; it runs once you confirm (.help ask)", (*REPL).ask},
		{".quit", "", "leave (also Ctrl-D)", func(*REPL, context.Context, []string) error { return errQuit }},
	}
}

// formatNames are the output formats .format offers: every one render
// knows.
func formatNames() []string {
	var names []string
	for _, f := range []string{"table", "csv", "json", "chart"} {
		if _, err := render.ParseFormat(f); err == nil {
			names = append(names, f)
		}
	}
	return names
}

// DotCommandNames returns the names of the dot-commands.
func DotCommandNames() []string {
	var names []string
	for _, c := range dotCommands {
		names = append(names, c.name)
	}
	return names
}

// lookupDot finds the dot-command a line starts with.
func lookupDot(line string) (*dotCommand, []string, error) {
	words := strings.Fields(line)
	if len(words) == 0 {
		return nil, nil, fmt.Errorf("empty command")
	}
	name := strings.ToLower(words[0])
	if name == ".exit" || name == ".q" {
		name = ".quit"
	}
	for i := range dotCommands {
		if dotCommands[i].name == name {
			return &dotCommands[i], words[1:], nil
		}
	}
	hint := query.DidYouMean(words[0], DotCommandNames())
	if hint == "" {
		hint = " (.help lists the commands)"
	}
	return nil, nil, fmt.Errorf("unknown command %s%s", words[0], hint)
}

// CheckDot reports whether line is a dot-command the REPL knows, with
// the arguments it needs (a format .format knows, a script for .run, a
// path for .ingest), so a script can be checked before it runs.
func CheckDot(line string) error {
	c, args, err := lookupDot(line)
	if err != nil {
		return err
	}
	switch c.name {
	case ".format":
		if len(args) > 0 {
			_, err = render.ParseFormat(args[0])
		}
	case ".run":
		if len(args) != 1 {
			err = fmt.Errorf("usage: .run SCRIPT.lhq")
		}
	case ".ingest":
		if len(args) == 0 {
			err = fmt.Errorf("usage: .ingest PATH...")
		}
	case ".ask":
		if len(args) == 0 || len(args) == 1 && args[0] == "--yes" {
			err = fmt.Errorf("usage: .ask [--yes] QUESTION")
		}
	}
	return err
}

// IsQuit reports whether line is .quit (or .exit, .q).
func IsQuit(line string) bool {
	c, _, err := lookupDot(line)
	return err == nil && c.name == ".quit"
}

// IsRun returns the script of a .run line.
func IsRun(line string) (script string, ok bool) {
	c, args, err := lookupDot(line)
	if err != nil || c.name != ".run" || len(args) != 1 {
		return "", false
	}
	return args[0], true
}

// Dot runs a dot-command line as the REPL does and reports whether it
// was .quit.
func (r *REPL) Dot(ctx context.Context, line string) (quit bool, err error) { return r.dot(ctx, line) }

// Format is the output format, which .format changes.
func (r *REPL) Format() render.Format { return r.format }

// dot runs a dot-command line.
func (r *REPL) dot(ctx context.Context, line string) (quit bool, err error) {
	c, args, err := lookupDot(line)
	if err != nil {
		return false, err
	}
	if err := c.run(r, ctx, args); err != nil {
		if err == errQuit {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

func (r *REPL) help(_ context.Context, args []string) error {
	w := r.cfg.Stdout
	if len(args) > 0 && strings.EqualFold(args[0], "rules") {
		fmt.Fprintln(w, rules.Help)
		return nil
	}
	if len(args) > 0 && (strings.EqualFold(args[0], "ask") || strings.EqualFold(args[0], ".ask")) {
		fmt.Fprintln(w, AskHelp)
		return nil
	}
	if len(args) > 0 && strings.EqualFold(args[0], "actions") {
		fmt.Fprintln(w, action.Help)
		return nil
	}
	if len(args) > 0 {
		e, ok := query.Help(args[0])
		if !ok {
			return fmt.Errorf("no help for %q (.help lists what there is)", args[0])
		}
		fmt.Fprintf(w, "%s (%s)\n  %s\n\n%s\nexample:\n  %s\n", e.Name, e.Kind, e.Syntax, wrap(e.Summary, 76), e.Example)
		return nil
	}
	fmt.Fprintln(w, "Type a query and press Enter; a line ending in | continues it.")
	fmt.Fprintln(w, "Tab completes; Up/Down and Ctrl-R search history; Ctrl-C cancels; Ctrl-D quits.")
	section(w, "stages", query.StageNames())
	section(w, "aggregates (stats, eventstats, streamstats, timechart)", query.AggregateNames())
	section(w, "functions (where, eval)", query.FunctionNames())
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range dotCommands {
		fmt.Fprintf(w, "  %-24s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintln(w, "\n.help NAME shows a stage's or function's syntax and an example; .help rules the")
	fmt.Fprintln(w, "detection rule format; .help actions what an alert's actions do; .help auth the fields")
	fmt.Fprintln(w, "auth.log lines get at ingest (action, user, src_ip, auth_method, ...); .help ask")
	fmt.Fprintln(w, "how .ask turns a question in words into a query with a language model; .help macros")
	fmt.Fprintln(w, "how `name(x, y)` in a query uses a macro.")
	fmt.Fprintln(w, "A query that meets a damaged chunk fails naming it; 'loghunt repl --skip-damaged'")
	fmt.Fprintln(w, "runs queries without damaged chunks, warning how many events each leaves out.")
	return nil
}

// wrap breaks text into lines of at most width columns, indented by two
// spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	line := " "
	for _, word := range strings.Fields(text) {
		if len(line) > 1 && len(line)+len(word)+1 > width {
			b.WriteString(line + "\n")
			line = " "
		}
		line += " " + word
	}
	return b.String() + line + "\n"
}

// section prints a heading and the names wrapped to 76 columns.
func section(w io.Writer, title string, names []string) {
	fmt.Fprintf(w, "\n%s:\n", title)
	line := " "
	for _, n := range names {
		if len(line)+len(n)+1 > 76 {
			fmt.Fprintln(w, line)
			line = " "
		}
		line += " " + n
	}
	fmt.Fprintln(w, line)
}

// table prints rows with the current format (a chart makes no sense
// here, so that prints a table).
func (r *REPL) table(fields []string, rows [][]store.Value) error {
	f := r.format
	if f != render.CSV && f != render.JSON {
		f = render.Table
	}
	out := render.New(r.cfg.Stdout, f, fields)
	out.Write(rows)
	return out.Flush()
}

func (r *REPL) sources(context.Context, []string) error {
	db, err := r.open()
	if err != nil {
		return err
	}
	defer db.Close()
	srcs, err := db.Sources()
	if err != nil {
		return err
	}
	return r.table(render.SourcesTable(srcs))
}

func (r *REPL) listFields(context.Context, []string) error {
	db, err := r.open()
	if err != nil {
		return err
	}
	defer db.Close()
	fields, err := db.Fields()
	if err != nil {
		return err
	}
	return r.table(render.FieldsTable(fields))
}

func (r *REPL) models(context.Context, []string) error {
	db, err := r.open()
	if err != nil {
		return err
	}
	defer db.Close()
	names, blobs, err := db.Models()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(r.cfg.Stdout, "no saved models (save one with | anomalies ... save=NAME)")
		return nil
	}
	return r.table(render.ModelsTable(names, blobs))
}

// listMacros lists the macros a query can use.
func (r *REPL) listMacros(context.Context, []string) error {
	if r.cfg.Macros == nil {
		fmt.Fprintln(r.cfg.Stdout, "no macros (define them in macros.lhq beside the database, or with loghunt macros set)")
		return nil
	}
	ms, err := r.cfg.Macros()
	if err != nil {
		return err
	}
	if ms.Len() == 0 {
		fmt.Fprintln(r.cfg.Stdout, "no macros (define them in macros.lhq beside the database, or with loghunt macros set)")
		return nil
	}
	return r.table(query.MacroTable(ms))
}

// alerts lists the stored alerts, optionally of one state and one rule.
func (r *REPL) alerts(_ context.Context, args []string) error {
	var f rules.Filter
	for _, a := range args {
		if st, err := rules.NormalState(a); err == nil && st != "" {
			f.State = st
		} else {
			f.Rule = a
		}
	}
	db, err := r.open()
	if err != nil {
		return err
	}
	defer db.Close()
	rdb, ok := db.(interface {
		ReadRecords(string, func(*store.Records) error) error
	})
	if !ok {
		return fmt.Errorf("this database keeps no alerts")
	}
	list, err := rules.ListAlerts(rdb, f)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(r.cfg.Stdout, "no alerts (loghunt detect --rules PATH or loghunt watch --rules PATH raises them)")
		return nil
	}
	return r.table(rules.AlertsTable(list))
}

func (r *REPL) setFormat(_ context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(r.cfg.Stdout, "format: %s\n", r.format)
		return nil
	}
	f, err := render.ParseFormat(args[0])
	if err != nil {
		return err
	}
	r.format = f
	fmt.Fprintf(r.cfg.Stdout, "format: %s\n", f)
	return nil
}

// setTZ shows or sets the zone times are shown in.
func (r *REPL) setTZ(_ context.Context, args []string) error {
	if len(args) > 0 {
		loc, err := time.LoadLocation(args[0])
		if err != nil {
			return fmt.Errorf(".tz: unknown time zone %q (UTC, Local, or an IANA name such as Europe/Berlin)", args[0])
		}
		r.loc = loc
	}
	name := "UTC"
	if r.loc != nil {
		name = r.loc.String()
	}
	fmt.Fprintf(r.cfg.Stdout, "tz: %s\n", name)
	return nil
}

// ingest opens the database for writing just for the ingest, then
// reloads the field catalog.
func (r *REPL) ingest(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return fmt.Errorf("usage: .ingest PATH... (files, .gz or .zip files, or directories)")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := r.interrupt(cancel)
	defer stop()
	db, err := store.Open(r.cfg.DB, store.OpenOptions{Wait: 24 * time.Hour, OnWait: func() {
		fmt.Fprintf(r.cfg.Stderr, "%s is in use by another loghunt process; waiting for it...\n", r.cfg.DB)
	}})
	if err != nil {
		return err
	}
	cfg := ingest.Config{Warn: func(msg string) { fmt.Fprintf(r.cfg.Stderr, "warning: %s\n", msg) }}
	sum, err := ingest.Ingest(ctx, db, cfg, paths, nil)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(r.cfg.Stdout, "ingested %d file%s: %d lines, %d events in %.2fs\n",
		sum.Files, plural(int64(sum.Files)), sum.Lines, sum.Events, sum.Elapsed.Seconds())
	if err != nil {
		return err
	}
	return r.loadFields()
}

// MaxScriptDepth bounds scripts that .run scripts (one that runs itself).
const MaxScriptDepth = 8

// runScriptFile runs a .lhq script as `loghunt run` does: every query is
// parsed and every dot-command checked first, then they run in order
// until one fails; .quit ends the script.
func (r *REPL) runScriptFile(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: .run SCRIPT.lhq")
	}
	if r.depth >= MaxScriptDepth {
		return fmt.Errorf(".run %s: scripts run each other more than %d deep", args[0], MaxScriptDepth)
	}
	r.depth++
	defer func() { r.depth-- }()
	src, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	queries, err := query.SplitScript(string(src))
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	for _, sq := range queries {
		if sq.Dot {
			if err := CheckDot(sq.Text); err != nil {
				return fmt.Errorf("%s:%d: %w", args[0], sq.Line, err)
			}
			continue
		}
		if _, err := r.parse(sq.Text); err != nil {
			fmt.Fprintf(r.cfg.Stderr, "%s:%d:\n", args[0], sq.Line)
			return withQuery(err, sq.Text)
		}
	}
	for i, sq := range queries {
		if i > 0 {
			fmt.Fprintln(r.cfg.Stdout)
		}
		fmt.Fprintf(r.cfg.Stdout, "# %s:%d\n# %s\n", args[0], sq.Line, strings.ReplaceAll(sq.Text, "\n", "\n# "))
		if sq.Dot {
			quit, err := r.dot(ctx, sq.Text)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", args[0], sq.Line, err)
			}
			if quit {
				return nil
			}
			continue
		}
		if err := r.runQuery(ctx, sq.Text); err != nil {
			fmt.Fprintf(r.cfg.Stderr, "%s:%d:\n", args[0], sq.Line)
			return err
		}
	}
	return nil
}
