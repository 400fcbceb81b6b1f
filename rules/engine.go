package rules

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"loghunt/alert"
	"loghunt/query"
	"loghunt/store"
)

// OnAlert is called inside the alert's write transaction for every alert
// raised (isNew) or escalated to a higher tier (not isNew), with the
// actions of the tier it reached: what it records (pending actions)
// commits with the alert. a is stored again after it returns, so changes
// it makes to a (its Actions) are kept.
type OnAlert func(w *store.WriteTx, a *alert.Alert, specs []alert.ActionSpec, isNew bool) error

// Engine evaluates rules over a database in event time.
//
// Each rule is evaluated at every boundary of its schedule (multiples of
// Every since the Unix epoch) once the newest event in the database has
// reached it: the window [boundary-Window, boundary) is then complete,
// for logs that arrive in time order. The boundaries done are kept per
// rule (bucket ProgressBucket), so each is evaluated once, live or on
// replay. A rule whose thresholds only grow with the window (counts and
// distinct counts compared with > or >=) is also evaluated on the window
// that is still open, up to the newest event, so that it alerts before
// the window closes; what the open window finds, the closed one finds
// again, so this changes when an alert is raised, not which.
//
// Windows without a single event that the rule's search part matches are
// not evaluated (a rule cannot alert on silence).
type Engine struct {
	Rules   []*Rule
	OnAlert OnAlert // nil: none
	// From and To bound the evaluation (replay): only windows that end
	// after From, and only events before To; zero means no bound.
	From, To time.Time
}

// Raised is an alert that an Advance raised or updated.
type Raised struct {
	Alert     *alert.Alert
	New       bool // raised by this Advance
	Escalated bool // an open alert whose severity this Advance raised
}

type progress struct {
	Done int64 `json:"done"` // the last boundary evaluated, Unix ns
}

// ev is one event the rule's search part matched.
type ev struct {
	t      int64
	source string
}

// finding is what one window found for one entity.
type finding struct {
	entity      map[string]string
	key         string
	sev         string
	value       float64 // of the tier's column
	score       float64
	reason      string
	first, last int64
	// crossing returns when the alert would first have been raised (see
	// work.cross); called only for a finding that raises a new alert
	crossing func() (int64, error)
}

// work is an alert being raised or updated by an Advance.
type work struct {
	a     *alert.Alert
	rule  *Rule
	key   string
	isNew bool
	// cross is the event time at which the alert was first raisable: for
	// an early rule the time of the event that made its entity meet a
	// tier, else the boundary whose window did. New alerts get their ids
	// in this order (then rule, then entity), which live and replay
	// share: live, an alert raised by a later Advance crossed after the
	// newest event of the earlier one.
	cross    int64
	order    int // the rule's place in Engine.Rules
	startSev string
	// what the alert was when loaded, and how many of its counted events
	// are at its Last (known when the index says): a later count adds the
	// events after that instead of counting them all again
	oldFirst, oldLast, oldCount, atLast int64
	known                               bool
	touched                             bool
}

