package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"loghunt/alert"
	"loghunt/query"
	"loghunt/render"
	"loghunt/report"
	"loghunt/rules"
	"loghunt/store"
)

const reportUsage = `usage: loghunt [--db FILE] report ALERT_ID --out FILE.html|FILE.md
       loghunt [--db FILE] report --query QUERY --out FILE.html|FILE.md [--title TEXT]

Writes an incident report to hand over, as a self-contained HTML page or a
Markdown file (by the extension; the chart is embedded as a PNG in both):
for an alert, its summary (rule, severity, entity, first and last event,
count, reason, actions), the explanation, a chart of the entity's events
by action around it with the alert's buckets marked, the summary of its
context (counts by action, sourcetype and pattern; what came next), the
timeline of its events, and the queries that reproduce each part. For a
query: its result's findings (rows with is_anomaly, else every row), their
explanations (the query's explanation column, else those of '| explain'),
the chart of the result when it has _time and numeric columns, and the
query. The file is written atomically.

flags:
`

// reportRows is the most rows a report's tables show.
const reportRows = 50

func (e *env) report(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("out", "", "the report file: .html or .md")
	qtext := fs.String("query", "", "report on this query's findings instead of an alert")
	title := fs.String("title", "", "the report's title (default: from the alert or the query)")
	fs.Usage = func() { fmt.Fprint(e.stderr, reportUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return usagef("report: --out FILE.html or FILE.md is needed")
	}
	format, err := report.FormatOf(*out)
	if err != nil {
		return usagef("report: %v", err)
	}
	if (*qtext == "") == (len(pos) != 1) {
		return usagef("report: give one alert id or --query QUERY")
	}
	db, err := e.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	var doc *report.Doc
	if *qtext != "" {
		doc, err = e.queryReport(ctx, db, *qtext)
	} else {
		id, perr := strconv.ParseUint(pos[0], 10, 64)
		if perr != nil || id == 0 {
			return usagef("report: %q is not an alert id (a number: loghunt alerts lists them)", pos[0])
		}
		var a *alert.Alert
		if a, err = rules.ReadAlert(db, id); err != nil {
			return err
		}
		doc, err = e.alertReport(ctx, db, a)
	}
	if err != nil {
		return err
	}
	if *title != "" {
		doc.Title = *title
	}
	doc.Generated, doc.DB = time.Now(), e.db
	if err := writeAtomic(*out, func(f *os.File) error { return report.Write(f, doc, format) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "loghunt: report written to %s\n", *out)
	return nil
}

// writeAtomic writes a file through a temporary one beside it, renamed
// over it when complete.
func writeAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// collect runs a query and keeps its fields and at most max rows.
func collect(ctx context.Context, db *store.DB, text string, max int) ([]string, [][]store.Value, int, error) {
	q, err := query.Parse(text)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("the query %q: %w", text, err)
	}
	var fields []string
	index := map[string]int{}
	var rows [][]store.Value
	n := 0
	_, err = query.Run(ctx, db, q, query.Options{}, func(b *query.Batch) error {
		for _, f := range b.Fields {
			if _, ok := index[f]; !ok {
				index[f] = len(fields)
				fields = append(fields, f)
			}
		}
		for r := 0; r < b.Len; r++ {
			n++
			if len(rows) >= max {
				continue
			}
			row := make([]store.Value, len(fields))
			for k, f := range b.Fields {
				row[index[f]] = b.Cols[k][r]
			}
			rows = append(rows, row)
		}
		return nil
	})
	for i := range rows {
		for len(rows[i]) < len(fields) {
			rows[i] = append(rows[i], store.Null)
		}
	}
	return fields, rows, n, err
}

func texts(rows [][]store.Value, cols []int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for _, c := range cols {
			s := ""
			if c >= 0 && c < len(r) && !r[c].IsNull() {
				s = r[c].String()
				if r[c].K == store.KindTime {
					s = time.Unix(0, r[c].I).UTC().Format(time.RFC3339Nano)
				}
			}
			out[i] = append(out[i], s)
		}
	}
	return out
}

