package refeval

import (
	"slices"
	"strings"

	"loghunt/store"
)

// Generators of the table-shaping stages: chart, xyseries, untable,
// addtotals and convert. gen.stage hands a share of its picks here.

func (g *gen) pivotStage(s schema) (string, schema) {
	switch g.pick(1) {
	default:
		return g.chart(s)
	}
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
