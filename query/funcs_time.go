package query

import (
	"math"
	"time"

	"loghunt/store"
)

// Time functions. A time argument may be a time value or a number of Unix
// seconds (a numeric string too); results are time values, in UTC.
func init() {
	for name, def := range map[string]funcDef{
		"now":           {0, 0, buildNow},
		"strftime":      {2, 2, strict(strftimeFn)},
		"strptime":      {2, 2, strict(strptimeFn)},
		"relative_time": {2, 2, buildRelativeTime},
	} {
		funcs[name] = def
	}
}

// toTime returns v as Unix nanoseconds.
func toTime(v store.Value) (int64, bool) {
	if v.K == store.KindTime {
		return v.I, true
	}
	n, ok := toExprNum(v)
	if !ok {
		return 0, false
	}
	if n.isInt {
		if n.i > 9.2e9 || n.i < -9.2e9 {
			return 0, false // seconds past the range of times
		}
		return n.i * 1e9, true
	}
	if math.IsNaN(n.f) || math.Abs(n.f) > 9.2e9 {
		return 0, false
	}
	return int64(math.Round(n.f * 1e9)), true
}

// buildNow is now(): EvalEnv.Now, the same for every row of a query.
func buildNow(fb *fnBuild) (exprNode, *posError) {
	return constNode{store.Time(fb.env.Now.UnixNano())}, nil
}

// strftimeFn is strftime(t, fmt): t formatted in UTC (see Strftime).
func strftimeFn(v []store.Value) store.Value {
	ns, ok := toTime(v[0])
	if !ok || v[1].IsNull() {
		return store.Null
	}
	return store.Str(Strftime(time.Unix(0, ns).UTC(), v[1].String()))
}

// strptimeFn is strptime(s, fmt): the time s holds, or null (see Strptime).
func strptimeFn(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	t, err := Strptime(v[0].String(), v[1].String())
	if err != nil {
		return store.Null
	}
	return store.Time(t.UnixNano())
}

// buildRelativeTime is relative_time(t, spec): spec (as earliest= takes,
// e.g. "-1d@d") applied to t; a literal spec is checked here.
func buildRelativeTime(fb *fnBuild) (exprNode, *posError) {
	if s, ok := fb.constString(1); ok {
		if _, err := ParseTimeSpec(s, time.Unix(0, 0).UTC()); err != nil {
			return nil, errorAtPos(fb.call.Args[1].Pos, "%v", err)
		}
	}
	return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
		ns, ok := toTime(v[0])
		if !ok || v[1].IsNull() {
			return store.Null
		}
		t, err := ParseTimeSpec(v[1].String(), time.Unix(0, ns).UTC())
		if err != nil {
			return store.Null
		}
		return store.Time(t.UnixNano())
	}}, nil
}