// alertReport gathers the report of an alert.
func (e *env) alertReport(ctx context.Context, db *store.DB, a *alert.Alert) (*report.Doc, error) {
	t := func(x time.Time) string { return x.UTC().Format(time.RFC3339Nano) }
	d := &report.Doc{Title: fmt.Sprintf("Alert %d: %s, %s, %s", a.ID, a.Rule, a.Severity, rules.EntityString(a.Entity))}
	d.Summary = []report.Pair{kv("Rule", a.Rule), kv("Severity", a.Severity), kv("Entity", rules.EntityString(a.Entity)),
		kv("State", string(a.State)), kv("First event", t(a.First)), kv("Last event", t(a.Last)),
		kv("Events", strconv.FormatInt(a.Count, 10)), kv("Reason", a.Reason)}
	if a.Score != 0 {
		d.Summary = append(d.Summary, kv("Score", strconv.FormatFloat(a.Score, 'g', 4, 64)))
	}
	var acts []string
	for _, rec := range a.Actions {
		acts = append(acts, fmt.Sprintf("%s %s: %s %s", rec.Spec.Type, strings.Join(rec.Spec.Argv, " "), rec.Status, rec.Detail))
	}
	if len(acts) == 0 {
		acts = []string{"none"}
	}
	d.Summary = append(d.Summary, kv("Actions", strings.Join(acts, "; ")))
	c, err := contextOf(ctx, db, a)
	if err != nil {
		return nil, err
	}
	var row map[string]store.Value
	if c != nil {
		row = c.row
	}
	d.Explanation = []string{alertAccount(a, row)}
	if c != nil {
		// the chart: the entity's events by action around the alert
		span := chartSpan(c.hi.Sub(c.lo))
		chartQ := fmt.Sprintf(`earliest=%q latest=%q %s=%s | timechart span=%s count by action`,
			t(c.lo), t(c.hi), rules.FieldRef(c.field), query.QuoteText(c.value), spanText(span))
		fields, rows, _, err := collect(ctx, db, chartQ, 10000)
		if err != nil {
			return nil, err
		}
		if len(rows) > 0 {
			fields, rows = markBuckets(fields, rows, a.First.UnixNano(), a.Last.UnixNano(), span)
			png, err := render.PlotPNG(fields, rows, 10, 4)
			if err == nil {
				d.Chart = png
				d.ChartCaption = fmt.Sprintf("Events of %s=%s per %s by action, %s to %s; red dots: the buckets of the alert's events.",
					c.field, c.value, spanWords(span), t(c.lo), t(c.hi))
			}
		}
		d.Queries = append(d.Queries, kv("The chart", chartQ))
		if row != nil {
			tb := report.Table{Title: fmt.Sprintf("Context: the events of %s=%s from %s to %s", c.field, c.value, t(c.lo), t(c.hi)), Fields: []string{"", "value"}}
			for _, name := range contextSummaryNames {
				if x := row[name]; !x.IsNull() {
					s := x.String()
					if x.K == store.KindTime {
						s = t(time.Unix(0, x.I))
					}
					tb.Rows = append(tb.Rows, []string{name, s})
				}
			}
			d.Tables = append(d.Tables, tb)
		}
		d.Queries = append(d.Queries, kv("The context", c.query))
	}
	// the timeline: the alert's events
	tlQ := a.Query + " | sort _time | table _time, action, user, _raw"
	fields, rows, n, err := collect(ctx, db, tlQ, reportRows)
	if err != nil {
		return nil, err
	}
	cols := make([]int, len(fields))
	for i := range fields {
		cols[i] = i
	}
	tb := report.Table{Title: "Timeline: the alert's events", Fields: fields, Rows: texts(rows, cols)}
	if n > len(rows) {
		tb.Note = fmt.Sprintf("The first %d of %d events.", len(rows), n)
	}
	d.Tables = append(d.Tables, tb)
	d.Queries = append([]report.Pair{kv("The alert's events", a.Query)}, d.Queries...)
	return d, nil
}

// spanWords writes a bucket span: 1m, 10s, 6h.
func spanWords(d time.Duration) string {
	s := d.String()
	for _, z := range []string{"h0m0s", "m0s"} {
		if strings.HasSuffix(s, z) {
			return strings.TrimSuffix(s, z) + z[:1]
		}
	}
	return s
}

// chartSpan picks a bucket span that draws a range in about 60 buckets.
func chartSpan(r time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Second, 10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute,
		10 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if r/s <= 60 {
			return s
		}
	}
	return 7 * 24 * time.Hour
}

