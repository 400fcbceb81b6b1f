package refeval

import (
	"path/filepath"
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
			g.noSub = true
			opts = append(opts, name+"="+quote(g.term(1)))
			g.noSub = false
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

// subTerms are the terms of a subsearch, without subsearches of their own.
func (g *gen) subTerms() string {
	was := g.noSub
	g.noSub = true
	defer func() { g.noSub = was }()
	return g.search(false)
}

// subsearchTerm is a subsearch in search terms: a few rows of one or two
// fields (or a multi-value), now and then with maxout=.
func (g *gen) subsearchTerm() string {
	all := schema{fields: g.c.fields}
	f := g.field(all)
	n := pickOf(g, []string{"1", "3", "10"})
	var q string
	switch g.pick(4) {
	case 0:
		q = "search " + g.subTerms() + " | dedup " + argField(f) + " | head " + n + " | fields " + argField(f)
	case 1:
		q = g.subTerms() + " | head " + n + " | fields " + argList([]string{f, g.field(all)})
	case 2:
		q = "| makeresults | eval " + exprField(f) + " = " + quote(g.value(f).String()) + " | fields " + argField(f)
	default:
		q = g.subTerms() + " | head 20 | stats count by " + argField(f) + " | eval " + exprField(f) + ` = split(` + exprField(f) + `, ".") | fields ` + argField(f)
	}
	opt := ""
	if g.chance(0.2) {
		opt = "maxout=" + pickOf(g, []string{"1", "2", "5"}) + " "
	}
	return "[" + opt + q + "]"
}

// join joins on one or two fields with a subsearch's rows.
func (g *gen) join(s schema) (string, schema) {
	all := schema{fields: g.c.fields}
	keys := []string{g.field(s)}
	if g.chance(0.2) {
		if k := g.field(s); k != keys[0] {
			keys = append(keys, k)
		}
	}
	st := "join"
	if g.chance(0.5) {
		st += " type=" + pickOf(g, []string{"inner", "left", "outer"})
	}
	if g.chance(0.4) {
		st += " max=" + pickOf(g, []string{"0", "1", "2", "5"})
	}
	if g.chance(0.2) {
		st += " overwrite=" + pickOf(g, []string{"true", "false"})
	}
	if g.chance(0.1) {
		st += " maxout=" + pickOf(g, []string{"1", "3"})
	}
	st += " " + argList(keys)
	var adds []string
	var sub string
	if g.chance(0.5) {
		name := g.name("j")
		adds = append(adds, name)
		sub = g.subTerms() + " | stats count as " + argField(name) + " by " + argList(keys)
	} else {
		extra := g.field(all)
		adds = append(adds, extra)
		sub = "search " + g.subTerms() + " | head " + pickOf(g, []string{"5", "30", "200"}) + " | fields " + argList(append(slices.Clone(keys), extra))
	}
	return st + " [" + sub + "]", s.with(adds...)
}

// appendStage adds a subsearch's rows: events or aggregates.
func (g *gen) appendStage(s schema) (string, schema) {
	all := schema{fields: g.c.fields}
	opt := ""
	if g.chance(0.15) {
		opt = "maxout=" + pickOf(g, []string{"1", "4"}) + " "
	}
	out := s.with(g.c.fields...)
	out.ordered = false
	if g.chance(0.5) {
		f := g.field(all)
		out = s.with(f, "count")
		out.ordered, out.hasTime = false, false
		return "append " + opt + "[search " + g.subTerms() + " | stats count by " + argField(f) + "]", out
	}
	out.hasTime = s.hasTime
	return "append " + opt + "[" + g.subTerms() + " | head " + pickOf(g, []string{"3", "50"}) + "]", out
}

// appendpipe adds the result of stages run on the rows.
func (g *gen) appendpipe(s schema) (string, schema) {
	out := s
	out.ordered = false
	switch g.pick(3) {
	case 0:
		f := g.field(s)
		if f == "count" {
			f = "nosuch" // stats count by count names two outputs count
		}
		out = out.with("count")
		out.hasTime = s.hasTime && f == store.ColTime
		return "appendpipe [stats count by " + argField(f) + "]", out
	case 1:
		name := g.name("p")
		return "appendpipe [head " + pickOf(g, []string{"1", "3"}) + " | eval " + name + " = " + g.expr(s, 2) + "]", out.with(name)
	}
	aggs, names := g.aggs(s, 1, false)
	out = out.with(names...)
	out.hasTime = false
	return "appendpipe [stats " + aggs + " | eval total = \"all\"]", out.with("total")
}

// spath extracts from the Zeek JSON lines' _raw of the real store, or
// from a JSON document eval makes of fields (null when one is missing;
// not JSON when a value breaks it: both sides keep the row then).
func (g *gen) spath(s schema) (string, schema) {
	if g.chance(0.3) {
		if g.chance(0.4) {
			return "spath", s.with("uid", "id_orig_h", "query", "answers{}", "@stream")
		}
		out := g.name("sp")
		p := pickOf(g, []string{"uid", "id_orig_h", "query", "answers{}", "answers{0}", "@stream", "nosuch", "TTLs"})
		return "spath output=" + out + " path=" + quote(p), s.with(out)
	}
	j := g.name("j")
	a, b := exprField(g.field(s)), exprField(g.field(s))
	doc := quote(`{"u":"`) + " + tostring(" + a + ") + " + quote(`","v":["`) + " + tostring(" + b + ") + " +
		quote(`",{"w":"`) + " + tostring(" + a + ") + " + quote(`"},[true,null,"x"]],"o":{"p":`) + " + tostring(len(tostring(" + b + "))) + " +
		quote(`,"q.r":{"s":[]}},"u":"dup"}`)
	ev := "eval " + j + " = " + doc + " | "
	if g.chance(0.35) {
		return ev + "spath input=" + j, s.with(j, "u", "v{}", "v{}.w", "v{}{}", "o.p")
	}
	out := g.name("sp")
	p := pickOf(g, []string{"u", "v{}", "v{0}", "v{1}.w", "v{}.w", "v{2}{}", "v{}{}", "o", "o.p", "v", "nosuch", "{}", "q.r", "o.q.r.s", "o.q.r"})
	return ev + "spath input=" + j + " output=" + out + " path=" + quote(p), s.with(j, out)
}

// lookupFiles writes the rows to a CSV file and passes them on, or reads
// the file back after them (what was written, typed again), or adds the
// rows of the lookup file after them.
func (g *gen) lookupFiles(s schema) (string, schema) {
	if g.c.lookup == "" {
		return "head 50", s
	}
	out := quote(filepath.Join(filepath.Dir(g.c.lookup), "out.csv"))
	app := pickOf(g, []string{"", "append=true ", "append=false "})
	switch g.pick(3) {
	case 0:
		return "outputlookup " + app + out, s
	case 1:
		o := s
		o.ordered, o.hasTime, o.hasRaw = false, false, false
		return "head 20 | outputlookup " + out + " | inputlookup append=true " + out, o
	}
	o := s.with("key", "risk", "owner", "note", "status")
	o.ordered, o.hasTime = false, false
	return "inputlookup append=true " + quote(g.c.lookup), o
}
