package query

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// ExplainCmd gives each finding row a plain-language explanation computed
// from the row and the rows the stage received: what was unusual and by
// how much against its usual (median) value, which features drove the
// anomaly score, and what to check next. A finding is a row with
// is_anomaly true, or every row when no row has is_anomaly. It is a
// blocking stage: the usual values need every row.
type ExplainCmd struct {
	Pos     lexer.Position
	By      *Field    `parser:"'explain':Stage ( 'by':Keyword @@ )?"`
	Options []*Option `parser:"@@*"`
	EndPos  lexer.Position

	LLM, ShowPrompt bool // llm=true, show_prompt=true (explain_llm.go)
}

// ExplanationField is the field explain adds.
const ExplanationField = "explanation"

// explainEntityRows is the fewest rows of an entity whose median is its usual
// value; an entity with fewer is compared with every row.
const explainEntityRows = 8

func (*ExplainCmd) command()                   {}
func (c *ExplainCmd) Position() lexer.Position { return c.Pos }

func (c *ExplainCmd) String() string {
	s := "explain"
	if c.By != nil {
		s += " by " + c.By.String()
	}
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	return s
}

func (c *ExplainCmd) inputFields(after fieldSet) fieldSet { return allFields() }

func (c *ExplainCmd) operator(p *plan, next operator) (operator, error) {
	by := ""
	if c.By != nil {
		by = c.By.Name
	}
	search := ""
	if s, ok := p.q.Stages[0].(*SearchCmd); ok {
		search = strings.ToLower(s.termsString())
	}
	ask, err := c.newExplainAsker(p)
	if err != nil {
		return nil, err
	}
	return &explainOp{by: by, search: search, next: next, max: p.opt.MaxRows, ask: ask, p: p, span: bucketSpan(p.q, c)}, nil
}

type explainOp struct {
	by     string
	search string // the query's search, lower-case, for the kind of count
	rows   rowBuffer
	next   operator
	max    int
	p      *plan         // its store, when it has one, tells what followed
	ask    *explainAsker // llm=true
	span   time.Duration // the bucket span of the bin or timechart before it, or 0
}

func (o *explainOp) push(b *Batch) error { return o.rows.add(b, o.max, "explain") }

// notCounts are the numeric fields that are not counts to explain.
var notCounts = map[string]bool{store.ColTime: true, colScore: true, colFlag: true, colReason: true, colBaseline: true, ExplanationField: true,
	colExpected: true, colLower: true, colUpper: true}

