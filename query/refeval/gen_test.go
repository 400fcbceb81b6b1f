package refeval

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"loghunt/store"
)

// The query generator: random valid queries over a store's fields, from
// every stage, aggregate, function and search form of the grammar. It
// tracks which fields each stage leaves (the schema), so that later
// stages mostly name fields that exist, and now and then one that does not.

// corpus is what the generator knows of a store: sample values of each
// field and sample _raw texts.
type corpus struct {
	fields  []string
	samples map[string][]store.Value
	raws    []string
	lookup  string // a CSV file for lookup, keyed by "key"
}

func newCorpus(rows []Row, lookup string, rnd *rand.Rand) *corpus {
	c := &corpus{samples: map[string][]store.Value{}, lookup: lookup}
	perm := rnd.Perm(len(rows))
	for _, i := range perm[:min(len(perm), 400)] {
		r := rows[i]
		for k, v := range r {
			if k == store.ColRaw {
				c.raws = append(c.raws, v.String())
				continue
			}
			if len(c.samples[k]) < 40 {
				c.samples[k] = append(c.samples[k], v)
			}
		}
	}
	for k := range c.samples {
		c.fields = append(c.fields, k)
	}
	slices.Sort(c.fields)
	return c
}

// schema is what the generator knows of the rows after a stage.
type schema struct {
	fields  []string // fields the rows may have
	hasTime bool     // _time is a time value in every row
	ordered bool     // rows are in time order
	hasRaw  bool
	series  bool // rows of a timechart: one per time bucket, evenly spaced
}

func (s schema) with(names ...string) schema {
	out := s
	out.fields = slices.Clone(s.fields)
	for _, n := range names {
		if !slices.Contains(out.fields, n) {
			out.fields = append(out.fields, n)
		}
	}
	return out
}

