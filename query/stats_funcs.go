package query

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"loghunt/store"
)

// aggState accumulates one aggregate of one group. add gets the value of
// the aggregate's field (Null for a plain count) and the row's _time.
type aggState interface {
	add(v store.Value, t int64)
	result() store.Value
}

// newAggState returns the state of aggregate fn; p is N of percN.
func newAggState(fn string, p float64, hasField bool) aggState {
	switch fn {
	case "count":
		return &countAgg{all: !hasField}
	case "dc", "distinct_count":
		return &dcAgg{seen: map[store.Value]struct{}{}}
	case "sum":
		return &sumAgg{}
	case "avg", "mean":
		return &avgAgg{}
	case "min":
		return &minMaxAgg{max: false}
	case "max":
		return &minMaxAgg{max: true}
	case "range":
		return &rangeAgg{}
	case "stdev", "var", "stdevp", "varp":
		return &varAgg{stdev: strings.HasPrefix(fn, "stdev"), population: strings.HasSuffix(fn, "p")}
	case "median":
		return &percAgg{p: 50}
	case "perc":
		return &percAgg{p: p}
	case "values":
		return &valuesAgg{seen: map[string]struct{}{}}
	case "earliest", "first":
		return &timeAgg{latest: false}
	case "latest", "last":
		return &timeAgg{latest: true}
	case "list":
		return &listAgg{}
	case "mode":
		return &modeAgg{counts: map[string]int64{}}
	case "estdc":
		return &estdcAgg{exact: map[uint64]struct{}{}}
	case "earliest_time":
		return &timeOfAgg{}
	case "latest_time":
		return &timeOfAgg{latest: true}
	case "rate":
		return &rateAgg{}
	case "upperperc":
		return &percAgg{p: p, upper: true}
	}
	panic("BUG: unknown aggregate " + fn)
}

// countAgg counts rows (count) or non-null values (count(f)).
type countAgg struct {
	all bool
	n   int64
}

func (a *countAgg) add(v store.Value, _ int64) {
	if a.all || v.K != store.KindNull {
		a.n++
	}
}
func (a *countAgg) result() store.Value { return store.Int(a.n) }

type dcAgg struct {
	seen   map[store.Value]struct{}
	budget *memBudget
}

func (a *dcAgg) add(v store.Value, _ int64) {
	if v.K == store.KindNull {
		return
	}
	k := normKey(v)
	if _, ok := a.seen[k]; !ok {
		a.seen[k] = struct{}{}
		a.budget.charge(int64(len(k.S)) + 64)
	}
}

// result counts the distinct values as text, as values() lists them and
// as Splunk counts: the number 10 and the text "10" (a field typed in one
// source and not in another) are one value, "1" and "1.0" two.
func (a *dcAgg) result() store.Value {
	n := 0
	for k := range a.seen {
		if k.K != store.KindString {
			if _, dup := a.seen[store.Str(k.String())]; dup {
				continue
			}
		}
		n++
	}
	return store.Int(int64(n))
}

// normKey makes values that users see as equal one map key: values are
// the same group (dedup, stats, top and timechart series) when their text
// is the same, as in Splunk, where every value is text. So 10, 10.0 and
// "10" are one key (the int 10), and so are true and "true", and a time
// and its RFC 3339 text; "1.0" and "010" are text of their own, and the
// float -0 is "-0", not 0. The key prints as the value does
// (normKey(v).String() == v.String()).
func normKey(v store.Value) store.Value {
	switch v.K {
	case store.KindFloat:
		if v.F == 0 && math.Signbit(v.F) {
			return store.Str("-0") // its text, which no int has
		}
		if v.F == math.Trunc(v.F) && math.Abs(v.F) < 1<<53 {
			return store.Int(int64(v.F))
		}
	case store.KindString:
		return normText(v)
	}
	return v
}

