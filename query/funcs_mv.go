package query

import (
	"strings"

	"loghunt/store"
)

// Multi-value fields. loghunt has no multi-value type: a multi-value is
// text holding its values one per line, as split() makes them (the
// terminal table shows the newlines as \n), so every stage carries,
// stores and prints one unchanged. Any other value is one value (a text
// with no newline, a number, a time); null is no values. The cost of no
// type of its own: a single text that holds a newline (a multi-line
// _raw) counts as one value per line.

// mvSep separates the values of a multi-value.
const mvSep = "\n"

// mvValues returns the values of v: none for null.
func mvValues(v store.Value) []string {
	if v.IsNull() {
		return nil
	}
	return strings.Split(v.String(), mvSep)
}

// mvValue makes a multi-value of parts: null for none.
func mvValue(parts []string) store.Value {
	if len(parts) == 0 {
		return store.Null
	}
	return store.Str(strings.Join(parts, mvSep))
}

func init() {
	for name, def := range map[string]funcDef{
		"mvcount":  {1, 1, strict1(func(v store.Value) store.Value { return store.Int(int64(len(mvValues(v)))) })},
		"mvindex":  {2, 3, strict(fnMVIndex)},
		"mvjoin":   {2, 2, strict(fnMVJoin)},
		"mvdedup":  {1, 1, strict1(fnMVDedup)},
		"mvfilter": {1, 1, buildMVFilter},
	} {
		funcs[name] = def
	}
}

// fnMVIndex is mvindex(mv, start[, end]): the value at start, or the
// values from start to end inclusive, 0-based, negative counting from the
// end (-1 is the last); null when start is past either end. An end past
// the last value stops at the last. A single value keeps its type.
func fnMVIndex(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	parts := mvValues(v[0])
	at := func(x store.Value) (int, bool) {
		n, ok := toExprNum(x)
		if !ok || !n.isInt {
			return 0, false
		}
		i := n.i
		if i < 0 {
			i += int64(len(parts))
		}
		return int(max(min(i, int64(len(parts))), -1)), true
	}
	start, ok := at(v[1])
	if !ok || start < 0 || start >= len(parts) {
		return store.Null
	}
	end := start
	if len(v) == 3 {
		if end, ok = at(v[2]); !ok || end < start {
			return store.Null
		}
		end = min(end, len(parts)-1)
	}
	if len(parts) == 1 {
		return v[0]
	}
	return mvValue(parts[start : end+1])
}

// fnMVJoin is mvjoin(mv, delim): the values joined by delim.
func fnMVJoin(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	return store.Str(strings.Join(mvValues(v[0]), v[1].String()))
}

// fnMVDedup keeps the first of each value, in order.
func fnMVDedup(v store.Value) store.Value {
	parts := mvValues(v)
	if len(parts) == 1 {
		return v
	}
	seen := make(map[string]bool, len(parts))
	out := parts[:0:0]
	for _, p := range parts {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return mvValue(out)
}

// mvFilterNode is mvfilter(cond): the values of the one field cond reads
// for which cond is true, cond seeing each value as that field alone.
type mvFilterNode struct {
	field string
	cond  exprNode
}

// buildMVFilter checks that the condition reads exactly one field, as
// Splunk requires.
func buildMVFilter(fb *fnBuild) (exprNode, *posError) {
	c, err := compileExpr(fb.call.Args[0], fb.env)
	if err != nil {
		return nil, err
	}
	if len(c.fields) != 1 {
		return nil, errorAtPos(fb.call.Args[0].Pos, "mvfilter's condition must read exactly one field, not %d (%s)", len(c.fields), strings.Join(c.fields, ", "))
	}
	return &mvFilterNode{field: c.fields[0], cond: fb.args[0]}, nil
}

func (n *mvFilterNode) bind(b *Batch) evalFn {
	col := b.Col(n.field)
	if col < 0 {
		return func(int) store.Value { return store.Null }
	}
	vals := b.Cols[col]
	one := &Batch{Fields: []string{n.field}, Cols: [][]store.Value{nil}}
	return func(r int) store.Value {
		parts := mvValues(vals[r])
		if len(parts) == 0 {
			return store.Null
		}
		one.Len = len(parts)
		one.Cols[0] = make([]store.Value, len(parts))
		if len(parts) == 1 {
			one.Cols[0][0] = vals[r] // a single value keeps its type
		} else {
			for i, p := range parts {
				one.Cols[0][i] = store.Str(p)
			}
		}
		cond := n.cond.bind(one)
		var keep []string
		for i, p := range parts {
			if cond(i).Truthy() {
				keep = append(keep, p)
			}
		}
		if len(keep) == 1 && len(parts) == 1 {
			return vals[r]
		}
		return mvValue(keep)
	}
}
