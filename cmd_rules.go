package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"loghunt/rules"
)

const rulesUsage = `usage: loghunt [--db FILE] rules check [--no-db] PATH...

Checks detection rules (YAML files, or directories of .yml/.yaml files):
the YAML and its keys, the query (with a caret under the mistake, at its
line of the rule file), durations, thresholds, entity fields and actions;
when the database exists, also the fields the queries use against its field
catalog and the models they score with (--no-db leaves that out, for
rules of logs this database does not hold). Lists every problem and exits 1
when any rule is bad. See 'Watching logs and responding' in README.md, or
.help rules in the REPL, for the rule format.
`

func (e *env) rules(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprint(e.stderr, rulesUsage)
		if len(args) == 0 {
			return usagef("rules: say what to do (rules check PATH...)")
		}
		return flag.ErrHelp
	}
	if args[0] != "check" {
		return usagef("rules: unknown subcommand %q (rules check PATH...)", args[0])
	}
	fs := flag.NewFlagSet("rules check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	noDB := fs.Bool("no-db", false, "check the rules alone, not their fields and models against the database")
	fs.Usage = func() { fmt.Fprint(e.stderr, rulesUsage); fs.PrintDefaults() }
	paths, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("rules check: name the rule files or directories")
	}
	return e.rulesCheck(paths, *noDB)
}

func (e *env) rulesCheck(paths []string, noDB bool) error {
	rs, err := rules.Load(paths)
	var probs rules.Problems
	if err != nil && !errors.As(err, &probs) {
		return err
	}
	checkedDB := ""
	if _, statErr := os.Stat(e.db); statErr == nil && len(rs) > 0 && !noDB {
		db, err := e.open(true)
		if err != nil {
			return err
		}
		more, err := rules.Check(rs, db, e.db)
		db.Close()
		if err != nil {
			return err
		}
		probs = append(probs, more...)
		checkedDB = e.db
	}
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintf(e.stderr, "%s\n", p)
		}
		fmt.Fprintf(e.stderr, "loghunt: %d problem%s in the rules\n", len(probs), plural(len(probs)))
		return errShown
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	against := "(no database at " + e.db + ": fields and models not checked)"
	if noDB {
		against = "(--no-db: fields and models not checked)"
	}
	if checkedDB != "" {
		against = "(fields and models checked against " + checkedDB + ")"
	}
	fmt.Fprintf(e.stdout, "%d rule%s OK: %s %s\n", len(rs), plural(len(rs)), strings.Join(names, ", "), against)
	return nil
}
