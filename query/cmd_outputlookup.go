package query

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// OutputlookupCmd writes the rows to a CSV file and passes them on:
// `outputlookup FILE.csv [append=bool]`. The file is written whole or
// not at all: to a temporary file in the same directory, synced, then
// renamed over the old one, after every row arrived; a query that fails
// before leaves the old file as it was. append=true keeps the old file's
// rows first (the columns are the union of both).
type OutputlookupCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'outputlookup':Stage @@*"`
	File     *FileName `parser:"@@"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Append bool
}

func (*OutputlookupCmd) command()                   {}
func (c *OutputlookupCmd) Position() lexer.Position { return c.Pos }

func (c *OutputlookupCmd) String() string {
	return fileStageString("outputlookup", c.Options, c.File, c.Trailing)
}

func (c *OutputlookupCmd) check() *posError {
	opts, perr := checkOptions("outputlookup", c.Options, c.Trailing)
	if perr != nil {
		return perr
	}
	if c.Append, perr = opts.boolean("append", false); perr != nil {
		return perr
	}
	if !strings.EqualFold(filepath.Ext(string(c.File.Path)), ".csv") {
		return errorfAt(c.File.Pos.Offset, "outputlookup writes CSV files only: the name must end in .csv, not %q", c.File.Path)
	}
	return nil
}

func (c *OutputlookupCmd) inputFields(after fieldSet) fieldSet { return allFields() }

func (c *OutputlookupCmd) operator(p *plan, next operator) (operator, error) {
	return &outputlookupOp{c: c, limit: p.opt.MaxRows, next: next}, nil
}

// outputlookupOp holds the rows (within the bounds of a blocking stage),
// writes them when the last has come, then passes them on.
type outputlookupOp struct {
	c     *OutputlookupCmd
	rows  rowBuffer
	limit int
	next  operator
}

func (o *outputlookupOp) push(b *Batch) error {
	return o.rows.add(copyBatch(b), o.limit, "outputlookup")
}

func (o *outputlookupOp) finish() error {
	b := o.rows.batch()
	if err := writeLookup(string(o.c.File.Path), b, o.c.Append); err != nil {
		return err
	}
	return flush(o.next, b)
}

// lookupWriter wraps the temporary file's writer; tests make it fail.
var lookupWriter = func(w io.Writer) io.Writer { return w }

// writeLookup writes the rows of b (after the old file's rows, with
// appendRows) to path atomically: a temporary file in the same directory
// is written, synced and renamed over path, and the directory synced. On
// any error the temporary file is removed and path is as it was.
func writeLookup(path string, b *Batch, appendRows bool) (err error) {
	fail := func(err error) error { return fmt.Errorf("outputlookup %s: %w", path, err) }
	mode := fs.FileMode(0o600) // query results may hold what logs hold
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if appendRows {
		var old rowBuffer
		err := readLookupRows(path, "outputlookup append=true", 0, func(ob *Batch) error {
			return old.add(copyBatch(ob), DefaultMaxRows, "outputlookup append=true")
		})
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return err
		default:
			old.batches = append(old.batches, b)
			old.n += b.Len
			b = old.batch()
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := csv.NewWriter(lookupWriter(tmp))
	if err := writeLookupRows(w, b); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the rename itself lasts (best effort: not every system syncs a directory)
		d.Close()
	}
	return nil
}

// writeLookupRows writes a header of b's fields and its rows: each value
// as text (times in RFC 3339, as the CSV output prints them), null empty.
func writeLookupRows(w *csv.Writer, b *Batch) error {
	if len(b.Fields) == 0 {
		return nil // no rows: an empty file
	}
	if err := w.Write(b.Fields); err != nil {
		return err
	}
	rec := make([]string, len(b.Fields))
	for r := 0; r < b.Len; r++ {
		for i, col := range b.Cols {
			rec[i] = ""
			if v := col[r]; v.K != store.KindNull {
				rec[i] = v.String()
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
