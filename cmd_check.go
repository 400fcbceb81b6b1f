package main

import (
	"fmt"
	"io"

	"loghunt/store"
)

func (e *env) check(args []string) error {
	if len(args) > 0 {
		return usagef("check takes no arguments")
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Verify()
	if err != nil {
		if rep != nil {
			printSourceEvents(e.stdout, rep)
		}
		return err
	}
	var events int64
	for _, s := range rep.Sources {
		events += s.Events
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d sources, %d events; bbolt pages and every chunk's checksums, header, columns and counts verified)\n", e.db, rep.Records, events)
	printSourceEvents(e.stdout, rep)
	return nil
}

// printSourceEvents lists the events the chunks hold per source, which a
// query over all time counts by source, and how many of them are in
// damaged chunks.
func printSourceEvents(w io.Writer, rep *store.CheckReport) {
	if len(rep.Sources) == 0 {
		return
	}
	fmt.Fprintln(w, "events by source:")
	for _, s := range rep.Sources {
		fmt.Fprintf(w, "%10d  %s", s.Events, s.Name)
		if s.DamagedChunks > 0 {
			fmt.Fprintf(w, "  (%d of them in %d damaged chunk%s: queries fail on them, or leave them out with --skip-damaged)",
				s.DamagedEvents, s.DamagedChunks, plural(s.DamagedChunks))
		}
		fmt.Fprintln(w)
	}
}
