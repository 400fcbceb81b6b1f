package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"loghunt/query"
	"loghunt/render"
	"loghunt/store"
)

const macrosUsage = `usage: loghunt [--db FILE] [--macros FILE] macros [list] [--format table|csv|json]
       loghunt [--db FILE] macros set 'NAME(a, b) = TEXT'   (or: macros set 'NAME(a, b)' 'TEXT')
       loghunt [--db FILE] macros delete NAME | NAME(N)
       loghunt [--db FILE] [--macros FILE] macros expand 'QUERY'

Macros are named pieces of query text, as in Splunk: a query writes
` + "`NAME` or `NAME(x, y)`" + ` in backquotes and the macro's TEXT, with each $a$
replaced by the argument as written, takes its place before the query is
parsed ($$ is a $); arguments go by position, or all by name, as
NAME(b=y, a=x). A backquoted name that is no macro stays a field name.

Definitions come from three places; a later one replaces an earlier one of
the same name and argument count:
  1. the database: 'macros set' stores one, 'macros delete' removes it
     (NAME(N) names the one with N arguments);
  2. macros.lhq in the directory of the database;
  3. the file given by --macros (before the command: loghunt --macros F query ...).
A macros file holds one definition per line, 'NAME = TEXT' or
'NAME(a, b) = TEXT'; a line starting with a space or tab continues the one
before, # starts a comment line.

'macros' (or 'macros list') lists every macro with its arguments, text and
where it is defined; 'macros expand QUERY' prints the query with its macros
expanded (as Splunk's search preview), after checking that it parses.

  --format F   table, csv or json (default: table on a terminal, else csv)
`

// macroBucket is the record bucket of the macros stored in the database:
// key NAME or NAME(N), value the definition as written.
const macroBucket = "macros"

// macros lists, sets or deletes macros.
func (e *env) macros(args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(e.stderr, macrosUsage)
		return flag.ErrHelp
	}
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list":
		format, err := e.listFormat("macros", args)
		if err != nil {
			return err
		}
		ms, err := e.loadMacros()
		if err != nil {
			return err
		}
		fields, rows := query.MacroTable(ms)
		out := render.New(e.stdout, format, fields)
		out.Write(rows)
		return out.Flush()
	case "set":
		return e.setMacro(args)
	case "delete":
		return e.deleteMacro(args)
	case "expand":
		if len(args) != 1 {
			return usagef("macros expand takes one query (quote it)")
		}
		ms, err := e.loadMacros()
		if err != nil {
			return err
		}
		if _, err := query.ParseWithMacros(args[0], ms); err != nil {
			return queryError(err, args[0])
		}
		text, err := query.ExpandMacros(args[0], ms)
		if err != nil {
			return queryError(err, args[0])
		}
		fmt.Fprintln(e.stdout, text)
		return nil
	}
	return usagef("macros: unknown subcommand %q (macros [list], macros set 'NAME = TEXT', macros delete NAME, macros expand 'QUERY')", sub)
}

func (e *env) setMacro(args []string) error {
	var def string
	switch {
	case len(args) == 1:
		def = args[0]
	case len(args) == 2 && !strings.Contains(args[0], "="):
		def = args[0] + " = " + args[1]
	default:
		return usagef("macros set takes one definition: macros set 'NAME(a, b) = TEXT'")
	}
	m, err := query.ParseMacro(def, "the database", 0)
	if err != nil {
		return usagef("macros set: %v", err)
	}
	db, err := e.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	replaced := false
	err = db.UpdateRecords(func(w *store.WriteTx) error {
		r, err := w.Records(macroBucket)
		if err != nil {
			return err
		}
		replaced = r.Get([]byte(m.Key())) != nil
		return r.Put([]byte(m.Key()), []byte(m.Def))
	})
	if err != nil {
		return fmt.Errorf("store macro %s: %w", m.Key(), err)
	}
	verb := "stored"
	if replaced {
		verb = "replaced"
	}
	fmt.Fprintf(e.stdout, "%s macro %s\n", verb, m.Key())
	return nil
}

func (e *env) deleteMacro(args []string) error {
	if len(args) != 1 {
		return usagef("macros delete takes one macro: NAME, or NAME(N) for the one with N arguments")
	}
	key := strings.ReplaceAll(args[0], " ", "")
	db, err := e.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	found := false
	var stored []string
	err = db.UpdateRecords(func(w *store.WriteTx) error {
		r, err := w.Records(macroBucket)
		if err != nil {
			return err
		}
		if found = r.Get([]byte(key)) != nil; found {
			return r.Delete([]byte(key))
		}
		return r.ForEach(nil, func(k, _ []byte) (bool, error) {
			stored = append(stored, string(k))
			return true, nil
		})
	})
	if err != nil {
		return fmt.Errorf("delete macro %s: %w", key, err)
	}
	if !found {
		have := "none are stored"
		if len(stored) > 0 {
			have = "stored: " + strings.Join(stored, ", ")
		}
		return fmt.Errorf("no macro %s is stored in the database (%s; a macro with N arguments is NAME(N))", key, have)
	}
	fmt.Fprintf(e.stdout, "deleted macro %s\n", key)
	return nil
}

// loadMacros reads the macros of the database, then of macros.lhq next
// to it, then of the --macros file, each replacing the ones before of the
// same name and argument count.
func (e *env) loadMacros() (*query.Macros, error) {
	ms := &query.Macros{}
	if _, err := os.Stat(e.db); err == nil {
		db, err := e.open(true)
		if err != nil {
			return nil, err
		}
		err = db.ReadRecords(macroBucket, func(r *store.Records) error {
			return r.ForEach(nil, func(k, v []byte) (bool, error) {
				m, err := query.ParseMacro(string(v), "the database", 0)
				if err != nil {
					return false, fmt.Errorf("macro %s stored in %s: %w", k, e.db, err)
				}
				ms.Set(m)
				return true, nil
			})
		})
		db.Close()
		if err != nil {
			return nil, err
		}
	}
	files := []string{}
	if next := filepath.Join(filepath.Dir(e.db), "macros.lhq"); macrosFileExists(next) {
		files = append(files, next)
	}
	if e.macroFile != "" {
		files = append(files, e.macroFile)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("macros: %w", err)
		}
		fm, err := query.ParseMacroFile(f, string(text))
		if err != nil {
			return nil, usageError{err.Error()}
		}
		for _, m := range fm.List() {
			ms.Set(m)
		}
	}
	return ms, nil
}

func macrosFileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// parseQuery parses a query of the command line or a script, expanding
// its macros (read once per command, when a query has a backquote).
func (e *env) parseQuery(text string) (*query.Query, error) {
	if !strings.Contains(text, "`") {
		return query.Parse(text)
	}
	if e.macroSet == nil {
		ms, err := e.loadMacros()
		if err != nil {
			return nil, err
		}
		e.macroSet = ms
	}
	return query.ParseWithMacros(text, e.macroSet)
}