func (o *explainOp) finish() error {
	b := o.rows.batch()
	if b.Len == 0 {
		return o.next.finish()
	}
	// The count fields: numeric in every row that has them.
	var counts []string
	for k, f := range b.Fields {
		if notCounts[f] || f == o.by {
			continue
		}
		numeric, seen := true, false
		for _, v := range b.Cols[k] {
			if v.IsNull() {
				continue
			}
			seen = true
			numeric = numeric && (v.K == store.KindInt || v.K == store.KindFloat)
		}
		if seen && numeric {
			counts = append(counts, f)
		}
	}
	step := o.span
	if step == 0 {
		step = timeStep(b)
	}
	flags := b.Col(colFlag)
	ent := -1
	if o.by != "" {
		ent = b.Col(o.by)
	}
	// The values of each count field, of all rows and by entity.
	all := map[string][]float64{}
	byEntity := map[string]map[string][]float64{}
	for _, f := range counts {
		col := b.Cols[b.Col(f)]
		byEntity[f] = map[string][]float64{}
		for r, v := range col {
			x, ok := v.Number()
			if v.IsNull() || !ok {
				continue
			}
			all[f] = append(all[f], x)
			if ent >= 0 && !b.Cols[ent][r].IsNull() {
				e := b.Cols[ent][r].String()
				byEntity[f][e] = append(byEntity[f][e], x)
			}
		}
	}
	medians := map[string]float64{}
	for f, xs := range all {
		medians[f] = median(xs)
	}
	entityMedians := map[string]map[string]float64{}
	out := b.Column(ExplanationField)
	for r := 0; r < b.Len; r++ {
		if flags >= 0 && !b.Cols[flags][r].Truthy() {
			out[r] = store.Null
			continue
		}
		entity := ""
		if ent >= 0 && !b.Cols[ent][r].IsNull() {
			entity = b.Cols[ent][r].String()
		}
		reason := b.Get(colReason, r)
		field := drivingField(b, r, counts, reason, medians)
		var text string
		if field == "" {
			text = "No count field to compare with other rows."
		} else {
			x, _ := b.Get(field, r).Number()
			usual, its := medians[field], false
			if xs := byEntity[field][entity]; entity != "" && len(xs) >= explainEntityRows {
				if entityMedians[field] == nil {
					entityMedians[field] = map[string]float64{}
				}
				m, ok := entityMedians[field][entity]
				if !ok {
					m = median(xs)
					entityMedians[field][entity] = m
				}
				usual, its = m, true
			}
			seasonal := false
			if e, ok := expectedValue(b, field, r); ok { // anomalies method=decompose's
				usual, its, seasonal = e, false, true
			}
			text = o.sentence(entity, field, x, usual, its, seasonal, b.Get(store.ColTime, r), step)
			if run := findingRun(b, r, flags, ent, step); len(run) > 1 {
				total := 0.0
				for _, i := range run {
					v, _ := b.Get(field, i).Number()
					total += v
				}
				first := time.Unix(0, b.Get(store.ColTime, run[0]).I).UTC()
				text = strings.TrimSuffix(text, ".") + fmt.Sprintf("; %s in all over %s from %s.",
					formatNumber(total), durationWords(time.Duration(len(run))*step), first.Format("15:04"))
			}
		}
		if s := b.Get(colScore, r); !s.IsNull() && !reason.IsNull() {
			score, _ := s.Number()
			text += fmt.Sprintf(" Anomaly score %s, driven by %s.", formatNumber(math.Round(score*100)/100), reason.String())
		}
		if field != "" {
			next := nextCheck(o.kind(field))
			if o.kind(field) == kindFailedLogins && entity != "" && o.p != nil && o.p.st != nil && b.Get(store.ColTime, r).K == store.KindTime {
				run := findingRun(b, r, flags, ent, step)
				end := b.Get(store.ColTime, run[len(run)-1]).I + int64(step)
				followed, err := o.successAfter(entity, b.Get(store.ColTime, run[0]).I, end+int64(time.Hour))
				if err != nil {
					return err
				}
				if followed == "" {
					text += fmt.Sprintf(" No successful login by %s followed within an hour.", entity)
					next = "check whether the same users were tried from other addresses (password spraying)"
				} else {
					text += fmt.Sprintf(" A successful login by %s followed: %s.", entity, followed)
					next = "treat the account as compromised and look at what it did after (| context by user)"
				}
			}
			text += " Next: " + next + "."
		}
		out[r] = store.Str(text)
	}
	if o.ask != nil {
		if err := o.ask.explain(b); err != nil {
			return err
		}
	}
	if err := o.next.push(b); err != nil {
		return err
	}
	return o.next.finish()
}

// drivingField is the count field to explain in row r: the first of
// anomaly_reason's features that is one, else the count furthest above
// its median (by ratio).
func drivingField(b *Batch, r int, counts []string, reason store.Value, medians map[string]float64) string {
	if !reason.IsNull() {
		for _, part := range strings.Split(reason.String(), "; ") {
			name, _, ok := strings.Cut(part, "=")
			if ok && slices.Contains(counts, name) && !b.Get(name, r).IsNull() {
				return name
			}
		}
	}
	best, bestRatio := "", math.Inf(-1)
	for _, f := range counts {
		x, ok := b.Get(f, r).Number()
		if b.Get(f, r).IsNull() || !ok {
			continue
		}
		ratio := (x + 1) / (medians[f] + 1)
		if ratio > bestRatio {
			best, bestRatio = f, ratio
		}
	}
	return best
}

