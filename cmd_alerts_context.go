package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"loghunt/alert"
	"loghunt/query"
	"loghunt/rules"
	"loghunt/store"
)

// alertContextMargin is how far before the first and after the last
// event of an alert alerts show looks for the entity's other events.
const alertContextMargin = 10 * time.Minute

// alertContext is the summary of an alert's entity's events around it.
type alertContext struct {
	field, value string
	lo, hi       time.Time
	query        string                 // the query that made it
	row          map[string]store.Value // nil when the window has no event
}

// contextOf summarises the events of an alert's entity around it: the
// context stage's summary=true, by the entity's first field (sorted by
// name), from its first event less the time it lasted and 10 minutes,
// to as much after.
func contextOf(ctx context.Context, db *store.DB, a *alert.Alert) (*alertContext, error) {
	fields := slices.Sorted(maps.Keys(a.Entity))
	if len(fields) == 0 {
		return nil, nil
	}
	f, v := fields[0], a.Entity[fields[0]]
	span := a.Last.Sub(a.First) + alertContextMargin
	text := fmt.Sprintf(`| makeresults | eval %s=%s, _time=strptime(%s, "%%Y-%%m-%%dT%%H:%%M:%%S.%%NZ") | context by %s span=%s summary=true`,
		rules.FieldRef(f), query.QuoteText(v), query.QuoteText(a.First.UTC().Format("2006-01-02T15:04:05.000000000Z")), rules.FieldRef(f), spanText(span))
	q, err := query.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("alert %d: its context query %q: %w", a.ID, text, err)
	}
	c := &alertContext{field: f, value: v, lo: a.First.Add(-span), hi: a.First.Add(span), query: text}
	_, err = query.Run(ctx, db, q, query.Options{}, func(b *query.Batch) error {
		if b.Len > 0 && c.row == nil {
			c.row = map[string]store.Value{}
			for k, name := range b.Fields {
				c.row[name] = b.Cols[k][0]
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("alert %d: its context: %w", a.ID, err)
	}
	return c, nil
}

// contextSummaryNames are the summary's fields alerts show and report
// list, in order.
var contextSummaryNames = []string{"events", "first", "last", "actions", "sourcetypes", "patterns", "then"}

// showAlertContext prints, under an alert, the summary of its entity's
// events around it and a computed account of it.
func (e *env) showAlertContext(ctx context.Context, db *store.DB, a *alert.Alert) error {
	w := e.stdout
	c, err := contextOf(ctx, db, a)
	if err != nil || c == nil {
		return err
	}
	fmt.Fprintf(w, "context: the events of %s=%s from %s to %s\n", c.field, c.value, c.lo.UTC().Format(time.RFC3339), c.hi.UTC().Format(time.RFC3339))
	if c.row == nil {
		fmt.Fprintln(w, "  none (the events are no longer in the database?)")
	} else {
		for _, name := range contextSummaryNames {
			if x := c.row[name]; !x.IsNull() {
				fmt.Fprintf(w, "  %-11s %s\n", name, x.String())
			}
		}
	}
	fmt.Fprintf(w, "explanation:\n  %s\n", wrapText(alertAccount(a, c.row), 76, "  "))
	return nil
}

// alertAccount says in words what an alert found, from the alert and the
// summary of its context (nil when there was none).
func alertAccount(a *alert.Alert, row map[string]store.Value) string {
	d := a.Last.Sub(a.First).Round(time.Second)
	s := fmt.Sprintf("Rule %s found %d events of %s from %s to %s (%s); its strongest window: %s, so severity %s.",
		a.Rule, a.Count, rules.EntityString(a.Entity), a.First.UTC().Format("15:04:05"), a.Last.UTC().Format("15:04:05 on 2006-01-02"),
		durationText(d), a.Reason, a.Severity)
	if row == nil {
		return s
	}
	if then := row["then"]; !then.IsNull() {
		t := then.String()
		switch {
		case strings.HasPrefix(t, "action=success"):
			s += " Then a success: " + t + ". Next: treat the account as compromised and look at what it did after."
		case strings.HasPrefix(t, "nothing else"):
			s += fmt.Sprintf(" Around it the entity did %s; %s. Next: check whether other entities did the same (the rule's query without the entity).", row["actions"].String(), t)
		default:
			s += " Then: " + t + "."
		}
	}
	return s
}

// durationText writes a duration for reading: 32m7s, 2h0m0s, 45s.
func durationText(d time.Duration) string {
	if d == 0 {
		return "at once"
	}
	return d.String()
}

// spanText writes a duration as a query's span (whole seconds, rounded up).
func spanText(d time.Duration) string {
	return fmt.Sprintf("%ds", int64((d+time.Second-1)/time.Second))
}

// wrapText wraps s at width, indenting the lines after the first.
func wrapText(s string, width int, indent string) string {
	var sb strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && n+1+len(word) > width {
			sb.WriteString("\n" + indent)
			n = 0
		} else if i > 0 {
			sb.WriteByte(' ')
			n++
		}
		sb.WriteString(word)
		n += len(word)
	}
	return sb.String()
}
