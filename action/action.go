// Package action performs what an alert's tier asks for: log (a line on
// stderr and in a JSON-lines file), webhook (POST the alert's JSON to a
// configured URL) and exec (run an argv template filled from the alert,
// without a shell), with the safety a response needs: exec is simulated
// unless Runner.Act is set, an allow-list is checked before every action,
// a per-entity throttle, actions that hold for a duration and are undone
// when it expires (durations growing for repeat offenders), and a manual
// Undo.
//
// The work goes in three steps, each in its own committed transaction,
// so that a crash at any moment neither loses nor repeats it:
//
//   - Plan runs inside the alert's own write transaction (the rules
//     engine's OnAlert): it decides what to do (pending) or why not
//     (skipped) and queues the work in the record bucket "action-queue".
//   - Run, after the commit, performs what is due: pending actions,
//     webhook retries and expired holds' undos, recording each result.
//     RunOpen does the same opening the DB for each of its transactions
//     only, so no file lock is held while a command runs or a webhook
//     waits.
//   - Undo reverses an alert's active actions now.
//
// Guarantees: an exec (and an undo) runs at most once. It is recorded as
// running in a committed transaction before the process starts and its
// result after; a running record found by a later Run (the process that
// ran it died) is marked interrupted and never started again. A webhook
// is delivered at least once: it is recorded as delivered only after the
// receiver answered 2xx, so a crash in between delivers it again, with
// the same Idempotency-Key header (loghunt-<alert id>-<action index>) for
// the receiver to drop the copy. A log line is written at least once.
// Nothing queued is lost across a restart: the queue is in the DB.
//
// Network: the webhook is the only code in loghunt that opens a
// connection, and only to the URL of the action (no proxy from the
// environment, no redirects followed).
package action

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

// Record buckets the runner keeps besides the alerts.
const (
	// QueueBucket holds the work not done yet: key alert id (8 bytes, big
	// endian), action index (4) and kind ('d' do, 'u' undo); value the
	// JSON of a queued.
	QueueBucket = "action-queue"
	// ThrottleBucket holds, per action and entity, when it was last planned.
	ThrottleBucket = "action-throttle"
	// OffenceBucket holds, per action and entity, the repeat-offence count.
	OffenceBucket = "action-offences"
)

// Defaults of a zero Runner.
const (
	DefaultThrottle      = 10 * time.Minute
	DefaultFactor        = 2
	DefaultMaxFor        = 7 * 24 * time.Hour
	DefaultReset         = 24 * time.Hour
	DefaultExecTimeout   = 30 * time.Second
	DefaultWebhookTimout = 10 * time.Second
	DefaultRetries       = 3
	DefaultBackoff       = time.Second
	DefaultMaxBackoff    = 5 * time.Minute
)

// A Runner plans, performs and undoes actions. The zero value (with the
// defaults above) is ready; one Runner works on one DB at a time.
type Runner struct {
	// Act performs exec actions; without it they are simulated and
	// recorded as "would run ...". log and webhook always run. An exec
	// planned without Act stays simulated when a Runner with Act runs it,
	// and one planned with Act is simulated by a Runner without.
	Act bool
	// Allow is the global allow-list, checked (with each rule's own
	// entries, ActionSpec.Allow) before every action; nil: none.
	Allow *AllowList
	// Stderr gets the log action's lines and the runner's reports
	// (interrupted execs, failures); nil: os.Stderr.
	Stderr io.Writer
	// Throttle is the per-entity throttle window of an action whose spec
	// sets none: one action of the same spec per entity per window; 0 is
	// DefaultThrottle, negative none.
	Throttle time.Duration
	// Escalation of repeat offenders, like fail2ban's bantime.increment:
	// the n-th offence of an entity holds for × Factor^(n-1), at most
	// MaxFor (never less than for); the count starts again when the
	// entity's last hold ended more than Reset ago.
	Factor float64
	MaxFor time.Duration
	Reset  time.Duration
	// Backoff is the wait after a webhook's first failed attempt, doubled
	// after each further one up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Now is the wall clock of Plan and Undo; nil: time.Now.
	Now func() time.Time

	mu sync.Mutex
}

// queued is one piece of work in QueueBucket.
type queued struct {
	Due     time.Time `json:"due"`
	Running bool      `json:"running,omitempty"` // an exec of it was started and has not been recorded finished
}

type item struct {
	alert uint64
	index int
	undo  bool
	q     queued
}

