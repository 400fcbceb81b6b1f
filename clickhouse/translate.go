package clickhouse

// The translation of a loghunt query's leading stages into one ClickHouse
// SELECT over a table ship filled (loghunt query --engine clickhouse=URL).
// Each translated piece computes what loghunt computes, with its
// semantics rather than SQL's: words and phrases match whole tokens of
// _raw ignoring ASCII case (a regular expression of the token bytes
// loghunt uses), a comparison with a missing field is false even for !=
// (ifNull), a number compares as a number and text as text, groups with
// a null by-value are dropped, and rows come out in the order loghunt
// gives them (events by time; groups by their by-values, numbers before
// text; a sort stable over that). The first stage that does not map ends
// the translation: it and the stages after it run in loghunt over the
// rows the SELECT returns (query.RunBatches).
//
// The SQL uses only functions ClickHouse 18.16 has and current releases
// keep (match, positionCaseInsensitive, lower, toFloat64OrNull, ifNull,
// multiIf, intDiv, modulo, uniqExact).

import (
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// kind is how a result column's text becomes a loghunt value.
type kind uint8

const (
	kInt kind = iota
	kFloat
	kBool
	kStr
	kTime  // Int64 nanoseconds
	kExtra // the _extra JSON object: one string field per key
	// kPercent is the total of top's rows: the column is percent, made
	// of the count before it as loghunt makes it.
	kPercent
)

// outCol is one column of the SELECT's result.
type outCol struct {
	name string // the loghunt field
	kind kind
}

// Translation is a query split between the server and loghunt.
type Translation struct {
	SQL string
	// From is the first stage loghunt runs itself (query.RunBatches's
	// from): 0 when not even the search's terms were translated (the
	// SELECT then only applies the time range).
	From int
	// Remote and Local are the stages run on the server and in loghunt.
	Remote, Local []string
	cols          []outCol
	// fill, when set, is timechart's span: the rows are its buckets, and
	// the empty ones between the first and the last are loghunt's to add.
	fill int64
}

// Explain says what runs where.
func (t *Translation) Explain() string {
	var b strings.Builder
	b.WriteString("on ClickHouse:\n")
	for _, s := range t.Remote {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	b.WriteString("SQL:\n  " + t.SQL + "\n")
	if len(t.Local) == 0 {
		b.WriteString("in loghunt: nothing\n")
	} else {
		b.WriteString("in loghunt, over the rows the SQL returns:\n")
		for _, s := range t.Local {
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	return b.String()
}

// outputCol is a column of an aggregation's result: its alias and type.
type outputCol struct{ expr, typ string }

// schema is what the translator knows of the table.
type schema struct {
	table string            // quoted name
	types map[string]string // column -> type without Nullable()
	cols  []Column
	// extra are the fields some of whose values are in _extra (a value
	// of another kind than its column's): no comparison on them is
	// translated.
	extra map[string]bool
	// times are the Int64 columns of time-valued fields (nanoseconds):
	// loghunt compares them as Unix seconds, so nothing on them is
	// translated; their values come back as times.
	times map[string]bool
}

func newSchema(table string, cols []Column) (*schema, error) {
	name, err := tableName(table)
	if err != nil {
		return nil, err
	}
	s := &schema{table: name, types: map[string]string{}, cols: cols, extra: map[string]bool{}, times: map[string]bool{}}
	for _, c := range cols {
		s.types[c.Name] = baseType(c.Type)
		if c.Comment == timeComment {
			s.times[c.Name] = true
		}
	}
	for _, need := range []string{"_time_ns", "_raw", "source", "sourcetype"} {
		if _, ok := s.types[need]; !ok {
			return nil, fmt.Errorf("table %s has no %s column: it is not one loghunt ship filled", table, need)
		}
	}
	return s, nil
}

func baseType(t string) string {
	if strings.HasPrefix(t, "Nullable(") {
		return strings.TrimSuffix(strings.TrimPrefix(t, "Nullable("), ")")
	}
	return t
}

// translator builds one SELECT.
type translator struct {
	s     *schema
	where []string
	// timeExpr is _time as the stages so far made it (bin floors it).
	timeExpr string
	// derived are the fields rex and eval made: their SQL and base type.
	derived map[string]outputCol
	// outputs, when set, are the only fields there are: the columns of
	// an aggregation's result (for a where after it, as HAVING).
	outputs map[string]outputCol
	// prewhere are substring tests every match passes: ClickHouse runs
	// them first and the rest (the regexes) only on the rows they keep.
	prewhere []string
}

// Translate splits q: lo and hi are the resolved time range (inclusive
// Unix ns).
func translate(q *query.Query, s *schema, lo, hi int64) *Translation {
	tr := &translator{s: s, timeExpr: "_time_ns", derived: map[string]outputCol{}}
	if lo != minInt64 {
		tr.where = append(tr.where, fmt.Sprintf("_time_ns >= %d", lo))
	}
	if hi != maxInt64 {
		tr.where = append(tr.where, fmt.Sprintf("_time_ns <= %d", hi))
	}
	out := &Translation{}
	search := q.Stages[0].(*query.SearchCmd)
	texts := stageTexts(q)
	if cond, ok := tr.term(search.Term); ok {
		if cond != "1" {
			tr.where = append(tr.where, cond)
		}
		tr.prewhere = prefilters(search.Term)
		out.From = 1
	} else {
		out.Remote = []string{"the time range of: " + texts[0]}
	}
	i := out.From
	// Event stages: later searches and bin _time.
	for i > 0 && i < len(q.Stages) {
		switch c := q.Stages[i].(type) {
		case *query.SearchCmd:
			if cond, ok := tr.laterSearch(c); ok {
				tr.where = append(tr.where, cond)
				i++
				continue
			}
		case *query.RexCmd:
			if tr.rex(c) {
				i++
				continue
			}
		case *query.EvalCmd:
			if tr.eval(c) {
				i++
				continue
			}
		case *query.WhereCmd:
			if cond, ok := tr.expr(c.Expr); ok {
				tr.where = append(tr.where, cond)
				i++
				continue
			}
		case *query.BinCmd:
			if c.Target == store.ColTime && onlySpan(c) {
				span := int64(c.Span)
				tr.timeExpr = fmt.Sprintf("(intDiv(%[1]s, %[2]d) * %[2]d - if(modulo(%[1]s, %[2]d) < 0, %[2]d, 0))", tr.timeExpr, span)
				i++
				continue
			}
		}
		break
	}
	var sql string
	if i > 0 {
		var agg *aggSelect
		ok := false
		switch st := stageAt(q, i).(type) {
		case *query.StatsCmd:
			agg, ok = tr.stats(st, q.Stages[i+1:])
		case *query.TopCmd:
			if len(st.By) == 0 {
				agg, ok = tr.top(st.Fields, st.Limit, false)
			} else {
				agg, ok = tr.topBy(st.Fields, st.By, st.Limit, false)
			}
		case *query.RareCmd:
			if len(st.By) == 0 {
				agg, ok = tr.top(st.Fields, st.Limit, true)
			} else {
				agg, ok = tr.topBy(st.Fields, st.By, st.Limit, true)
			}
		case *query.DedupCmd:
			agg, ok = tr.dedup(st)
		case *query.TimechartCmd:
			agg, ok = tr.timechart(st)
		}
		if ok {
			sql = agg.sql
			out.cols = agg.cols
			out.fill = agg.fill
			i += 1 + agg.extra
		}
	}
	if sql == "" {
		sql, out.cols = tr.events()
	}
	out.SQL = sql
	if out.From > 0 {
		out.From = i
		out.Remote = texts[:i]
	}
	out.Local = texts[out.From:]
	return out
}

// expr translates a where condition made of comparisons of a field with
// a literal joined by AND, OR and NOT. SQL's NULL is loghunt's null here:
// a comparison with null is null, AND, OR and NOT are three-valued the
// same way, and WHERE keeps the true rows, as where does.
func (tr *translator) expr(e *query.Expr) (string, bool) {
	var ors []string
	for _, a := range e.Or {
		var ands []string
		for _, n := range a.And {
			c, ok := tr.notExpr(n)
			if !ok {
				return "", false
			}
			ands = append(ands, c)
		}
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", true
}

func (tr *translator) notExpr(n *query.NotExpr) (string, bool) {
	if n.Not != nil {
		c, ok := tr.notExpr(n.Not)
		return "(NOT " + c + ")", ok
	}
	c := n.Cmp
	if c.Like != nil || c.In != nil || c.Negate {
		return "", false
	}
	if c.Op == "" {
		if p := primary(c.Left); p != nil && p.Group != nil {
			return tr.expr(p.Group)
		}
		return "", false
	}
	op := c.Op
	if op == "==" {
		op = "="
	}
	field, lit := primary(c.Left), primary(c.Right)
	if field == nil || lit == nil {
		return "", false
	}
	if field.Field == nil {
		field, lit = lit, field
		op = map[string]string{"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
	}
	if field.Field == nil || lit.Field != nil {
		return "", false
	}
	name := string(*field.Field)
	var col, typ string
	switch {
	case tr.outputs != nil:
		var ok bool
		if col, typ, ok = tr.column(name); !ok {
			return "", false
		}
	case name == store.ColRaw || name == "source" || name == "sourcetype":
		col, typ = quoteIdent(name), "String"
	default:
		var ok bool
		if col, typ, ok = tr.column(name); !ok {
			return "", false
		}
	}
	k := kindOf(typ)
	switch {
	case lit.Str != nil:
		switch k {
		case kStr:
			return fmt.Sprintf("(%s %s %s)", col, op, sqlString(string(*lit.Str))), true
		case kInt:
			// A number and text that is not one compare as printed text.
			if _, isNum := store.ParseNumber(string(*lit.Str)); isNum {
				return "", false
			}
			return fmt.Sprintf("(toString(%s) %s %s)", col, op, sqlString(string(*lit.Str))), true
		}
	case lit.Number != nil:
		text := *lit.Number
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			if _, err := strconv.ParseFloat(text, 64); err != nil || k == kStr {
				return "", false // (a float literal prints as Go prints it)
			}
		}
		if lit.neg {
			text = "-" + text
		}
		switch k {
		case kInt, kFloat:
			return fmt.Sprintf("(%s %s %s)", col, op, text), true
		case kStr:
			return fmt.Sprintf("if(isNull(toFloat64OrNull(%[1]s)), %[1]s %[2]s %[3]s, toFloat64OrNull(%[1]s) %[2]s %[4]s)", col, op, sqlString(text), text), true
		}
	}
	return "", false
}

// lit is a primary, with a unary minus before a number.
type lit struct {
	*query.Primary
	neg bool
}

// primary is the single primary an operand is, or nil.
func primary(a *query.AddExpr) *lit {
	if a == nil || len(a.Rest) > 0 || len(a.Left.Rest) > 0 {
		return nil
	}
	u := a.Left.Left
	if u.Neg != nil {
		if u.Neg.Primary != nil && u.Neg.Primary.Number != nil {
			return &lit{u.Neg.Primary, true}
		}
		return nil
	}
	return &lit{u.Primary, false}
}

// rex translates a rex with one capturing group, named, that cannot
// match the empty string: extract() gives the group's text of the first
// match, and ” exactly when the regex does not match, where the field
// keeps the value it had (null, or its String column's value).
func (tr *translator) rex(c *query.RexCmd) bool {
	re, err := c.Compile()
	if err != nil || re.NumSubexp() != 1 || re.SubexpNames()[1] == "" {
		return false
	}
	name := re.SubexpNames()[1]
	pat := string(c.Regex.Value)
	// The group without its name: 18.16's RE2 knows neither (?<name>)
	// nor, in every build, (?P<name>).
	var group string
	for _, open := range []string{"(?<" + name + ">", "(?P<" + name + ">"} {
		if strings.Count(pat, open) == 1 {
			group = open
		}
	}
	if group == "" {
		return false
	}
	plain := strings.Replace(pat, group, "(", 1)
	if p2, err := regexp.Compile(plain); err != nil || p2.NumSubexp() != 1 {
		return false
	}
	// The group's own text, to see whether it can match "".
	sub, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return false
	}
	var capture *syntax.Regexp
	var find func(r *syntax.Regexp)
	find = func(r *syntax.Regexp) {
		if r.Op == syntax.OpCapture {
			capture = r
		}
		for _, s := range r.Sub {
			find(s)
		}
	}
	find(sub)
	if capture == nil || regexp.MustCompile(`^(?:`+capture.Sub[0].String()+`)$`).MatchString("") {
		return false
	}
	if strings.Contains(plain, "\\x") || strings.ContainsAny(plain, "\x00") {
		return false // (18.16 misreads \xHH escapes; see foldRE)
	}
	src, typ := quoteIdent(store.ColRaw), "String"
	if c.Field != store.ColRaw {
		var ok bool
		if src, typ, ok = tr.column(c.Field); !ok || typ != "String" {
			return false
		}
	}
	if store.IsBuiltin(name) || name == "_extra" || name == "_chunk" || name == "_chunk_min" || name == "_seq" || name == "_time_ns" {
		return false
	}
	old, otyp, ok := tr.column(name)
	if !ok || otyp != "String" {
		return false
	}
	if strings.HasPrefix(old, "CAST(NULL") {
		old = "NULL"
	}
	x := fmt.Sprintf("extract(ifNull(%s, ''), %s)", src, sqlString(plain))
	tr.derived[name] = outputCol{fmt.Sprintf("if(%s != '', toNullable(%s), %s)", x, x, old), "String"}
	return true
}

// eval translates assignments of a field, a literal, lower(), upper()
// or len() of a text field, or + - * of numbers (int with int stays int,
// as in loghunt; a float that is not finite is null). Each assignment
// sees the ones before it.
func (tr *translator) eval(c *query.EvalCmd) bool {
	saved := maps.Clone(tr.derived)
	for _, a := range c.Assigns {
		name := string(a.Field)
		if name == store.ColTime || store.IsBuiltin(name) || name == "_extra" || name == "_chunk" || name == "_chunk_min" || name == "_seq" || name == "_time_ns" || tr.s.times[name] {
			tr.derived = saved
			return false
		}
		v, ok := tr.value(a.Expr)
		if !ok {
			tr.derived = saved
			return false
		}
		tr.derived[name] = v
	}
	return true
}

// value is an eval expression as SQL, with its base type (Int64,
// Float64 or String).
func (tr *translator) value(e *query.Expr) (outputCol, bool) {
	if len(e.Or) != 1 || len(e.Or[0].And) != 1 || e.Or[0].And[0].Cmp == nil {
		return outputCol{}, false
	}
	c := e.Or[0].And[0].Cmp
	if c.Op != "" || c.Like != nil || c.In != nil || c.Negate {
		return outputCol{}, false
	}
	add := c.Left
	x, ok := tr.mul(add.Left)
	if !ok {
		return x, false
	}
	for _, op := range add.Rest {
		y, ok := tr.mul(op.Right)
		if !ok {
			return y, false
		}
		if x, ok = arith(op.Op, x, y); !ok {
			return x, false
		}
	}
	return x, true
}

func (tr *translator) mul(m *query.MulExpr) (outputCol, bool) {
	x, ok := tr.unary(m.Left)
	if !ok {
		return x, false
	}
	for _, op := range m.Rest {
		y, ok := tr.unary(op.Right)
		if !ok {
			return y, false
		}
		if x, ok = arith(op.Op, x, y); !ok {
			return x, false
		}
	}
	return x, true
}

// arith is + - * of two numbers: Int64 when both are, else Float64 with
// infinities and NaN as null.
func arith(op string, x, y outputCol) (outputCol, bool) {
	if op == "/" || op == "%" || x.typ == "String" || y.typ == "String" {
		return outputCol{}, false // (/ is int or float by the values; + joins text)
	}
	e := fmt.Sprintf("(%s %s %s)", x.expr, op, y.expr)
	if x.typ == "Int64" && y.typ == "Int64" {
		return outputCol{e, "Int64"}, true
	}
	return outputCol{fmt.Sprintf("if(isFinite(%[1]s), %[1]s, NULL)", e), "Float64"}, true
}

func (tr *translator) unary(u *query.Unary) (outputCol, bool) {
	if u.Neg != nil {
		x, ok := tr.unary(u.Neg)
		if !ok || x.typ == "String" {
			return x, false
		}
		return outputCol{"(-" + x.expr + ")", x.typ}, true
	}
	p := u.Primary
	switch {
	case p.Number != nil:
		if _, err := strconv.ParseInt(*p.Number, 10, 64); err == nil {
			return outputCol{"toInt64(" + *p.Number + ")", "Int64"}, true
		}
		if f, err := strconv.ParseFloat(*p.Number, 64); err == nil && !strings.ContainsAny(*p.Number, "xX_") {
			return outputCol{"toFloat64(" + numLit(f) + ")", "Float64"}, true
		}
	case p.Str != nil:
		return outputCol{"toNullable(" + sqlString(string(*p.Str)) + ")", "String"}, true
	case p.Field != nil:
		name := string(*p.Field)
		if name == store.ColRaw || name == "source" || name == "sourcetype" {
			return outputCol{quoteIdent(name), "String"}, true
		}
		col, typ, ok := tr.column(name)
		if !ok || typ != "String" && typ != "Int64" && typ != "Float64" {
			return outputCol{}, false
		}
		return outputCol{col, typ}, true
	case p.Group != nil:
		return tr.value(p.Group)
	case p.Call != nil:
		if len(p.Call.Args) != 1 {
			return outputCol{}, false
		}
		x, ok := tr.value(p.Call.Args[0])
		if !ok || x.typ != "String" {
			return x, false
		}
		switch p.Call.Name {
		case "lower":
			return outputCol{"lowerUTF8(" + x.expr + ")", "String"}, true
		case "upper":
			return outputCol{"upperUTF8(" + x.expr + ")", "String"}, true
		case "len":
			return outputCol{"toInt64(lengthUTF8(" + x.expr + "))", "Int64"}, true
		}
	}
	return outputCol{}, false
}

// onlySpan reports whether bin has no option but span= (before or after
// the field).
func onlySpan(c *query.BinCmd) bool {
	for _, o := range append(append([]*query.Option{}, c.Options...), c.Trailing...) {
		if o.Name != "span" {
			return false
		}
	}
	return true
}

func stageAt(q *query.Query, i int) query.Command {
	if i < len(q.Stages) {
		return q.Stages[i]
	}
	return nil
}

func stageTexts(q *query.Query) []string {
	var out []string
	for i, st := range q.Stages {
		s := st.String()
		if i == 0 {
			s = (&query.Query{Stages: []query.Command{st, &query.HeadCmd{}}}).String()
			s = strings.TrimSuffix(s, " | head")
			if s == "" {
				s = "*"
			}
		}
		out = append(out, s)
	}
	return out
}

func (tr *translator) whereSQL() string {
	return tr.prewhereSQL() + whereOf(tr.where)
}

func whereOf(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func (tr *translator) prewhereSQL() string {
	if len(tr.prewhere) == 0 {
		return ""
	}
	return " PREWHERE " + strings.Join(tr.prewhere, " AND ")
}

// prefilters are the substring tests of the words and phrases at the top
// level of a search (not under OR or NOT): each is a necessary condition.
func prefilters(t *query.Term) []string {
	if t == nil {
		return nil
	}
	args := []*query.Term{t}
	if t.Kind == query.TermAnd {
		args = t.Args
	}
	var out []string
	for _, a := range args {
		lit := ""
		switch a.Kind {
		case query.TermPhrase:
			lit = a.Value
		case query.TermWord:
			for _, s := range strings.Split(a.Value, "*") {
				if len(s) > len(lit) {
					lit = s
				}
			}
		}
		if lit != "" {
			out = append(out, fmt.Sprintf("positionCaseInsensitive(_raw, %s) > 0", sqlString(lit)))
		}
	}
	return out
}

// events is the SELECT of whole events, in loghunt's order.
func (tr *translator) events() (string, []outCol) {
	// The columns as loghunt lays an event out: _time, the fields,
	// source, sourcetype, _raw.
	sel := []string{tr.timeExpr}
	cols := []outCol{{store.ColTime, kTime}}
	for _, c := range tr.s.cols {
		switch c.Name {
		case "_time_ns", "_time", "_chunk", "_chunk_min", "_seq", "_extra", "source", "sourcetype", store.ColRaw:
			continue
		}
		k := kindOf(baseType(c.Type))
		if tr.s.times[c.Name] && k == kInt {
			k = kTime
		}
		if d, ok := tr.derived[c.Name]; ok {
			sel = append(sel, d.expr)
			cols = append(cols, outCol{c.Name, kindOf(d.typ)})
			continue
		}
		sel = append(sel, quoteIdent(c.Name))
		cols = append(cols, outCol{c.Name, k})
	}
	var made []string
	for name := range tr.derived {
		if _, ok := tr.s.types[name]; !ok {
			made = append(made, name)
		}
	}
	slices.Sort(made)
	for _, name := range made {
		sel = append(sel, tr.derived[name].expr)
		cols = append(cols, outCol{name, kindOf(tr.derived[name].typ)})
	}
	sel = append(sel, "source", "sourcetype", "_raw")
	cols = append(cols, outCol{"source", kStr}, outCol{"sourcetype", kStr}, outCol{store.ColRaw, kStr})
	if _, ok := tr.s.types["_extra"]; ok {
		sel = append(sel, "_extra")
		cols = append(cols, outCol{"_extra", kExtra})
	}
	// loghunt's order: by time, events of one time by their chunks'
	// order in the store (first time, then id), then by row.
	order := " ORDER BY _time_ns"
	if _, ok := tr.s.types["_chunk_min"]; ok {
		order += ", _chunk_min"
	}
	if _, ok := tr.s.types["_chunk"]; ok {
		order += ", _chunk"
	}
	if _, ok := tr.s.types["_seq"]; ok {
		order += ", _seq"
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + tr.s.table + tr.whereSQL() + order, cols
}

// keyColumns are by-fields as SQL: their expressions (aliased lh_k0...,
// no field is compared or aggregated under: an alias hides a column of its
// name in WHERE),
// kinds, the conditions that drop rows with a null one, and the order of
// their groups as loghunt sorts them.
func (tr *translator) keyColumns(fields []*query.Field) (sel []string, cols []outCol, notNull, order []string, ok bool) {
	seen := map[string]bool{}
	for i, f := range fields {
		alias := fmt.Sprintf("lh_k%d", i)
		var expr string
		var k kind
		if f.Name == store.ColTime {
			expr, k = tr.timeExpr, kTime
		} else {
			col, typ, ok := tr.column(f.Name)
			if !ok || strings.HasPrefix(col, "CAST(NULL") {
				// (ClickHouse drops a constant GROUP BY key, and would
				// give one row where loghunt gives none.)
				return nil, nil, nil, nil, false
			}
			expr, k = col, kindOf(typ)
		}
		if seen[f.Name] {
			return nil, nil, nil, nil, false
		}
		seen[f.Name] = true
		sel = append(sel, expr+" AS "+alias)
		cols = append(cols, outCol{f.Name, k})
		if f.Name != store.ColTime && !store.IsBuiltin(f.Name) {
			notNull = append(notNull, "isNotNull("+expr+")")
		}
		order = append(order, orderBy(alias, k, false, false)...)
	}
	return sel, cols, notNull, order, true
}

// top translates top (rare) without by: the values' counts, the most
// (least) common first, ties in the values' order, and the total of the
// rows that have every field, of which loghunt makes percent as it does.
func (tr *translator) top(fields []*query.Field, limit int, rare bool) (*aggSelect, bool) {
	sel, cols, notNull, order, ok := tr.keyColumns(fields)
	if !ok {
		return nil, false
	}
	where := tr.prewhereSQL() + whereOf(append(append([]string(nil), tr.where...), notNull...))
	keys := make([]string, len(fields))
	for i := range fields {
		keys[i] = fmt.Sprintf("lh_k%d", i)
	}
	dir := " DESC"
	if rare {
		dir = ""
	}
	sql := fmt.Sprintf("SELECT %s, count() AS lh_c, (SELECT count() FROM %s%s) AS lh_total FROM %s%s GROUP BY %s ORDER BY lh_c%s, %s",
		strings.Join(sel, ", "), tr.s.table, where, tr.s.table, where, strings.Join(keys, ", "), dir, strings.Join(order, ", "))
	if limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", limit)
	}
	cols = append(cols, outCol{"count", kInt}, outCol{"percent", kPercent})
	return &aggSelect{sql: sql, cols: cols}, true
}

// timechart translates timechart without by: the aggregates per bucket
// of _time (floored to the span from the epoch), in time order; the empty
// buckets and the nulls become zeros in loghunt (fillBuckets).
func (tr *translator) timechart(c *query.TimechartCmd) (*aggSelect, bool) {
	if c.By != nil {
		return nil, false // (the series, OTHER and NULL pivot stay in loghunt)
	}
	for _, o := range append(append([]*query.Option{}, c.Options...), c.Trailing...) {
		if o.Name != "span" && o.Name != "limit" {
			return nil, false
		}
	}
	span := int64(c.Span)
	bucket := fmt.Sprintf("(intDiv(%[1]s, %[2]d) * %[2]d - if(modulo(%[1]s, %[2]d) < 0, %[2]d, 0))", tr.timeExpr, span)
	sel := []string{bucket + " AS lh_k0"}
	cols := []outCol{{store.ColTime, kTime}}
	seen := map[string]bool{store.ColTime: true}
	for i, a := range c.Aggs {
		expr, k, ok := tr.agg(a)
		if !ok || seen[a.OutputName()] {
			return nil, false
		}
		seen[a.OutputName()] = true
		sel = append(sel, fmt.Sprintf("%s AS lh_a%d", expr, i))
		cols = append(cols, outCol{a.OutputName(), k})
	}
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + tr.s.table + tr.whereSQL() + " GROUP BY lh_k0 ORDER BY lh_k0"
	return &aggSelect{sql: sql, cols: cols, fill: span}, true
}

// topBy translates top (rare) by: per combination of the by-values, in
// their order, the most (least) common values first and at most limit of
// them (LIMIT BY), each with the total of its by-group (a JOIN, GLOBAL so
// that a Distributed table's shards need not have it) for percent.
func (tr *translator) topBy(fields, by []*query.Field, limit int, rare bool) (*aggSelect, bool) {
	all := append(append([]*query.Field{}, by...), fields...)
	sel, cols, notNull, _, ok := tr.keyColumns(all)
	if !ok {
		return nil, false
	}
	for i := range sel {
		// Join keys that are not Nullable (18.16 joins no Nullable keys).
		expr, alias, _ := strings.Cut(sel[i], " AS ")
		sel[i] = "assumeNotNull(" + expr + ") AS " + alias
	}
	nb := len(by)
	aliases := make([]string, len(all))
	for i := range all {
		aliases[i] = fmt.Sprintf("lh_k%d", i)
	}
	where := tr.prewhereSQL() + whereOf(append(append([]string(nil), tr.where...), notNull...))
	var order []string
	for i := range nb {
		order = append(order, orderBy(aliases[i], cols[i].kind, false, false)...)
	}
	if rare {
		order = append(order, "lh_c")
	} else {
		order = append(order, "lh_c DESC")
	}
	for i := nb; i < len(all); i++ {
		order = append(order, orderBy(aliases[i], cols[i].kind, false, false)...)
	}
	byAliases := strings.Join(aliases[:nb], ", ")
	sql := fmt.Sprintf("SELECT %s, lh_c, lh_total FROM (SELECT %s, count() AS lh_c FROM %s%s GROUP BY %s) GLOBAL ANY LEFT JOIN (SELECT %s, count() AS lh_total FROM %s%s GROUP BY %s) USING %s ORDER BY %s",
		strings.Join(aliases, ", "), strings.Join(sel, ", "), tr.s.table, where, strings.Join(aliases, ", "),
		strings.Join(sel[:nb], ", "), tr.s.table, where, byAliases, byAliases, strings.Join(order, ", "))
	if limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d BY %s", limit, byAliases)
	}
	cols = append(cols, outCol{"count", kInt}, outCol{"percent", kPercent})
	return &aggSelect{sql: sql, cols: cols}, true
}

// dedup translates dedup: the first event (in loghunt's order) of each
// combination of the fields, rows with a null one dropped.
func (tr *translator) dedup(c *query.DedupCmd) (*aggSelect, bool) {
	_, _, notNull, _, ok := tr.keyColumns(c.Fields)
	if !ok {
		return nil, false
	}
	for _, f := range c.Fields {
		if f.Name == store.ColTime {
			return nil, false
		}
		if _, typ, _ := tr.column(f.Name); kindOf(typ) == kFloat {
			return nil, false // -0 and 0 are two values to loghunt
		}
	}
	saved := tr.where
	tr.where = append(append([]string(nil), tr.where...), notNull...)
	sql, cols := tr.events()
	tr.where = saved
	var by []string
	for _, f := range c.Fields {
		col, _, _ := tr.column(f.Name)
		by = append(by, col)
	}
	return &aggSelect{sql: sql + " LIMIT 1 BY " + strings.Join(by, ", "), cols: cols}, true
}

func kindOf(typ string) kind {
	switch typ {
	case "Int64", "Int32", "UInt32", "Int16", "UInt16", "Int8", "UInt64":
		return kInt
	case "Float64", "Float32":
		return kFloat
	case "UInt8":
		return kBool
	}
	return kStr
}

// column is a field as a SQL expression and its base type; ok false when
// the table has no column for it (its values are in _extra, or nowhere).
func (tr *translator) column(name string) (expr, typ string, ok bool) {
	if name == store.ColTime || name == "_extra" || name == "_chunk" || name == "_chunk_min" || name == "_seq" || name == "_time_ns" {
		return "", "", false
	}
	if tr.outputs != nil {
		o, ok := tr.outputs[name]
		return o.expr, o.typ, ok
	}
	if strings.HasPrefix(name, "lh_") {
		return "", "", false // the translation's aliases would hide it
	}
	if d, ok := tr.derived[name]; ok {
		return d.expr, d.typ, true
	}
	if tr.s.extra[name] || tr.s.times[name] {
		return "", "", false // some of its values are in _extra
	}
	typ, ok = tr.s.types[name]
	if !ok {
		// A field no event has: ship gives every field of the store a
		// column, and _extra holds none of this one.
		return "CAST(NULL AS Nullable(String))", "String", true
	}
	if kindOf(typ) == kStr && typ != "String" {
		return "", "", false
	}
	return quoteIdent(name), typ, true
}

func (tr *translator) laterSearch(c *query.SearchCmd) (string, bool) {
	if hasTimeTerm(c.Term) {
		return "", false
	}
	return tr.term(c.Term)
}

func hasTimeTerm(t *query.Term) bool {
	if t == nil {
		return false
	}
	if t.Kind == query.TermEarliest || t.Kind == query.TermLatest {
		return true
	}
	for _, a := range t.Args {
		if hasTimeTerm(a) {
			return true
		}
	}
	return false
}

// term is a search term as a SQL condition that is never NULL.
func (tr *translator) term(t *query.Term) (string, bool) {
	if t == nil {
		return "1", true
	}
	switch t.Kind {
	case query.TermAll, query.TermEarliest, query.TermLatest:
		return "1", true
	case query.TermWord:
		return wordSQL(t.Value)
	case query.TermPhrase:
		return phraseSQL(t.Value)
	case query.TermCompare:
		col, typ, ok := tr.column(t.Field)
		if !ok {
			return "", false
		}
		return cmpSQL(col, typ, t.Op, t.Value)
	case query.TermIn:
		col, typ, ok := tr.column(t.Field)
		if !ok {
			return "", false
		}
		var parts []string
		for _, v := range t.Values {
			p, ok := cmpSQL(col, typ, "=", v)
			if !ok {
				return "", false
			}
			parts = append(parts, p)
		}
		return "(" + strings.Join(parts, " OR ") + ")", true
	case query.TermAnd, query.TermOr:
		sep := " AND "
		if t.Kind == query.TermOr {
			sep = " OR "
		}
		var parts []string
		for _, a := range t.Args {
			p, ok := tr.term(a)
			if !ok {
				return "", false
			}
			parts = append(parts, p)
		}
		return "(" + strings.Join(parts, sep) + ")", true
	case query.TermNot:
		p, ok := tr.term(t.Args[0])
		if !ok {
			return "", false
		}
		return "(NOT " + p + ")", true
	}
	return "", false // a subsearch
}

// The bytes loghunt's tokens are made of (store.IsTokenByte) are letters,
// digits, '_' and every byte from 0x80; this class is the others, all
// ASCII, so it means the same to a byte-wise and a UTF-8 regex engine.
const nonToken = `[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]`

// foldRE is s as a regular expression matching it ignoring ASCII case
// only (letters as [aA], as store.EqualFoldASCII compares). Punctuation
// is escaped with a backslash, never as \xHH: ClickHouse 18.16 reads
// such an escape outside a class as literal text when it looks for the
// substring a regex needs, and misses rows. A control byte makes ok
// false (it has no other spelling).
func foldRE(s string) (re string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			fmt.Fprintf(&b, "[%c%c]", c-'a'+'A', c)
		case c >= 'A' && c <= 'Z':
			fmt.Fprintf(&b, "[%c%c]", c, c-'A'+'a')
		case c >= '0' && c <= '9' || c == '_' || c >= 0x80 || c == ' ':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			return "", false
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// sqlString quotes s as a ClickHouse string literal.
func sqlString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// phraseSQL is store.MatchPhrase on _raw: the phrase ignoring ASCII case,
// at a token start and end where its own first and last bytes are token
// bytes. positionCaseInsensitive, a necessary condition, is the fast
// filter before the regex.
func phraseSQL(p string) (string, bool) {
	if p == "" {
		return "1", true
	}
	re, ok := foldRE(p)
	if !ok {
		return "", false
	}
	if store.IsTokenByte(p[0]) {
		re = "(^|" + nonToken + ")" + re
	}
	if store.IsTokenByte(p[len(p)-1]) {
		re += "(" + nonToken + "|$)"
	}
	return fmt.Sprintf("(positionCaseInsensitive(_raw, %s) > 0 AND match(_raw, %s))", sqlString(p), sqlString(re)), true
}

// wordSQL is store.MatchWord: a word without '*' is a phrase; '*' matches
// a run of bytes other than whitespace.
func wordSQL(w string) (string, bool) {
	if !strings.Contains(w, "*") {
		return phraseSQL(w)
	}
	if strings.Trim(w, "*") == "" {
		return "1", true
	}
	segs := strings.Split(w, "*")
	var re strings.Builder
	if store.IsTokenByte(w[0]) {
		re.WriteString("(^|" + nonToken + ")")
	}
	for i, s := range segs {
		if i > 0 {
			re.WriteString(`[^ \t\n\r]*`)
		}
		f, ok := foldRE(s)
		if !ok {
			return "", false
		}
		re.WriteString(f)
	}
	if store.IsTokenByte(w[len(w)-1]) {
		re.WriteString("(" + nonToken + "|$)")
	}
	longest := ""
	for _, s := range segs {
		if len(s) > len(longest) {
			longest = s
		}
	}
	return fmt.Sprintf("(positionCaseInsensitive(_raw, %s) > 0 AND match(_raw, %s))", sqlString(longest), sqlString(re.String())), true
}

// wildRE is store.MatchWildcard's pattern as a whole-value regex.
func wildRE(p string) (string, bool) {
	segs := strings.Split(p, "*")
	for i := range segs {
		var ok bool
		if segs[i], ok = foldRE(segs[i]); !ok {
			return "", false
		}
	}
	return "(?s)^" + strings.Join(segs, ".*") + "$", true
}

func numLit(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// cmpSQL is Term.MatchValue for a column of base type typ: never NULL.
func cmpSQL(col, typ, op, v string) (string, bool) {
	num, isNum := store.ParseNumber(v)
	k := kindOf(typ)
	// text is the value as loghunt prints it, where SQL can say so.
	var text string
	switch k {
	case kInt:
		text = "toString(" + col + ")"
	case kBool:
		text = "if(" + col + ", 'true', 'false')"
	case kStr:
		text = col
	case kFloat:
		text = "" // Go's and ClickHouse's float texts differ
	}
	var eq string
	switch {
	case op != "=" && op != "!=":
	case strings.Contains(v, "*"):
		if text == "" {
			return "", false
		}
		re, ok := wildRE(v)
		if !ok {
			return "", false
		}
		eq = fmt.Sprintf("match(%s, %s)", text, sqlString(re))
	case isNum && k != kStr:
		eq = fmt.Sprintf("%s = %s", col, numLit(num))
	case isNum:
		eq = fmt.Sprintf("if(isNull(toFloat64OrNull(%[1]s)), lower(%[1]s) = lower(%[2]s), toFloat64OrNull(%[1]s) = %[3]s)", col, sqlString(v), numLit(num))
	default:
		if text == "" {
			return "", false
		}
		eq = fmt.Sprintf("lower(%s) = lower(%s)", text, sqlString(v))
	}
	var c string
	switch op {
	case "=":
		c = eq
	case "!=":
		c = "NOT (" + eq + ")"
	default:
		switch {
		case isNum && k != kStr:
			c = fmt.Sprintf("%s %s %s", col, op, numLit(num))
		case isNum:
			c = fmt.Sprintf("if(isNull(toFloat64OrNull(%[1]s)), %[1]s %[2]s %[3]s, toFloat64OrNull(%[1]s) %[2]s %[4]s)", col, op, sqlString(v), numLit(num))
		case text == "":
			return "", false
		default:
			c = fmt.Sprintf("%s %s %s", text, op, sqlString(v))
		}
	}
	return "ifNull(" + c + ", 0)", true
}

// aggSelect is a translated aggregation.
type aggSelect struct {
	sql   string
	cols  []outCol
	extra int   // stages after stats also translated (sort, head)
	fill  int64 // timechart's span
}

// stats translates stats (and a sort and head right after it).
func (tr *translator) stats(st *query.StatsCmd, after []query.Command) (*aggSelect, bool) {
	type key struct {
		expr string
		k    kind
	}
	sel, cols, notNull, groupOrder, ok := tr.keyColumns(st.By)
	if !ok {
		return nil, false
	}
	keys := map[string]key{} // output name -> expression, for the sort
	var group []string
	for i, c := range cols {
		alias := fmt.Sprintf("lh_k%d", i)
		group = append(group, alias)
		keys[c.name] = key{alias, c.kind}
	}
	where := append(append([]string(nil), tr.where...), notNull...)
	for i, a := range st.Aggs {
		alias := fmt.Sprintf("lh_a%d", i)
		expr, k, ok := tr.agg(a)
		if !ok {
			return nil, false
		}
		name := a.OutputName()
		if _, dup := keys[name]; dup {
			return nil, false
		}
		sel = append(sel, expr+" AS "+alias)
		cols = append(cols, outCol{name, k})
		keys[name] = key{alias, k}
	}
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + tr.s.table + tr.prewhereSQL() + whereOf(where)
	if len(group) > 0 {
		sql += " GROUP BY " + strings.Join(group, ", ")
	}
	order := groupOrder
	extra := 0
	// where on the result: HAVING, over the output columns alone.
	h := &translator{s: tr.s, outputs: map[string]outputCol{}}
	for name, k := range keys {
		if typ, ok := map[kind]string{kInt: "Int64", kFloat: "Float64", kStr: "String"}[k.k]; ok {
			h.outputs[name] = outputCol{k.expr, typ}
		}
	}
	var having []string
	for extra < len(after) {
		w, ok := after[extra].(*query.WhereCmd)
		if !ok {
			break
		}
		cond, ok := h.expr(w.Expr)
		if !ok {
			break
		}
		having = append(having, cond)
		extra++
	}
	if len(having) > 0 {
		sql += " HAVING " + strings.Join(having, " AND ")
	}
	if extra < len(after) {
		if s, ok := after[extra].(*query.SortCmd); ok {
			var so []string
			for _, sk := range s.Keys {
				kk, ok := keys[sk.Field.Name]
				if !ok {
					so = nil
					break
				}
				so = append(so, orderBy(kk.expr, kk.k, sk.Desc, tr.aggNullable(sk.Field.Name, st))...)
			}
			if so != nil {
				order = append(so, groupOrder...)
				extra++
			}
		}
	}
	if len(order) > 0 {
		sql += " ORDER BY " + strings.Join(order, ", ")
	}
	if extra < len(after) {
		if h, ok := after[extra].(*query.HeadCmd); ok {
			sql += fmt.Sprintf(" LIMIT %d", h.N)
			extra++
		}
	}
	return &aggSelect{sql: sql, cols: cols, extra: extra}, true
}

// aggNullable reports whether an output column may hold nulls: an
// aggregate other than count and dc.
func (tr *translator) aggNullable(name string, st *query.StatsCmd) bool {
	for _, a := range st.Aggs {
		if a.OutputName() == name {
			return a.Kind != "count" && a.Kind != "dc"
		}
	}
	return false // a by-value: never null
}

// orderBy sorts as loghunt's compareValues: nulls, then numbers (text
// that reads as a number too) by value, then text by bytes.
func orderBy(expr string, k kind, desc, nullable bool) []string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	switch k {
	case kStr:
		return []string{
			fmt.Sprintf("multiIf(isNull(%[1]s), 0, isNull(toFloat64OrNull(%[1]s)), 2, 1)%[2]s", expr, dir),
			fmt.Sprintf("toFloat64OrNull(%s)%s", expr, dir),
			expr + dir,
		}
	}
	if nullable {
		return []string{fmt.Sprintf("isNotNull(%s)%s", expr, dir), expr + dir}
	}
	return []string{expr + dir}
}

// agg translates one aggregate over the rows.
func (tr *translator) agg(a *query.Aggregate) (string, kind, bool) {
	f := a.Field()
	if f == "" {
		if a.Kind == "count" {
			return "count()", kInt, true
		}
		return "", 0, false
	}
	var col, typ string
	switch f {
	case store.ColRaw, "source", "sourcetype":
		col, typ = quoteIdent(f), "String"
	default:
		var ok bool
		if col, typ, ok = tr.column(f); !ok {
			return "", 0, false
		}
	}
	k := kindOf(typ)
	numeric := k == kInt || k == kFloat
	switch a.Kind {
	case "count":
		return "count(" + col + ")", kInt, true
	case "dc":
		if k == kFloat {
			return "", 0, false // -0 and 0 are two values to loghunt
		}
		return "ifNull(uniqExact(" + col + "), 0)", kInt, true // (NULL when every value is)
	case "sum":
		if !numeric {
			return "", 0, false
		}
		return fmt.Sprintf("if(count(%[1]s) = 0, NULL, sum(%[1]s))", col), k, true
	case "avg":
		if !numeric {
			return "", 0, false
		}
		return fmt.Sprintf("if(count(%[1]s) = 0, NULL, avg(%[1]s))", col), kFloat, true
	case "min", "max":
		if !numeric && k != kBool {
			return "", 0, false
		}
		return fmt.Sprintf("if(count(%[1]s) = 0, NULL, %[2]s(%[1]s))", col, a.Kind), k, true
	}
	return "", 0, false
}

const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)

// TimeBounds resolves a query's time range as loghunt's engine does: its
// earliest= and latest= terms and the --earliest and --latest options,
// relative to now; latest is exclusive.
func TimeBounds(q *query.Query, now time.Time, earliest, latest string) (lo, hi int64, err error) {
	lo, hi = minInt64, maxInt64
	search := q.Stages[0].(*query.SearchCmd)
	e, l, err := search.TimeRange(now)
	if err != nil {
		return 0, 0, err
	}
	if !e.IsZero() {
		lo = e.UnixNano()
	}
	if !l.IsZero() {
		hi = l.UnixNano() - 1
	}
	if earliest != "" {
		t, err := query.ParseTimeSpec(earliest, now)
		if err != nil {
			return 0, 0, fmt.Errorf("--earliest %s: %w", earliest, err)
		}
		lo = max(lo, t.UnixNano())
	}
	if latest != "" {
		t, err := query.ParseTimeSpec(latest, now)
		if err != nil {
			return 0, 0, fmt.Errorf("--latest %s: %w", latest, err)
		}
		hi = min(hi, t.UnixNano()-1)
	}
	return lo, hi, nil
}
