package render

import (
	"strings"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// The listings of what a database holds, shared by the command line
// (loghunt sources, fields, models) and the dot-commands: each returns
// the column names and the rows.

// SourcesTable lists the ingested sources.
func SourcesTable(srcs []*store.Source) ([]string, [][]store.Value) {
	var rows [][]store.Value
	for _, s := range srcs {
		first, last := store.Null, store.Null
		if s.Events > 0 {
			first, last = store.Time(s.First), store.Time(s.Last)
		}
		rows = append(rows, []store.Value{store.Str(s.Name), store.Str(s.Sourcetype), store.Int(s.Events),
			first, last, store.Int(s.Bytes), store.Int(s.Flagged), store.Str(s.Key)})
	}
	return []string{"source", "sourcetype", "events", "first", "last", "bytes", "flagged", "path"}, rows
}

// FieldsTable lists the field catalog.
func FieldsTable(fields []store.FieldStat) ([]string, [][]store.Value) {
	var rows [][]store.Value
	for _, f := range fields {
		rows = append(rows, []store.Value{store.Str(f.Name), store.Str(f.Type()), store.Int(f.Events()),
			store.Str(strings.Join(f.Examples, ", "))})
	}
	return []string{"field", "type", "events", "examples"}, rows
}

// ModelsTable lists saved anomaly models; a blob that does not decode is
// listed as damaged, with the reason, so it can be deleted.
func ModelsTable(names []string, blobs [][]byte) ([]string, [][]store.Value) {
	var rows [][]store.Value
	for i, name := range names {
		size := store.Int(int64(len(blobs[i])))
		m, err := query.DescribeModel(blobs[i])
		if err != nil {
			rows = append(rows, []store.Value{store.Str(name), store.Str("damaged"), store.Str(err.Error()), store.Null, store.Null,
				store.Null, store.Null, store.Null, store.Null, store.Null, store.Null, size})
			continue
		}
		by := store.Null
		if m.By != "" {
			by = store.Str(m.By)
		}
		trees, sample := store.Null, store.Null // Isolation Forest's alone
		if m.Trees > 0 {
			trees, sample = store.Int(int64(m.Trees)), store.Int(int64(m.Sample))
		}
		rows = append(rows, []store.Value{store.Str(name), store.Str(m.Method), store.Str(strings.Join(m.Features, ", ")), by,
			store.Int(int64(m.Baselines)), store.Int(int64(m.Rows)), trees, sample,
			store.Int(m.Seed), store.Str(m.Contamination), store.Time(m.Created.Truncate(time.Second).UnixNano()), size})
	}
	return []string{"model", "method", "features", "by", "baselines", "rows", "trees", "sample", "seed",
		"contamination", "created", "bytes"}, rows
}
