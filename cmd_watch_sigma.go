package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"loghunt/alert"
	"loghunt/query"
	"loghunt/rules"
	"loghunt/sigma"
	"loghunt/store"
)

// Sigma rules in a watch (watch --sigma RULES): after every commit the
// rules run over the chunks stored since they last ran (store chunk ids
// only grow), each hit raises or extends an alert, and the last chunk id
// done is stored in the same transaction as the alerts, so a watch
// stopped and started again neither misses an event nor counts one twice.
//
// Correlations see the matches in event time: a match is held until the
// newest stored event is lag past it (lines of several files arrive in
// slightly different orders), then fed to one sigma.Engine that lives as
// long as the watch; the engine is advanced to that watermark too, so a
// window closes when the log moves on, not only when a later match comes.
// A watch that starts again feeds the engine the matches of the last
// timespan before it stopped (their hits were raised then) before it goes
// on. A match older than what the engine has seen is late: it is left out
// of the correlations (its own rule's hit still counts) and the watch
// says how many.

const (
	sigmaProgressBucket = "sigma-progress"    // key "chunk": the last chunk id the rules ran over
	sigmaIndexBucket    = "sigma-alert-index" // rule and entity -> the id of its latest alert
)

var sigmaProgressKey = []byte("chunk")

// sigmaWatch is the Sigma part of a watch's hook.
type sigmaWatch struct {
	h        *sigmaHunter
	set      *sigma.Set
	sel      huntSelect
	eng      *sigma.Engine // nil without correlations
	span     time.Duration // the longest correlation timespan
	lag      time.Duration
	suppress time.Duration
	held     []huntMatch // matches not yet fed to eng, in time order
	warmed   bool
	late     int64
	note     func(string)
}

func newSigmaWatch(paths []string, mapping string, lag, suppress time.Duration, note func(string)) (*sigmaWatch, error) {
	ls, err := loadSigmaRules("watch", paths, mapping)
	if err != nil {
		return nil, err
	}
	sel := huntSelect{}
	h := newSigmaHunter(ls, sel)
	h.rawTokens = false // a watch cannot tell that all Windows events will come from .evtx files
	if len(h.report) == 0 && len(h.correlated) == 0 {
		return nil, fmt.Errorf("watch --sigma: no rule of %s can run (loghunt sigma check says why)", strings.Join(paths, ", "))
	}
	s := &sigmaWatch{h: h, set: ls.set, sel: sel, lag: lag, suppress: suppress, note: note}
	if len(h.correlated) > 0 {
		s.eng = sigma.NewEngine(ls.set)
		for _, c := range ls.set.Correlations {
			if c.CanRun() {
				s.span = max(s.span, c.Timespan)
			}
		}
	}
	return s, nil
}

// sigmaRaised is an alert a commit raised or extended.
type sigmaRaised struct {
	a     *alert.Alert
	isNew bool
}