// expectedValue is the expected value anomalies method=decompose gave
// field at row r (its trend and season at that time): the column
// expected_field, or expected when the row's reason is decompose's of
// field (one series: "count 95 above expected 16 (band ...)").
func expectedValue(b *Batch, field string, r int) (float64, bool) {
	name := colExpected + "_" + field
	if b.Col(name) < 0 {
		reason := b.Get(colReason, r)
		if b.Col(colLower) < 0 || b.Col(colUpper) < 0 || reason.K != store.KindString ||
			!strings.HasPrefix(reason.S, field+" ") || !strings.Contains(reason.S, " expected ") {
			return 0, false
		}
		name = colExpected
	}
	v := b.Get(name, r)
	if v.K != store.KindFloat && v.K != store.KindInt {
		return 0, false
	}
	return v.Number()
}

// sentence says what the count was and how it compares with the usual
// (with seasonal, the expected value for that time).
func (o *explainOp) sentence(entity, field string, x, usual float64, its, seasonal bool, t store.Value, step time.Duration) string {
	kind := o.kind(field)
	what := fmt.Sprintf("%s=%s", field, formatNumber(x))
	if kind != kindOther {
		what = fmt.Sprintf("%s %s", formatNumber(x), kindNoun[kind])
	}
	var s string
	if entity != "" {
		s = entity + " had " + what
	} else {
		s = "There were " + what
	}
	if step > 0 {
		s += " in " + durationWords(step)
	}
	if t.K == store.KindTime {
		s += " at " + time.Unix(0, t.I).UTC().Format("15:04 on 2006-01-02")
	}
	whose, of := "the usual", ""
	switch {
	case seasonal:
		whose, of = "the expected", " for that time"
	case its:
		whose = "its usual"
	case entity != "":
		of = " (the median of all rows)"
	}
	switch {
	case usual == 0:
		s += fmt.Sprintf(", against %s 0%s", whose, of)
	case x >= usual:
		s += fmt.Sprintf(", about %s times %s %s%s", ratioWords(x/usual), whose, formatNumber(usual), of)
	default:
		s += fmt.Sprintf(", below %s %s%s", whose, formatNumber(usual), of)
	}
	return s + "."
}

// Kinds of count, by the field's name or the query's search.
const (
	kindOther = iota
	kindFailedLogins
	kindWebErrors
)

var kindNoun = map[int]string{kindFailedLogins: "failed logins", kindWebErrors: "web errors"}

var (
	loginName   = regexp.MustCompile(`fail|attempt|login|password`)
	webName     = regexp.MustCompile(`error|4xx|5xx|404|not_?found`)
	countName   = regexp.MustCompile(`^(count|n|events|hits|requests)$`)
	loginSearch = regexp.MustCompile(`action=failure|failed password|invalid_user|authentication failure`)
	webSearch   = regexp.MustCompile(`status\s*(>=?\s*[45]\d\d|=\s*[45]\d\d|in \([45])`)
)

// kind tells what a count field counts: by its name, or for a plain count
// by the query's search.
func (o *explainOp) kind(field string) int {
	f := strings.ToLower(field)
	switch {
	case loginName.MatchString(f):
		return kindFailedLogins
	case webName.MatchString(f):
		return kindWebErrors
	case countName.MatchString(f) && loginSearch.MatchString(o.search):
		return kindFailedLogins
	case countName.MatchString(f) && webSearch.MatchString(o.search):
		return kindWebErrors
	}
	return kindOther
}

// nextCheck is the fixed suggestion for a kind of count.
func nextCheck(kind int) string {
	switch kind {
	case kindFailedLogins:
		return "check for a successful login from the same address after (action=success)"
	case kindWebErrors:
		return "check the paths requested and their status codes"
	}
	return "look at the events around it (| context by the entity's field)"
}

// bucketSpan is the span of the last bin of _time or timechart before
// stage c in q: the rows' bucket (the smallest gap between their times is
// larger when buckets are missing), or 0 when there is none.
func bucketSpan(q *Query, c Command) time.Duration {
	var span time.Duration
	for _, st := range q.Stages {
		if st == c {
			break
		}
		switch s := st.(type) {
		case *BinCmd:
			if s.Target == store.ColTime {
				span = s.Span
			}
		case *TimechartCmd:
			span = s.Span
		case *StatsCmd:
			// a stats without _time among its by fields ends the buckets
			if !slices.ContainsFunc(s.By, func(f *Field) bool { return f.Name == store.ColTime }) {
				span = 0
			}
		}
	}
	return span
}

