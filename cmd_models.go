package main

import (
	"flag"
	"fmt"
	"loghunt/render"
	"loghunt/store"
	"strings"
)

const modelsUsage = `usage: loghunt [--db FILE] models [--format table|csv|json]
       loghunt [--db FILE] models delete NAME

Lists the anomaly models saved with '| anomalies ... save=NAME': per model
its method, features, entity field (by), baselines, the rows it was fitted
on, trees, sample, seed, contamination and when it was saved. A query scores
new rows with one by '| anomalies model=NAME'. 'models delete NAME' deletes
one.

  --format F   table, csv or json (default: table on a terminal, else csv)
`

// models lists the saved models, or deletes one.
func (e *env) models(args []string) error {
	if len(args) > 0 && args[0] == "delete" {
		return e.deleteModel(args[1:])
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return usagef("models: unknown subcommand %q (models [--format F], models delete NAME)", args[0])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(e.stderr, modelsUsage)
		return flag.ErrHelp
	}
	return e.list("models", args, func(db *store.DB) ([]string, [][]store.Value, error) {
		names, blobs, err := db.Models()
		fields, rows := render.ModelsTable(names, blobs)
		return fields, rows, err
	})
}

// deleteModel deletes one saved model; a name that is not saved is an
// error naming the saved ones.
func (e *env) deleteModel(args []string) error {
	if len(args) != 1 {
		return usagef("models delete takes one model name")
	}
	db, err := e.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	found, err := db.DeleteModel(args[0])
	if err != nil {
		return fmt.Errorf("delete model %s: %w", args[0], err)
	}
	if !found {
		names, _, err := db.Models()
		if err != nil {
			return err
		}
		saved := "none are saved"
		if len(names) > 0 {
			saved = "saved: " + strings.Join(names, ", ")
		}
		return fmt.Errorf("no saved model named %q (%s)", args[0], saved)
	}
	fmt.Fprintf(e.stdout, "deleted model %s\n", args[0])
	return nil
}
