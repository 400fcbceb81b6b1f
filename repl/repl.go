// Package repl is loghunt's interactive shell: it reads queries and
// dot-commands, runs them on the database and prints their results.
//
// The REPL holds the database file only while a query or dot-command runs,
// so `loghunt ingest` in another terminal works while it sits at the
// prompt, and the next query sees the new events.
//
// It reads lines through LineReader, which github.com/peterh/liner
// satisfies; tests script it. When stdin is not a terminal the input is
// read like a .lhq script (see RunScript).
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/peterh/liner"

	"loghunt/assist"
	"loghunt/llm"
	"loghunt/query"
	"loghunt/render"
	"loghunt/store"
)

// The prompts: a line ending in '|' continues the query.
const (
	Prompt         = "loghunt> "
	ContinuePrompt = "     ...> "
)

// PageRows is how many rows of a table result are shown; the rest are
// counted.
const PageRows = 50

// LineReader reads one line of input after a prompt. liner.State
// satisfies it. Prompt returns io.EOF at the end of input (Ctrl-D) and
// liner.ErrPromptAborted when the line was abandoned (Ctrl-C).
type LineReader interface {
	Prompt(prompt string) (string, error)
	AppendHistory(item string)
}

// DB is what the REPL uses of an open store.
type DB interface {
	query.Store
	query.ModelStore
	Sources() ([]*store.Source, error)
	Fields() ([]store.FieldStat, error)
	Models() (names []string, blobs [][]byte, err error)
	Close() error
}

// Config says where the REPL works.
type Config struct {
	DB             string        // the database file; it must exist
	Stdin          io.Reader     // read as a script when it is not a terminal
	Stdout, Stderr io.Writer     // results; everything else
	Format         render.Format // the initial output format; "" means table
	// Chart fits charts to the terminal (the command line sets it).
	Chart render.ChartOptions
	// Loc is the zone times are shown in (--tz); nil is UTC.
	Loc *time.Location
	// SkipDamaged runs queries without the damaged chunks they meet, with
	// a warning (see query.Options.SkipDamaged).
	SkipDamaged bool
	// LLM loads the language model's configuration, for explain llm=true
	// and .ask; nil means llm.Load (the environment and llm.yml).
	LLM func() (*llm.Config, error)
	// AskExamples are the worked examples .ask gives the model.
	AskExamples []assist.Example
	// Macros reads the macros queries may use (`name(args)`), before each
	// query that has a backquote and for .macros; nil means none.
	Macros func() (*query.Macros, error)
}

// REPL is one session.
type REPL struct {
	cfg    Config
	format render.Format
	loc    *time.Location // .tz; nil is UTC
	fields []string       // the field catalog, for completion
	failed int            // queries and commands that failed
	where  string         // in a script, where the running query starts
	depth  int            // scripts being run by .run, one inside the other
	// open opens the database read-only, openWrite for a query that saves
	// a model (anomalies save=); tests replace them.
	open, openWrite func() (DB, error)
	// interrupt arranges for cancel to be called when the user interrupts
	// a running query, until stop is called.
	interrupt func(cancel context.CancelFunc) (stop func())
	now       func() time.Time
	// confirm asks a yes/no question at the prompt, remember adds a line
	// to the history; Loop sets them (.ask).
	confirm  func(prompt string) bool
	remember func(line string)
}

// New checks that the database exists and reads its field catalog.
func New(cfg Config) (*REPL, error) {
	if _, err := os.Stat(cfg.DB); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: create it with 'loghunt --db %s ingest PATH...' (or try 'loghunt demo')", cfg.DB, cfg.DB)
	}
	if cfg.Format == "" {
		cfg.Format = render.Table
	}
	r := &REPL{cfg: cfg, format: cfg.Format, now: time.Now, loc: cfg.Loc}
	r.open = func() (DB, error) { return r.openStore(true) }
	r.openWrite = func() (DB, error) { return r.openStore(false) }
	r.interrupt = func(context.CancelFunc) func() { return func() {} }
	if err := r.loadFields(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *REPL) openStore(readOnly bool) (DB, error) {
	db, err := store.Open(r.cfg.DB, store.OpenOptions{ReadOnly: readOnly, Wait: 24 * time.Hour, OnWait: func() {
		fmt.Fprintf(r.cfg.Stderr, "%s is being written by another loghunt process; waiting for it (Ctrl-C to give up)...\n", r.cfg.DB)
	}})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// loadFields reads the field catalog for completion.
func (r *REPL) loadFields() error {
	db, err := r.open()
	if err != nil {
		return err
	}
	defer db.Close()
	stats, err := db.Fields()
	if err != nil {
		return err
	}
	names := []string{"_time", "_raw", "source", "sourcetype"}
	for _, f := range stats {
		names = append(names, f.Name)
	}
	r.fields = dedupSorted(names)
	return nil
}

// Loop reads and runs queries until the end of input or .quit. Ctrl-C at
// the prompt abandons the line; a query that fails is reported and the
// loop goes on.
func (r *REPL) Loop(ctx context.Context, lr LineReader) error {
	r.confirm = func(prompt string) bool {
		line, err := lr.Prompt(prompt)
		a := strings.ToLower(strings.TrimSpace(line))
		return err == nil && (a == "y" || a == "yes")
	}
	r.remember = lr.AppendHistory
	for {
		text, err := readQuery(lr)
		switch {
		case errors.Is(err, io.EOF):
			fmt.Fprintln(r.cfg.Stdout)
			return nil
		case errors.Is(err, liner.ErrPromptAborted):
			continue
		case err != nil:
			return err
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		lr.AppendHistory(strings.Join(strings.Fields(text), " "))
		if r.Exec(ctx, text) {
			return nil
		}
	}
}

// readQuery reads the lines of one query: a line ending in '|' continues.
func readQuery(lr LineReader) (string, error) {
	var lines []string
	p := Prompt
	for {
		line, err := lr.Prompt(p)
		if err != nil {
			return "", err
		}
		lines = append(lines, line)
		t := strings.TrimSpace(line)
		if (len(lines) > 1 && t == "") || strings.HasSuffix(t, "|") {
			p = ContinuePrompt
			continue
		}
		return strings.Join(lines, "\n"), nil
	}
}

// Exec runs one query or dot-command and reports whether the session
// should end. Errors are printed, never returned; a panic is reported as
// an internal error.
func (r *REPL) Exec(ctx context.Context, text string) (quit bool) {
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("internal error (please report it): %v", p)
			}
		}()
		t := strings.TrimSpace(text)
		if strings.HasPrefix(t, ".") {
			quit, err = r.dot(ctx, t)
			return err
		}
		return r.runQuery(ctx, strings.TrimSuffix(strings.TrimRight(text, " \t\r\n"), ";"))
	}()
	if err != nil {
		r.failed++
		r.showError(err)
	}
	return quit
}

// showError prints an error: a query error with its caret.
func (r *REPL) showError(err error) {
	if r.where != "" {
		fmt.Fprintf(r.cfg.Stderr, "%s: ", r.where)
	}
	var qe *query.Error
	switch {
	case errors.As(err, &qe):
		fmt.Fprintf(r.cfg.Stderr, "query error:\n%s\n", qe.Error())
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(r.cfg.Stderr, strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error()))
	default:
		fmt.Fprintf(r.cfg.Stderr, "error: %v\n", err)
		var de *store.DamageError
		if errors.As(err, &de) && !r.cfg.SkipDamaged {
			fmt.Fprintln(r.cfg.Stderr, "(loghunt check lists the damage; 'loghunt repl --skip-damaged' runs queries without the damaged chunks)")
		}
	}
}

func dedupSorted(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