func queueKey(id uint64, index int, undo bool) []byte {
	k := binary.BigEndian.AppendUint64(nil, id)
	k = binary.BigEndian.AppendUint32(k, uint32(index))
	if undo {
		return append(k, 'u')
	}
	return append(k, 'd')
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) stderr() io.Writer {
	if r.Stderr != nil {
		return r.Stderr
	}
	return os.Stderr
}

func (r *Runner) reportf(format string, args ...any) {
	fmt.Fprintf(r.stderr(), "loghunt: "+format+"\n", args...)
}

// Plan records the actions of specs on a, inside the alert's write
// transaction w: each one pending (queued for Run) or skipped with the
// reason (allow-list, throttle, a bad allow-list entry). isNew says
// whether the alert was just raised (else it escalated to the tier of
// specs). Plan stores a itself, so it commits with the records.
func (r *Runner) Plan(w *store.WriteTx, a *alert.Alert, specs []alert.ActionSpec, isNew bool) error {
	if a.ID == 0 {
		return errors.New("action: Plan of an alert without an id")
	}
	if len(specs) == 0 {
		return nil
	}
	now := r.now().UTC()
	queue, err := w.Records(QueueBucket)
	if err != nil {
		return err
	}
	throttle, err := w.Records(ThrottleBucket)
	if err != nil {
		return err
	}
	offences, err := w.Records(OffenceBucket)
	if err != nil {
		return err
	}
	ent := entityKey(a.Entity)
	for _, spec := range specs {
		rec := alert.ActionRecord{Spec: spec, At: now}
		if ok, why := r.allowed(a, spec); ok {
			rec.Status, rec.Detail = alert.ActSkipped, "allow-list: "+why
			a.Actions = append(a.Actions, rec)
			continue
		}
		tkey := []byte(specKey(spec) + "\x00" + ent)
		var last throttleState
		if v := throttle.Get(tkey); v != nil {
			json.Unmarshal(v, &last)
		}
		// The throttle is in event time, as the rules' windows are: a watch
		// catching up on a month of logs, or a replay, throttles what live
		// watching would have, not everything it meets in one minute. A
		// log line is the alert's record and is never throttled.
		if win := r.throttleWindow(spec); spec.Type != "log" && win > 0 && !last.Event.IsZero() && absDuration(a.Last.Sub(last.Event)) < win {
			rec.Status = alert.ActSkipped
			rec.Detail = fmt.Sprintf("throttled: the same %s action for %s was planned for alert %d, whose last event was at %s; one per %s of events",
				spec.Type, entityString(a.Entity), last.Alert, last.Event.UTC().Format(time.RFC3339), win)
			a.Actions = append(a.Actions, rec)
			continue
		}
		if !last.Until.IsZero() && now.Before(last.Until) {
			rec.Status = alert.ActSkipped
			rec.Detail = fmt.Sprintf("already active: the same %s action for %s (alert %d) holds until %s",
				spec.Type, entityString(a.Entity), last.Alert, last.Until.Format(time.RFC3339))
			a.Actions = append(a.Actions, rec)
			continue
		}
		cur := throttleState{Last: now, Event: a.Last, Alert: a.ID}
		if spec.For > 0 && len(spec.Undo) > 0 {
			var off offenceState
			if v := offences.Get(tkey); v != nil {
				json.Unmarshal(v, &off)
			}
			if off.Count > 0 && now.Sub(off.Until) > r.reset() {
				off.Count = 0
			}
			off.Count++
			rec.Offence = off.Count
			rec.Hold = r.hold(spec.For, off.Count)
			off.Last, off.Until = now, now.Add(rec.Hold)
			cur.Until = off.Until
			v, _ := json.Marshal(off)
			if err := offences.Put(tkey, v); err != nil {
				return err
			}
		}
		v, _ := json.Marshal(cur)
		if err := throttle.Put(tkey, v); err != nil {
			return err
		}
		rec.Status = alert.ActPending
		rec.Detail = "queued"
		if spec.Type == "exec" && !r.Act {
			rec.Simulate = true
			rec.Detail = "queued (simulated: no --act)"
		}
		a.Actions = append(a.Actions, rec)
		qv, _ := json.Marshal(queued{Due: now})
		if err := queue.Put(queueKey(a.ID, len(a.Actions)-1, false), qv); err != nil {
			return err
		}
	}
	return alert.Put(w, a)
}

