package main

import (
	"flag"
	"loghunt/render"
	"loghunt/store"
)

func (e *env) sources(args []string) error {
	return e.list("sources", args, func(db *store.DB) ([]string, [][]store.Value, error) {
		srcs, err := db.Sources()
		fields, rows := render.SourcesTable(srcs)
		return fields, rows, err
	})
}

func (e *env) fields(args []string) error {
	return e.list("fields", args, func(db *store.DB) ([]string, [][]store.Value, error) {
		stats, err := db.Fields()
		fields, rows := render.FieldsTable(stats)
		return fields, rows, err
	})
}

// list runs a listing command (sources, fields, models): it parses
// --format, opens the database read-only and prints what table returns.
func (e *env) list(cmd string, args []string, table func(*store.DB) ([]string, [][]store.Value, error)) error {
	format, err := e.listFormat(cmd, args)
	if err != nil {
		return err
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	fields, rows, err := table(db)
	if err != nil {
		return err
	}
	out := render.New(e.stdout, format, fields)
	out.Write(rows)
	return out.Flush()
}

// listFormat parses the one flag of the listing commands (sources,
// fields): --format table|csv|json.
func (e *env) listFormat(cmd string, args []string) (render.Format, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "", "output format: table, csv or json (default: table on a terminal, else csv)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) > 0 {
		return "", usagef("%s takes no arguments, only --format", cmd)
	}
	if *format == "" {
		return e.outFormat(), nil
	}
	f, err := render.ParseFormat(*format)
	if err != nil || f == render.Chart {
		return "", usagef("%s: --format must be table, csv or json", cmd)
	}
	return f, nil
}
