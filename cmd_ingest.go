package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"loghunt/ingest"
	"loghunt/store"
	"strings"
	"time"
)

const ingestUsage = `usage: loghunt [--db FILE] ingest [flags] PATH... | -

Reads log files, .gz files, .zip archives (each member a source of its own,
named archive.zip!member), directories (recursively; files that are not logs
by their names, such as README, LICENSE, *.md, *.yaml and images, are skipped
with a note) or - (stdin) into the database, creating it if needed. Formats
are detected from the first lines:
syslog, apache, json, csv, tsv, logfmt, zeek, kv, text. JSON is one object
per line, or a document: an object, objects one after another or an array of
objects spread over many lines, one event per object. Windows event logs
(evtx) are found by their signature, whatever the file's name: one event per
record, _raw its XML, damaged chunks and records skipped with a warning that
names the file and offset. A file ingested again adds only what was appended
since (an .evtx file nothing, unless its start changed); an interrupted
ingest resumes where its last commit ended, with no event lost or stored
twice.

flags:
`

func (e *env) ingest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cfg ingest.Config
	var tz string
	fs.StringVar(&cfg.Format, "format", "auto", "the format of every input: auto, "+strings.Join(ingestFormats(), ", "))
	fs.StringVar(&cfg.Source, "source", "", "the source field value (default: the file's path)")
	fs.StringVar(&tz, "tz", "UTC", "time zone of timestamps that carry none, e.g. Europe/Berlin")
	fs.StringVar(&cfg.TimeField, "time-field", "", "the field (json; nested keys dotted) or column (csv, tsv) that holds each event's time (default: picked by name)")
	fs.IntVar(&cfg.Year, "year", 0, "year of the first yearless (syslog) timestamp of each input, later ones rolling over at New Year (default: guessed so that the file's latest line is not after its modification time)")
	fs.Usage = func() { fmt.Fprint(e.stderr, ingestUsage); fs.PrintDefaults() }
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return usagef("ingest: no path given")
	}
	if cfg.Format != "auto" {
		if _, ok := ingest.Lookup(cfg.Format); !ok {
			return usagef("ingest: unknown format %q (known: auto, %s)", cfg.Format, strings.Join(ingestFormats(), ", "))
		}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return usagef("ingest: unknown time zone %q", tz)
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "tz" {
			cfg.Loc = loc // given: a JSON event time without a zone is in it, none is inferred
		}
	})
	db, err := store.Open(e.db, store.OpenOptions{Create: true, Wait: 24 * time.Hour, OnWait: func() {
		fmt.Fprintf(e.stderr, "loghunt: %s is being written by another loghunt process; waiting for it to finish...\n", e.db)
	}})
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.Warn = func(msg string) { fmt.Fprintf(e.stderr, "loghunt: warning: %s\n", msg) }
	var bar *progressBar
	if isTerminal(e.stderr) {
		bar = &progressBar{w: e.stderr}
		cfg.Progress = bar.update
		warn := cfg.Warn
		cfg.Warn = func(msg string) { bar.clear(); warn(msg) }
	}
	sum, err := ingest.Ingest(ctx, db, cfg, paths, e.stdin)
	if bar != nil {
		bar.clear()
	}
	printSummary(e.stdout, sum)
	if errors.Is(err, context.Canceled) {
		return interrupted{"interrupted: the events above are stored; run the same ingest again to continue where it stopped"}
	}
	return err
}

func ingestFormats() []string {
	var names []string
	for _, f := range ingest.Formats() {
		names = append(names, f.Name())
	}
	return names
}

func printSummary(w io.Writer, s ingest.Summary) {
	secs := s.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Lines) / secs
	}
	fmt.Fprintf(w, "ingested %d file%s: %d lines, %d events (%d flagged), %s in %.2fs (%s lines/s)",
		s.Files, plural(s.Files), s.Lines, s.Events, s.Flagged, humanBytes(s.Bytes), secs, humanCount(rate))
	if s.Skipped > 0 {
		fmt.Fprintf(w, "; %d skipped", s.Skipped)
	}
	if s.Failed > 0 {
		fmt.Fprintf(w, "; %d unreadable", s.Failed)
	}
	if s.Damaged > 0 {
		fmt.Fprintf(w, "; %d damaged evtx part%s (warned of above)", s.Damaged, plural(int(s.Damaged)))
	}
	fmt.Fprintln(w)
}
