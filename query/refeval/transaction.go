package refeval

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// txnSession is a session of transaction: its rows as they came.
type txnSession struct {
	rows                   []Row
	started, ended, closed bool
}

// transaction groups the rows, oldest first, into sessions per
// combination of the fields' values, closing a session on each condition
// of .help's transaction: before a row, every open session that the row
// comes more than maxpause after the last row of, or more than maxspan
// after the first; at a row matching startswith, the open session of its
// key; after a row matching endswith, or at maxevents, its session. The
// sessions come out in the order they were opened.
func (ev *evaluator) transaction(c *query.TransactionCmd, rows []Row) ([]Row, error) {
	var all []*txnSession
	open := map[string]*txnSession{}
	prev := int64(math.MinInt64)
	keys := query.FieldNames(c.Fields)
	for _, r := range rows {
		tv := r.Get(store.ColTime)
		if tv.K != store.KindTime {
			return nil, fmt.Errorf("transaction needs _time on every row")
		}
		if tv.I < prev {
			return nil, fmt.Errorf("transaction needs its rows in time order")
		}
		prev = tv.I
		for k, s := range open {
			first := s.rows[0].Get(store.ColTime).I
			last := s.rows[len(s.rows)-1].Get(store.ColTime).I
			if c.MaxPause > 0 && tv.I-last > int64(c.MaxPause) || c.MaxSpan > 0 && tv.I-first > int64(c.MaxSpan) {
				s.closed = true
				delete(open, k)
			}
		}
		var parts []string
		missing := false
		for _, k := range keys {
			v := r.Get(k)
			missing = missing || v.K == store.KindNull
			parts = append(parts, v.String())
		}
		if missing {
			continue
		}
		key := strings.Join(parts, "\x00")
		s := open[key]
		start := c.Start != nil && ev.txnMatch(c.Start, r)
		if s != nil && start {
			s.closed = true
			delete(open, key)
			s = nil
		}
		if s == nil {
			s = &txnSession{started: start}
			open[key] = s
			all = append(all, s)
		}
		s.rows = append(s.rows, r)
		if c.End != nil && ev.txnMatch(c.End, r) {
			s.ended, s.closed = true, true
			delete(open, key)
		} else if c.MaxEvents > 0 && len(s.rows) >= c.MaxEvents {
			s.closed = true
			delete(open, key)
		}
	}
	var out []Row
	for _, s := range all {
		complete := (c.Start == nil || s.started) && (c.End == nil || s.ended)
		if !complete && !c.KeepEvicted {
			continue
		}
		out = append(out, txnRow(c, s, complete))
	}
	return out, nil
}

func (ev *evaluator) txnMatch(f *query.TxnFilter, r Row) bool {
	if f.Eval != nil {
		return truthy(ev.expr(f.Eval, r))
	}
	return f.Search.Expr == nil || ev.matchAnd(f.Search.Expr, r)
}

// txnRow is the row of a session: each field's values (a multi-value's
// each), the distinct ones sorted as text, or with mvlist all in order;
// one value stays as it is.
func txnRow(c *query.TransactionCmd, s *txnSession, complete bool) Row {
	vals := map[string][]store.Value{}
	var raws []string
	for _, r := range s.rows {
		for k, v := range r {
			switch k {
			case store.ColTime, "duration", "eventcount", "closed_txn":
				continue
			case store.ColRaw:
				continue
			}
			one := []store.Value{v}
			if v.K == store.KindString && strings.Contains(v.S, "\n") {
				one = nil
				for _, p := range strings.Split(v.S, "\n") {
					one = append(one, store.Str(p))
				}
			}
			vals[k] = append(vals[k], one...)
		}
		if raw := r.Get(store.ColRaw); raw.K != store.KindNull {
			raws = append(raws, raw.String())
		}
	}
	first := s.rows[0].Get(store.ColTime).I
	last := s.rows[len(s.rows)-1].Get(store.ColTime).I
	out := Row{store.ColTime: store.Time(first), "duration": store.Float(float64(last-first) / 1e9),
		"eventcount": store.Int(int64(len(s.rows)))}
	if len(raws) > 0 {
		out.Set(store.ColRaw, store.Str(strings.Join(raws, "\n")))
	}
	for k, vs := range vals {
		if !c.MVList {
			var distinct []store.Value
			for _, v := range vs {
				if !slices.ContainsFunc(distinct, func(d store.Value) bool { return d.String() == v.String() }) {
					distinct = append(distinct, v)
				}
			}
			vs = distinct
		}
		if len(vs) == 1 {
			out.Set(k, vs[0])
			continue
		}
		texts := make([]string, len(vs))
		for i, v := range vs {
			texts[i] = v.String()
		}
		if !c.MVList {
			slices.Sort(texts)
		}
		out.Set(k, store.Str(strings.Join(texts, "\n")))
	}
	if c.KeepEvicted {
		closed := int64(0)
		if complete && s.closed {
			closed = 1
		}
		out.Set("closed_txn", store.Int(closed))
	}
	return out
}