// normText is the typed value a string is the text of (see normKey), or
// the string itself. It is quick on text that is none: most group keys.
func normText(v store.Value) store.Value {
	s := v.S
	if s == "" {
		return v
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.':
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if strconv.FormatInt(i, 10) == s {
				return store.Int(i)
			}
			return v // "+5", "007"
		}
		if f, ok := store.ParseNumber(s); ok {
			if k := normKey(store.Float(f)); k.String() == s {
				return k
			}
			return v
		}
		if len(s) >= 20 && s[4] == '-' && s[len(s)-1] == 'Z' {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil && store.FormatTime(t.UnixNano()) == s {
				return store.Time(t.UnixNano())
			}
		}
	case s == "true":
		return store.Bool(true)
	case s == "false":
		return store.Bool(false)
	}
	return v
}

// sumAgg adds numbers; it stays an integer while every input is one and
// the sum fits in an int64. Floats are added exactly (exactSum), so the
// sum is the same whatever order the workers fold the rows in.
type sumAgg struct {
	isum   int64
	fsum   exactSum
	n      int
	floats bool // the sum is a float: fsum holds all of it
}

func (a *sumAgg) add(v store.Value, _ int64) {
	if v.K == store.KindInt {
		a.addInts(v.I, 1)
		return
	}
	f, ok := number(v)
	if !ok {
		return
	}
	a.toFloats()
	a.fsum.add(f)
	a.n++
}

// addInts adds the sum of n ints.
func (a *sumAgg) addInts(sum int64, n int) {
	a.n += n
	if !a.floats {
		if s, ok := addInt64(a.isum, sum); ok {
			a.isum = s
			return
		}
		a.toFloats() // past an int64: on in floats
	}
	a.fsum.addInt(sum)
}

// toFloats moves the integer sum into the float sum.
func (a *sumAgg) toFloats() {
	if !a.floats {
		a.floats = true
		a.fsum.addInt(a.isum)
		a.isum = 0
	}
}

// addInt64 is a+b, and false when that overflows.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

func (a *sumAgg) result() store.Value {
	switch {
	case a.n == 0:
		return store.Null
	case a.floats:
		return store.Float(a.fsum.value())
	}
	return store.Int(a.isum)
}

// number is v as a float, for aggregates: null and text are not numbers.
func number(v store.Value) (float64, bool) {
	if v.K == store.KindNull {
		return 0, false
	}
	return v.Number()
}

// avgAgg is the exact sum (see sumAgg) over the count.
type avgAgg struct {
	sum exactSum
	n   int
}

func (a *avgAgg) add(v store.Value, _ int64) {
	if v.K == store.KindInt {
		a.sum.addInt(v.I) // as the typed path adds a chunk's int sum
		a.n++
	} else if f, ok := number(v); ok {
		a.sum.add(f)
		a.n++
	}
}

func (a *avgAgg) result() store.Value {
	if a.n == 0 {
		return store.Null
	}
	return store.Float(a.sum.mean(a.n))
}

// minMaxAgg keeps the smallest or largest value: numbers compare as
// numbers, and any number sorts before any text (as in Splunk); of values
// that compare equal (10 and "10") the same one whatever the row order
// (compareTotal).
type minMaxAgg struct {
	max bool
	v   store.Value
	set bool
}

func (a *minMaxAgg) add(v store.Value, _ int64) {
	if v.K == store.KindNull {
		return
	}
	c := compareTotal(v, a.v)
	if !a.set || (a.max && c > 0) || (!a.max && c < 0) {
		a.v, a.set = v, true
	}
}
func (a *minMaxAgg) result() store.Value { return a.v }

type rangeAgg struct {
	lo, hi float64
	n      int
}

func (a *rangeAgg) add(v store.Value, _ int64) {
	f, ok := number(v)
	if !ok {
		return
	}
	if a.n == 0 {
		a.lo, a.hi = f, f
	}
	a.lo, a.hi = min(a.lo, f), max(a.hi, f)
	a.n++
}

func (a *rangeAgg) result() store.Value {
	if a.n == 0 {
		return store.Null
	}
	return numberValue(a.hi - a.lo)
}

