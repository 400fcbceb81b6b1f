package refeval

import (
	"slices"
	"strconv"
	"strings"

	"loghunt/store"
)

// Generators of the table-shaping stages: chart, xyseries, untable,
// addtotals and convert. gen.stage hands a share of its picks here.

func (g *gen) pivotStage(s schema) (string, schema) {
	switch g.pick(6) {
	case 1:
		return g.xyseries(s)
	case 2:
		return g.untable(s)
	case 3:
		return g.addtotals(s)
	case 4, 5:
		return g.convert(s)
	default:
		return g.chart(s)
	}
}

// xyseries pivots rows as they are, or (most often) a stats count of two
// fields, on one or two values.
func (g *gen) xyseries(s schema) (string, schema) {
	x, y := g.field(s), g.field(s)
	if x == y {
		y = g.field(s)
	}
	if x == y {
		return "head 20", s
	}
	if g.chance(0.6) {
		n := g.name("n")
		st := "stats count as " + n + " by " + argList([]string{x, y})
		vals := []string{n}
		if g.chance(0.3) {
			m := g.name("m")
			st = "stats count as " + n + ", max(" + argField(g.field(s)) + ") as " + m + " by " + argList([]string{x, y})
			vals = append(vals, m)
		}
		return st + " | xyseries " + argList(append([]string{x, y}, vals...)), schema{fields: []string{x}}
	}
	vals := []string{g.field(s)}
	for g.chance(0.3) {
		vals = append(vals, g.field(s))
	}
	sep := pickOf(g, []string{", ", " "})
	parts := make([]string, 0, 2+len(vals))
	for _, f := range append([]string{x, y}, vals...) {
		parts = append(parts, argField(f))
	}
	out := schema{fields: []string{x}}
	out.hasTime = x == store.ColTime && s.hasTime
	out.ordered = out.hasTime && s.ordered
	return "xyseries " + strings.Join(parts, sep), out
}

// untable unpivots the rows, after a table of a few fields (every field of
// an event makes many rows).
func (g *gen) untable(s schema) (string, schema) {
	x := g.field(s)
	name, value := g.name("k"), g.name("v")
	if g.chance(0.2) {
		if f := g.field(s); f != x {
			name = f
		}
	}
	pre := ""
	if g.chance(0.8) {
		fs := []string{x}
		for n := 1 + g.pick(3); n > 0; n-- {
			fs = append(fs, g.field(s))
		}
		pre = "table " + argList(fs) + " | "
	}
	if name == x || value == x || name == value {
		return "head 20", s
	}
	out := schema{fields: []string{x, name, value}}
	out.hasTime = false
	return pre + "untable " + argList([]string{x, name, value}), out
}

// addtotals adds row and/or column totals, of listed fields or every one.
func (g *gen) addtotals(s schema) (string, schema) {
	var opts []string
	col := g.chance(0.4)
	if col {
		opts = append(opts, "col=true")
		if g.chance(0.5) {
			opts = append(opts, "labelfield="+argField(pickOf(g, []string{g.field(s), g.name("lbl")})))
			if g.chance(0.5) {
				opts = append(opts, "label="+pickOf(g, []string{"ALL", `"grand total"`, "0"}))
			}
		}
	}
	row := true
	if g.chance(0.2) {
		row = g.chance(0.5)
		opts = append(opts, "row="+strconv.FormatBool(row))
	}
	total := "Total"
	if g.chance(0.3) {
		total = pickOf(g, []string{g.name("tot"), g.field(s)})
		opts = append(opts, "fieldname="+argField(total))
	}
	var fs []string
	if g.chance(0.5) {
		for n := 1 + g.pick(3); n > 0; n-- {
			fs = append(fs, g.field(s))
		}
	}
	g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	st := "addtotals"
	if len(opts) > 0 && g.chance(0.5) {
		st += " " + strings.Join(opts, " ")
		opts = nil
	}
	if len(fs) > 0 {
		st += " " + argList(fs)
	}
	if len(opts) > 0 {
		st += " " + strings.Join(opts, " ")
	}
	out := s
	if row {
		out = out.with(total)
	}
	if col {
		out.hasTime, out.ordered = false, false
	}
	return st, out
}