type gen struct {
	r   *rand.Rand
	c   *corpus
	seq int
	// noSub keeps subsearches out of the terms being made (transaction's
	// startswith, a subsearch's own terms).
	noSub bool
}

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pickOf[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// name returns a fresh field name.
func (g *gen) name(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s%d", prefix, g.seq)
}

// field picks a field of the schema, now and then one no row has.
func (g *gen) field(s schema) string {
	if len(s.fields) == 0 || g.chance(0.04) {
		return pickOf(g, []string{"nosuch", "User", "n2"})
	}
	return pickOf(g, s.fields)
}

// value picks a sample value of a field (or of any field).
func (g *gen) value(f string) store.Value {
	if vs := g.c.samples[f]; len(vs) > 0 && g.chance(0.8) {
		return pickOf(g, vs)
	}
	if g.chance(0.5) && len(g.c.fields) > 0 {
		if vs := g.c.samples[pickOf(g, g.c.fields)]; len(vs) > 0 {
			return pickOf(g, vs)
		}
	}
	return pickOf(g, []store.Value{store.Str("nan"), store.Str("inf"), store.Str(""), store.Int(0), store.Int(10),
		store.Str("10"), store.Float(1.5), store.Str("root"), store.Str("007"), store.Int(-3), store.Str("x y")})
}

// quote quotes s as a query string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

var (
	exprIdent   = regexp.MustCompile(`^[A-Za-z_@\x80-\xff][A-Za-z0-9_.@\x80-\xff]*$`)
	argsIdent   = regexp.MustCompile(`^[A-Za-z_@\x80-\xff][A-Za-z0-9_.@/\-\x80-\xff]*$`)
	searchField = regexp.MustCompile(`^[A-Za-z_@\x80-\xff][A-Za-z0-9_.@\-\x80-\xff]*$`)
	exprKeyword = map[string]bool{"and": true, "or": true, "not": true, "like": true, "in": true, "true": true, "false": true, "null": true}
	argsKeyword = map[string]bool{"by": true, "as": true, "output": true}
	srchKeyword = map[string]bool{"and": true, "or": true, "not": true, "in": true}
)

// exprField writes a field name for where and eval.
func exprField(f string) string {
	if exprIdent.MatchString(f) && !exprKeyword[strings.ToLower(f)] {
		return f
	}
	return "`" + f + "`"
}

// argField writes a field name for the other stages.
func argField(f string) string {
	if argsIdent.MatchString(f) && !argsKeyword[strings.ToLower(f)] && !strings.HasSuffix(f, "-") {
		return f
	}
	return "`" + f + "`"
}

func srchField(f string) string {
	if searchField.MatchString(f) && !srchKeyword[strings.ToLower(f)] && !strings.EqualFold(f, "earliest") && !strings.EqualFold(f, "latest") {
		return f
	}
	return "`" + f + "`"
}

// usable reports whether a field can be named at all (in backquotes if
// need be).
func usable(f string) bool { return f != "" && !strings.Contains(f, "`") }

// query makes one query and the stages' count.
func (g *gen) query() string {
	s := schema{fields: slices.DeleteFunc(slices.Clone(g.c.fields), func(f string) bool { return !usable(f) }),
		hasTime: true, ordered: true, hasRaw: true}
	var parts []string
	if g.chance(0.04) {
		parts = append(parts, "", pickOf(g, []string{"makeresults", "makeresults count=1", "makeresults count=5", "makeresults count=4097"}))
		s = schema{fields: []string{store.ColTime}, hasTime: true, ordered: true}
	} else if g.chance(0.03) && g.c.lookup != "" {
		max := pickOf(g, []string{"", "max=1 ", "max=5 "})
		parts = append(parts, "", "inputlookup "+max+quote(g.c.lookup))
		s = schema{fields: []string{"key", "risk", "owner", "note", "status"}}
	} else if g.chance(0.15) {
		parts = append(parts, "")
	} else {
		parts = append(parts, g.search(true))
	}
	for n := g.pick(5); n > 0; n-- {
		st, next := g.stage(s)
		if s.series && g.chance(0.5) { // a timechart's series: decompose it
			st, next = g.decompose(s)
		}
		parts = append(parts, st)
		s = next
	}
	q := strings.Join(parts, " | ")
	if parts[0] == "" {
		q = "| " + strings.Join(parts[1:], " | ")
		if len(parts) == 1 {
			q = "*"
		}
	}
	return q
}

// search makes the terms of a search.
func (g *gen) search(first bool) string {
	var terms []string
	for n := 1 + g.pick(3); n > 0; n-- {
		terms = append(terms, g.term(2))
	}
	if first && g.chance(0.2) {
		terms = append(terms, pickOf(g, []string{"earliest=-1h", "earliest=-10m", "latest=-5m", "earliest=-1d@d",
			"latest=@h", "earliest=-30s", "earliest=2023-11-14", "latest=now", "earliest=-2h@h latest=-1h",
			"earliest=1700000030", "latest=-1mon"}))
	}
	if g.chance(0.1) {
		terms = append(terms, "*")
	}
	join := " "
	if g.chance(0.2) {
		join = " AND "
	}
	return strings.Join(terms, join)
}

func (g *gen) term(depth int) string {
	k := g.pick(12)
	if depth <= 0 && k >= 9 {
		k = g.pick(9)
	}
	if !g.noSub && g.chance(0.03) {
		return g.subsearchTerm()
	}
	switch k {
	case 0, 1, 2:
		return g.word()
	case 3:
		return g.phrase()
	case 4, 5:
		return g.fieldTerm()
	case 6:
		f := g.field(schema{fields: g.c.fields})
		var vals []string
		for n := 1 + g.pick(3); n > 0; n-- {
			vals = append(vals, g.searchValue(f))
		}
		sep := ", "
		if g.chance(0.3) {
			sep = " "
		}
		return srchField(f) + " IN (" + strings.Join(vals, sep) + ")"
	case 7, 8:
		return g.fieldTerm()
	case 9:
		return "NOT " + g.term(depth-1)
	case 10:
		return g.term(depth-1) + " OR " + g.term(depth-1)
	}
	inner := []string{g.term(depth - 1)}
	for n := g.pick(2); n >= 0; n-- {
		op := pickOf(g, []string{" ", " OR ", " AND "})
		inner = append(inner, op+g.term(depth-1))
	}
	return "(" + strings.Join(inner, "") + ")"
}

var tokenRe = regexp.MustCompile(`[A-Za-z0-9_\x80-\xff]+`)

// rawWords are the runs of _raw between spaces that are single search
// words.
func rawWord(s string) bool {
	if s == "" || strings.ContainsAny(s, "|()=<>,\"'`[]") || strings.Contains(s, "!=") || strings.HasSuffix(s, "!") {
		return false
	}
	return !srchKeyword[strings.ToLower(s)] && !strings.EqualFold(s, "search")
}

// word makes a bare search word: a token or a space-free run of a _raw,
// in another case now and then, with '*' wildcards.
func (g *gen) word() string {
	if len(g.c.raws) == 0 {
		return "x"
	}
	raw := pickOf(g, g.c.raws)
	var w string
	if g.chance(0.6) {
		toks := tokenRe.FindAllString(raw, -1)
		if len(toks) == 0 {
			return "x"
		}
		w = pickOf(g, toks)
	} else {
		runs := strings.Fields(raw)
		if len(runs) == 0 {
			return "x"
		}
		w = pickOf(g, runs)
	}
	if !rawWord(w) {
		return "x"
	}
	if g.chance(0.2) {
		w = strings.ToUpper(w)
	}
	r := []rune(w)
	switch g.pick(8) {
	case 0:
		if len(r) > 1 {
			w = string(r[:1+g.pick(len(r)-1)]) + "*"
		}
	case 1:
		w = "*" + string(r[g.pick(len(r)):])
	case 2:
		if len(r) > 2 {
			i := 1 + g.pick(len(r)-2)
			w = string(r[:i]) + "*" + string(r[i+1:])
		}
	case 3:
		if len(r) > 3 {
			w = string(r[:1]) + "*" + string(r[len(r)-1:])
		}
	}
	if w == "*" || strings.Trim(w, "*") == "" {
		return "x"
	}
	return w
}

// phrase makes a quoted phrase: words of a _raw, or a piece of one.
func (g *gen) phrase() string {
	if len(g.c.raws) == 0 {
		return `"x"`
	}
	raw := pickOf(g, g.c.raws)
	runs := strings.Fields(raw)
	if len(runs) == 0 {
		return `""`
	}
	i := g.pick(len(runs))
	j := min(len(runs), i+1+g.pick(3))
	p := strings.Join(runs[i:j], " ")
	if r := []rune(p); g.chance(0.2) && len(r) > 3 {
		a := g.pick(len(r) / 2)
		p = string(r[a : a+1+g.pick(len(r)-a-1)])
	}
	if g.chance(0.2) {
		p = strings.ToLower(p)
	}
	return quote(p)
}

// searchValue writes a value to compare a field with.
func (g *gen) searchValue(f string) string {
	v := g.value(f).String()
	switch r := []rune(v); g.pick(8) {
	case 0:
		if len(r) > 1 {
			v = string(r[:1+g.pick(len(r)-1)]) + "*"
		}
	case 1:
		v = strings.ToUpper(v)
	}
	if rawWord(v) && !strings.HasPrefix(v, "-") {
		return v
	}
	return quote(v)
}

func (g *gen) fieldTerm() string {
	f := g.field(schema{fields: g.c.fields})
	op := pickOf(g, []string{"=", "=", "=", "!=", "<", "<=", ">", ">="})
	v := g.searchValue(f)
	if op != "=" && op != "!=" && strings.Contains(v, "*") {
		v = strings.ReplaceAll(v, "*", "")
		if v == "" || v == `""` {
			v = "5"
		}
	}
	return srchField(f) + op + v
}

// stage makes one stage after the first and the schema after it.
func (g *gen) stage(s schema) (string, schema) {
	if g.chance(0.15) {
		return g.pivotStage(s) // gen_pivot_test.go
	}
	switch g.pick(36) {
	case 0:
		return "search " + g.search(false), s
	case 34:
		return g.spath(s)
	case 35:
		return g.lookupFiles(s)
	case 30:
		return g.transaction(s)
	case 31:
		return g.join(s)
	case 32:
		return g.appendStage(s)
	case 33:
		return g.appendpipe(s)
	case 1, 2:
		return "where " + g.expr(s, 3), s
	case 3, 4:
		var parts []string
		var names []string
		for n := 1 + g.pick(3); n > 0; n-- {
			name := g.name("e")
			if g.chance(0.2) && len(s.fields) > 0 {
				if f := g.field(s); f != store.ColTime && f != store.ColRaw {
					name = f
				}
			}
			parts = append(parts, exprField(name)+" = "+g.expr(s.with(names...), 3))
			names = append(names, name)
		}
		return "eval " + strings.Join(parts, ", "), s.with(names...)
	case 5:
		return g.rex(s)
	case 6:
		return g.fieldsStage(s)
	case 7:
		a := g.field(s)
		if a == store.ColTime || a == store.ColRaw {
			return "head 100", s
		}
		b := g.name("r")
		if g.chance(0.25) {
			if f := g.field(s); f != store.ColTime && f != store.ColRaw && f != a {
				b = f
			}
		}
		out := s
		out.fields = slices.DeleteFunc(slices.Clone(s.fields), func(f string) bool { return f == a })
		return "rename " + argField(a) + " as " + argField(b), out.with(b)
	case 8, 9, 10:
		return g.stats(s)
	case 11:
		return g.bin(s)
	case 12:
		return g.timechart(s)
	case 13:
		aggs, names := g.aggsNamed(s, 1+g.pick(2), false, true)
		by := g.by(s, 2)
		return "eventstats " + aggs + by, s.with(names...)
	case 14:
		return g.streamstats(s)
	case 15, 16:
		var keys []string
		for n := 1 + g.pick(2); n > 0; n-- {
			keys = append(keys, pickOf(g, []string{"", "-", "+"})+argField(g.field(s)))
		}
		out := s
		out.ordered = false
		if keys[0] == store.ColTime || keys[0] == "+"+store.ColTime {
			out.ordered = true
		}
		return "sort " + strings.Join(keys, ", "), out
	case 17:
		return pickOf(g, []string{"head", "head 1", "head 5", "head 0", "head 37", "tail", "tail 3", "tail 0", "tail 200"}), s
	case 18:
		var fs []string
		for n := 1 + g.pick(2); n > 0; n-- {
			fs = append(fs, argField(g.field(s)))
		}
		return "dedup " + strings.Join(fs, ", "), s
	case 19, 20:
		return g.top(s)
	case 21:
		return g.lookupStage(s)
	case 22:
		return g.anomalies(s)
	case 23:
		return g.mvexpand(s)
	case 24:
		return g.fillnull(s)
	case 25:
		out := s
		out.ordered = false
		return "reverse", out
	case 26:
		f := g.field(s)
		op := pickOf(g, []string{"=", "!="})
		if g.chance(0.2) {
			return "regex " + quote(pickOf(g, regexLits)), s
		}
		return "regex " + exprField(f) + op + quote(pickOf(g, regexLits)), s
	case 27:
		f := g.field(s)
		st := "delta " + argField(f)
		out := "delta(" + f + ")"
		if g.chance(0.5) {
			out = g.name("d")
			st += " as " + argField(out)
		}
		if g.chance(0.4) {
			st += " p=" + pickOf(g, []string{"1", "2", "3", "7"})
		}
		return st, s.with(out)
	case 28:
		f := g.field(s)
		st := "autoregress " + argField(f)
		switch g.pick(3) {
		case 0:
			name := g.name("ar")
			return st + " as " + argField(name) + pickOf(g, []string{"", " p=2"}), s.with(name)
		case 1:
			return st, s.with(f + "_p1")
		}
		lo := 1 + g.pick(2)
		hi := lo + g.pick(3)
		var outs []string
		for p := lo; p <= hi; p++ {
			outs = append(outs, f+"_p"+strconv.Itoa(p))
		}
		return st + " p=" + strconv.Itoa(lo) + "-" + strconv.Itoa(hi), s.with(outs...)
	}
	f := store.ColRaw
	if !s.hasRaw || g.chance(0.3) {
		f = g.field(s)
	}
	opt := ""
	if f != store.ColRaw || g.chance(0.3) {
		opt = " field=" + argField(f)
	}
	return "patterns" + opt, s.with("pattern", "pattern_id")
}

func (g *gen) fieldsStage(s schema) (string, schema) {
	var fs []string
	for n := 1 + g.pick(4); n > 0; n-- {
		fs = append(fs, g.field(s))
	}
	out := s
	if g.chance(0.3) {
		out.fields = slices.DeleteFunc(slices.Clone(s.fields), func(f string) bool { return slices.Contains(fs, f) })
		out.hasTime = s.hasTime && !slices.Contains(fs, store.ColTime)
		out.hasRaw = s.hasRaw && !slices.Contains(fs, store.ColRaw)
		return "fields - " + argList(fs), out
	}
	if g.chance(0.5) {
		fs = append(fs, store.ColTime)
	}
	out.fields = nil
	out = out.with(fs...)
	out.hasTime = s.hasTime && slices.Contains(fs, store.ColTime)
	out.hasRaw = s.hasRaw && slices.Contains(fs, store.ColRaw)
	stage := "fields "
	if g.chance(0.5) {
		stage = "table "
	}
	return stage + argList(fs), out
}

func argList(fs []string) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = argField(f)
	}
	return strings.Join(parts, ", ")
}