// timeStep is the smallest gap between the rows' distinct times: the
// bucket span of a timechart or bin, or 0 when there is none.
func timeStep(b *Batch) time.Duration {
	tc := b.Col(store.ColTime)
	if tc < 0 {
		return 0
	}
	var ts []int64
	for _, v := range b.Cols[tc] {
		if v.K == store.KindTime {
			ts = append(ts, v.I)
		}
	}
	slices.Sort(ts)
	ts = slices.Compact(ts)
	var step int64
	for i := 1; i < len(ts); i++ {
		if d := ts[i] - ts[i-1]; step == 0 || d < step {
			step = d
		}
	}
	return time.Duration(step)
}

// durationWords says a duration in words: "one minute", "10 minutes".
func durationWords(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.d && d%u.d == 0 {
			if n := d / u.d; n > 1 {
				return fmt.Sprintf("%d %ss", n, u.name)
			}
			return "one " + u.name
		}
	}
	return d.String()
}

// ratioWords rounds a ratio for reading: whole from 10, else one decimal.
func ratioWords(x float64) string {
	if x >= 10 {
		return formatNumber(math.Round(x))
	}
	return formatNumber(math.Round(x*10) / 10)
}

// median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// findingRun returns the rows of finding r's run: the flagged rows of the
// same entity at r's time and at whole steps before and after it with no
// gap, in time order (just r without a step or a time).
func findingRun(b *Batch, r, flags, ent int, step time.Duration) []int {
	tc := b.Col(store.ColTime)
	if step <= 0 || tc < 0 || b.Cols[tc][r].K != store.KindTime {
		return []int{r}
	}
	key := func(i int) string {
		if ent < 0 || b.Cols[ent][i].IsNull() {
			return ""
		}
		return b.Cols[ent][i].String()
	}
	at := map[int64]int{}
	for i := 0; i < b.Len; i++ {
		if (flags < 0 || b.Cols[flags][i].Truthy()) && b.Cols[tc][i].K == store.KindTime && key(i) == key(r) {
			if _, ok := at[b.Cols[tc][i].I]; !ok {
				at[b.Cols[tc][i].I] = i
			}
		}
	}
	t := b.Cols[tc][r].I
	lo, hi := t, t
	for {
		if _, ok := at[lo-int64(step)]; !ok {
			break
		}
		lo -= int64(step)
	}
	for {
		if _, ok := at[hi+int64(step)]; !ok {
			break
		}
		hi += int64(step)
	}
	var run []int
	for x := lo; x <= hi; x += int64(step) {
		run = append(run, at[x])
	}
	return run
}

// successAfter looks in the store for the first successful login
// (action=success) whose by field is entity in [lo, hi), and says when
// and for whom; "" when there is none.
func (o *explainOp) successAfter(entity string, lo, hi int64) (string, error) {
	q, err := Parse(fieldString(o.by, modeSearch) + "=" + quoteText(entity) + " action=success | sort _time | head 1")
	if err != nil {
		return "", fmt.Errorf("explain: the search for a success of %s=%q: %w", o.by, entity, err)
	}
	opt := Options{
		Now:      o.p.opt.Now,
		Earliest: time.Unix(0, lo).UTC().Format(time.RFC3339Nano),
		Latest:   time.Unix(0, hi).UTC().Format(time.RFC3339Nano),
		MaxRows:  o.p.opt.MaxRows, SkipDamaged: o.p.opt.SkipDamaged, Warn: o.p.opt.Warn,
	}
	found := ""
	_, err = Run(o.p.ctx, o.p.st, q, opt, func(b *Batch) error {
		for r := 0; r < b.Len && found == ""; r++ {
			// the search matches case-insensitively; the entity is exact
			if b.Get(o.by, r).String() != entity || b.Get(store.ColTime, r).K != store.KindTime {
				continue
			}
			found = "at " + time.Unix(0, b.Get(store.ColTime, r).I).UTC().Format("15:04:05 on 2006-01-02")
			if u := b.Get("user", r); !u.IsNull() && o.by != "user" {
				found += " for " + u.String()
			}
		}
		return nil
	})
	return found, err
}
