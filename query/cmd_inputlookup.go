package query

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// InputlookupCmd reads the rows of a CSV file: `| inputlookup FILE.csv
// [max=N]` makes them out of nothing, so it is the first stage (of a
// query, a subsearch or append's); with append=true it adds them after
// the rows of the stream, anywhere. The file is found as lookup finds
// its: the path as written, relative to the working directory.
type InputlookupCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'inputlookup':Stage @@*"`
	File     *FileName `parser:"@@"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Append bool
	Max    int // rows read at most; 0 for all
}

// fileStageString prints a stage of a file name between options, as
// inputlookup and outputlookup are written.
func fileStageString(name string, opts []*Option, file *FileName, trailing []*Option) string {
	s := name
	if len(opts) > 0 {
		s += " " + optionList(opts)
	}
	s += " " + file.String()
	if len(trailing) > 0 {
		s += " " + optionList(trailing)
	}
	return s
}

func (*InputlookupCmd) command()                   {}
func (c *InputlookupCmd) Position() lexer.Position { return c.Pos }

func (c *InputlookupCmd) String() string {
	return fileStageString("inputlookup", c.Options, c.File, c.Trailing)
}

func (c *InputlookupCmd) check() *posError {
	opts, perr := checkOptions("inputlookup", c.Options, c.Trailing)
	if perr != nil {
		return perr
	}
	if c.Append, perr = opts.boolean("append", false); perr != nil {
		return perr
	}
	if c.Max, perr = opts.int("max", 0, 1); perr != nil {
		return perr
	}
	if c.File.Path == "" {
		return errorfAt(c.File.Pos.Offset, "inputlookup needs a file name")
	}
	return nil
}

// generates reports whether the stage makes rows out of nothing.
func (c *InputlookupCmd) generates() bool { return !c.Append }

func (c *InputlookupCmd) inputFields(after fieldSet) fieldSet {
	if c.Append {
		return after
	}
	return fieldsOf()
}

func (c *InputlookupCmd) operator(p *plan, next operator) (operator, error) {
	if !c.Append {
		p.noScan = true
	}
	return &inputlookupOp{c: c, next: next}, nil
}

// inputlookupOp passes the stream's rows on (there are none without
// append=true: the scan is skipped), then the file's.
type inputlookupOp struct {
	c       *InputlookupCmd
	next    operator
	stopped bool
}

func (o *inputlookupOp) push(b *Batch) error {
	err := o.next.push(b)
	o.stopped = o.stopped || errors.Is(err, errStop)
	return err
}

func (o *inputlookupOp) finish() error {
	if !o.stopped {
		err := readLookupRows(string(o.c.File.Path), "inputlookup", o.c.Max, o.next.push)
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
	}
	return o.next.finish()
}

// readLookupRows reads a CSV file with a header row and hands its rows
// to fn in batches: cells typed as lookup types them, an empty cell null.
// Errors name the file and line.
func readLookupRows(path, stage string, max int, fn func(*Batch) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", stage, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil // an empty file (outputlookup of no rows) has no rows
	}
	if err != nil {
		return csvError(stage, path, err)
	}
	fields, err := lookupHeader(stage, path, header)
	if err != nil {
		return err
	}
	newBatch := func() *Batch {
		b := &Batch{Fields: fields, Cols: make([][]store.Value, len(fields))}
		for i := range b.Cols {
			b.Cols[i] = make([]store.Value, 0, BatchSize)
		}
		return b
	}
	b, n := newBatch(), 0
	for max == 0 || n < max {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(stage, path, err)
		}
		for i, cell := range rec {
			v := store.Null
			if cell != "" {
				v = typedValue(strings.Clone(cell))
			}
			b.Cols[i] = append(b.Cols[i], v)
		}
		b.Len++
		n++
		if b.Len == BatchSize {
			if err := fn(b); err != nil {
				return err
			}
			b = newBatch()
		}
	}
	if b.Len > 0 {
		return fn(b)
	}
	return nil
}

// lookupHeader checks the header row: names, none empty or twice.
func lookupHeader(stage, path string, header []string) ([]string, error) {
	fields := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimPrefix(h, "\ufeff") // a byte-order mark that spreadsheets write
		if h == "" {
			return nil, fmt.Errorf("%s %s line 1: column %d of the header has no name", stage, path, i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("%s %s line 1: the header names %q twice", stage, path, h)
		}
		seen[h] = true
		fields[i] = h
	}
	return fields, nil
}

// csvError names the file and line of a CSV syntax error.
func csvError(stage, path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("%s %s line %d: the row has a different number of cells than the header", stage, path, pe.Line)
		}
		return fmt.Errorf("%s %s line %d column %d: %v", stage, path, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s %s: %w", stage, path, err)
}