var rexes = []string{`(?<w1>\w+)`, `user=(?<ru>\S+)`, `from (?<rip>\S+)`, `(?<num>\d+)`,
	`(?P<method>GET|POST) (?<rpath>\S+)`, `(?<a>x)?(?<b>y)?`, `(?<pid>\[\d+\])`, `(?i)(?<kw>failed|accepted)`,
	`for (invalid user )?(?<fuser>\S+) from (?<fip>\S+)`, `(?<dot>\d+\.\d+)`, `^(?<first>\S+)`}

func (g *gen) rex(s schema) (string, schema) {
	re := pickOf(g, rexes)
	var names []string
	for _, m := range regexp.MustCompile(`\(\?P?<(\w+)>`).FindAllStringSubmatch(re, -1) {
		names = append(names, m[1])
	}
	opt := ""
	if g.chance(0.3) || !s.hasRaw {
		opt = "field=" + argField(g.field(s)) + " "
	}
	return "rex " + opt + quote(re), s.with(names...)
}

var aggNames = []string{"count", "count", "dc", "distinct_count", "sum", "avg", "mean", "min", "max", "median",
	"stdev", "var", "stdevp", "varp", "perc95", "p50", "perc99.5", "exactperc90", "p0", "perc100", "values",
	"earliest", "latest", "first", "last", "range", "list", "mode", "estdc", "earliest_time", "latest_time", "rate",
	"upperperc90", "upperperc50", "upperperc0"}