// AfterCommit runs the rules over what the commit stored.
func (s *sigmaWatch) AfterCommit(ctx context.Context, db *store.DB) ([]sigmaRaised, error) {
	var done uint64
	err := db.ReadRecords(sigmaProgressBucket, func(r *store.Records) error {
		if v := r.Get(sigmaProgressKey); len(v) == 8 {
			done = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	last, err := db.LastChunkID()
	if err != nil || last <= done {
		return nil, err
	}
	newest, _, err := db.NewestTime()
	if err != nil {
		return nil, err
	}
	if s.eng != nil && !s.warmed && done > 0 {
		if err := s.warm(ctx, db, done); err != nil {
			return nil, err
		}
	}
	s.warmed = true
	hits, matches, err := s.scan(ctx, db, store.ScanSpec{Start: math.MinInt64, End: math.MaxInt64, AfterID: done, Filter: s.h.scanFilter()}, nil)
	if err != nil {
		return nil, err
	}
	if s.eng != nil {
		ch, err := s.correlate(matches, newest)
		if err != nil {
			return nil, err
		}
		hits = append(hits, ch...)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].t < hits[j].t })
	var raised []sigmaRaised
	err = db.UpdateRecords(func(w *store.WriteTx) error {
		var err error
		if raised, err = s.apply(w, hits); err != nil {
			return err
		}
		prog, err := w.Records(sigmaProgressBucket)
		if err != nil {
			return err
		}
		return prog.Put(sigmaProgressKey, binary.BigEndian.AppendUint64(nil, last))
	})
	return raised, err
}

// scan runs the hunter over the chunks spec selects (and keep, when set,
// keeps).
func (s *sigmaWatch) scan(ctx context.Context, db *store.DB, spec store.ScanSpec, keep func(*store.Chunk) bool) ([]huntHit, []huntMatch, error) {
	var hits []huntHit
	var matches []huntMatch
	_, err := db.Scan(ctx, spec, func(c *store.Chunk) (any, error) {
		if keep != nil && !keep(c) {
			return &chunkResult{}, nil
		}
		return s.h.work(c)
	}, func(_ *store.Chunk, v any) error {
		r := v.(*chunkResult)
		hits = append(hits, r.hits...)
		matches = append(matches, r.matches...)
		return nil
	})
	return hits, matches, err
}

// warm feeds the engine the matches of the chunks done before this watch
// started, from the last timespan before the newest event of those
// chunks: their hits were raised by the watch that ran the rules on them
// (hits that become final now are dropped). Matches the last watch still
// held (within lag of its newest event) stay held and count now.
func (s *sigmaWatch) warm(ctx context.Context, db *store.DB, done uint64) error {
	newest := int64(math.MinInt64)
	_, err := db.Scan(ctx, store.AllTime, func(c *store.Chunk) (any, error) { return nil, nil }, func(c *store.Chunk, _ any) error {
		if c.ID <= done {
			newest = max(newest, c.MaxTime)
		}
		return nil
	})
	if err != nil || newest == math.MinInt64 {
		return err
	}
	from := newest - int64(s.span+s.lag)
	_, matches, err := s.scan(ctx, db, store.ScanSpec{Start: from, End: math.MaxInt64, Filter: s.h.scanFilter()},
		func(c *store.Chunk) bool { return c.ID <= done })
	if err != nil {
		return err
	}
	kept := matches[:0]
	for _, m := range matches {
		if s.h.correlated[m.rule] && m.t >= from {
			kept = append(kept, m)
		}
	}
	_, err = s.correlate(kept, newest)
	return err
}

// correlate holds the matches, feeds the engine those the watermark
// (newest less lag) has passed, advances it there, and returns the hits
// that became final.
func (s *sigmaWatch) correlate(matches []huntMatch, newest int64) ([]huntHit, error) {
	for _, m := range matches {
		if s.h.correlated[m.rule] {
			s.held = append(s.held, m)
		}
	}
	sort.SliceStable(s.held, func(i, j int) bool { return s.held[i].t < s.held[j].t })
	mark := newest - int64(s.lag)
	var hits []sigma.Hit
	n := 0
	late := int64(0)
	for ; n < len(s.held) && s.held[n].t < mark; n++ {
		m := s.held[n]
		hs, err := s.eng.Feed(m.rule, time.Unix(0, m.t), m.ev, m.source)
		if errors.Is(err, sigma.ErrOutOfOrder) {
			late++ // older than a match the engine has seen
			continue
		} else if err != nil {
			return nil, err
		}
		hits = append(hits, hs...)
	}
	s.held = append(s.held[:0], s.held[n:]...)
	hs, err := s.eng.Advance(time.Unix(0, mark))
	if err != nil {
		return nil, err
	}
	hits = append(hits, hs...)
	if late > 0 {
		s.late += late
		if s.note != nil {
			s.note(fmt.Sprintf("sigma: %d match%s arrived later than --sigma-lag after newer events and %s left out of the correlations (%d in all)",
				late, map[bool]string{true: "es", false: ""}[late != 1], map[bool]string{true: "were", false: "was"}[late != 1], s.late))
		}
	}
	return corrHits(hits, s.sel), nil
}

// sigmaSeverity is the alert severity of a Sigma level.
func sigmaSeverity(level string) string {
	switch level {
	case "high", "critical":
		return alert.High
	case "medium":
		return alert.Medium
	}
	return alert.Low
}

// entity is what an alert of the hit is about: a correlation's group-by
// values, else the event's source.
func (s *sigmaWatch) entity(hh *huntHit) map[string]string {
	if hh.corr != nil && len(hh.corr.Correlation.GroupBy) > 0 {
		e := map[string]string{}
		for i, f := range hh.corr.Correlation.GroupBy {
			if i < len(hh.corr.Group) {
				e[f] = hh.corr.Group[i]
			}
		}
		return e
	}
	return map[string]string{"source": hh.source}
}

// apply raises an alert per rule and entity, or extends the open one when
// the hit comes within the suppression window of its last event.
func (s *sigmaWatch) apply(w *store.WriteTx, hits []huntHit) ([]sigmaRaised, error) {
	alerts, err := w.Records(alert.Bucket)
	if err != nil {
		return nil, err
	}
	index, err := w.Records(sigmaIndexBucket)
	if err != nil {
		return nil, err
	}
	var out []sigmaRaised
	touched := map[uint64]int{} // alert id -> index in out
	for i := range hits {
		hh := &hits[i]
		ent := s.entity(hh)
		rule := "sigma:" + hh.id
		key := []byte(rule + "\x00" + entityKey(ent))
		first, last, count := hh.t, hh.t, int64(1)
		reason := fmt.Sprintf("Sigma rule %q (%s, level %s) matched", hh.title, hh.id, hh.level)
		if hh.corr != nil {
			first, last, count = hh.corr.First.UnixNano(), hh.corr.Last.UnixNano(), int64(hh.corr.Count)
			reason = fmt.Sprintf("Sigma correlation %q (%s, %s, level %s): %d events from %s to %s", hh.title, hh.id,
				hh.corr.Correlation.Type, hh.level, hh.corr.Count, hh.corr.First.UTC().Format(time.RFC3339Nano), hh.corr.Last.UTC().Format(time.RFC3339Nano))
		}
		var a *alert.Alert
		if v := index.Get(key); len(v) == 8 {
			if a, err = alert.GetIn(alerts, binary.BigEndian.Uint64(v)); err != nil {
				return nil, err
			}
			if a != nil && (a.State == alert.StateClosed || first > a.Last.UnixNano()+s.suppress.Nanoseconds()) {
				a = nil
			}
		}
		isNew := a == nil
		if isNew {
			id, err := alerts.NextID()
			if err != nil {
				return nil, err
			}
			a = &alert.Alert{ID: id, Rule: rule, Severity: sigmaSeverity(hh.level), Entity: ent,
				First: time.Unix(0, first).UTC(), Last: time.Unix(0, last).UTC(), Reason: reason,
				State: alert.StateNew, Events: []alert.EventRef{}, Actions: []alert.ActionRecord{}}
			if err := index.Put(key, binary.BigEndian.AppendUint64(nil, id)); err != nil {
				return nil, err
			}
		} else {
			if t := time.Unix(0, first).UTC(); t.Before(a.First) {
				a.First = t
			}
			if t := time.Unix(0, last).UTC(); t.After(a.Last) {
				a.Last = t
			}
			a.Reason = reason
		}
		a.Count += count
		if len(a.Events) < 100 {
			for _, src := range strings.Split(hh.source, ",") {
				if len(a.Events) < 100 {
					a.Events = append(a.Events, alert.EventRef{Source: src, Time: hh.t})
				}
			}
		}
		a.Query = sigmaAlertQuery(a, s.ruleFile(hh.id))
		if err := alert.Put(w, a); err != nil {
			return nil, err
		}
		if k, ok := touched[a.ID]; ok {
			out[k].a = a
		} else {
			touched[a.ID] = len(out)
			out = append(out, sigmaRaised{a: a, isNew: isNew})
		}
	}
	return out, nil
}

// ruleFile is the file of the rule or correlation of that reference.
func (s *sigmaWatch) ruleFile(ref string) string {
	switch x := s.set.Lookup(ref).(type) {
	case *sigma.Rule:
		return x.File
	case *sigma.Correlation:
		return x.File
	}
	return ""
}

// sigmaAlertQuery is the query that shows an alert's events: the rule
// over its time range (and source).
func sigmaAlertQuery(a *alert.Alert, file string) string {
	q := fmt.Sprintf("earliest=%q latest=%q", a.First.UTC().Format(time.RFC3339Nano), a.Last.Add(time.Nanosecond).UTC().Format(time.RFC3339Nano))
	if src, ok := a.Entity["source"]; ok && len(a.Entity) == 1 {
		q += " source=" + query.QuoteText(src)
	}
	if file != "" {
		q += " | sigma rules=" + query.QuoteText(file)
	}
	return q
}

// entityKey is an entity as sorted field=value pairs.
func entityKey(e map[string]string) string {
	b, _ := json.Marshal(e) // map keys come out sorted
	return string(b)
}

// watchHooks is a watch's hook: the detection rules' responder and the
// Sigma rules, each when given.
type watchHooks struct {
	resp  *responder
	sigma *sigmaWatch
	note  func(string)
}

func (h *watchHooks) AfterCommit(ctx context.Context, db *store.DB) error {
	if h.resp != nil {
		if err := h.resp.AfterCommit(ctx, db); err != nil {
			return err
		}
	}
	if h.sigma == nil {
		return nil
	}
	raised, err := h.sigma.AfterCommit(ctx, db)
	if err != nil {
		return fmt.Errorf("sigma rules: %w", err)
	}
	for _, r := range raised {
		verb := "updated"
		if r.isNew {
			verb = "raised"
		}
		a := r.a
		h.note(fmt.Sprintf("alert %d %s: %s %s, %s, %d event%s", a.ID, verb, a.Rule, rules.EntityString(a.Entity), a.Severity, a.Count, plural(int(a.Count))))
	}
	return nil
}