var convertFuncs = []string{"auto", "ctime", "dur2sec", "memk", "mktime", "none", "num", "rmcomma", "rmunit"}

// convert converts fields as they are, or text made to convert (sizes
// with units, numbers with commas, times and clock durations as text).
func (g *gen) convert(s schema) (string, schema) {
	pre := ""
	out := s
	opt := ""
	format := "%m/%d/%Y %H:%M:%S"
	if g.chance(0.3) {
		format = pickOf(g, []string{"%Y-%m-%d", "%H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%b/%Y:%H:%M:%S", "%s"})
		opt = "timeformat=" + quote(format)
	}
	if g.chance(0.5) {
		t := g.name("c")
		f := g.field(s)
		switch g.pick(4) {
		case 0:
			pre = "eval " + t + " = tostring(" + exprField(f) + ") + " + quote(pickOf(g, []string{"kb", "m", "g", " MB", "", "k"}))
		case 1:
			pre = "eval " + t + " = printf(" + quote(pickOf(g, []string{"%'d", "%'.2f", "%d"})) + ", " + exprField(f) + ")"
		case 2:
			pre = "eval " + t + " = strftime(" + exprField(f) + ", " + quote(pickOf(g, []string{format, "%H:%M:%S", "%j+%H:%M:%S", "%M:%S"})) + ")"
		default:
			pre = "eval " + t + " = " + quote(pickOf(g, []string{"1,234", "1,234.5", "12,34", "2+01:00:00", "00:00:01.25", "10k", "1.5G", "-5kb", " 7 ", ".5m"}))
		}
		pre += " | "
		out = out.with(t)
	}
	var convs []string
	for n := 1 + g.pick(3); n > 0; n-- {
		fn := pickOf(g, convertFuncs)
		f := pickOf(g, out.fields)
		if len(out.fields) == 0 || g.chance(0.1) {
			f = g.field(out)
		}
		c := fn + "(" + argField(f) + ")"
		o := f
		if g.chance(0.5) {
			o = g.name("cv")
			c += " as " + argField(o)
		}
		if o == store.ColTime {
			out.hasTime, out.ordered = false, false
		}
		convs = append(convs, c)
		out = out.with(o)
	}
	st := "convert "
	if opt != "" && g.chance(0.5) {
		st += opt + " "
		opt = ""
	}
	st += strings.Join(convs, pickOf(g, []string{", ", " "}))
	if opt != "" {
		st += " " + opt
	}
	return pre + st, out
}

// chart makes a chart of one or two aggregates over a field, by a field,
// or both, with its options before or after.
func (g *gen) chart(s schema) (string, schema) {
	aggs, names := g.aggs(s, 1+g.pick(2), false)
	x, y := g.field(s), g.field(s)
	if y == x {
		y = ""
	}
	var split string
	switch g.pick(6) {
	case 0:
		x, y = "", ""
	case 1:
		split, y = " over "+argField(x), ""
	case 2:
		split, y = " by "+argField(x), ""
	case 3:
		split = " over " + argField(x)
		if y != "" {
			split += " by " + argField(y)
		}
	case 4:
		split = " by " + argField(x)
		if y != "" {
			split += ", " + argField(y)
		}
	default:
		split = " by " + argField(x)
		if y != "" {
			split += " " + argField(y)
		}
	}
	var opts []string
	if g.chance(0.5) {
		opts = append(opts, "limit="+pickOf(g, []string{"1", "2", "3", "0", "10"}))
	}
	if g.chance(0.3) {
		opts = append(opts, "useother="+pickOf(g, []string{"true", "false", "f"}))
	}
	if g.chance(0.3) {
		opts = append(opts, "usenull="+pickOf(g, []string{"true", "false", "no"}))
	}
	before, after := "", ""
	if g.chance(0.5) {
		before = strings.Join(opts, " ") + " "
	} else if len(opts) > 0 {
		after = " " + strings.Join(opts, " ")
	}
	if x != "" && slices.Contains(names, x) || hasDup(names) {
		return "head 50", s
	}
	out := schema{}
	if x != "" {
		out = out.with(x)
	}
	if y == "" {
		out = out.with(names...)
	}
	out.hasTime = x == store.ColTime && s.hasTime
	out.ordered = out.hasTime
	return strings.TrimSpace("chart " + before + aggs + split + after), out
}
