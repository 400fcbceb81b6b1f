package render

import (
	"fmt"
	"io"
	"slices"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// HoldRows is how many rows Results holds to learn a result's columns
// before printing starts; a field that first appears later is left out,
// with a warning.
const HoldRows = 10000

// ResultOptions say how Results prints.
type ResultOptions struct {
	// Page, when positive, prints only the first Page rows, as one
	// aligned table, and then says how many more there were (the REPL's
	// table). Zero prints every row.
	Page int
	// Chart fits the chart format to the terminal.
	Chart ChartOptions
	// Plot, when set, also draws the whole result to this PNG or SVG file.
	Plot string
	// Loc, when set, is the zone times are shown in (default UTC).
	Loc *time.Location
	// Note gets what a person should know besides the rows ("warning:
	// field ... is not shown", "wrote FILE"), a line each; nil drops it.
	Note func(msg string)
}

// Results prints a query's result batches as they come, in one format:
// the printer of the command line (query, run) and of the REPL. It holds
// the first rows to learn the columns (every field any of them has, in
// order of appearance), then streams the rest in those columns.
type Results struct {
	w       io.Writer
	format  Format
	opt     ResultOptions
	held    []*query.Batch
	nheld   int
	fields  []string
	out     *Writer
	dropped map[string]bool
	rows    int64 // rows received
	shown   int64 // rows printed
	plot    [][]store.Value
}

// NewResults prints results to w.
func NewResults(w io.Writer, format Format, opt ResultOptions) *Results {
	return &Results{w: w, format: format, opt: opt, dropped: map[string]bool{}}
}

// Rows is how many rows were added.
func (p *Results) Rows() int64 { return p.rows }

// Add takes one batch of the result; it suits query.Run's output function.
func (p *Results) Add(b *query.Batch) error {
	p.rows += int64(b.Len)
	if p.out != nil {
		return p.write([]*query.Batch{b})
	}
	p.held = append(p.held, b)
	p.nheld += b.Len
	limit := HoldRows
	if p.opt.Page > 0 {
		limit = p.opt.Page
	}
	if p.nheld < limit {
		return nil
	}
	return p.start()
}

// start fixes the columns from the held batches and prints them.
func (p *Results) start() error {
	seen := map[string]bool{}
	for _, b := range p.held {
		for _, f := range b.Fields {
			if !seen[f] {
				seen[f] = true
				p.fields = append(p.fields, f)
			}
		}
	}
	p.out = New(p.w, p.format, p.fields)
	p.out.Loc = p.opt.Loc
	p.out.ChartOptions = p.opt.Chart
	held := p.held
	p.held = nil
	return p.write(held)
}

// write prints the rows of batches in one call, so that a table page is
// aligned as a whole.
func (p *Results) write(batches []*query.Batch) error {
	var rows [][]store.Value
	for _, b := range batches {
		idx := make([]int, len(p.fields))
		for i, f := range p.fields {
			idx[i] = b.Col(f)
		}
		for _, f := range b.Fields {
			if !p.dropped[f] && !slices.Contains(p.fields, f) {
				p.dropped[f] = true
				p.notef("warning: field %q first appears after the first %d rows and is not shown; name it with | table or | fields", f, HoldRows)
			}
		}
		for r := 0; r < b.Len; r++ {
			if p.opt.Page > 0 && p.shown >= int64(p.opt.Page) {
				break
			}
			row := make([]store.Value, len(p.fields))
			for i, c := range idx {
				if c >= 0 {
					row[i] = b.Cols[c][r]
				}
			}
			rows = append(rows, row)
			p.shown++
		}
	}
	if p.opt.Plot != "" {
		p.plot = append(p.plot, rows...)
	}
	if len(rows) == 0 {
		return nil
	}
	return p.out.Write(rows)
}

// Close prints what is held and flushes; with a page, it says how many
// rows were not shown. An empty result prints nothing (a script reading
// CSV or JSON gets no header); the caller tells a person.
func (p *Results) Close() error {
	if p.rows == 0 {
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
	if more := p.rows - p.shown; more > 0 {
		s := "s"
		if more == 1 {
			s = ""
		}
		fmt.Fprintf(p.w, "... %d more row%s (add | head, or .format csv to see all)\n", more, s)
	}
	if p.opt.Plot != "" {
		if err := Plot(p.opt.Plot, p.fields, p.plot); err != nil {
			return err
		}
		p.notef("wrote %s", p.opt.Plot)
	}
	return nil
}

func (p *Results) notef(format string, args ...any) {
	if p.opt.Note != nil {
		p.opt.Note(fmt.Sprintf(format, args...))
	}
}
