package refeval

import (
	"slices"
	"strings"

	"loghunt/store"
)

// Generators of the stages added with multi-values and the Splunk
// staples (fillnull, mvexpand): the rest are in gen_test.go.

// mvexpand splits a field into a multi-value and expands it, or expands
// a field as it is.
func (g *gen) mvexpand(s schema) (string, schema) {
	lim := ""
	if g.chance(0.3) {
		lim = " limit=" + pickOf(g, []string{"1", "2", "5"})
	}
	f := g.field(s)
	if f == store.ColTime || g.chance(0.3) {
		return "mvexpand " + argField(f) + lim, s
	}
	name := g.name("mv")
	sep := quote(pickOf(g, []string{" ", ".", "/", ":", "=", ""}))
	out := s.with(name)
	out.ordered = s.ordered
	return "eval " + name + " = split(" + exprField(f) + ", " + sep + ") | mvexpand " + name + lim, out
}

// fillnull fills some fields, or every one.
func (g *gen) fillnull(s schema) (string, schema) {
	st := "fillnull"
	if g.chance(0.5) {
		st += " value=" + pickOf(g, []string{"0", "NA", `"n a"`, "1.5", "-3", "x"})
	}
	if g.chance(0.4) {
		return st, s
	}
	var fs []string
	for n := 1 + g.pick(3); n > 0; n-- {
		fs = append(fs, g.field(s))
	}
	return st + " " + argList(fs), s.with(fs...)
}

// transaction groups rows in time order into sessions; on rows out of
// time order, or without _time, both sides fail.
func (g *gen) transaction(s schema) (string, schema) {
	if !s.hasTime || !s.ordered {
		if g.chance(0.9) {
			return "head 200", s
		}
	}
	parts := []string{"transaction"}
	var fs []string
	for n := g.pick(3); n > 0; n-- {
		fs = append(fs, g.field(s))
	}
	if len(fs) > 0 {
		parts = append(parts, argList(fs))
	}
	var opts []string
	if g.chance(0.4) {
		opts = append(opts, "maxpause="+pickOf(g, []string{"1s", "10s", "1m", "5m", "1h", "-1"}))
	}
	if g.chance(0.3) {
		opts = append(opts, "maxspan="+pickOf(g, []string{"1s", "30s", "2m", "10m", "1d"}))
	}
	if g.chance(0.3) {
		opts = append(opts, "maxevents="+pickOf(g, []string{"1", "2", "3", "10", "-1"}))
	}
	for _, name := range []string{"startswith", "endswith"} {
		if !g.chance(0.3) {
			continue
		}
		if g.chance(0.5) {
			opts = append(opts, name+"=eval("+g.expr(s, 2)+")")
		} else {
			opts = append(opts, name+"="+quote(g.term(1)))
		}
	}
	out := s.with("duration", "eventcount")
	if g.chance(0.4) {
		opts = append(opts, "keepevicted="+pickOf(g, []string{"true", "false", "1"}))
		out = out.with("closed_txn")
	}
	if g.chance(0.2) {
		opts = append(opts, "mvlist="+pickOf(g, []string{"true", "false"}))
	}
	g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	out.hasTime, out.ordered = true, true
	st := strings.Join(append(parts, opts...), " ")
	if slices.Contains(s.fields, "anomaly_score") {
		// refeval's anomaly_reason stands for any text with its start
		// (PrefixMark), which a union of values cannot keep.
		st = "fields - anomaly_reason | " + st
	}
	return st, out
}
