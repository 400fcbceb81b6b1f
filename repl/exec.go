package repl

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"loghunt/query"
	"loghunt/render"
	"loghunt/store"
)

// runQuery parses and runs one query with the database open only for the
// run, prints its result and a line with its row count and time. The user's
// interrupt cancels it.
func (r *REPL) runQuery(ctx context.Context, text string) error {
	q, err := query.Parse(text)
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
	}
	s := &sink{ctx: ctx, w: r.cfg.Stdout, format: r.format, page: page, newWriter: r.cfg.NewWriter}
	warn := &warnings{}
	err = awaitQuery(ctx, db, q, s, warn, r.cfg.SkipDamaged)
	elapsed := time.Since(start).Seconds()
	if ctx.Err() != nil {
		return fmt.Errorf("query cancelled after %.3fs: %w", elapsed, context.Canceled)
	}
	if err == nil {
		err = s.close()
	}
	warn.print(r.cfg.Stderr)
	if err != nil {
		return withQuery(err, text)
	}
	fmt.Fprintf(r.cfg.Stderr, "%d row%s in %.3fs\n", s.rows, plural(s.rows), elapsed)
	return nil
}

// stopWait is how long a cancelled query gets to stop before the REPL
// stops waiting for it.
const stopWait = 500 * time.Millisecond

// awaitQuery runs q on db in a goroutine, which closes db when the query
// ends. Once ctx is cancelled it waits at most stopWait: a stage that does
// not notice the cancellation soon then finishes in the background, with
// its output discarded, and the user has the prompt back.
func awaitQuery(ctx context.Context, db DB, q *query.Query, s *sink, warn *warnings, skipDamaged bool) error {
	done := make(chan error, 1)
	go func() {
		defer db.Close()
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("internal error (please report it): %v", p)
			}
		}()
		_, err := query.Run(ctx, db, q, query.Options{Models: db, Warn: warn.add, SkipDamaged: skipDamaged}, s.add)
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

func (w *warnings) add(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.msgs = append(w.msgs, msg)
	}
}

// print prints the warnings so far; later ones (from a cancelled query
// still finishing) are dropped.
func (w *warnings) print(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.msgs {
		fmt.Fprintf(out, "warning: %s\n", m)
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

// holdRows is how many rows are held to learn a streamed result's columns
// before printing starts (as the command line does).
const holdRows = 10000

// sink prints result batches. With a page size it prints that many rows
// as one aligned table and counts the rest.
type sink struct {
	ctx       context.Context // once done, results are dropped
	w         io.Writer
	format    render.Format
	page      int // 0: print every row
	newWriter func(io.Writer, render.Format, []string) *render.Writer
	held      []*query.Batch
	nheld     int
	fields    []string
	out       *render.Writer
	rows      int64 // rows received
	shown     int64 // rows printed
}

func (s *sink) add(b *query.Batch) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.rows += int64(b.Len)
	if s.out != nil {
		return s.write([]*query.Batch{b})
	}
	s.held = append(s.held, b)
	s.nheld += b.Len
	limit := holdRows
	if s.page > 0 {
		limit = s.page
	}
	if s.nheld < limit {
		return nil
	}
	return s.start()
}

// start fixes the columns from the held batches and prints them.
func (s *sink) start() error {
	seen := map[string]bool{}
	for _, b := range s.held {
		for _, f := range b.Fields {
			if !seen[f] {
				seen[f] = true
				s.fields = append(s.fields, f)
			}
		}
	}
	s.out = s.newWriter(s.w, s.format, s.fields)
	held := s.held
	s.held = nil
	return s.write(held)
}

// write prints the rows of batches in one call, so a table page is
// aligned as a whole.
func (s *sink) write(batches []*query.Batch) error {
	var rows [][]store.Value
	for _, b := range batches {
		idx := make([]int, len(s.fields))
		for i, f := range s.fields {
			idx[i] = b.Col(f)
		}
		for r := 0; r < b.Len; r++ {
			if s.page > 0 && s.shown >= int64(s.page) {
				break
			}
			row := make([]store.Value, len(s.fields))
			for i, c := range idx {
				if c >= 0 {
					row[i] = b.Cols[c][r]
				}
			}
			rows = append(rows, row)
			s.shown++
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return s.out.Write(rows)
}

// close prints what is held, flushes, and says how many rows were not
// shown.
func (s *sink) close() error {
	if s.out == nil {
		if err := s.start(); err != nil {
			return err
		}
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	if more := s.rows - s.shown; more > 0 {
		fmt.Fprintf(s.w, "... %d more row%s (add | head, or .format csv to see all)\n", more, plural(more))
	}
	return nil
}