// varAgg is the variance from the exact sums of the values and of their
// squares (exactVariance): sample (n-1) by default. Welford's running
// mean gave sums that depended on the order the workers merged in.
type varAgg struct {
	stdev, population bool
	n                 int64
	sum, squares      exactSum
}

func (a *varAgg) add(v store.Value, _ int64) {
	f, ok := number(v)
	if !ok {
		return
	}
	a.n++
	a.sum.add(f)
	a.squares.addSquare(f)
}

func (a *varAgg) result() store.Value {
	if a.n == 0 || (a.n == 1 && !a.population) {
		return store.Null
	}
	v := exactVariance(&a.sum, &a.squares, a.n, a.population)
	if a.stdev {
		v = math.Sqrt(v)
	}
	return store.Float(v)
}

// percAgg is the p-th percentile by linear interpolation between the
// closest ranks: rank = p/100 * (n-1) (numpy's default).
type percAgg struct {
	p      float64
	upper  bool // upperpercN
	vals   []float64
	budget *memBudget
}

func (a *percAgg) add(v store.Value, _ int64) {
	if f, ok := number(v); ok {
		a.vals = append(a.vals, f)
		a.budget.charge(8)
	}
}

func (a *percAgg) result() store.Value {
	if len(a.vals) == 0 {
		return store.Null
	}
	slices.Sort(a.vals)
	if a.upper {
		return numberValue(upperPerc(a.vals, a.p))
	}
	return numberValue(percentile(a.vals, a.p))
}

// percentile of sorted values, p in [0, 100], by linear interpolation.
func percentile(sorted []float64, p float64) float64 {
	rank := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(rank))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (rank-float64(lo))*(sorted[hi]-sorted[lo])
}

// numberValue is an int when f is whole, else a float.
func numberValue(f float64) store.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return store.Int(int64(f))
	}
	return store.Float(f)
}

// valuesAgg lists the distinct values as text, sorted by their bytes
// (lexicographic, as Splunk's values(): "10" before "9"), joined by ", "
// (loghunt has no multi-value fields). It keeps every one, charged to the
// aggregation's memory budget (which stops the query with an error past
// its bound), so the list does not depend on the order rows came in.
type valuesAgg struct {
	seen   map[string]struct{}
	budget *memBudget
}

func (a *valuesAgg) add(v store.Value, _ int64) {
	if v.K != store.KindNull {
		a.addText(v.String())
	}
}

func (a *valuesAgg) addText(s string) {
	if _, ok := a.seen[s]; !ok {
		a.seen[s] = struct{}{}
		a.budget.charge(int64(len(s)) + 64)
	}
}