type throttleState struct {
	Last  time.Time `json:"last"`           // wall clock of the plan
	Event time.Time `json:"event,omitzero"` // the alert's last event (the throttle's clock)
	Until time.Time `json:"until,omitzero"` // the hold of the planned action ends
	Alert uint64    `json:"alert"`
}

type offenceState struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`  // the latest offence
	Until time.Time `json:"until"` // its hold ends
}

func (r *Runner) allowed(a *alert.Alert, spec alert.ActionSpec) (bool, string) {
	if ok, why := r.Allow.Match(a.Entity); ok {
		return true, why
	}
	if len(spec.Allow) > 0 {
		l, err := ParseAllow(spec.Allow)
		if err != nil {
			return true, fmt.Sprintf("the rule's allow-list is bad (%v), so nothing is done", err)
		}
		if ok, why := l.Match(a.Entity); ok {
			return true, why + " (the rule's allow)"
		}
	}
	return false, ""
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func (r *Runner) throttleWindow(spec alert.ActionSpec) time.Duration {
	switch {
	case spec.Throttle != 0:
		return spec.Throttle
	case r.Throttle != 0:
		return r.Throttle
	}
	return DefaultThrottle
}

func (r *Runner) reset() time.Duration {
	if r.Reset > 0 {
		return r.Reset
	}
	return DefaultReset
}

// Hold is how long the n-th offence (1, 2, ...) of an action whose spec
// holds for base lasts: base × Factor^(n-1), at most MaxFor but never less
// than base.
func (r *Runner) Hold(base time.Duration, n int) time.Duration { return r.hold(base, n) }

func (r *Runner) hold(base time.Duration, n int) time.Duration {
	f, max := r.Factor, r.MaxFor
	if f <= 0 {
		f = DefaultFactor
	}
	if max <= 0 {
		max = DefaultMaxFor
	}
	if max < base {
		max = base
	}
	d := float64(base) * math.Pow(f, float64(n-1))
	if d >= float64(max) || math.IsInf(d, 0) || math.IsNaN(d) {
		return max
	}
	return time.Duration(d)
}

// specKey identifies an action across alerts: what it does, not the
// alert it was for (the throttle and the offence counts are per spec and
// entity).
func specKey(s alert.ActionSpec) string {
	switch s.Type {
	case "webhook":
		return "webhook\x1f" + s.URL
	case "log":
		return "log\x1f" + s.File
	}
	return s.Type + "\x1f" + strings.Join(s.Argv, "\x1f")
}

func entityKey(e map[string]string) string {
	keys := sortedKeys(e)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(e[k])
		b.WriteByte(0)
	}
	return b.String()
}

func sortedKeys(e map[string]string) []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readQueue returns the queued work in key order.
func readQueue(db access) ([]item, error) {
	var items []item
	err := db.read(QueueBucket, func(recs *store.Records) error {
		return recs.ForEach(nil, func(k, v []byte) (bool, error) {
			if len(k) != 13 {
				return false, fmt.Errorf("action queue: bad key %x", k)
			}
			it := item{alert: binary.BigEndian.Uint64(k), index: int(binary.BigEndian.Uint32(k[8:])), undo: k[12] == 'u'}
			if err := json.Unmarshal(v, &it.q); err != nil {
				return false, fmt.Errorf("action queue: alert %d action %d: %w", it.alert, it.index, err)
			}
			items = append(items, it)
			return true, nil
		})
	})
	return items, err
}

// Pending reports how many pieces of work are queued and when the next
// one is due (zero when none): for a caller that wants to call Run again
// then rather than only after its next commit.
func Pending(db *store.DB) (n int, next time.Time, err error) {
	items, err := readQueue(kept{db})
	for _, it := range items {
		if next.IsZero() || it.q.Due.Before(next) {
			next = it.q.Due
		}
	}
	return len(items), next, err
}

// Run performs the work that is due at now (wall clock): pending
// actions, webhook retries and expired holds' undos, each result
// recorded in a transaction of its own. A running record left by a
// process that died is marked interrupted and reported on Stderr, never
// run again. Run returns when the work is done or ctx ends; errors are
// of the DB (a failed action is recorded, not returned).
func (r *Runner) Run(ctx context.Context, db *store.DB, now time.Time) error {
	return r.run(ctx, kept{db}, now)
}

// RunOpen is Run on a DB that it opens with open for each transaction
// and closes right after, so that no file lock is held while a command
// runs or a webhook waits for its receiver: for a watch that must not
// keep queries waiting longer than a commit. open is called for every
// transaction (a handful per action).
func (r *Runner) RunOpen(ctx context.Context, open func() (*store.DB, error), now time.Time) error {
	return r.run(ctx, opener(open), now)
}

func (r *Runner) run(ctx context.Context, db access, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now = now.UTC()
	items, err := readQueue(db)
	if err != nil {
		return err
	}
	var errs []error
	down := map[string]bool{} // webhook URLs that failed in this run
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		if it.q.Running {
			errs = append(errs, r.interrupt(db, it, now))
			continue
		}
		if it.q.Due.After(now) {
			continue
		}
		errs = append(errs, r.perform(ctx, db, it, now, down))
	}
	return errors.Join(errs...)
}

// change runs fn on the alert's record index in a write transaction and
// stores the alert; fn also gets the queue. A missing alert or record
// drops the queued work.
func change(db access, id uint64, index int, fn func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error) error {
	return db.write(func(w *store.WriteTx) error {
		queue, err := w.Records(QueueBucket)
		if err != nil {
			return err
		}
		alerts, err := w.Records(alert.Bucket)
		if err != nil {
			return err
		}
		a, err := alert.GetIn(alerts, id)
		if err != nil {
			return err
		}
		if a == nil || index >= len(a.Actions) {
			queue.Delete(queueKey(id, index, false))
			return queue.Delete(queueKey(id, index, true))
		}
		if err := fn(a, &a.Actions[index], queue); err != nil {
			return err
		}
		return alert.Put(w, a)
	})
}

func putQueued(queue *store.Records, id uint64, index int, undo bool, q queued) error {
	v, _ := json.Marshal(q)
	return queue.Put(queueKey(id, index, undo), v)
}

func (r *Runner) interrupt(db access, it item, now time.Time) error {
	var what string
	err := change(db, it.alert, it.index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		if it.undo {
			rec.UndoStatus = alert.ActInterrupted
			rec.UndoDetail = fmt.Sprintf("loghunt stopped while the undo ran (started %s); not run again: %s",
				rec.At.Format(time.RFC3339), shellQuote(rec.Spec.Undo))
			what = "undo"
		} else {
			rec.Status = alert.ActInterrupted
			rec.Detail = fmt.Sprintf("loghunt stopped while it ran (started %s); not run again: %s",
				rec.At.Format(time.RFC3339), rec.Detail)
			what = "exec"
		}
		rec.At = now
		return queue.Delete(queueKey(it.alert, it.index, it.undo))
	})
	if err == nil {
		r.reportf("alert %d action %d: the %s was running when loghunt stopped; it is not run again, check whether it took effect", it.alert, it.index+1, what)
	}
	return err
}

// perform does one due piece of work.
func (r *Runner) perform(ctx context.Context, db access, it item, now time.Time, down map[string]bool) error {
	a, err := getAlert(db, it.alert)
	if err != nil {
		return err
	}
	if a == nil || it.index >= len(a.Actions) {
		return change(db, it.alert, it.index, nil) // drops it
	}
	rec := a.Actions[it.index]
	if it.undo {
		return r.undoOne(ctx, db, a, it.index, now)
	}
	// The allow-list applies when the action is due too, so that an entry
	// added (and loghunt restarted) while it waited still stops it.
	if ok, why := r.allowed(a, rec.Spec); ok {
		return change(db, a.ID, it.index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
			return finishDo(rec, queue, a.ID, it.index, alert.ActSkipped, "allow-list (when it was due): "+why, now)
		})
	}
	switch rec.Spec.Type {
	case "log":
		return r.doLog(db, a, it.index, now)
	case "webhook":
		if down[rec.Spec.URL] {
			// one timeout per receiver per run: the others wait for the
			// next run, without counting an attempt
			return nil
		}
		took, err := r.doWebhook(ctx, db, a, it.index, now)
		if !took {
			down[rec.Spec.URL] = true
		}
		return err
	case "exec":
		return r.doExec(ctx, db, a, it.index, now)
	}
	return change(db, a.ID, it.index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		rec.Status, rec.Detail, rec.At = alert.ActFailed, fmt.Sprintf("unknown action type %q", rec.Spec.Type), now
		return queue.Delete(queueKey(a.ID, it.index, false))
	})
}

// finishDo records the outcome of a do and, when it holds, schedules
// its undo.
func finishDo(rec *alert.ActionRecord, queue *store.Records, id uint64, index int, status, detail string, now time.Time) error {
	rec.Status, rec.Detail, rec.At = status, detail, now
	if err := queue.Delete(queueKey(id, index, false)); err != nil {
		return err
	}
	if (status == alert.ActDone || status == alert.ActSimulated) && rec.Hold > 0 && len(rec.Spec.Undo) > 0 {
		rec.Until = now.Add(rec.Hold)
		rec.UndoStatus = "scheduled"
		return putQueued(queue, id, index, true, queued{Due: rec.Until})
	}
	return nil
}

func (r *Runner) doExec(ctx context.Context, db access, a *alert.Alert, index int, now time.Time) error {
	spec := a.Actions[index].Spec
	argv, err := fill(spec.Argv, a)
	if err == nil && len(argv) == 0 {
		err = errors.New("no command")
	}
	if err != nil {
		return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
			return finishDo(rec, queue, a.ID, index, alert.ActFailed, "not run: "+err.Error(), now)
		})
	}
	if a.Actions[index].Simulate || !r.Act {
		return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
			detail := "would run " + shellQuote(argv)
			if rec.Hold > 0 {
				detail += fmt.Sprintf(" for %s%s (not run: no --act)", rec.Hold, offenceNote(rec))
			} else {
				detail += " (not run: no --act)"
			}
			return finishDo(rec, queue, a.ID, index, alert.ActSimulated, detail, now)
		})
	}
	// At most once: the running mark commits before the process starts.
	if err := change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		rec.Status, rec.Detail, rec.At = alert.ActRunning, "ran "+shellQuote(argv), now
		return putQueued(queue, a.ID, index, false, queued{Due: now, Running: true})
	}); err != nil {
		return err
	}
	out, runErr := runProcess(ctx, argv, timeoutOr(spec.Timeout, DefaultExecTimeout))
	status, detail := alert.ActDone, "ran "+shellQuote(argv)
	if runErr != nil {
		status, detail = alert.ActFailed, "ran "+shellQuote(argv)+": "+runErr.Error()
		r.reportf("alert %d action %d: %s", a.ID, index+1, detail)
	}
	if out != "" {
		detail += "; output: " + out
	}
	if status == alert.ActDone {
		if h := a.Actions[index].Hold; h > 0 {
			detail += fmt.Sprintf("; holds for %s%s", h, offenceNote(&a.Actions[index]))
		}
	}
	return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		return finishDo(rec, queue, a.ID, index, status, detail, now)
	})
}

func offenceNote(rec *alert.ActionRecord) string {
	if rec.Offence > 1 {
		return fmt.Sprintf(", offence %d", rec.Offence)
	}
	return ""
}

func timeoutOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// undoOne runs (or simulates) the undo of action index now.
func (r *Runner) undoOne(ctx context.Context, db access, a *alert.Alert, index int, now time.Time) error {
	rec := a.Actions[index]
	argv, err := fill(rec.Spec.Undo, a)
	if err == nil && len(argv) == 0 {
		err = errors.New("no undo command")
	}
	if err != nil {
		return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
			rec.UndoStatus, rec.UndoDetail, rec.At = alert.ActFailed, "not run: "+err.Error(), now
			return queue.Delete(queueKey(a.ID, index, true))
		})
	}
	if rec.Status == alert.ActSimulated {
		return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
			rec.UndoStatus, rec.UndoDetail, rec.At = alert.ActSimulated, "would run "+shellQuote(argv)+" (not run: the action was simulated)", now
			return queue.Delete(queueKey(a.ID, index, true))
		})
	}
	if err := change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		rec.UndoStatus, rec.UndoDetail, rec.At = alert.ActRunning, "ran "+shellQuote(argv), now
		return putQueued(queue, a.ID, index, true, queued{Due: now, Running: true})
	}); err != nil {
		return err
	}
	out, runErr := runProcess(ctx, argv, timeoutOr(rec.Spec.Timeout, DefaultExecTimeout))
	status, detail := alert.ActDone, "ran "+shellQuote(argv)
	if runErr != nil {
		status, detail = alert.ActFailed, "ran "+shellQuote(argv)+": "+runErr.Error()
		r.reportf("alert %d action %d: undo %s (undo it by hand, or again with 'loghunt alerts undo %d')", a.ID, index+1, detail, a.ID)
	}
	if out != "" {
		detail += "; output: " + out
	}
	return change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		rec.UndoStatus, rec.UndoDetail, rec.At = status, detail, now
		if status == alert.ActDone {
			rec.Status = alert.ActUndone
		}
		return queue.Delete(queueKey(a.ID, index, true))
	})
}

// endHold forgets that action index of a holds its entity (after an undo
// before the hold's end), so that a new alert on the entity acts again.
func endHold(w *store.WriteTx, a *alert.Alert, index int) error {
	throttle, err := w.Records(ThrottleBucket)
	if err != nil {
		return err
	}
	key := []byte(specKey(a.Actions[index].Spec) + "\x00" + entityKey(a.Entity))
	var st throttleState
	if v := throttle.Get(key); v == nil || json.Unmarshal(v, &st) != nil || st.Alert != a.ID || st.Until.IsZero() {
		return nil
	}
	st.Until = time.Time{}
	v, _ := json.Marshal(st)
	return throttle.Put(key, v)
}

// Undo reverses alert id's active actions now (`loghunt alerts undo ID`):
// the undo of each exec that ran (or was simulated, or was interrupted)
// and has one is run at once instead of when its hold expires, even
// without Act when the exec really ran; an exec still pending is
// cancelled (skipped). Webhooks and log lines cannot be taken back. It is
// an error when the alert does not exist or has nothing to undo.
func (r *Runner) Undo(ctx context.Context, sdb *store.DB, id uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now().UTC()
	db := kept{sdb}
	a, err := getAlert(db, id)
	if err != nil {
		return err
	}
	if a == nil {
		return fmt.Errorf("no alert %d", id)
	}
	var did int
	var errs []error
	for i, rec := range a.Actions {
		if rec.Spec.Type != "exec" {
			continue
		}
		switch {
		case rec.Status == alert.ActPending:
			did++
			errs = append(errs, change(db, id, i, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
				rec.Status, rec.Detail, rec.At = alert.ActSkipped, "cancelled by 'alerts undo' before it ran", now
				return queue.Delete(queueKey(id, i, false))
			}))
			errs = append(errs, db.write(func(w *store.WriteTx) error { return endHold(w, a, i) }))
		case len(rec.Spec.Undo) > 0 && (rec.Status == alert.ActDone || rec.Status == alert.ActSimulated || rec.Status == alert.ActInterrupted) &&
			(rec.UndoStatus == "" || rec.UndoStatus == "scheduled" || rec.UndoStatus == alert.ActFailed):
			did++
			if err := change(db, id, i, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
				return queue.Delete(queueKey(id, i, true))
			}); err != nil {
				errs = append(errs, err)
				continue
			}
			cur, err := getAlert(db, id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if cur.Actions[i].Status == alert.ActInterrupted {
				// it may or may not have taken effect: reverse it for real
				cur.Actions[i].Status = alert.ActDone
			}
			errs = append(errs, r.undoOne(ctx, db, cur, i, now))
			errs = append(errs, db.write(func(w *store.WriteTx) error { return endHold(w, cur, i) }))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if did == 0 {
		return fmt.Errorf("alert %d has no action to undo", id)
	}
	return nil
}

// AfterCommit runs what is due now: the runner as a hook a watch calls
// after each commit. A caller with nothing to commit for a while calls it
// again when Pending says the next piece of work is due (a hold's undo, a
// webhook retry).
func (r *Runner) AfterCommit(ctx context.Context, db *store.DB) error {
	return r.Run(ctx, db, time.Now())
}

// access is how the runner reaches the DB: kept open by the caller, or
// opened for each transaction.
type access interface {
	write(fn func(w *store.WriteTx) error) error
	read(bucket string, fn func(r *store.Records) error) error
}

type kept struct{ db *store.DB }

func (k kept) write(fn func(w *store.WriteTx) error) error { return k.db.Write(fn) }
func (k kept) read(bucket string, fn func(r *store.Records) error) error {
	return k.db.ReadRecords(bucket, fn)
}

type opener func() (*store.DB, error)

func (o opener) with(fn func(db *store.DB) error) error {
	db, err := o()
	if err != nil {
		return err
	}
	err = fn(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func (o opener) write(fn func(w *store.WriteTx) error) error {
	return o.with(func(db *store.DB) error { return db.Write(fn) })
}

func (o opener) read(bucket string, fn func(r *store.Records) error) error {
	return o.with(func(db *store.DB) error { return db.ReadRecords(bucket, fn) })
}

func getAlert(db access, id uint64) (a *alert.Alert, err error) {
	err = db.read(alert.Bucket, func(r *store.Records) error {
		a, err = alert.GetIn(r, id)
		return err
	})
	return a, err
}