// Advance evaluates every rule on the windows that became complete since
// the last Advance (and on the open window), and stores what it raised,
// merged and the rules' progress in one write transaction, calling
// OnAlert in it.
func (e Engine) Advance(ctx context.Context, db *store.DB) ([]Raised, error) {
	newest, ok, err := db.NewestTime()
	if err != nil || !ok {
		return nil, err
	}
	if !e.To.IsZero() {
		newest = min(newest, e.To.UnixNano()-1)
	}
	oldest, err := oldestTime(db)
	if err != nil {
		return nil, err
	}
	done := map[string]int64{}
	err = db.ReadRecords(ProgressBucket, func(r *store.Records) error {
		for _, rule := range e.Rules {
			if v := r.Get([]byte(rule.Name)); v != nil {
				var p progress
				if err := json.Unmarshal(v, &p); err != nil {
					return fmt.Errorf("progress of rule %s: %w", rule.Name, err)
				}
				done[rule.Name] = p.Done
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st := &advance{db: db, latest: map[string]*work{}, ruleOrder: map[*Rule]int{}}
	for i, r := range e.Rules {
		st.ruleOrder[r] = i
	}
	next := map[string]int64{}
	for _, r := range e.Rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		E := r.Every.Nanoseconds()
		d, ok := done[r.Name]
		if !ok {
			d = floorDiv(oldest, E) * E
		}
		if !e.From.IsZero() {
			d = max(d, floorDiv(e.From.UnixNano(), E)*E)
		}
		nd, err := e.evalRule(ctx, db, r, d, newest, func(f finding) error { return st.apply(r, f) })
		if err != nil {
			return nil, fmt.Errorf("rule %s (%s): %w", r.Name, r.File, err)
		}
		next[r.Name] = nd
	}
	if err := recountAll(ctx, db, st.order); err != nil {
		return nil, err
	}
	var raised []Raised
	err = db.Write(func(tx *store.WriteTx) error {
		raised = raised[:0]
		rec, err := tx.Records(alert.Bucket)
		if err != nil {
			return err
		}
		idx, err := tx.Records(IndexBucket)
		if err != nil {
			return err
		}
		pr, err := tx.Records(ProgressBucket)
		if err != nil {
			return err
		}
		// ids in the order the alerts crossed their thresholds
		var fresh []*work
		for _, w := range st.order {
			if w.isNew {
				fresh = append(fresh, w)
			}
		}
		sort.SliceStable(fresh, func(i, j int) bool {
			a, b := fresh[i], fresh[j]
			if a.cross != b.cross {
				return a.cross < b.cross
			}
			if a.order != b.order {
				return a.order < b.order
			}
			return a.key < b.key
		})
		ids := map[*work]uint64{}
		for _, w := range fresh {
			if ids[w], err = rec.NextID(); err != nil {
				return err
			}
		}
		for _, w := range st.order {
			if !w.touched {
				continue
			}
			a := *w.a
			if w.isNew {
				a.ID = ids[w]
			}
			if err := idx.Put([]byte(w.key), binary.BigEndian.AppendUint64(alert.Key(a.ID), uint64(w.atLast))); err != nil {
				return err
			}
			if !w.isNew {
				cur, err := alert.GetIn(rec, a.ID)
				if err != nil {
					return err
				}
				if cur != nil {
					// keep what others changed since it was read: its
					// state and its actions' records
					a.State, a.Actions = cur.State, cur.Actions
				}
			}
			if err := alert.Put(tx, &a); err != nil {
				return err
			}
			escalated := !w.isNew && SeverityRank(a.Severity) > SeverityRank(w.startSev)
			if e.OnAlert != nil && (w.isNew || escalated) {
				var specs []alert.ActionSpec
				if t := w.rule.tier(a.Severity); t != nil {
					specs = t.Actions
				}
				if err := e.OnAlert(tx, &a, specs, w.isNew); err != nil {
					return fmt.Errorf("alert %d (rule %s): %w", a.ID, a.Rule, err)
				}
				if err := alert.Put(tx, &a); err != nil {
					return err
				}
			}
			ac := a
			raised = append(raised, Raised{Alert: &ac, New: w.isNew, Escalated: escalated})
		}
		for name, d := range next {
			v, _ := json.Marshal(progress{Done: d})
			if err := pr.Put([]byte(name), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(raised, func(i, j int) bool { return raised[i].Alert.ID < raised[j].Alert.ID })
	return raised, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// oldestTime is the time of the oldest event in db.
func oldestTime(db *store.DB) (int64, error) {
	srcs, err := db.Sources()
	if err != nil {
		return 0, err
	}
	oldest := int64(math.MaxInt64)
	for _, s := range srcs {
		if s.Events > 0 {
			oldest = min(oldest, s.First)
		}
	}
	return oldest, nil
}

// fewWindows is the most windows of a slice evaluated on the database
// rather than on a windowStore.
var fewWindows = 4

// sliceSpan is how much event time evalRule evaluates at once (or four
// of the rule's windows, when longer): a replay of months holds in memory the
// matched events of one slice, not of the whole range.
var sliceSpan = 24 * time.Hour

// evalRule evaluates r on the closed windows after boundary done up to
// newest (and the open window, for an early rule), passing what they find
// to emit in order, and returns the last boundary evaluated.
func (e Engine) evalRule(ctx context.Context, db *store.DB, r *Rule, done, newest int64, emit func(finding) error) (int64, error) {
	E, W := r.Every.Nanoseconds(), r.Window.Nanoseconds()
	lastB := floorDiv(newest, E) * E
	if lastB < done {
		lastB = done
	}
	if lastB == done && !r.early {
		return done, nil // no window has closed since
	}
	span := (max(4*W, sliceSpan.Nanoseconds()) + E - 1) / E * E // the slices overlap by W
	for from := done; ; {
		to := min(from+span, lastB)
		final := to == lastB
		found, err := e.evalSlice(ctx, db, r, from, to, final && r.early, newest, emit)
		if err != nil {
			return 0, err
		}
		if final {
			return lastB, nil
		}
		from = to
		if !found {
			// skip the event time without a matching event (a gap of
			// years between two logs costs one scan, not a slice each)
			t, ok, err := firstEvent(ctx, db, r, to+E-W, newest+1)
			if err != nil {
				return 0, err
			}
			if !ok {
				return lastB, nil
			}
			from = max(from, min(floorDiv(t, E)*E, lastB))
		}
	}
}

// firstEvent returns the time of the first event in [lo, hi) that the
// rule's search part matches.
func firstEvent(ctx context.Context, db *store.DB, r *Rule, lo, hi int64) (int64, bool, error) {
	q, err := query.Parse(r.prefix.String() + " | head 1 | table _time")
	if err != nil {
		return 0, false, err
	}
	var t int64
	found := false
	_, err = query.Run(ctx, db, q, runOptions(db, lo, hi, hi), func(b *query.Batch) error {
		if c := b.Col(store.ColTime); c >= 0 && b.Len > 0 && !found {
			t, found = b.Cols[c][0].I, true
		}
		return nil
	})
	return t, found, err
}

// fewBounds is how many boundaries a slice may have for evalSlice to
// evaluate each of them without first finding which windows hold an event.
var fewBounds = 4

// evalSlice evaluates the boundaries in (from, to], and with open the
// window after to, up to newest. It holds in memory the times of the
// event-time slots (of the rule's every) that hold a matched event, and
// the events of the entities found, not every matched event: a rule whose
// search matches all of a busy log's lines costs its window's scan, not
// the window's events.
func (e Engine) evalSlice(ctx context.Context, db *store.DB, r *Rule, from, to int64, open bool, newest int64, emit func(finding) error) (found bool, err error) {
	E, W := r.Every.Nanoseconds(), r.Window.Nanoseconds()
	hi := to - 1 // closed windows only
	if open {
		hi = newest
	}
	lo := from + E - W
	if lo > hi {
		return false, nil
	}
	var bounds []int64
	if (to-from)/E <= int64(fewBounds) {
		// a few windows: evaluate each; an empty one finds nothing
		if _, ok, err := firstEvent(ctx, db, r, lo, hi+1); err != nil || !ok {
			return false, err
		}
		for b := from + E; b <= to; b += E {
			bounds = append(bounds, b)
		}
		if open && newest >= to {
			bounds = append(bounds, -1)
		}
	} else {
		// the boundaries whose window holds an event: b in (t, t+W] for
		// an event at t, so for the events of a slot s (of E) the
		// boundaries in (s, latest+W]
		latest, err := slotLatest(ctx, db, r, lo, hi+1, E)
		if err != nil || len(latest) == 0 {
			return false, err
		}
		slots := slices.Sorted(maps.Keys(latest))
		nextB := from + E
		for _, s := range slots {
			for b := max(s+E, nextB); b <= latest[s]+W && b <= to; b += E {
				bounds = append(bounds, b)
				nextB = b + E
			}
		}
		if open && newest >= to {
			openLo := to + E - W
			if s := slots[len(slots)-1]; latest[s] >= openLo {
				bounds = append(bounds, -1)
			}
		}
	}
	// Many windows read an in-memory copy of the matched events; a few
	// (live, after a commit) read the database: copying costs more than
	// the reads it saves.
	var ws query.Store = db
	if len(bounds) > fewWindows {
		if ws, err = loadWindowStore(ctx, db, r, lo, hi+1); err != nil {
			return false, err
		}
	}
	type windowFindings struct {
		lo, hi int64
		fs     []finding
	}
	var wins []windowFindings
	keys := map[string]bool{}
	for _, b := range bounds {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		wlo, whi := b-W, b
		if b == -1 { // the open window
			wlo, whi = to+E-W, newest+1
		}
		fs, err := evalWindow(ctx, ws, db, r, wlo, whi, whi)
		if err != nil {
			return false, err
		}
		if len(fs) > 0 {
			wins = append(wins, windowFindings{wlo, whi, fs})
			for _, f := range fs {
				keys[f.key] = true
			}
		}
	}
	if len(wins) == 0 {
		return true, nil
	}
	// the events of the entities found, for their first and last event
	// and the crossing time
	byEntity, err := scanEvents(ctx, db, r, wins[0].lo, wins[len(wins)-1].hi, keys)
	if err != nil {
		return false, err
	}
	for _, w := range wins {
		empty := false
		for i := range w.fs {
			f := &w.fs[i]
			evs := window(byEntity[f.key], w.lo, w.hi)
			if len(evs) == 0 {
				if _, ok, err := firstEvent(ctx, db, r, w.lo, w.hi); err != nil {
					return false, err
				} else if !ok {
					empty = true // a window without events is not evaluated
					break
				}
				return false, fmt.Errorf("no event of the search part %q has %s; the entity fields must come from the events (or a rex or eval before the first aggregation)",
					r.prefix.String(), entityPairs(r.Entity, f.entity))
			}
			f.first, f.last = evs[0].t, evs[len(evs)-1].t
		}
		if empty {
			continue
		}
		for i := range w.fs {
			f := &w.fs[i]
			wlo, whi := w.lo, w.hi
			f.crossing = func() (int64, error) {
				if !r.early {
					return whi, nil
				}
				return crossing(ctx, ws, db, r, wlo, window(byEntity[f.key], wlo, whi), f.key)
			}
			if err := emit(*f); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// slotLatest runs the rule's search part over [lo, hi) and returns, for
// each slot of E (aligned to the epoch) that holds a matched event, the
// time of its latest one.
func slotLatest(ctx context.Context, db *store.DB, r *Rule, lo, hi, E int64) (map[int64]int64, error) {
	text := r.prefix.String() + " | table " + store.ColTime
	q, err := query.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("the search part %q: %w", text, err)
	}
	latest := map[int64]int64{}
	_, err = query.Run(ctx, db, q, runOptions(db, lo, hi, hi), func(b *query.Batch) error {
		tc := b.Col(store.ColTime)
		if tc < 0 {
			return nil
		}
		for _, v := range b.Cols[tc][:b.Len] {
			if v.IsNull() {
				continue
			}
			s := floorDiv(v.I, E) * E
			if cur, ok := latest[s]; !ok || v.I > cur {
				latest[s] = v.I
			}
		}
		return nil
	})
	return latest, err
}

// scanEvents runs the rule's search part over [lo, hi) and returns, per
// entity key, the matched events of the keys given, sorted by time and
// source. A few keys are filtered in the query, more as the rows arrive.
func scanEvents(ctx context.Context, db *store.DB, r *Rule, lo, hi int64, keys map[string]bool) (map[string][]ev, error) {
	text := r.prefix.String()
	if len(keys) > 0 && len(keys) <= maxWhereKeys {
		var alts []string
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			vals := strings.Split(k, "\x00")
			var conds []string
			for i, f := range r.Entity {
				conds = append(conds, FieldRef(f)+" == "+query.QuoteText(vals[i]))
			}
			alts = append(alts, "("+strings.Join(conds, " AND ")+")")
		}
		text += " | where " + strings.Join(alts, " OR ")
	}
	cols := []string{store.ColTime, "source"}
	for _, f := range r.Entity {
		cols = append(cols, FieldRef(f))
	}
	text += " | table " + strings.Join(cols, ", ")
	q, err := query.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("the search part %q: %w", text, err)
	}
	by := map[string][]ev{}
	_, err = query.Run(ctx, db, q, runOptions(db, lo, hi, hi), func(b *query.Batch) error {
		tc, sc := b.Col(store.ColTime), b.Col("source")
		ecols := make([]int, len(r.Entity))
		for i, f := range r.Entity {
			ecols[i] = b.Col(f)
		}
		for row := 0; row < b.Len; row++ {
			if tc < 0 {
				continue
			}
			t := b.Cols[tc][row]
			if t.IsNull() {
				continue
			}
			key, ok := rowKey(b, ecols, row)
			if !ok || !keys[key] {
				continue
			}
			src := ""
			if sc >= 0 {
				src = b.Cols[sc][row].String()
			}
			by[key] = append(by[key], ev{t: t.I, source: src})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, es := range by {
		sort.SliceStable(es, func(i, j int) bool {
			if es[i].t != es[j].t {
				return es[i].t < es[j].t
			}
			return es[i].source < es[j].source
		})
		by[k] = es
	}
	return by, nil
}

// maxWhereKeys is how many entity keys scanEvents filters in its query
// (a where of alternatives); more are filtered as the rows arrive.
const maxWhereKeys = 16

// FieldRef writes a field name for a query: bare when it is an
// identifier, else backquoted.
func FieldRef(f string) string {
	for i, c := range f {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '.')) {
			return "`" + f + "`"
		}
	}
	return f
}

// rowKey is the entity key of a row: the entity fields' values joined;
// false when one is null.
func rowKey(b *query.Batch, cols []int, row int) (string, bool) {
	var sb strings.Builder
	for i, c := range cols {
		if c < 0 {
			return "", false
		}
		v := b.Cols[c][row]
		if v.IsNull() {
			return "", false
		}
		if i > 0 {
			sb.WriteByte(0)
		}
		sb.WriteString(v.String())
	}
	return sb.String(), true
}

func runOptions(db *store.DB, lo, hi, now int64) query.Options {
	return query.Options{
		Now:      time.Unix(0, now).UTC(),
		Earliest: time.Unix(0, lo).UTC().Format(time.RFC3339Nano),
		Latest:   time.Unix(0, hi).UTC().Format(time.RFC3339Nano),
		Models:   db,
	}
}

// evalWindow runs the rule's query on [lo, hi) and returns a finding for
// every result row that meets a tier.
func evalWindow(ctx context.Context, ws query.Store, db *store.DB, r *Rule, lo, hi, now int64) ([]finding, error) {
	var out []finding
	var missing error
	q := r.q
	if w, ok := ws.(*windowStore); ok {
		q = w.q
	}
	_, err := query.Run(ctx, ws, q, runOptions(db, lo, hi, now), func(b *query.Batch) error {
		ecols := make([]int, len(r.Entity))
		for i, f := range r.Entity {
			if ecols[i] = b.Col(f); ecols[i] < 0 && missing == nil {
				missing = fmt.Errorf("the query's result has no column %q (an entity field): group by it", f)
			}
		}
		tcols := make([]int, len(r.Tiers))
		for i, t := range r.Tiers {
			if tcols[i] = b.Col(t.Column); tcols[i] < 0 && missing == nil {
				missing = fmt.Errorf("the query's result has no column %q (severity %s: %s)", t.Column, t.Severity, t.Text)
			}
		}
		if missing != nil {
			return missing
		}
		sc, rc := b.Col("anomaly_score"), b.Col("anomaly_reason")
		for row := 0; row < b.Len; row++ {
			key, ok := rowKey(b, ecols, row)
			if !ok {
				continue
			}
			ti := -1
			var val float64
			for i := len(r.Tiers) - 1; i >= 0; i-- {
				v, ok := b.Cols[tcols[i]][row].Number()
				if ok && !math.IsNaN(v) && r.Tiers[i].Met(v) {
					ti, val = i, v
					break
				}
			}
			if ti < 0 {
				continue
			}
			t := &r.Tiers[ti]
			f := finding{key: key, sev: t.Severity, value: val, entity: map[string]string{}}
			for i, c := range ecols {
				f.entity[r.Entity[i]] = b.Cols[c][row].String()
			}
			if sc >= 0 {
				f.score, _ = b.Cols[sc][row].Number()
			}
			if rc >= 0 && !b.Cols[rc][row].IsNull() && b.Cols[rc][row].String() != "" {
				f.reason = b.Cols[rc][row].String()
			} else {
				f.reason = fmt.Sprintf("%s=%s (%s: %s)", t.Column, store.FormatFloat(val), t.Severity, t.Text)
			}
			out = append(out, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// entityPairs writes an entity as field=value pairs.
func entityPairs(fields []string, e map[string]string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + "=" + e[f]
	}
	return strings.Join(parts, " ")
}

// crossing returns the time of the first of evs (the entity's events of a
// window from lo, sorted) with which the window meets a tier for the
// entity: the window's thresholds only grow with its events (an early
// rule), so a binary search finds it.
func crossing(ctx context.Context, ws query.Store, db *store.DB, r *Rule, lo int64, evs []ev, key string) (int64, error) {
	var err error
	i := sort.Search(len(evs), func(i int) bool {
		if err != nil {
			return true
		}
		var fs []finding
		fs, err = evalWindow(ctx, ws, db, r, lo, evs[i].t+1, evs[i].t+1)
		for _, f := range fs {
			if f.key == key {
				return true
			}
		}
		return false
	})
	if err != nil {
		return 0, err
	}
	if i == len(evs) {
		return 0, fmt.Errorf("BUG: the window of %q meets no tier with all its events", key)
	}
	return evs[i].t, nil
}

// window returns the events of es (sorted) in [lo, hi).
func window(es []ev, lo, hi int64) []ev {
	i := sort.Search(len(es), func(i int) bool { return es[i].t >= lo })
	j := sort.Search(len(es), func(i int) bool { return es[i].t >= hi })
	return es[i:j]
}

// advance is the alerts an Advance works on.
type advance struct {
	db        *store.DB
	ruleOrder map[*Rule]int
	latest    map[string]*work // by index key: the latest alert of rule and entity
	order     []*work
}

// load returns the latest alert of the index key, from the database when
// this Advance has not seen it yet.
func (st *advance) load(r *Rule, key string) (*work, error) {
	if w, ok := st.latest[key]; ok {
		return w, nil
	}
	var a *alert.Alert
	var atLast int64
	known := false
	err := st.db.ReadRecords(IndexBucket, func(idx *store.Records) error {
		v := idx.Get([]byte(key))
		if v == nil {
			return nil
		}
		return st.db.ReadRecords(alert.Bucket, func(rec *store.Records) error {
			var err error
			if len(v) != 8 && len(v) != 16 {
				return fmt.Errorf("alert index of %q: bad id", key)
			}
			a, err = alert.GetIn(rec, bigEndian(v[:8]))
			if len(v) == 16 {
				atLast, known = int64(bigEndian(v[8:])), true
			}
			return err
		})
	})
	if err != nil || a == nil {
		st.latest[key] = nil
		return nil, err
	}
	w := &work{a: a, rule: r, key: key, startSev: a.Severity, atLast: atLast, known: known,
		oldFirst: a.First.UnixNano(), oldLast: a.Last.UnixNano(), oldCount: a.Count}
	st.latest[key] = w
	st.order = append(st.order, w)
	return w, nil
}

func bigEndian(b []byte) uint64 {
	var id uint64
	for _, c := range b {
		id = id<<8 | uint64(c)
	}
	return id
}

// stronger reports whether a finding of severity sev and value v beats
// the alert's strongest detection so far.
func stronger(r *Rule, sev string, v float64, a *alert.Alert) bool {
	if d := SeverityRank(sev) - SeverityRank(a.Severity); d != 0 {
		return d > 0
	}
	if t := r.tier(sev); t != nil && (t.Op == "<" || t.Op == "<=") {
		return v < a.Value
	}
	return v > a.Value
}

// apply merges a finding into the open alert of its rule and entity, or
// raises a new one.
func (st *advance) apply(r *Rule, f finding) error {
	key := string(indexKey(r.Name, r.Entity, f.entity))
	w, err := st.load(r, key)
	if err != nil {
		return err
	}
	if w != nil {
		a := w.a
		switch {
		case a.State != alert.StateClosed && f.first <= a.Last.UnixNano()+r.Suppress.Nanoseconds():
			changed := false
			if f.first < a.First.UnixNano() {
				a.First, changed = time.Unix(0, f.first).UTC(), true
			}
			if f.last > a.Last.UnixNano() {
				a.Last, changed = time.Unix(0, f.last).UTC(), true
			}
			if stronger(r, f.sev, f.value, a) {
				if SeverityRank(f.sev) > SeverityRank(a.Severity) {
					a.Severity = f.sev
				}
				a.Value, a.Score, a.Reason, changed = f.value, f.score, f.reason, true
			}
			// an open window seen again with nothing new changes nothing
			w.touched = w.touched || changed
			return nil
		case a.State == alert.StateClosed && f.last <= a.Last.UnixNano():
			return nil // what a closed alert already covered
		}
	}
	a := &alert.Alert{Rule: r.Name, Severity: f.sev, Entity: f.entity,
		First: time.Unix(0, f.first).UTC(), Last: time.Unix(0, f.last).UTC(),
		Score: f.score, Value: f.value, Reason: f.reason, State: alert.StateNew, Events: []alert.EventRef{}, Actions: []alert.ActionRecord{}}
	cross, err := f.crossing()
	if err != nil {
		return err
	}
	nw := &work{a: a, rule: r, key: key, isNew: true, touched: true, cross: cross, order: st.ruleOrder[r]}
	st.latest[key] = nw
	st.order = append(st.order, nw)
	return nil
}

// recountAll sets the count and event references of the touched alerts
// from the events of their entity that the rule's search part matches in
// [First, Last], and their query to see them. A new alert, or one whose
// First moved, is counted in full; one that only grew is counted on from
// its old Last (its events there were counted before: atLast of them), in
// one scan per rule, so a watch's cost per commit does not grow with how
// long an alert has been open. Either way the count is the events in
// [First, Last], for logs that arrive in time order.
func recountAll(ctx context.Context, db *store.DB, works []*work) error {
	grow := map[*Rule][]*work{}
	var rules []*Rule
	for _, w := range works {
		if !w.touched {
			continue
		}
		if w.isNew || !w.known || w.a.First.UnixNano() != w.oldFirst {
			if err := recountFull(ctx, db, w); err != nil {
				return fmt.Errorf("rule %s: %w", w.rule.Name, err)
			}
			continue
		}
		if grow[w.rule] == nil {
			rules = append(rules, w.rule)
		}
		grow[w.rule] = append(grow[w.rule], w)
	}
	for _, r := range rules {
		ws := grow[r]
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
		for _, w := range ws {
			lo, hi = min(lo, w.oldLast), max(hi, w.a.Last.UnixNano()+1)
		}
		keys := map[string]bool{}
		for _, w := range ws {
			keys[strings.Join(entityValues(r.Entity, w.a.Entity), "\x00")] = true
		}
		by, err := scanEvents(ctx, db, r, lo, hi, keys)
		if err != nil {
			return fmt.Errorf("rule %s: %w", r.Name, err)
		}
		for _, w := range ws {
			a := w.a
			evs := window(by[strings.Join(entityValues(r.Entity, a.Entity), "\x00")], w.oldLast, a.Last.UnixNano()+1)
			a.Count = w.oldCount - w.atLast + int64(len(evs))
			refs := slices.DeleteFunc(slices.Clone(a.Events), func(e alert.EventRef) bool { return e.Time >= w.oldLast })
			if len(refs) < MaxEventRefs {
				for _, e := range evs {
					refs = append(refs, alert.EventRef{Source: e.source, Time: e.t})
				}
				sort.SliceStable(refs, func(i, j int) bool {
					if refs[i].Time != refs[j].Time {
						return refs[i].Time < refs[j].Time
					}
					return refs[i].Source < refs[j].Source
				})
				refs = refs[:min(len(refs), MaxEventRefs)]
			}
			a.Events = refs
			w.atLast = countAt(evs, a.Last.UnixNano())
			a.Query = EventsQueryText(r, a)
		}
	}
	return nil
}

// countAt counts the events of es (sorted) at time t.
func countAt(es []ev, t int64) int64 {
	n := int64(0)
	for i := len(es) - 1; i >= 0 && es[i].t >= t; i-- {
		if es[i].t == t {
			n++
		}
	}
	return n
}

// recountFull counts an alert's events in [First, Last] anew.
func recountFull(ctx context.Context, db *store.DB, w *work) error {
	a, r := w.a, w.rule
	lo, hi := a.First.UnixNano(), a.Last.UnixNano()+1
	key := strings.Join(entityValues(r.Entity, a.Entity), "\x00")
	by, err := scanEvents(ctx, db, r, lo, hi, map[string]bool{key: true})
	if err != nil {
		return err
	}
	evs := by[key]
	a.Count = int64(len(evs))
	a.Events = a.Events[:0]
	for _, e := range evs[:min(len(evs), MaxEventRefs)] {
		a.Events = append(a.Events, alert.EventRef{Source: e.source, Time: e.t})
	}
	w.atLast = countAt(evs, a.Last.UnixNano())
	a.Query = EventsQueryText(r, a)
	return nil
}

func entityValues(fields []string, e map[string]string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = e[f]
	}
	return out
}

// EventsQueryText is the query that shows the alert's events: the rule's
// search part over [First, Last], for its entity.
func EventsQueryText(r *Rule, a *alert.Alert) string {
	var conds []string
	for _, f := range r.Entity {
		conds = append(conds, FieldRef(f)+" == "+query.QuoteText(a.Entity[f]))
	}
	search := fmt.Sprintf("earliest=%q latest=%q", a.First.UTC().Format(time.RFC3339Nano), a.Last.Add(time.Nanosecond).UTC().Format(time.RFC3339Nano))
	if prefix := r.prefix.String(); prefix != "" {
		search += " " + prefix
	}
	return search + " | where " + strings.Join(conds, " AND ")
}

// AfterCommit is Advance for a watch's hook (after each commit), without
// the list of what it raised.
func (e Engine) AfterCommit(ctx context.Context, db *store.DB) error {
	_, err := e.Advance(ctx, db)
	return err
}