// markBuckets adds is_anomaly, true for the buckets that hold [lo, hi].
func markBuckets(fields []string, rows [][]store.Value, lo, hi int64, span time.Duration) ([]string, [][]store.Value) {
	tc := -1
	for i, f := range fields {
		if f == store.ColTime {
			tc = i
		}
	}
	fields = append(fields, "is_anomaly")
	for i, r := range rows {
		in := tc >= 0 && r[tc].K == store.KindTime && r[tc].I+int64(span) > lo && r[tc].I <= hi
		rows[i] = append(r, store.Bool(in))
	}
	return fields, rows
}

// queryReport gathers the report of a query's findings.
func (e *env) queryReport(ctx context.Context, db *store.DB, text string) (*report.Doc, error) {
	if _, err := query.Parse(text); err != nil {
		return nil, queryError(err, text) // a syntax error is a usage error: exit 2
	}
	fields, rows, n, err := collect(ctx, db, text, 10000)
	if err != nil {
		return nil, queryError(err, text)
	}
	col := func(name string) int {
		for i, f := range fields {
			if f == name {
				return i
			}
		}
		return -1
	}
	fc, xc := col("is_anomaly"), col("explanation")
	if xc < 0 && fc >= 0 {
		// the explanations of explain, when the query has none
		// by the first text field of the result (an entity: src_ip, user)
		by := ""
		for i, f := range fields {
			if f == store.ColTime || f == "anomaly_reason" || strings.HasPrefix(f, "anomaly_") || f == "is_anomaly" || by != "" {
				continue
			}
			for _, r := range rows {
				if !r[i].IsNull() {
					if r[i].K == store.KindString {
						by = " by " + rules.FieldRef(f)
					}
					break
				}
			}
		}
		if f2, r2, _, err := collect(ctx, db, text+" | explain"+by, 10000); err == nil && len(r2) == len(rows) {
			fields, rows = f2, r2
			xc = col("explanation")
		}
	}
	var findings [][]store.Value
	for _, r := range rows {
		if fc < 0 || r[fc].Truthy() {
			findings = append(findings, r)
		}
	}
	d := &report.Doc{Title: "Findings of a query", Queries: []report.Pair{kv("The query", text)}}
	d.Summary = []report.Pair{kv("Query", text), kv("Rows", strconv.Itoa(n))}
	if fc >= 0 {
		d.Summary = append(d.Summary, kv("Findings", fmt.Sprintf("%d (rows with is_anomaly)", len(findings))))
	}
	if tc := col(store.ColTime); tc >= 0 && len(rows) > 0 {
		lo, hi := int64(1<<63-1), int64(-1<<63)
		for _, r := range rows {
			if r[tc].K == store.KindTime {
				lo, hi = min(lo, r[tc].I), max(hi, r[tc].I)
			}
		}
		if lo <= hi {
			d.Summary = append(d.Summary, kv("Time", time.Unix(0, lo).UTC().Format(time.RFC3339)+" to "+time.Unix(0, hi).UTC().Format(time.RFC3339)))
		}
	}
	if xc >= 0 {
		for _, r := range findings[:min(len(findings), reportRows)] {
			if !r[xc].IsNull() {
				d.Explanation = append(d.Explanation, r[xc].String())
			}
		}
	}
	var plotRows [][]store.Value
	var plotFields []string
	for _, f := range fields {
		if f != "explanation" && f != "anomaly_reason" {
			plotFields = append(plotFields, f)
		}
	}
	for _, r := range rows {
		var pr []store.Value
		for i, f := range fields {
			if f != "explanation" && f != "anomaly_reason" {
				pr = append(pr, r[i])
			}
		}
		plotRows = append(plotRows, pr)
	}
	if png, err := render.PlotPNG(plotFields, plotRows, 10, 4); err == nil {
		d.Chart, d.ChartCaption = png, "The query's result over time; red dots: the findings (is_anomaly)."
	}
	var cols []int
	var names []string
	for i, f := range fields {
		if f != "explanation" && f != store.ColRaw && len(cols) < 10 {
			cols, names = append(cols, i), append(names, f)
		}
	}
	tb := report.Table{Title: "Findings", Fields: names, Rows: texts(findings[:min(len(findings), reportRows)], cols)}
	if len(findings) > reportRows {
		tb.Note = fmt.Sprintf("The first %d of %d.", reportRows, len(findings))
	}
	d.Tables = append(d.Tables, tb)
	return d, nil
}

func kv(label, value string) report.Pair { return report.Pair{Label: label, Value: value} }
