package refeval

import (
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// subsearch evaluates a subsearch over every event within the range of
// the query it is in (its own earliest= and latest= replacing a bound)
// and returns its first maxout rows.
func (ev *evaluator) subsearch(s *query.Subsearch, maxout int) ([]Row, error) {
	sub := &evaluator{opt: Options{LookupDir: ev.opt.LookupDir}, now: ev.now, events: ev.events,
		window: &[2]int64{ev.lo, ev.hi}}
	rows, err := sub.run(s.Stages)
	if err != nil {
		return nil, err
	}
	return rows[:min(len(rows), maxout)], nil
}

// matchSub is a subsearch in search terms: whether the row has, for some
// row of the subsearch with a field not starting with _, each such field
// equal (as field=value is) to that row's value, or to one of a
// multi-value's values.
func (ev *evaluator) matchSub(s *query.Subsearch, r Row) bool {
	rows, ok := ev.subs[s]
	if !ok {
		var err error
		if rows, err = ev.subsearch(s, s.MaxOut); err != nil {
			ev.err = err
		}
		if ev.subs == nil {
			ev.subs = map[*query.Subsearch][]Row{}
		}
		ev.subs[s] = rows
	}
	for _, sr := range rows {
		n, all := 0, true
		for f, v := range sr {
			if strings.HasPrefix(f, "_") || v.K == store.KindNull {
				continue
			}
			n++
			got := r.Get(f)
			any := false
			for _, part := range mvParts(v) {
				any = any || got.K != store.KindNull && valueEquals(part, got)
			}
			all = all && any
		}
		if n > 0 && all {
			return true
		}
	}
	return false
}

// join adds to each row the fields (but the join fields) of the first
// max subsearch rows (every one with max=0) whose join fields have the
// row's text; a subsearch value replaces the row's, or with
// overwrite=false only fills a null. type=inner drops rows without a
// match, left keeps them.
func (ev *evaluator) join(c *query.JoinCmd, rows []Row) ([]Row, error) {
	sub, err := ev.subsearch(c.Sub, c.MaxOut)
	if err != nil {
		return nil, err
	}
	keys := query.FieldNames(c.Fields)
	key := func(r Row) (string, bool) {
		var parts []string
		for _, k := range keys {
			v := r.Get(k)
			if v.K == store.KindNull {
				return "", false
			}
			parts = append(parts, v.String())
		}
		return strings.Join(parts, "\x00"), true
	}
	var out []Row
	for _, r := range rows {
		k, ok := key(r)
		n := 0
		for _, sr := range sub {
			if c.Max > 0 && n >= c.Max {
				break
			}
			if sk, sok := key(sr); !ok || !sok || sk != k {
				continue
			}
			n++
			o := r.Clone()
			for f, v := range sr {
				isKey := false
				for _, k := range keys {
					isKey = isKey || k == f
				}
				if !isKey && (c.Overwrite || o.Get(f).K == store.KindNull) {
					o.Set(f, v)
				}
			}
			out = append(out, o)
		}
		if n == 0 && c.Left {
			out = append(out, r)
		}
	}
	return out, nil
}
