package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"loghunt/alert"
	"loghunt/store"
)

// Record buckets the engine keeps (store.Records).
const (
	// IndexBucket maps rule and entity to the id of its latest alert.
	IndexBucket = "alert-index"
	// ProgressBucket holds each rule's progress: the last schedule
	// boundary evaluated.
	ProgressBucket = "rule-progress"
)

// MaxEventRefs bounds the events an alert points at.
const MaxEventRefs = 100

// indexKey is the key of rule and entity in the index bucket.
func indexKey(rule string, fields []string, entity map[string]string) []byte {
	var b strings.Builder
	b.WriteString(rule)
	for _, f := range fields {
		b.WriteByte(0)
		b.WriteString(f)
		b.WriteByte('=')
		b.WriteString(entity[f])
	}
	return []byte(b.String())
}

// Filter selects alerts; empty fields select all.
type Filter struct {
	State string // new, acknowledged (or ack), closed; "open" is new or acknowledged
	Rule  string
}

// NormalState turns what a user may type for a state into the state.
func NormalState(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", "all":
		return "", nil
	case "new":
		return alert.StateNew, nil
	case "ack", "acked", "acknowledged":
		return alert.StateAcked, nil
	case "closed", "close":
		return alert.StateClosed, nil
	case "open":
		return "open", nil
	}
	return "", fmt.Errorf("unknown state %q (states: new, acknowledged, closed, open)", s)
}

func (f Filter) match(a *alert.Alert) bool {
	if f.Rule != "" && a.Rule != f.Rule {
		return false
	}
	switch f.State {
	case "":
		return true
	case "open":
		return a.State != alert.StateClosed
	}
	return a.State == f.State
}

// ListAlerts returns the alerts of db that f selects, by id.
func ListAlerts(db interface {
	ReadRecords(string, func(*store.Records) error) error
}, f Filter) ([]*alert.Alert, error) {
	var out []*alert.Alert
	err := db.ReadRecords(alert.Bucket, func(r *store.Records) error {
		return r.ForEach(nil, func(k, v []byte) (bool, error) {
			var a alert.Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return false, fmt.Errorf("alert record %x: %w", k, err)
			}
			if f.match(&a) {
				out = append(out, &a)
			}
			return true, nil
		})
	})
	return out, err
}

// ReadAlert returns the alert of that id, or an error saying there is none.
func ReadAlert(db *store.DB, id uint64) (*alert.Alert, error) {
	var a *alert.Alert
	err := db.ReadRecords(alert.Bucket, func(r *store.Records) error {
		var err error
		a, err = alert.GetIn(r, id)
		return err
	})
	if err == nil && a == nil {
		err = fmt.Errorf("no alert %d", id)
	}
	return a, err
}

// SetState moves an alert along new → acknowledged → closed. Acknowledging
// a closed alert is an error; closing a closed one, or acknowledging an
// acknowledged one, changes nothing.
func SetState(db *store.DB, id uint64, state string) (*alert.Alert, error) {
	var a *alert.Alert
	err := db.UpdateRecords(func(w *store.WriteTx) error {
		rec, err := w.Records(alert.Bucket)
		if err != nil {
			return err
		}
		if a, err = alert.GetIn(rec, id); err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("no alert %d", id)
		}
		if a.State == alert.StateClosed && state != alert.StateClosed {
			return fmt.Errorf("alert %d is closed (a closed alert stays closed; a new detection raises a new alert)", id)
		}
		if a.State == state {
			return nil
		}
		a.State = state
		return alert.Put(w, a)
	})
	return a, err
}

// EntityString prints an entity as field=value pairs in field order.
func EntityString(e map[string]string) string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + e[k]
	}
	return strings.Join(parts, " ")
}

// ActionsSummary counts an alert's actions by status: "2 (1 simulated,
// 1 pending)"; "" when it has none.
func ActionsSummary(recs []alert.ActionRecord) string {
	if len(recs) == 0 {
		return ""
	}
	n := map[string]int{}
	var order []string
	for _, r := range recs {
		if n[r.Status] == 0 {
			order = append(order, r.Status)
		}
		n[r.Status]++
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("%d %s", n[s], s)
	}
	return fmt.Sprintf("%d (%s)", len(recs), strings.Join(parts, ", "))
}

// AlertFieldsList are the columns of AlertsTable.
var AlertFieldsList = []string{"id", "rule", "severity", "entity", "first", "last", "count", "score", "state", "actions", "reason"}

// AlertsTable makes the rows of a table or CSV of alerts.
func AlertsTable(alerts []*alert.Alert) ([]string, [][]store.Value) {
	rows := make([][]store.Value, 0, len(alerts))
	for _, a := range alerts {
		rows = append(rows, []store.Value{
			store.Int(int64(a.ID)), store.Str(a.Rule), store.Str(a.Severity), store.Str(EntityString(a.Entity)),
			store.Time(a.First.UnixNano()), store.Time(a.Last.UnixNano()), store.Int(a.Count),
			store.Float(a.Score), store.Str(a.State), store.Str(ActionsSummary(a.Actions)), store.Str(a.Reason),
		})
	}
	return slices.Clone(AlertFieldsList), rows
}
