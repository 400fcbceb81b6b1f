package main

import (
	"bufio"
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"path"
	"strings"

	"loghunt/assist"
	"loghunt/llm"
	"loghunt/store"
)

// huntScripts are the worked hunts, the examples ask gives the model.
//
//go:embed hunts/*.lhq
var huntScripts embed.FS

// huntExamples are the queries of hunts/*.lhq with their comments.
func huntExamples() ([]assist.Example, error) {
	entries, err := huntScripts.ReadDir("hunts")
	if err != nil {
		return nil, err
	}
	var out []assist.Example
	for _, e := range entries {
		name := path.Join("hunts", e.Name())
		raw, err := huntScripts.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ex, err := assist.ExamplesFrom(name, string(raw))
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
	}
	return out, nil
}

// askCatalog is what ask tells the model of the store.
func askCatalog(db interface {
	Sources() ([]*store.Source, error)
	Fields() ([]store.FieldStat, error)
}) (assist.Catalog, error) {
	srcs, err := db.Sources()
	if err != nil {
		return assist.Catalog{}, err
	}
	fields, err := db.Fields()
	return assist.Catalog{Sources: srcs, Fields: fields}, err
}

const askUsage = `usage: loghunt [--db FILE] ask [--yes] [--show-prompt] [query flags] "QUESTION"

Asks the configured language model (loghunt llm set, or LOGHUNT_LLM_URL
and LOGHUNT_LLM_MODEL) to write a query answering the question. The model
gets a summary of the query language, the database's sourcetypes and
fields (types, and example values of the allowed fields only, with
addresses, user and host names as pseudonyms ip-1, user-1, host-1) and
the worked hunts of hunts/*.lhq. loghunt parses its answer; a query that
does not parse goes back to the model with the parser's message, at most
twice. The query is printed (to stderr) and runs after you answer y, or
at once with --yes. --show-prompt prints the request instead and sends
nothing.

  loghunt ask "which addresses tried more than 20 passwords a minute?"

flags:
`

func (e *env) ask(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var qf queryFlags
	qf.register(fs)
	yes := fs.Bool("yes", false, "run the query without asking for confirmation")
	fs.Usage = func() { fmt.Fprint(e.stderr, askUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(pos, " "))
	if question == "" {
		fs.Usage()
		return usagef("ask needs a question (quote it)")
	}
	format, err := e.resultFormat(&qf)
	if err != nil {
		return err
	}
	cfg, err := llm.Load()
	if err != nil {
		return err
	}
	asker := &assist.Asker{Config: cfg, Progress: func(s string) { fmt.Fprintf(e.stderr, "loghunt: %s\n", s) }}
	if qf.showPrompt {
		asker.Show = func(s string) { fmt.Fprintln(e.stdout, s) }
	} else if asker.Client, err = llm.New(cfg); err != nil {
		return err
	}
	if asker.Examples, err = huntExamples(); err != nil {
		return err
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	asker.Catalog, err = askCatalog(db)
	db.Close() // not held while the model thinks
	if err != nil {
		return err
	}
	ans, err := asker.Ask(ctx, question)
	if err != nil {
		return err
	}
	if ans.Shown {
		return nil
	}
	showAnswer(e.stderr, ans)
	if !*yes && !confirm(e.stdin, e.stderr) {
		fmt.Fprintln(e.stderr, "not run (answer y to run it, or give --yes)")
		return nil
	}
	db, err = e.open(!ans.Query.SavesModel())
	if err != nil {
		return err
	}
	defer db.Close()
	return e.runQuery(ctx, db, ans.Query, ans.Text, &qf, format)
}

// showAnswer prints the model's query and what it says it does.
func showAnswer(w io.Writer, ans *assist.Answer) {
	tries := ""
	if ans.Tries > 1 {
		tries = fmt.Sprintf(" (on try %d)", ans.Tries)
	}
	fmt.Fprintf(w, "the model's query%s:\n  %s\n", tries, ans.Text)
	if ans.Note != "" {
		fmt.Fprintf(w, "  (%s)\n", ans.Note)
	}
}

// confirm asks "run it? [y/N]" and reads the answer from stdin.
func confirm(stdin io.Reader, stderr io.Writer) bool {
	fmt.Fprint(stderr, "run it? [y/N] ")
	if stdin == nil {
		fmt.Fprintln(stderr)
		return false
	}
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}
