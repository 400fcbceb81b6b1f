package query

import (
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Aggregate is one aggregation of stats, eventstats, streamstats and
// timechart: `func[(field)] [as name]`. Func is lower-case as written
// (mean, p95, perc95...); Kind gives the canonical name.
type Aggregate struct {
	Pos    lexer.Position
	Func   AggName    `parser:"@@"`
	Spark  *SparkArgs `parser:"( @@"`
	Arg    *Field     `parser:"| '(' @@ ')' )?"`
	As     *Field     `parser:"( 'as':Keyword @@ )?"`
	EndPos lexer.Position

	// Inner is sparkline's aggregate, made from Spark by check, and
	// spanNs its span.
	Inner  *Aggregate
	spanNs int64

	Kind string  // canonical: count dc sum avg min max median stdev var stdevp varp perc upperperc values earliest latest range list mode estdc earliest_time latest_time rate per_second per_minute per_hour per_day
	Perc float64 // for Kind "perc" and "upperperc": the percentile, 0 to 100
}

// AggName is the name of an aggregate, lower-case. An identifier followed
// by '=' is an option (`timechart count span=1h`), never an aggregate, so
// options may follow the aggregates as they follow a by clause.
type AggName string

// Parse implements participle.Parseable.
func (n *AggName) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type != tokIdent || strings.EqualFold(t.Value, "over") { // chart's over X
		return participle.NextMatch
	}
	cp := lex.MakeCheckpoint()
	lex.Next()
	if next := lex.Peek(); next.Type == tokPunct && next.Value == "=" {
		lex.LoadCheckpoint(cp)
		return participle.NextMatch
	}
	*n = AggName(strings.ToLower(t.Value))
	return nil
}

// aggregateKinds maps each aggregate name to its kind; percN and pN are
// handled apart.
var aggregateKinds = map[string]string{
	"count": "count", "dc": "dc", "distinct_count": "dc", "sum": "sum", "avg": "avg",
	"mean": "avg", "min": "min", "max": "max", "median": "median", "stdev": "stdev",
	"var": "var", "values": "values", "earliest": "earliest", "latest": "latest",
	"range": "range", "stdevp": "stdevp", "varp": "varp", "first": "earliest", "last": "latest",
	"list": "list", "mode": "mode", "estdc": "estdc", "earliest_time": "earliest_time",
	"latest_time": "latest_time", "rate": "rate",
	"sparkline": "sparkline", "per_second": "per_second", "per_minute": "per_minute", "per_hour": "per_hour", "per_day": "per_day",
}

// PerUnits are timechart's per_second, per_minute, per_hour and per_day:
// the sum of f in each bucket scaled to the unit (sum * unit / span), as
// in Splunk.
var PerUnits = map[string]time.Duration{
	"per_second": time.Second, "per_minute": time.Minute, "per_hour": time.Hour, "per_day": 24 * time.Hour,
}

func (a *Aggregate) String() string {
	s := string(a.Func)
	if a.Spark != nil {
		s += a.Spark.String()
	} else if a.Arg != nil {
		s += "(" + a.Arg.String() + ")"
	}
	if a.As != nil {
		s += " as " + a.As.String()
	}
	return s
}

// Field returns the aggregated field, or "" for a bare count.
func (a *Aggregate) Field() string {
	if a.Spark != nil {
		if a.Spark.Arg == nil {
			return ""
		}
		return a.Spark.Arg.Name
	}
	if a.Arg == nil {
		return ""
	}
	return a.Arg.Name
}

// OutputName is the name of the result column: the `as` name, else
// `count` or `func(field)` as written.
func (a *Aggregate) OutputName() string {
	if a.As != nil {
		return a.As.Name
	}
	if a.Spark != nil {
		return string(a.Func) + a.Spark.String()
	}
	if a.Arg == nil {
		return string(a.Func)
	}
	return string(a.Func) + "(" + a.Arg.Name + ")"
}

func (a *Aggregate) check() *posError {
	name := string(a.Func)
	a.Kind = aggregateKinds[name]
	if a.Kind == "" {
		if n, ok := strings.CutPrefix(name, "upperperc"); ok {
			if p, ok := parsePercentile("perc" + n); ok {
				a.Kind, a.Perc = "upperperc", p
			}
		} else if p, ok := parsePercentile(name); ok {
			a.Kind, a.Perc = "perc", p
		}
	}
	if a.Kind == "" {
		return errorfAt(a.Pos.Offset, "unknown aggregate %q%s", name, didYouMean(name, AggregateNames()))
	}
	if a.Kind == "sparkline" {
		return a.checkSparkline()
	}
	if a.Spark != nil {
		return errorfAt(a.Spark.Pos.Offset, "%s takes one field: %s(field) (only sparkline takes an aggregate and a span)", name, name)
	}
	if a.Arg == nil && a.Kind != "count" {
		return errorfAt(a.EndPos.Offset, "%s needs a field: %s(field)", name, name)
	}
	return nil
}

// percentile parses percN, pN and exactpercN (N from 0 to 100, decimals allowed).
func parsePercentile(name string) (float64, bool) {
	for _, p := range []string{"exactperc", "perc", "p"} {
		if n, ok := strings.CutPrefix(name, p); ok && n != "" {
			f, err := strconv.ParseFloat(n, 64)
			return f, err == nil && f >= 0 && f <= 100 && isDigitByte(n[0])
		}
	}
	return 0, false
}

func checkAggs(aggs []*Aggregate) *posError { return checkAggsOf("", aggs) }

// checkAggsOf checks the aggregates of a stage: per_second and its kin
// are timechart's alone (they scale to the span of its buckets).
func checkAggsOf(stage string, aggs []*Aggregate) *posError {
	for _, a := range aggs {
		if err := a.check(); err != nil {
			return err
		}
		if a.Kind == "sparkline" && stage != "stats" {
			return errorfAt(a.Pos.Offset, "sparkline is stats': a trend per group (stats sparkline(count, 1h) by host)")
		}
		if _, per := PerUnits[a.Kind]; per && stage != "timechart" {
			return errorfAt(a.Pos.Offset, "%s is timechart's: the sum of each time bucket per %s (timechart span=5m %s(f))",
				a.Func, strings.TrimPrefix(a.Kind, "per_"), a.Func)
		}
	}
	return nil
}

// checkAggsBy is checkAggs of a stage with by fields: an output named as
// a by field is an error, as in Splunk ("cannot have the same name as a
// group-by field"): one of the two values would be lost.
func checkAggsBy(aggs []*Aggregate, by []*Field) *posError { return checkAggsByOf("", aggs, by) }

func checkAggsByOf(stage string, aggs []*Aggregate, by []*Field) *posError {
	if err := checkAggsOf(stage, aggs); err != nil {
		return err
	}
	for _, a := range aggs {
		for _, f := range by {
			if name := a.OutputName(); name == f.Name {
				return errorfAt(a.Pos.Offset, "the output %s has the same name as a by field; name it with 'as'", name)
			}
		}
	}
	return nil
}

func aggsBy(aggs []*Aggregate, by []*Field) string {
	parts := make([]string, len(aggs))
	for i, a := range aggs {
		parts[i] = a.String()
	}
	s := strings.Join(parts, ", ")
	if len(by) > 0 {
		s += " by " + fieldList(by)
	}
	return s
}