// aggs makes n aggregates and their output names; timeOK says whether
// earliest and latest may be used.
func (g *gen) aggs(s schema, n int, noTime bool) (string, []string) {
	return g.aggsNamed(s, n, noTime, false)
}

// aggsNamed is aggs; with existing, an output may take the name of a
// field the rows have (eventstats and streamstats then replace it).
func (g *gen) aggsNamed(s schema, n int, noTime, existing bool) (string, []string) {
	var parts, names []string
	for i := 0; i < n; i++ {
		fn := pickOf(g, aggNames)
		if noTime && (fn == "earliest" || fn == "latest" || fn == "first" || fn == "last" || fn == "list" ||
			fn == "earliest_time" || fn == "latest_time" || fn == "rate") {
			fn = "max"
		}
		arg := ""
		if fn != "count" || g.chance(0.5) {
			arg = g.field(s)
		}
		a := fn
		out := fn
		if arg != "" {
			a += "(" + argField(arg) + ")"
			out = fn + "(" + arg + ")"
		}
		if g.chance(0.6) || slices.Contains(names, out) {
			out = g.name("a")
			if f := g.field(s); existing && g.chance(0.3) && f != store.ColTime && f != store.ColRaw && !slices.Contains(names, f) {
				out = f
			}
			a += " as " + argField(out)
		}
		parts = append(parts, a)
		names = append(names, out)
	}
	sep := ", "
	if g.chance(0.3) {
		sep = " "
	}
	return strings.Join(parts, sep), names
}

