package main

import (
	"fmt"
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
	if err := db.Check(); err != nil {
		return err
	}
	srcs, err := db.Sources()
	if err != nil {
		return err
	}
	var events int64
	for _, s := range srcs {
		events += s.Events
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d sources, %d events; bbolt pages and every chunk's checksum, header, columns and counts verified)\n", e.db, len(srcs), events)
	return nil
}
