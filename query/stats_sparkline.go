package query

import (
	"fmt"
	"math"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// SparkArgs are sparkline's arguments: `(AGG[(f)], SPAN)`. They parse
// only as such (an aggregate's own `(f)` has no comma and no nested
// parentheses).
type SparkArgs struct {
	Pos    lexer.Position
	Agg    AggName
	AggAt  lexer.Position
	Arg    *Field
	Span   string
	SpanAt lexer.Position
}

// Parse implements participle.Parseable.
func (s *SparkArgs) Parse(lex *lexer.PeekingLexer) error {
	open := lex.Peek()
	if open.Type != tokPunct || open.Value != "(" {
		return participle.NextMatch
	}
	cp := lex.MakeCheckpoint()
	lex.Next()
	name := lex.Peek()
	if name.Type != tokIdent {
		lex.LoadCheckpoint(cp)
		return participle.NextMatch
	}
	lex.Next()
	var arg *Field
	if t := lex.Peek(); t.Type == tokPunct && t.Value == "(" {
		lex.Next()
		arg = &Field{}
		if err := arg.Parse(lex); err != nil {
			return participle.Errorf(lex.Peek().Pos, "expected a field name after '('")
		}
		if t := lex.Peek(); t.Type != tokPunct || t.Value != ")" {
			return participle.Errorf(t.Pos, "expected ')' after the field of %s", name.Value)
		}
		lex.Next()
	}
	if t := lex.Peek(); t.Type != tokPunct || t.Value != "," {
		if arg == nil {
			lex.LoadCheckpoint(cp) // count(f): an aggregate's own field
			return participle.NextMatch
		}
		return participle.Errorf(t.Pos, "expected ', SPAN' after %s(%s): sparkline(AGG, SPAN)", name.Value, arg.Name)
	}
	lex.Next()
	span := lex.Peek()
	if span.Type != tokDuration && span.Type != tokNumber && span.Type != tokIdent && span.Type != tokString {
		return participle.Errorf(span.Pos, "expected a span such as 1h after ',': sparkline(AGG, SPAN)")
	} // check says what is wrong with a span that is no duration
	lex.Next()
	if t := lex.Peek(); t.Type != tokPunct || t.Value != ")" {
		return participle.Errorf(t.Pos, "expected ')' after the span of sparkline")
	}
	lex.Next()
	*s = SparkArgs{Pos: open.Pos, Agg: AggName(strings.ToLower(name.Value)), AggAt: name.Pos, Arg: arg, Span: span.Value, SpanAt: span.Pos}
	return nil
}

func (s *SparkArgs) String() string {
	inner := string(s.Agg)
	if s.Arg != nil {
		inner += "(" + s.Arg.String() + ")"
	}
	return "(" + inner + ", " + s.Span + ")"
}

// SparklineMark starts the value of a sparkline: as in Splunk, a
// multi-value whose first value is ##__SPARKLINE__## and whose others are
// the numbers, one per bucket. render draws it; mvindex(f, 1) is the
// first bucket's number.
const SparklineMark = "##__SPARKLINE__##"

// MaxSparkBuckets bounds the buckets of one sparkline.
const MaxSparkBuckets = 1000

// checkSparkline checks sparkline(AGG, SPAN) and makes its inner
// aggregate.
func (a *Aggregate) checkSparkline() *posError {
	if a.Spark == nil {
		at := a.EndPos.Offset
		if a.Arg != nil {
			at = a.Arg.EndPos.Offset
		}
		return errorfAt(at, "sparkline needs an aggregate and a span: sparkline(count, 1h) or sparkline(avg(f), 5m)")
	}
	in := &Aggregate{Pos: a.Spark.AggAt, Func: a.Spark.Agg, Arg: a.Spark.Arg, EndPos: a.Spark.SpanAt}
	if err := in.check(); err != nil {
		return err
	}
	if !sparkKinds[in.Kind] {
		return errorfAt(in.Pos.Offset, "sparkline draws an aggregate that is a number (count, dc, sum, avg, min, max, range, median, percN, stdev, var, estdc, rate), not %s", in.Func)
	}
	d, err := ParseDuration(a.Spark.Span)
	if err != nil || d <= 0 {
		return errorfAt(a.Spark.SpanAt.Offset, "the span of sparkline must be a duration such as 30s, 5m, 1h or 1d, not %q", a.Spark.Span)
	}
	a.Inner = in
	a.spanNs = int64(d)
	return nil
}

// sparkKinds are the aggregates a sparkline draws: those whose result is
// a number (a list, a text or a time is no bar).
var sparkKinds = map[string]bool{"count": true, "dc": true, "sum": true, "avg": true, "min": true, "max": true,
	"range": true, "median": true, "perc": true, "upperperc": true, "stdev": true, "var": true, "stdevp": true,
	"varp": true, "estdc": true, "rate": true}

// sparkSpec is a sparkline's inner aggregate and span.
type sparkSpec struct {
	fn       string
	perc     float64
	hasField bool
	span     int64
}

// sparkAgg keeps its inner aggregate per time bucket of the group's rows;
// its result is the buckets of the range setRange gives, from the first
// to the last, each the inner result (0 for a bucket without rows or
// result, as timechart fills).
type sparkAgg struct {
	spec    sparkSpec
	buckets map[int64]aggState
	budget  *memBudget
	lo, hi  int64 // the first and last bucket shown
}

func newSparkAgg(s sparkSpec, b *memBudget) *sparkAgg {
	return &sparkAgg{spec: s, buckets: map[int64]aggState{}, budget: b}
}

// sparkBucketBytes is about what a bucket costs besides its values.
const sparkBucketBytes = 96

func (a *sparkAgg) add(v store.Value, t int64) {
	b := floorDiv(t, a.spec.span) * a.spec.span
	st := a.buckets[b]
	if st == nil {
		st = newAggState(a.spec.fn, a.spec.perc, a.spec.hasField)
		setBudget(st, a.budget)
		a.buckets[b] = st
		a.budget.charge(sparkBucketBytes)
	}
	st.add(v, t)
}

func (a *sparkAgg) merge(o *sparkAgg) {
	for b, st := range o.buckets {
		if mine := a.buckets[b]; mine != nil {
			mergeAgg(mine, st)
		} else {
			a.buckets[b] = st
		}
	}
}

func (a *sparkAgg) result() store.Value {
	var b strings.Builder
	b.WriteString(SparklineMark)
	if a.lo > a.hi {
		return store.Str(b.String())
	}
	for t := a.lo; t <= a.hi; t += a.spec.span {
		v := store.Int(0)
		if st := a.buckets[t]; st != nil {
			if r := st.result(); r.K != store.KindNull {
				v = r
			}
		}
		b.WriteByte('\n')
		b.WriteString(v.String())
	}
	return store.Str(b.String())
}

// setSparkRanges gives every sparkline of the groups the same buckets:
// those of the search's time range where it has bounds, else from the
// earliest to the latest bucket with rows in any group.
func setSparkRanges(specs []aggSpec, groups []*group, lo, hi int64) error {
	for i, s := range specs {
		if s.spark == nil {
			continue
		}
		span := s.spark.span
		first, last := int64(math.MaxInt64), int64(math.MinInt64)
		for _, g := range groups {
			for b := range g.states[i].(*sparkAgg).buckets {
				first, last = min(first, b), max(last, b)
			}
		}
		if lo != math.MinInt64 {
			first = floorDiv(lo, span) * span
		}
		if hi != math.MaxInt64 {
			last = floorDiv(hi, span) * span
		}
		if first <= last && (last-first)/span+1 > MaxSparkBuckets {
			return fmt.Errorf("%w: %s would have %d buckets, more than %d; give it a larger span", ErrLimit,
				s.out, (last-first)/span+1, MaxSparkBuckets)
		}
		for _, g := range groups {
			st := g.states[i].(*sparkAgg)
			st.lo, st.hi = first, last
		}
	}
	return nil
}

// SparklineValues returns the numbers of a sparkline value, or false when
// v is none.
func SparklineValues(v store.Value) ([]string, bool) {
	if v.K != store.KindString || !strings.HasPrefix(v.S, SparklineMark) {
		return nil, false
	}
	rest := strings.TrimPrefix(v.S, SparklineMark)
	if rest == "" {
		return []string{}, true
	}
	if rest[0] != '\n' {
		return nil, false
	}
	return strings.Split(rest[1:], "\n"), true
}
