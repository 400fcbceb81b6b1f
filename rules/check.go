package rules

import (
	"fmt"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// Check checks rules against a database (named dbName in the problems):
// the fields their queries and entities use, against its field catalog,
// and the saved models they score with.
func Check(rules []*Rule, db *store.DB, dbName string) (Problems, error) {
	stats, err := db.Fields()
	if err != nil {
		return nil, fmt.Errorf("read the field catalog of %s: %w", dbName, err)
	}
	var names []string
	for i := range stats {
		if stats[i].Events() > 0 {
			names = append(names, stats[i].Name)
		}
	}
	models, _, err := db.Models()
	if err != nil {
		return nil, fmt.Errorf("read the models of %s: %w", dbName, err)
	}
	var probs Problems
	for _, r := range rules {
		at := func(msg string) {
			probs = append(probs, Problem{File: r.File, Line: r.qLine, Rule: r.Name, Msg: msg})
		}
		warns, _ := query.CheckFields(r.q, names, false)
		for _, w := range warns {
			at(fmt.Sprintf("query: %s (in the field catalog of %s)", w, dbName))
		}
		_, has := query.CheckFields(r.prefix, names, false)
		for _, f := range r.Entity {
			if !has(f) {
				at(fmt.Sprintf("entity field %q: no event in %s has it%s", f, dbName, query.DidYouMean(f, names)))
			}
		}
		for _, st := range r.q.Stages {
			if a, ok := st.(*query.AnomaliesCmd); ok && a.Model != "" {
				found := false
				for _, m := range models {
					found = found || m == a.Model
				}
				if !found {
					saved := "none are saved"
					if len(models) > 0 {
						saved = "saved: " + strings.Join(models, ", ")
					}
					at(fmt.Sprintf("query: anomalies model=%s: %s has no saved model of that name (%s; fit one with '| anomalies ... save=%s')", a.Model, dbName, saved, a.Model))
				}
			}
		}
	}
	return probs, nil
}
