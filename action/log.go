package action

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

// logLine is one line of a log action's JSON-lines file.
type logLine struct {
	Time     time.Time         `json:"time"` // when it was written (wall clock)
	Alert    uint64            `json:"alert"`
	Action   int               `json:"action"` // the action's number on the alert (1, 2, ...)
	Rule     string            `json:"rule"`
	Severity string            `json:"severity"`
	Entity   map[string]string `json:"entity"`
	First    time.Time         `json:"first"`
	Last     time.Time         `json:"last"`
	Count    int64             `json:"count"`
	Score    float64           `json:"score,omitempty"`
	Reason   string            `json:"reason,omitempty"`
}

// summary is a one-line account of an alert for people.
func summary(a *alert.Alert) string {
	s := fmt.Sprintf("alert %d [%s] %s %s: %d events %s .. %s", a.ID, a.Severity, a.Rule, entityString(a.Entity), a.Count,
		a.First.UTC().Format(time.RFC3339), a.Last.UTC().Format(time.RFC3339))
	if a.Reason != "" {
		s += " (" + a.Reason + ")"
	}
	return s
}

// doLog writes the alert on stderr and, when the action names a file, as
// a JSON line appended to it (created 0600: alerts quote evidence).
func (r *Runner) doLog(db access, a *alert.Alert, index int, now time.Time) error {
	spec := a.Actions[index].Spec
	fmt.Fprintln(r.stderr(), "loghunt: "+summary(a))
	status, detail := alert.ActDone, "written to stderr"
	if spec.File != "" {
		line, _ := json.Marshal(logLine{Time: now, Alert: a.ID, Action: index + 1, Rule: a.Rule, Severity: a.Severity, Entity: a.Entity,
			First: a.First, Last: a.Last, Count: a.Count, Score: a.Score, Reason: a.Reason})
		err := appendLine(spec.File, append(line, '\n'))
		if err != nil {
			status, detail = alert.ActFailed, "written to stderr; "+err.Error()
			r.reportf("alert %d action %d: %v", a.ID, index+1, err)
		} else {
			detail = "written to stderr and " + spec.File
		}
	}
	return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		return finishDo(rec, queue, a.ID, index, status, detail, now)
	})
}

func appendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
