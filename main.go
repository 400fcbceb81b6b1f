// Command loghunt hunts for threats in logs on a laptop, offline: ingest
// logs into one bbolt file, query them with a Splunk-style language, and
// let Isolation Forest point at what is unusual.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"loghunt/query"
	"loghunt/render"
	"loghunt/store"
)

const usage = `loghunt hunts for threats in logs, offline, in one file.

usage:
  loghunt [--db FILE] ingest [--format F] [--source NAME] [--tz ZONE] [--year Y] [--time-field F] PATH... | -
  loghunt [--db FILE] query [--format table|csv|json|chart] [--earliest T] [--latest T]
                            [--plot FILE.png|.svg] [--stats] [--skip-damaged] [--show-prompt] 'QUERY'
  loghunt query --engine clickhouse=http://HOST:8123[?table=T] [--explain] [flags] 'QUERY'
  loghunt [--db FILE] run [--format table|csv|json|chart] [--skip-damaged] SCRIPT.lhq
  loghunt [--db FILE] repl [--skip-damaged]   (also what a bare 'loghunt' starts)
  loghunt [--db FILE] watch [--rules PATH]... [--act] [--ship URL [--table T]] [--format F] [--tz ZONE] [--poll] PATH...
  loghunt [--db FILE] sources | fields
  loghunt [--db FILE] models [delete NAME]   (anomaly models saved with save=NAME)
  loghunt [--db FILE] [--macros FILE] macros [list | set 'NAME(a, b) = TEXT' | delete NAME | expand 'QUERY']
  loghunt [--db FILE] check
  loghunt [--db FILE] rules check [--no-db] PATH...
  loghunt sigma check [-q] RULES...
  loghunt [--db FILE] detect --rules PATH [--from T] [--to T] [--format table|csv|json]
  loghunt [--db FILE] alerts [list|show ID|ack ID|close ID|undo ID] [--state S] [--rule NAME] [--format F]
  loghunt [--db FILE] ask [--yes] [--show-prompt] "QUESTION"
  loghunt llm set [--url URL] [--model NAME] [--key-stdin] [--timeout D] | show
  loghunt [--db FILE] export --parquet DIR [--partition KEYS] [--earliest T] [--latest T] ['QUERY']
  loghunt [--db FILE] ship --clickhouse http://HOST:8123 [--table T] [--cluster NAME --shard URL... [--shard-key EXPR]]
  loghunt demo [--keep DIR]

commands:
  ingest    read log files, .gz and .zip files, directories (recursively) or - (stdin)
            into the database; a file ingested again adds only what is new
  query     run a query: a search, then stages after '|', e.g.
              '"Failed password" | rex "from (?<ip>\S+)" | stats count by ip | sort -count'
  run       run the queries of a .lhq script in order
  watch     follow files and directories like tail -F (rotation, copy-truncate,
            new files) and ingest what is written, until Ctrl-C; queries and
            the REPL keep working meanwhile; --rules runs detection rules
  repl      an interactive session: queries with history, Tab completion,
            .help; reads queries from stdin when it is not a terminal
  sources   list what has been ingested: per source its path, format,
            events, time range and bytes
  fields    list the fields of the events: name, type, how many events
            have it, example values
  models    list the anomaly models saved with '| anomalies ... save=NAME';
            'models delete NAME' deletes one
  macros    list the macros queries can use (` + "`NAME` or `NAME(x, y)`" + ` in
            backquotes): stored in the database ('macros set', 'macros
            delete'), in macros.lhq beside it, or in the --macros file
  check     verify the database: bbolt's page check, then every chunk's
            checksums, header, columns and the event counts of each source,
            which it lists (what a query counts by source)
  rules     'rules check PATH...' checks detection rules (YAML files or
            directories of them): keys, query, durations, thresholds, actions,
            and fields and models against the database when it exists
  sigma     'sigma check RULES...' reads Sigma rules (files or directories)
            and says for each whether it can run, or its problems with kind,
            file:line:col and message; a summary counts them by kind
  detect    replay detection rules over the events in the database, on
            their own timestamps, storing and printing the alerts
  alerts    list the alerts rules raised (--state, --rule), show one with
            its actions and the query of its events, ack or close one, or
            undo its actions now (unblock what it blocked)
  report    write an incident report (HTML or Markdown, chart embedded) of
            an alert or of a query's findings: summary, explanation, chart,
            context, timeline and the queries that reproduce it
  ask       ask the language model for a query answering a question in words;
            loghunt parses it, shows it and runs it once you confirm
  llm       configure the language model (an OpenAI-compatible endpoint) that
            'explain llm=true' and ask use; nothing is sent unless one is configured
  export    write the events a query selects as Hive-partitioned Parquet
            (sourcetype=X/day=YYYY-MM-DD/part-N.parquet) for DuckDB or Spark;
            resumable
  ship      copy the events into a ClickHouse table (HTTP interface), exactly
            once: a ship run again sends only what the table lacks; --cluster
            spreads them over a cluster's shards (a Distributed table);
            query --engine clickhouse=URL then runs queries there
  demo      generate a day of logs with attacks in it, ingest them, run the
            hunts of hunts/demo.lhq and show what they find

global flags:
  --db FILE           the database (default $LOGHUNT_DB, else ./loghunt.db)
  --macros FILE       a macros file, besides the database's macros and macros.lhq beside it
  --cpuprofile FILE   write a CPU profile (go tool pprof) of the command
  --memprofile FILE   write a heap profile when the command ends

Exit codes: 0 success, 1 runtime error, 2 usage or query syntax error.
Run 'loghunt COMMAND --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// interrupted is a cancellation with a word for the user (exit 130).
type interrupted struct{ msg string }

func (e interrupted) Error() string { return e.msg }
func (e interrupted) Unwrap() error { return context.Canceled }

// errShown is returned when the error was already printed.
var errShown = errors.New("error shown")

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "loghunt: %v\n", err)
		return 2
	case errors.Is(err, errShown):
		return 1
	case errors.Is(err, context.Canceled):
		if err == context.Canceled {
			fmt.Fprintln(stderr, "loghunt: interrupted")
		} else {
			fmt.Fprintf(stderr, "loghunt: %v\n", err)
		}
		return 130
	}
	fmt.Fprintf(stderr, "loghunt: %v\n", err)
	return 1
}

// env is what every command gets.
type env struct {
	db             string
	macroFile      string        // --macros
	macroSet       *query.Macros // read at the first query with a backquote
	stdin          io.Reader
	stdout, stderr io.Writer
}

// cli is the whole program; tests call it directly.
func cli(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("loghunt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.StringVar(&e.db, "db", defaultDB(), "the database file")
	fs.StringVar(&e.macroFile, "macros", "", "a macros file (see 'loghunt macros --help'), read after the database's macros and macros.lhq beside it")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile (pprof) to this file at exit")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	stopProfiles, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer stopProfiles()
	args = fs.Args()
	if len(args) == 0 {
		return e.repl(ctx, nil)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "repl":
		return e.repl(ctx, rest)
	case "ingest":
		return e.ingest(ctx, rest)
	case "query":
		return e.query(ctx, rest)
	case "run":
		return e.run(ctx, rest)
	case "watch":
		return e.watch(ctx, rest)
	case "export":
		return e.export(ctx, rest)
	case "ship":
		return e.ship(ctx, rest)
	case "sources":
		return e.sources(rest)
	case "fields":
		return e.fields(rest)
	case "demo":
		return e.demo(ctx, rest)
	case "check":
		return e.check(rest)
	case "models":
		return e.models(rest)
	case "macros":
		return e.macros(rest)
	case "rules":
		return e.rules(rest)
	case "sigma":
		return e.sigma(rest)
	case "detect":
		return e.detect(ctx, rest)
	case "alerts":
		return e.alerts(ctx, rest)
	case "report":
		return e.report(ctx, rest)
	case "llm":
		return e.llm(rest)
	case "ask":
		return e.ask(ctx, rest)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usagef("unknown command %q (run 'loghunt help')", cmd)
}

func defaultDB() string {
	if p := os.Getenv("LOGHUNT_DB"); p != "" {
		return p
	}
	return "loghunt.db"
}

func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err.Error()}
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (e *env) open(readOnly bool) (*store.DB, error) {
	// An ingest holds the file until it ends: wait for a long one, but
	// not for ever.
	return store.Open(e.db, store.OpenOptions{ReadOnly: readOnly, Wait: 10 * time.Minute, OnWait: func() {
		fmt.Fprintf(e.stderr, "loghunt: %s is in use by another loghunt process; waiting for it (up to 10 minutes)...\n", e.db)
	}})
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// outFormat is table on a terminal, CSV otherwise.
func (e *env) outFormat() render.Format {
	if isTerminal(e.stdout) {
		return render.Table
	}
	return render.CSV
}
