package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"loghunt/query"
	"loghunt/render"
	"loghunt/store"

	"golang.org/x/term"
)

// schemaRows is how many rows are held to learn a result's columns before
// printing starts; a field that first appears later is left out, with a
// warning.
const schemaRows = 10000

// resultPrinter prints result batches as they come, in one format.
type resultPrinter struct {
	w, stderr io.Writer
	format    render.Format
	held      []*query.Batch
	nheld     int
	fields    []string
	out       *render.Writer
	dropped   map[string]bool
	rows      int64
	chart     render.ChartOptions
	plotPath  string          // --plot: also draw the result to this file
	plotRows  [][]store.Value // the rows for it
}

func newResultPrinter(w, stderr io.Writer, format render.Format) *resultPrinter {
	return &resultPrinter{w: w, stderr: stderr, format: format, dropped: map[string]bool{}}
}

func (p *resultPrinter) add(b *query.Batch) error {
	p.rows += int64(b.Len)
	if p.out == nil {
		p.held = append(p.held, b)
		p.nheld += b.Len
		if p.nheld < schemaRows {
			return nil
		}
		return p.start()
	}
	return p.write(b)
}

// start fixes the columns from the held rows and prints them.
func (p *resultPrinter) start() error {
	seen := map[string]bool{}
	for _, b := range p.held {
		for _, f := range b.Fields {
			if !seen[f] {
				seen[f] = true
				p.fields = append(p.fields, f)
			}
		}
	}
	p.out = render.New(p.w, p.format, p.fields)
	p.out.ChartOptions = p.chart
	for _, b := range p.held {
		if err := p.write(b); err != nil {
			return err
		}
	}
	p.held = nil
	return nil
}

func (p *resultPrinter) write(b *query.Batch) error {
	idx := make([]int, len(p.fields))
	for i, f := range p.fields {
		idx[i] = b.Col(f)
	}
	for _, f := range b.Fields {
		if !p.dropped[f] && !slices.Contains(p.fields, f) {
			p.dropped[f] = true
			fmt.Fprintf(p.stderr, "loghunt: warning: field %q first appears after the first %d rows and is not shown; name it with | table or | fields\n", f, schemaRows)
		}
	}
	rows := make([][]store.Value, b.Len)
	for r := range rows {
		row := make([]store.Value, len(p.fields))
		for i, c := range idx {
			if c >= 0 {
				row[i] = b.Cols[c][r]
			}
		}
		rows[r] = row
	}
	if p.plotPath != "" {
		p.plotRows = append(p.plotRows, rows...)
	}
	return p.out.Write(rows)
}

// close prints what is held and flushes. An empty result prints nothing
// in CSV and JSON (for scripts), and says so on stderr for people.
func (p *resultPrinter) close() error {
	if p.rows == 0 {
		if p.format == render.Table || p.format == render.Chart {
			fmt.Fprintln(p.stderr, "no results")
		}
		return nil
	}
	if p.out == nil {
		if err := p.start(); err != nil {
			return err
		}
	}
	if err := p.out.Flush(); err != nil {
		return err
	}
	if p.plotPath != "" {
		if err := render.Plot(p.plotPath, p.fields, p.plotRows); err != nil {
			return err
		}
		fmt.Fprintf(p.stderr, "loghunt: wrote %s\n", p.plotPath)
	}
	return nil
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
