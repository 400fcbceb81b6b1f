package refeval

import (
	"strconv"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// Multi-values are text holding one value per line (the .help of
// mvcount); anything else is one value, null none.

func mvParts(v store.Value) []string {
	if v.K == store.KindNull {
		return nil
	}
	return strings.Split(v.String(), "\n")
}

func mvJoined(parts []string) store.Value {
	if len(parts) == 0 {
		return store.Null
	}
	return store.Str(strings.Join(parts, "\n"))
}

// mvfilter evaluates the condition on a copy of the row whose one field
// holds each value in turn.
func (ev *evaluator) mvfilter(c *query.Call, r Row) store.Value {
	comp, err := query.CompileExpr(c.Args[0], nil)
	if err != nil || len(comp.Fields()) != 1 {
		panic("BUG: mvfilter passed the parser with a bad condition")
	}
	f := comp.Fields()[0]
	orig := r.Get(f)
	parts := mvParts(orig)
	var keep []string
	for _, p := range parts {
		one := Row{}
		if len(parts) == 1 {
			one.Set(f, orig)
		} else {
			one.Set(f, store.Str(p))
		}
		if truthy(ev.expr(c.Args[0], one)) {
			keep = append(keep, p)
		}
	}
	if len(parts) == 1 && len(keep) == 1 {
		return orig
	}
	return mvJoined(keep)
}

// mvCall evaluates mvcount, mvindex, mvjoin and mvdedup on non-null
// arguments; ok is false for other names.
func mvCall(name string, args []store.Value) (store.Value, bool) {
	switch name {
	case "mvcount":
		return store.Int(int64(len(mvParts(args[0])))), true
	case "mvjoin":
		return store.Str(strings.Join(mvParts(args[0]), args[1].String())), true
	case "mvdedup":
		parts := mvParts(args[0])
		if len(parts) == 1 {
			return args[0], true
		}
		var out []string
		for _, p := range parts {
			dup := false
			for _, q := range out {
				dup = dup || q == p
			}
			if !dup {
				out = append(out, p)
			}
		}
		return mvJoined(out), true
	case "mvindex":
		parts := mvParts(args[0])
		idx := func(v store.Value) (int, bool) {
			i, err := strconv.ParseInt(strings.TrimSpace(v.String()), 10, 64)
			switch {
			case v.K == store.KindBool:
				i = v.I
			case err != nil || v.K == store.KindFloat || v.K == store.KindTime:
				return 0, false
			}
			if i < 0 {
				i += int64(len(parts))
			}
			return int(max(min(i, 1<<40), -1<<40)), true
		}
		lo, ok := idx(args[1])
		if !ok || lo < 0 || lo >= len(parts) {
			return store.Null, true
		}
		hi := lo
		if len(args) == 3 {
			if hi, ok = idx(args[2]); !ok || hi < lo {
				return store.Null, true
			}
			hi = min(hi, len(parts)-1)
		}
		if len(parts) == 1 {
			return args[0], true
		}
		return mvJoined(parts[lo : hi+1]), true
	}
	return store.Null, false
}

// mvexpand repeats each row per value of the field (the first limit
// values); rows without it are dropped.
func mvexpand(c *query.MvexpandCmd, rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		v := r.Get(c.Field.Name)
		parts := mvParts(v)
		if c.Limit > 0 && len(parts) > c.Limit {
			parts = parts[:c.Limit]
		}
		for _, p := range parts {
			n := r.Clone()
			if len(parts) == 1 && !strings.Contains(v.String(), "\n") {
				n.Set(c.Field.Name, v)
			} else {
				n.Set(c.Field.Name, store.Str(p))
			}
			out = append(out, n)
		}
	}
	return out
}
