package main

import (
	"context"
	"flag"
	"fmt"

	"loghunt/clickhouse"
)

const shipUsage = `usage: loghunt [--db FILE] ship --clickhouse URL [--table T]

Copies the events of the database into a ClickHouse table over its HTTP
interface (URL http://host:8123, optionally http://user:pass@host:8123/?database=D),
creating the table when missing (its schema is in README.md, "When a case
outgrows a laptop"). Each store chunk goes in one INSERT, and a ship first
asks the table which chunks it holds: run it again after a kill, or after
new events were ingested, and it sends only what the table lacks, exactly
once. Nothing is sent anywhere but to URL.

  loghunt ship --clickhouse http://127.0.0.1:8123 --table case42

flags:
`

func (e *env) ship(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ship", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("clickhouse", "", "the ClickHouse HTTP interface: http://host:8123 (required)")
	table := fs.String("table", "loghunt_events", "the table to fill ([database.]name)")
	fs.Usage = func() { fmt.Fprint(e.stderr, shipUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("ship takes no arguments, only flags")
	}
	if *url == "" {
		fs.Usage()
		return usagef("ship needs --clickhouse URL")
	}
	c, err := clickhouse.NewClient(*url)
	if err != nil {
		return usagef("%v", err)
	}
	if _, err := clickhouse.CreateSQL(*table, nil, ""); err != nil {
		return usagef("%v", err)
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := clickhouse.Ship(ctx, db, c, clickhouse.ShipOptions{Table: *table})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "shipped %d events in %d chunks (%s) to %s in %.2fs, %.0f events/s; %d chunks were already there\n",
		st.Events, st.Chunks, humanBytes(st.Bytes), *table, st.Elapsed.Seconds(), float64(st.Events)/max(st.Elapsed.Seconds(), 1e-9), st.Skipped)
	return nil
}
