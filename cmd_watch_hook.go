package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"loghunt/action"
	"loghunt/rules"
	"loghunt/store"
)

// responder is what a watch runs after each commit: the detection rules
// over what arrived (alerts, and their actions planned, in one
// transaction with the rules' progress), then, with the store closed
// again, the actions that are due (a command that runs for seconds or a
// webhook that times out never keeps a query waiting: the action runner
// opens the store for each of its transactions only).
type responder struct {
	eng    rules.Engine
	runner *action.Runner
	path   string
	open   func() (*store.DB, error)
	note   func(string)   // a line for the user (alerts raised, action errors)
	due    chan time.Time // when the action queue's next work is due
	wg     sync.WaitGroup
}

// newResponder loads the rules of rulePaths and the allow-list file (if
// any) and starts the action loop, which ends with ctx.
func newResponder(ctx context.Context, e *env, rulePaths []string, act bool, allowPath string, note func(string)) (*responder, error) {
	rs, err := rules.Load(rulePaths)
	if err != nil {
		return nil, rulesError(e, err)
	}
	r := &responder{runner: &action.Runner{Act: act, Stderr: e.stderr}, note: note, due: make(chan time.Time, 1)}
	if allowPath != "" {
		if r.runner.Allow, err = action.LoadAllow(allowPath); err != nil {
			return nil, err
		}
	}
	r.eng = rules.Engine{Rules: rs, OnAlert: r.runner.Plan}
	r.path = e.db
	r.open = func() (*store.DB, error) { return store.Open(r.path, store.OpenOptions{Wait: time.Minute}) }
	r.wg.Add(1)
	go r.loop(ctx)
	return r, nil
}

// AfterCommit runs the rules on db (open for the watch's commit) and
// tells the action loop when its next work is due.
func (r *responder) AfterCommit(ctx context.Context, db *store.DB) error {
	raised, err := r.eng.Advance(ctx, db)
	if err != nil {
		return err
	}
	for _, a := range raised {
		verb := "updated"
		if a.New {
			verb = "raised"
		}
		r.notef("alert %d %s: %s %s, %s, %d events", a.Alert.ID, verb, a.Alert.Rule, rules.EntityString(a.Alert.Entity), a.Alert.Severity, a.Alert.Count)
	}
	n, next, err := action.Pending(db)
	if err != nil || n == 0 {
		return err
	}
	select {
	case <-r.due: // replaced by the newer answer
	default:
	}
	r.due <- next
	return nil
}

func (r *responder) notef(format string, args ...any) {
	if r.note != nil {
		r.note(fmt.Sprintf(format, args...))
	}
}

// loop performs the queued actions when they fall due (at once for new
// ones; undos and webhook retries later, on the wall clock), opening the
// store for each of its transactions only.
func (r *responder) loop(ctx context.Context) {
	defer r.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case next := <-r.due:
			timer.Reset(max(time.Until(next), 0))
			continue
		case <-timer.C:
		}
		if err := r.runner.RunOpen(ctx, r.open, time.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			r.notef("actions: %v", err)
		}
		if next, ok := r.nextDue(); ok {
			// Work still due now was put off by the runner (a receiver
			// that is down waits for the next run): not before a second.
			timer.Reset(max(time.Until(next), time.Second))
		}
	}
}

// nextDue reads when the queue's next work is due (from a read-only open,
// which keeps no query waiting).
func (r *responder) nextDue() (time.Time, bool) {
	db, err := store.Open(r.path, store.OpenOptions{ReadOnly: true, Wait: time.Minute})
	if err != nil {
		r.notef("actions: %v", err)
		return time.Time{}, false
	}
	defer db.Close()
	n, next, err := action.Pending(db)
	if err != nil {
		r.notef("actions: %v", err)
	}
	return next, err == nil && n > 0
}

// Wait waits for the action loop to end (after its context).
func (r *responder) Wait() { r.wg.Wait() }
