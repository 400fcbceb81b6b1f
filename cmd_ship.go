package main

import (
	"context"
	"flag"
	"fmt"

	"loghunt/clickhouse"
)

const shipUsage = `usage: loghunt [--db FILE] ship --clickhouse URL [--table T] [--cluster NAME --shard URL... [--shard-key EXPR]]

Copies the events of the database into a ClickHouse table over its HTTP
interface (URL http://host:8123, optionally http://user:pass@host:8123/?database=D),
creating the table when missing (its schema is in README.md, "When a case
outgrows a laptop"). Each store chunk goes in one INSERT, and a ship first
asks the table which chunks it holds: run it again after a kill, or after
new events were ingested, and it sends only what the table lacks, exactly
once. Nothing is sent anywhere but to URL.

  loghunt ship --clickhouse http://127.0.0.1:8123 --table case42

On a cluster (a remote_servers entry NAME in the servers' configuration),
--cluster makes T a Distributed table over a MergeTree table T_local that
ship creates on each shard (--shard names each shard's HTTP interface;
URL may be one of them), rows spread by --shard-key (default _chunk, which
keeps each chunk whole on one shard). New fields get a column on every
table. 'loghunt watch --ship URL' keeps a table current as it ingests.

  loghunt ship --clickhouse http://10.0.0.1:8123 --cluster logs --shard http://10.0.0.1:8123 --shard http://10.0.0.2:8123

flags:
`

func (e *env) ship(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ship", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("clickhouse", "", "the ClickHouse HTTP interface: http://host:8123 (required)")
	table := fs.String("table", "loghunt_events", "the table to fill ([database.]name)")
	cluster := fs.String("cluster", "", "make the table a Distributed table over this cluster's shards (a remote_servers name)")
	shardKey := fs.String("shard-key", "", "with --cluster: the sharding expression (default _chunk)")
	var shardURLs stringList
	fs.Var(&shardURLs, "shard", "with --cluster: a shard's HTTP interface, where its local table is created (repeatable)")
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
	opt := clickhouse.ShipOptions{Table: *table, Cluster: *cluster, ShardKey: *shardKey}
	if *cluster == "" && (*shardKey != "" || len(shardURLs) > 0) {
		return usagef("--shard and --shard-key go with --cluster")
	}
	if *cluster != "" && len(shardURLs) == 0 {
		return usagef("--cluster %s needs --shard URL for each shard (their HTTP interfaces)", *cluster)
	}
	for _, u := range shardURLs {
		sc, err := clickhouse.NewClient(u)
		if err != nil {
			return usagef("--shard: %v", err)
		}
		opt.Shards = append(opt.Shards, sc)
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := clickhouse.Ship(ctx, db, c, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "shipped %d events in %d chunks (%s) to %s in %.2fs, %.0f events/s; %d chunks were already there\n",
		st.Events, st.Chunks, humanBytes(st.Bytes), *table, st.Elapsed.Seconds(), float64(st.Events)/max(st.Elapsed.Seconds(), 1e-9), st.Skipped)
	return nil
}
