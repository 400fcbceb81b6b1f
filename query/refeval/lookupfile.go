package refeval

import (
	"encoding/csv"
	"io"
	"os"
	"sort"

	"loghunt/query"
	"loghunt/store"
)

// inputlookup reads a CSV file's rows (cells typed as lookup types them,
// empty ones null); without append=true they are the only rows.
func inputlookup(c *query.InputlookupCmd, rows []Row) ([]Row, error) {
	f, err := os.Open(string(c.File.Path))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []Row
	if c.Append {
		out = rows
	}
	for i, rec := range recs {
		if i == 0 || c.Max > 0 && i > c.Max {
			continue
		}
		r := Row{}
		for k, cell := range rec {
			if cell != "" {
				r.Set(recs[0][k], csvValue(cell))
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// outputlookup writes the rows to the file (a column per field some row
// has, an empty cell for null) and passes them on.
func outputlookup(c *query.OutputlookupCmd, rows []Row) ([]Row, error) {
	if c.Append {
		old, err := inputlookup(&query.InputlookupCmd{File: c.File}, nil)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		all := append(old, rows...)
		if err := writeRows(string(c.File.Path), all); err != nil {
			return nil, err
		}
		return rows, nil
	}
	return rows, writeRows(string(c.File.Path), rows)
}

func writeRows(path string, rows []Row) error {
	seen := map[string]bool{}
	var fields []string
	for _, r := range rows {
		for k := range r {
			if !seen[k] {
				seen[k] = true
				fields = append(fields, k)
			}
		}
	}
	sort.Strings(fields)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if len(fields) == 0 {
		return nil
	}
	return writeCSV(f, fields, rows)
}

func writeCSV(w io.Writer, fields []string, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write(fields)
	for _, r := range rows {
		rec := make([]string, len(fields))
		for i, k := range fields {
			if v := r.Get(k); v.K != store.KindNull {
				rec[i] = v.String()
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
