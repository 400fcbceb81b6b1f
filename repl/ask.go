package repl

import (
	"context"
	"fmt"
	"strings"

	"loghunt/assist"
	"loghunt/llm"
)

// AskHelp is what .help ask prints.
const AskHelp = `.ask [--yes] QUESTION
  Asks the configured language model (loghunt llm set, or LOGHUNT_LLM_URL
  and LOGHUNT_LLM_MODEL) for a query answering the question in words. The
  model gets a summary of the query language, the database's sourcetypes
  and fields (types, and example values of the allowed fields only, with
  addresses, user and host names as pseudonyms ip-1, user-1, host-1) and
  the worked hunts of hunts/*.lhq. loghunt parses the answer; a query that
  does not parse goes back to the model with the parser's message, at most
  twice. The query is shown and added to the history (Up edits it), and
  runs after you answer y; --yes runs it at once. In a script (stdin not a
  terminal) only .ask --yes runs the query.

example:
  .ask which addresses tried more than 20 passwords a minute?`

// ask is .ask: a question in words, the model's query, confirmed, run.
func (r *REPL) ask(ctx context.Context, args []string) error {
	yes := false
	if len(args) > 0 && args[0] == "--yes" {
		yes, args = true, args[1:]
	}
	question := strings.Trim(strings.TrimSpace(strings.Join(args, " ")), `"'`)
	if question == "" {
		return fmt.Errorf("usage: .ask [--yes] QUESTION (.help ask)")
	}
	load := r.cfg.LLM
	if load == nil {
		load = llm.Load
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	client, err := llm.New(cfg)
	if err != nil {
		return err
	}
	db, err := r.open()
	if err != nil {
		return err
	}
	srcs, err := db.Sources()
	if err != nil {
		db.Close()
		return err
	}
	fields, err := db.Fields()
	db.Close() // not held while the model thinks
	if err != nil {
		return err
	}
	asker := &assist.Asker{Config: cfg, Client: client, Examples: r.cfg.AskExamples,
		Catalog:  assist.Catalog{Sources: srcs, Fields: fields},
		Progress: func(s string) { fmt.Fprintln(r.cfg.Stderr, s) }}
	ans, err := asker.Ask(ctx, question)
	if err != nil {
		return err
	}
	tries := ""
	if ans.Tries > 1 {
		tries = fmt.Sprintf(" (on try %d)", ans.Tries)
	}
	fmt.Fprintf(r.cfg.Stderr, "the model's query%s:\n  %s\n", tries, ans.Text)
	if ans.Note != "" {
		fmt.Fprintf(r.cfg.Stderr, "  (%s)\n", ans.Note)
	}
	if r.remember != nil {
		r.remember(ans.Text)
	}
	if !yes {
		if r.confirm == nil {
			fmt.Fprintln(r.cfg.Stderr, "not run: no terminal to confirm on (use .ask --yes)")
			return nil
		}
		if !r.confirm("run it? [y/N] ") {
			fmt.Fprintln(r.cfg.Stderr, "not run")
			return nil
		}
	}
	return r.runQuery(ctx, ans.Text)
}