func (g *gen) by(s schema, most int) string {
	if g.chance(0.35) {
		return ""
	}
	var fs []string
	for n := 1 + g.pick(most); n > 0; n-- {
		f := g.field(s)
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return " by " + argList(fs)
}

func (g *gen) stats(s schema) (string, schema) {
	aggs, names := g.aggs(s, 1+g.pick(3), false)
	by := g.by(s, 2)
	var byFields []string
	if by != "" {
		for _, f := range strings.Split(by[4:], ", ") {
			byFields = append(byFields, strings.Trim(f, "`"))
		}
	}
	if g.chance(0.15) { // a trend per group
		in := pickOf(g, []string{"count", "dc", "sum", "avg", "mean", "min", "max", "range", "median", "p90",
			"perc99.5", "upperperc50", "stdev", "var", "stdevp", "varp", "estdc", "rate", "distinct_count", "exactperc75"})
		if in != "count" || g.chance(0.5) {
			in += "(" + argField(g.field(s)) + ")"
		}
		name := g.name("sp")
		aggs = "sparkline(" + in + ", " + pickOf(g, []string{"1h", "6h", "1d", "7d", "30m", "90m"}) + ") as " + name + ", " + aggs
		names = append(names, name)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(byFields, n) })
	out := schema{}
	out = out.with(byFields...).with(names...)
	out.hasTime = len(byFields) > 0 && byFields[0] == store.ColTime && s.hasTime
	out.ordered = out.hasTime
	stage := "stats " + aggs + by
	if strings.Contains(stage, " as ") && hasDup(append(byFields, names...)) {
		return "head 50", s
	}
	return stage, out
}

