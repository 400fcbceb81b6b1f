package repl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"loghunt/llm"
	"loghunt/query"
	"loghunt/render"
)

// runQuery parses and runs one query with the database open only for the
// run, prints its result and a line with its row count and time. The user's
// interrupt cancels it.
func (r *REPL) runQuery(ctx context.Context, text string) error {
	q, err := r.parse(text)
	if err != nil {
		return withQuery(err, text)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := r.interrupt(cancel)
	defer stop()
	open := r.open
	if q.SavesModel() {
		open = r.openWrite // held for this query alone, like any other
	}
	db, err := open()
	if err != nil {
		return err
	}
	start := time.Now()
	page := 0
	if r.format == render.Table {
		page = PageRows
		q = query.EventsView(q) // a bare search shows events, newest first
	}
	warn := &warnings{}
	s := render.NewResults(r.cfg.Stdout, r.format, render.ResultOptions{Page: page, Chart: r.cfg.Chart, Loc: r.loc, Note: warn.note})
	err = awaitQuery(ctx, db, q, s, warn, query.Options{SkipDamaged: r.cfg.SkipDamaged, LLM: r.llmOptions()})
	elapsed := time.Since(start).Seconds()
	if ctx.Err() != nil {
		return fmt.Errorf("query cancelled after %.3fs: %w", elapsed, context.Canceled)
	}
	if err == nil {
		err = s.Close()
	}
	warn.print(r.cfg.Stderr)
	if err != nil {
		return withQuery(err, text)
	}
	fmt.Fprintf(r.cfg.Stderr, "%d row%s in %.3fs\n", s.Rows(), plural(s.Rows()), elapsed)
	return nil
}

// parse parses a query, expanding its macros: they are read again for
// every query, so a macro set from another terminal counts at once.
func (r *REPL) parse(text string) (*query.Query, error) {
	if r.cfg.Macros == nil || !strings.Contains(text, "`") {
		return query.Parse(text)
	}
	ms, err := r.cfg.Macros()
	if err != nil {
		return nil, err
	}
	return query.ParseWithMacros(text, ms)
}

// llmOptions let explain llm=true ask the configured model and print
// show_prompt's requests.
func (r *REPL) llmOptions() *query.LLMOptions {
	load := r.cfg.LLM
	if load == nil {
		load = llm.Load
	}
	return &query.LLMOptions{Load: load, Print: func(s string) { fmt.Fprintln(r.cfg.Stdout, s) }}
}

// stopWait is how long a cancelled query gets to stop before the REPL
// stops waiting for it.
const stopWait = 500 * time.Millisecond

// awaitQuery runs q on db in a goroutine, which closes db when the query
// ends. Once ctx is cancelled it waits at most stopWait: a stage that does
// not notice the cancellation soon then finishes in the background, with
// its output discarded, and the user has the prompt back.
func awaitQuery(ctx context.Context, db DB, q *query.Query, s *render.Results, warn *warnings, opt query.Options) error {
	done := make(chan error, 1)
	go func() {
		defer db.Close()
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("internal error (please report it): %v", p)
			}
		}()
		// Once ctx is done the rows are dropped: the query may still be
		// finishing in the background.
		add := func(b *query.Batch) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return s.Add(b)
		}
		opt.Models, opt.Warn = db, warn.add
		_, err := query.Run(ctx, db, q, opt, add)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(stopWait):
		return ctx.Err()
	}
}

// warnings collects a query's warnings from the goroutine that runs it,
// to print once it is done.
type warnings struct {
	mu   sync.Mutex
	msgs []string
	done bool
}

// note keeps a note of the printer ("warning: ..."), as it comes.
func (w *warnings) note(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.msgs = append(w.msgs, msg)
	}
}

// add keeps a warning of the query.
func (w *warnings) add(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.msgs = append(w.msgs, "warning: "+msg)
	}
}

// print prints the warnings so far; later ones (from a cancelled query
// still finishing) are dropped.
func (w *warnings) print(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.msgs {
		fmt.Fprintln(out, m)
	}
	w.msgs, w.done = nil, true
}

// withQuery gives a query error the query text for its caret rendering.
func withQuery(err error, text string) error {
	if qe, ok := err.(*query.Error); ok && qe.Query == "" {
		qe.Query = text
	}
	return err
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}