func (a *valuesAgg) result() store.Value {
	vals := make([]string, 0, len(a.seen))
	for v := range a.seen {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	return store.Str(strings.Join(vals, ", "))
}

// timeAgg keeps the value of the earliest or latest row by _time. Of rows
// at the same time, earliest keeps the smallest value and latest the
// largest (compareTotal): the same whatever order the rows came in.
type timeAgg struct {
	latest bool
	v      store.Value
	t      int64
	set    bool
}

func (a *timeAgg) add(v store.Value, t int64) {
	if v.K == store.KindNull {
		return
	}
	if !a.set || (a.latest && (t > a.t || (t == a.t && compareTotal(v, a.v) > 0))) ||
		(!a.latest && (t < a.t || (t == a.t && compareTotal(v, a.v) < 0))) {
		a.v, a.t, a.set = v, t, true
	}
}
func (a *timeAgg) result() store.Value { return a.v }

// compareValues orders values for sort, min/max and group keys: null
// first, then numbers (numerically, times and bools included), then
// strings (byte order).
func compareValues(a, b store.Value) int {
	ra, rb := sortRank(a), sortRank(b)
	if ra != rb {
		return ra - rb
	}
	switch ra {
	case 1:
		if a.K == store.KindTime && b.K == store.KindTime {
			return cmp.Compare(a.I, b.I) // exactly: float seconds lose the nanoseconds
		}
		// cmp.Compare orders a NaN (a float a store may hold) before
		// every number, so sorts stay consistent.
		fa, _ := a.Number()
		fb, _ := b.Number()
		return cmp.Compare(fa, fb)
	case 2:
		return strings.Compare(a.S, b.S)
	}
	return 0
}

// compareTotal orders values as compareValues does, and values that it
// finds equal but that differ (10 and "10", "1" and "1.0") by kind, then
// by text or bits: a total order, so ties come out the same whatever the
// order of the rows.
func compareTotal(a, b store.Value) int {
	if c := compareValues(a, b); c != 0 {
		return c
	}
	return compareIdentity(a, b)
}

// compareIdentity orders values by kind, then text, bits or integer.
func compareIdentity(a, b store.Value) int {
	if a.K != b.K {
		return cmp.Compare(a.K, b.K)
	}
	switch a.K {
	case store.KindString:
		return strings.Compare(a.S, b.S)
	case store.KindFloat:
		return cmp.Compare(math.Float64bits(a.F), math.Float64bits(b.F))
	}
	return cmp.Compare(a.I, b.I)
}

func sortRank(v store.Value) int {
	switch v.K {
	case store.KindNull:
		return 0
	case store.KindString:
		if _, ok := v.Number(); ok {
			return 1
		}
		return 2
	}
	return 1
}

// merge folds another state of the same aggregate into a: the partial
// results of chunks aggregated in parallel.
func mergeAgg(a, b aggState) {
	switch a := a.(type) {
	case *sparkAgg:
		a.merge(b.(*sparkAgg))
	case *countAgg:
		a.n += b.(*countAgg).n
	case *dcAgg:
		for v := range b.(*dcAgg).seen {
			a.seen[v] = struct{}{}
		}
	case *sumAgg:
		o := b.(*sumAgg)
		if o.n == 0 {
			return
		}
		if o.floats {
			a.toFloats()
			a.fsum.merge(&o.fsum)
			a.n += o.n
		} else {
			a.addInts(o.isum, o.n)
		}
	case *avgAgg:
		o := b.(*avgAgg)
		a.sum.merge(&o.sum)
		a.n += o.n
	case *minMaxAgg:
		if o := b.(*minMaxAgg); o.set {
			a.add(o.v, 0)
		}
	case *rangeAgg:
		o := b.(*rangeAgg)
		if o.n > 0 {
			a.add(store.Float(o.lo), 0)
			a.add(store.Float(o.hi), 0)
			a.n += o.n - 2
		}
	case *varAgg:
		o := b.(*varAgg)
		a.n += o.n
		a.sum.merge(&o.sum)
		a.squares.merge(&o.squares)
	case *percAgg:
		a.vals = append(a.vals, b.(*percAgg).vals...)
	case *valuesAgg:
		for v := range b.(*valuesAgg).seen {
			a.addText(v)
		}
	case *timeAgg:
		if o := b.(*timeAgg); o.set {
			a.add(o.v, o.t)
		}
	case *listAgg:
		for _, it := range b.(*listAgg).items {
			a.add(it.v, it.t)
		}
	case *modeAgg:
		for s, c := range b.(*modeAgg).counts {
			if _, ok := a.counts[s]; !ok {
				a.budget.charge(int64(len(s)) + 64)
			}
			a.counts[s] += c
		}
	case *estdcAgg:
		a.merge(b.(*estdcAgg))
	case *timeOfAgg:
		if o := b.(*timeOfAgg); o.set {
			a.add(store.Bool(true), o.t)
		}
	case *rateAgg:
		if o := b.(*rateAgg); o.n > 0 {
			a.addEnd(o.first, o.last, o.n)
		}
	default:
		panic("BUG: merge of unknown aggregate")
	}
}

// setBudget makes the aggregates that keep values (dc, values, perc,
// median) charge them to b.
func setBudget(st aggState, b *memBudget) {
	switch a := st.(type) {
	case *dcAgg:
		a.budget = b
	case *valuesAgg:
		a.budget = b
	case *percAgg:
		a.budget = b
	case *listAgg:
		a.budget = b
	case *modeAgg:
		a.budget = b
	case *estdcAgg:
		a.budget = b
	}
}