func hasDup(xs []string) bool {
	seen := map[string]bool{}
	for _, x := range xs {
		if seen[x] {
			return true
		}
		seen[x] = true
	}
	return false
}

var spans = []string{"1s", "10s", "1m", "5m", "1h", "1d", "90s", "500ms", "2h", "1w", "1.5m"}

func (g *gen) bin(s schema) (string, schema) {
	span := pickOf(g, spans)
	switch g.pick(3) {
	case 0:
		return "bin span=" + span, s
	case 1:
		return "bin _time span=" + span, s
	}
	f := g.field(s)
	out := s
	if f == store.ColTime {
		return "bin span=" + span + " " + argField(f), s
	}
	return "bin " + argField(f) + " span=" + pickOf(g, []string{"1s", "10s", "5m", "500ms", "100s"}), out
}

func (g *gen) timechart(s schema) (string, schema) {
	span := pickOf(g, []string{"1m", "5m", "1h", "10s", "30s", "1d", "2h"})
	n := 1 + g.pick(2)
	by := ""
	if g.chance(0.5) {
		by = " by " + argField(g.field(s))
		n = 1
	}
	aggs, names := g.aggs(s, n, false)
	if g.chance(0.3) { // per_second and its kin are timechart's alone
		fn := pickOf(g, []string{"per_second", "per_minute", "per_hour", "per_day"})
		f := g.field(s)
		out := fn + "(" + f + ")"
		agg := fn + "(" + argField(f) + ")"
		if g.chance(0.4) {
			out = g.name("p")
			agg += " as " + argField(out)
		}
		if by != "" {
			aggs, names = agg, []string{out}
		} else if !slices.Contains(names, out) {
			aggs, names = agg+", "+aggs, append([]string{out}, names...)
		}
	}
	limit := ""
	if g.chance(0.5) {
		limit = pickOf(g, []string{"limit=1", "limit=2", "limit=3", "limit=0", "limit=10"})
	}
	var stage string
	switch g.pick(4) {
	case 0:
		stage = "timechart span=" + span + " " + aggs + by + " " + limit
	case 1:
		stage = "timechart " + limit + " span=" + span + " " + aggs + by
	case 2:
		stage = "timechart " + aggs + by + " span=" + span + " " + limit
	default:
		stage = "timechart " + limit + " " + aggs + by + " span=" + span
	}
	out := schema{hasTime: true, ordered: true, series: true}
	out = out.with(store.ColTime)
	if by == "" {
		out = out.with(names...)
	}
	return strings.Join(strings.Fields(stage), " "), out
}

// decompose is anomalies method=decompose on a timechart's series, now
// and then by a field (each value a series of its own, often too short).
func (g *gen) decompose(s schema) (string, schema) {
	return g.decomposeBy(s, "")
}

