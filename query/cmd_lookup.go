package query

import (
	"encoding/csv"
	"fmt"
	"io"
	"loghunt/store"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// LookupCmd enriches rows from a CSV file: a row whose EventField equals
// the CSV's Key column gets the Output columns of the first matching CSV
// row (every other column without OUTPUT).
type LookupCmd struct {
	Pos    lexer.Position
	File   *FileName `parser:"'lookup':Stage @@"`
	Key    *Field    `parser:"@@"`
	As     *Field    `parser:"( 'as':Keyword @@ )?"`
	Output []*Field  `parser:"( 'output':Keyword @@ ( ','? @@ )* )?"`
	EndPos lexer.Position

	EventField string // the row field matched against Key: As or Key
}

// FileName is a file path, bare (`intel/ti.csv`) or quoted.
type FileName struct {
	Pos    lexer.Position
	Path   Text `parser:"@(Ident | String)"`
	EndPos lexer.Position
}

func (f *FileName) String() string {
	if isArgsIdent(string(f.Path)) {
		return string(f.Path)
	}
	return quoteText(string(f.Path))
}

func (*LookupCmd) command()                   {}
func (c *LookupCmd) Position() lexer.Position { return c.Pos }

func (c *LookupCmd) String() string {
	s := "lookup " + c.File.String() + " " + c.Key.String()
	if c.As != nil {
		s += " as " + c.As.String()
	}
	if len(c.Output) > 0 {
		s += " OUTPUT " + fieldList(c.Output)
	}
	return s
}

func (c *LookupCmd) check() *posError {
	c.EventField = c.Key.Name
	if c.As != nil {
		c.EventField = c.As.Name
	}
	if c.File.Path == "" {
		return errorfAt(c.File.Pos.Offset, "lookup needs a file name")
	}
	return nil
}

// inputFields: the OUTPUT fields are read too, since a row without a
// match keeps the values it has.
func (c *LookupCmd) inputFields(after fieldSet) fieldSet { return after.with(c.EventField) }

func (c *LookupCmd) rowStage(p *plan) (rowStage, error) {
	t, err := loadLookup(string(c.File.Path), c.Key.Name, FieldNames(c.Output))
	if err != nil {
		return nil, err
	}
	t.field = c.EventField
	return t, nil
}

// lookupTable enriches rows from a CSV file: rows whose field equals the
// key column of a CSV row get that row's output columns.
type lookupTable struct {
	field   string
	outputs []string
	rows    map[string][]store.Value
}

// maxLookupBytes bounds the lookup file read into memory.
const maxLookupBytes = 256 << 20

func loadLookup(path, key string, outputs []string) (*lookupTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lookup: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, maxLookupBytes))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("lookup %s: reading the header: %w", path, err)
	}
	keyCol := slices.Index(header, key)
	if keyCol < 0 {
		return nil, fmt.Errorf("lookup %s: no column %q (columns: %s)", path, key, strings.Join(header, ", "))
	}
	if len(outputs) == 0 {
		for _, h := range header {
			if h != key {
				outputs = append(outputs, h)
			}
		}
	}
	cols := make([]int, len(outputs))
	for i, o := range outputs {
		if cols[i] = slices.Index(header, o); cols[i] < 0 {
			return nil, fmt.Errorf("lookup %s: no column %q (columns: %s)", path, o, strings.Join(header, ", "))
		}
	}
	t := &lookupTable{outputs: outputs, rows: map[string][]store.Value{}}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", path, err)
		}
		if keyCol >= len(rec) {
			continue
		}
		vals := make([]store.Value, len(cols))
		for i, c := range cols {
			if c < len(rec) && rec[c] != "" {
				vals[i] = typedValue(rec[c])
			}
		}
		if _, dup := t.rows[rec[keyCol]]; !dup {
			t.rows[rec[keyCol]] = vals // the first row of a key wins
		}
	}
	return t, nil
}

// typedValue reads a CSV cell as ingest reads a field: an int when it is
// a decimal integer without leading zeros (which would be lost), a float
// when it is other decimal number text (store.ParseNumber: not "nan",
// "inf" or "0x1f"), else the string.
func typedValue(s string) store.Value {
	digits := strings.TrimLeft(s, "+-")
	if len(digits) < 2 || digits[0] != '0' || strings.ContainsAny(digits, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return store.Int(i)
		}
		if f, ok := store.ParseNumber(s); ok {
			return store.Float(f)
		}
	}
	return store.Str(s)
}

func (t *lookupTable) apply(b *Batch) (*Batch, error) {
	src := b.Column(t.field)
	outs := make([][]store.Value, len(t.outputs))
	for i, o := range t.outputs {
		outs[i] = b.Column(o)
	}
	for r, v := range src {
		if v.K == store.KindNull {
			continue
		}
		if vals, ok := t.rows[v.String()]; ok {
			for i := range outs {
				outs[i][r] = vals[i]
			}
		}
	}
	return b, nil
}
