package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"loghunt/export"
	"loghunt/query"
)

const exportUsage = `usage: loghunt [--db FILE] export --parquet DIR [--partition KEYS] [--earliest T] [--latest T] ['QUERY']

Writes the events a query selects (default: every event) as Hive-partitioned,
zstd-compressed Parquet files that DuckDB, Spark or pandas read:

  DIR/sourcetype=apache/day=2025-03-06/part-0.parquet

Columns are typed from the field catalog (loghunt fields): _time is a
timestamp with nanoseconds (UTC), int fields int64, float fields double,
bool fields boolean, text and fields of mixed types strings; _raw is kept.
The partition keys are in the directory names, not in the files. The query
may filter and add fields (where, eval, rex, fields), not aggregate or
reorder. Files are written under a hidden temporary name and renamed when
complete; DIR/_loghunt_export.json records the progress, and the same
command run again after a kill resumes where it stopped.

  loghunt export --parquet case-parquet
  loghunt export --parquet web --partition day 'sourcetype=apache status>=400'
  duckdb -c "SELECT status, count(*) FROM read_parquet('case-parquet/**/*.parquet', hive_partitioning=true) GROUP BY status"

flags:
`

func (e *env) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("parquet", "", "write Parquet files under this directory (required)")
	partition := fs.String("partition", "sourcetype,day", "partition keys, outermost first: day (the UTC date of _time) and field names; 'none' for one directory")
	earliest := fs.String("earliest", "", "only events at or after this time: 2025-03-06, -24h")
	latest := fs.String("latest", "", "only events before this time")
	fs.Usage = func() { fmt.Fprint(e.stderr, exportUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return usagef("export needs --parquet DIR")
	}
	if len(pos) > 1 {
		return usagef("export takes at most one query (quote it)")
	}
	text := "*"
	if len(pos) == 1 {
		text = pos[0]
	}
	var keys []string
	if *partition != "none" && *partition != "" {
		for _, k := range strings.Split(*partition, ",") {
			keys = append(keys, strings.TrimSpace(k))
		}
	}
	q, err := e.parseQuery(text)
	if err != nil {
		return queryError(err, text)
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	catalog, err := db.Fields()
	if err != nil {
		return err
	}
	_, isSearch := q.Stages[0].(*query.SearchCmd)
	ex, err := export.New(export.Options{Dir: *dir, Partition: keys, Query: text + "\x00" + *earliest + "\x00" + *latest,
		Catalog: catalog, Fixed: len(q.Stages) == 1 && isSearch})
	if errors.Is(err, export.ErrDone) {
		fmt.Fprintf(e.stderr, "loghunt: %v; nothing to do\n", err)
		return nil
	}
	if err != nil {
		return usagef("export: %v", err)
	}
	tuneGCForQueries()
	start := time.Now()
	_, err = query.Run(ctx, db, q, query.Options{Earliest: *earliest, Latest: *latest, Warn: e.queryWarner("")}, ex.Add)
	if err != nil {
		ex.Abort()
		return queryError(err, text)
	}
	st, err := ex.Close()
	if err != nil {
		return err
	}
	el := time.Since(start)
	resumed := ""
	if st.Resumed {
		resumed = fmt.Sprintf(" (resumed: %d events were already written)", st.Skipped)
	}
	fmt.Fprintf(e.stderr, "exported %d events to %d files (%s) in %.2fs, %.0f events/s%s\n",
		st.Rows, st.Files, humanBytes(st.Bytes), el.Seconds(), float64(st.Rows)/max(el.Seconds(), 1e-9), resumed)
	return nil
}