// decomposeBy is decompose by the field by ("": by a random field now
// and then).
func (g *gen) decomposeBy(s schema, by string) (string, schema) {
	fs := []string{g.field(s)}
	if g.chance(0.3) {
		if f2 := g.field(s); f2 != fs[0] {
			fs = append(fs, f2)
		}
	}
	stage := "anomalies method=decompose " + argList(fs)
	out := s.with("anomaly_score", "is_anomaly", "anomaly_reason")
	for _, f := range fs {
		if len(fs) == 1 {
			out = out.with("expected", "lower", "upper")
		} else {
			out = out.with("expected_"+f, "lower_"+f, "upper_"+f)
		}
	}
	if by == "" && g.chance(0.2) {
		by = g.field(s)
	}
	if by != "" {
		stage += " by " + argField(by)
	}
	if g.chance(0.6) {
		stage += " period=" + pickOf(g, []string{"auto", "none", "1d", "1h", "2h", "10m", "3m", "1w"})
	}
	if g.chance(0.3) {
		stage += " k=" + pickOf(g, []string{"1.5", "3", "0.5", "1"})
	}
	return stage, out
}

func (g *gen) streamstats(s schema) (string, schema) {
	var opts []string
	if g.chance(0.4) {
		opts = append(opts, "window="+pickOf(g, []string{"1", "2", "3", "10", "0"}))
	}
	timeOK := s.hasTime && s.ordered
	if timeOK && g.chance(0.3) {
		opts = append(opts, "time_window="+pickOf(g, []string{"1s", "30s", "5m", "1h", "500ms"}))
	}
	aggs, names := g.aggsNamed(s, 1+g.pick(2), !s.hasTime, true)
	opt := strings.Join(opts, " ")
	if opt != "" {
		opt += " "
	}
	return "streamstats " + opt + aggs + g.by(s, 2), s.with(names...)
}

func (g *gen) top(s schema) (string, schema) {
	stage := pickOf(g, []string{"top", "rare"})
	if g.chance(0.3) {
		stage += " " + pickOf(g, []string{"1", "3", "0", "20"})
	} else if g.chance(0.3) {
		stage += " limit=" + pickOf(g, []string{"1", "2", "5", "0"})
	}
	f := g.field(s)
	if f == "count" || f == "percent" {
		f = "nosuch"
	}
	fs := []string{f}
	if g.chance(0.25) {
		if f2 := g.field(s); f2 != f && f2 != "count" && f2 != "percent" {
			fs = append(fs, f2)
		}
	}
	stage += " " + argList(fs)
	out := schema{}
	out = out.with(fs...).with("count", "percent")
	if g.chance(0.4) {
		b := g.field(s)
		if !slices.Contains(fs, b) && b != "count" && b != "percent" {
			stage += " by " + argField(b)
			out = out.with(b)
		}
	}
	return stage, out
}

func (g *gen) lookupStage(s schema) (string, schema) {
	if g.c.lookup == "" {
		return "head 1000", s
	}
	f := pickOf(g, []string{"user", "ip", "status", g.field(s)})
	stage := "lookup " + quote(g.c.lookup) + " key"
	if f != "key" {
		stage += " as " + argField(f)
	}
	outs := []string{"risk", "owner", "note", "status"}
	if g.chance(0.6) {
		g.r.Shuffle(len(outs), func(i, j int) { outs[i], outs[j] = outs[j], outs[i] })
		outs = outs[:1+g.pick(4)]
		stage += " OUTPUT " + strings.Join(outs, ", ")
	}
	return stage, s.with(outs...)
}

func (g *gen) anomalies(s schema) (string, schema) {
	if s.series && g.chance(0.6) {
		return g.decompose(s)
	}
	f1 := g.field(s)
	fs := []string{f1}
	method := ""
	if g.chance(0.4) {
		method = " method=mad"
	} else if g.chance(0.5) {
		if f2 := g.field(s); f2 != f1 {
			fs = append(fs, f2)
		}
		method = " trees=" + pickOf(g, []string{"10", "50", "100"}) + " sample=" + pickOf(g, []string{"16", "64", "256"})
	}
	stage := "anomalies " + argList(fs)
	out := s.with("anomaly_score", "is_anomaly")
	if g.chance(0.3) {
		b := g.field(s)
		stage += " by " + argField(b)
		out = out.with("anomaly_baseline")
	}
	stage += method
	if g.chance(0.5) {
		stage += " contamination=" + pickOf(g, []string{"0.01", "0.05", "0.1", "0.5", "auto", "0.2"})
	}
	if g.chance(0.3) {
		stage += " seed=" + strconv.Itoa(g.pick(5))
	}
	return stage, out
}
