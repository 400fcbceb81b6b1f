package query

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"loghunt/store"
)

// A field that no event has gives no error: a search on it matches
// nothing, a group by it is empty, a table of it is blank. So that such a
// typo is not a silent empty result, checkFields walks the pipeline with
// the fields each stage's rows can have (the store's catalog, then what
// eval, rex, rename, stats, lookup, ... make or drop) and warns of each
// field that a search, where, by, table, dedup, aggregate or anomalies
// uses and its rows cannot have, with the nearest known name.

// fieldCatalog is what a Store may also tell: the fields of its events.
type fieldCatalog interface {
	Fields() ([]store.FieldStat, error)
}

// knownFields is what rows at one point of a pipeline can have.
type knownFields struct {
	names   map[string]bool
	open    bool              // any field may be there (after lookup without OUTPUT, timechart by)
	dropped map[string]string // fields the events have that a stage left out, by that stage
}

func (k *knownFields) has(name string) bool { return k.open || k.names[name] }

func (k *knownFields) add(names ...string) {
	for _, n := range names {
		k.names[n] = true
		delete(k.dropped, n)
	}
}

// keep leaves only names, recording the others as dropped by stage.
func (k *knownFields) keep(stage string, names ...string) {
	next := map[string]bool{}
	for _, n := range names {
		if k.has(n) {
			next[n] = true
		}
	}
	for n := range k.names {
		if !next[n] {
			k.dropped[n] = stage
		}
	}
	k.names, k.open = next, false
}

func (k *knownFields) remove(stage string, names ...string) {
	for _, n := range names {
		if k.names[n] {
			delete(k.names, n)
			k.dropped[n] = stage
		}
	}
}

func (k *knownFields) sorted() []string {
	out := make([]string, 0, len(k.names))
	for n := range k.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// checkFields warns, through opt.Warn, of the fields q uses that its rows
// cannot have, given the fields of the store's events.
func checkFields(q *Query, events []string, opt *Options) {
	k := &knownFields{names: map[string]bool{}, dropped: map[string]string{}}
	k.add(store.ColTime, store.ColRaw, "source", "sourcetype")
	k.add(events...)
	warned := map[string]bool{}
	for _, st := range q.Stages {
		name, uses := stageUses(st)
		for _, u := range uses {
			if u.field == "" || k.has(u.field) || warned[name+"\x00"+u.field] {
				continue
			}
			warned[name+"\x00"+u.field] = true
			if by, ok := k.dropped[u.field]; ok {
				opt.warn("field %q in %s: the rows here do not have it (%s before left it out)", u.field, u.where, by)
				continue
			}
			opt.warn("field %q in %s: no event has it%s", u.field, u.where, didYouMean(u.field, k.sorted()))
		}
		k.after(st)
	}
}

// fieldUse is a field a stage reads, and where ("by of stats").
type fieldUse struct{ field, where string }

func uses(where string, names ...string) []fieldUse {
	out := make([]fieldUse, len(names))
	for i, n := range names {
		out[i] = fieldUse{n, where}
	}
	return out
}

// aggUses are the fields aggregates read.
func aggUses(stage string, aggs []*Aggregate) []fieldUse {
	var out []fieldUse
	for _, a := range aggs {
		if f := a.Field(); f != "" {
			out = append(out, fieldUse{f, string(a.Func) + "() of " + stage})
		}
	}
	return out
}

// stageUses names a stage and lists the fields it reads whose absence
// empties or blanks its result.
func stageUses(st Command) (string, []fieldUse) {
	switch c := st.(type) {
	case *SearchCmd:
		return "search", uses("search", searchFields(c.Term)...)
	case *WhereCmd:
		e, err := CompileExpr(c.Expr, nil)
		if err != nil {
			return "where", nil
		}
		return "where", uses("where", e.Fields()...)
	case *StatsCmd:
		return "stats", append(aggUses("stats", c.Aggs), uses("by of stats", FieldNames(c.By)...)...)
	case *EventstatsCmd:
		return "eventstats", append(aggUses("eventstats", c.Aggs), uses("by of eventstats", FieldNames(c.By)...)...)
	case *StreamstatsCmd:
		return "streamstats", append(aggUses("streamstats", c.Aggs), uses("by of streamstats", FieldNames(c.By)...)...)
	case *TimechartCmd:
		u := aggUses("timechart", c.Aggs)
		if c.By != nil {
			u = append(u, fieldUse{c.By.Name, "by of timechart"})
		}
		return "timechart", u
	case *TopCmd:
		return "top", append(uses("top", FieldNames(c.Fields)...), uses("by of top", FieldNames(c.By)...)...)
	case *RareCmd:
		return "rare", append(uses("rare", FieldNames(c.Fields)...), uses("by of rare", FieldNames(c.By)...)...)
	case *TableCmd:
		return "table", uses("table", FieldNames(c.Fields)...)
	case *DedupCmd:
		return "dedup", uses("dedup", FieldNames(c.Fields)...)
	case *AnomaliesCmd:
		if c.Model != "" {
			return "anomalies", nil
		}
		u := uses("anomalies", FieldNames(c.Features)...)
		if c.By != nil {
			u = append(u, fieldUse{c.By.Name, "by of anomalies"})
		}
		return "anomalies", u
	case *ContextCmd:
		return "context", uses("by of context", c.By.Name)
	case *MvexpandCmd:
		return "mvexpand", uses("mvexpand", c.Field.Name)
	case *RegexCmd:
		return "regex", uses("regex", c.Target)
	case *DeltaCmd:
		return "delta", uses("delta", c.Field.Name)
	case *AutoregressCmd:
		return "autoregress", uses("autoregress", c.Field.Name)
	case *ExplainCmd:
		if c.By != nil {
			return "explain", uses("by of explain", c.By.Name)
		}
		return "explain", nil
	case *IplocationCmd:
		return "iplocation", uses("iplocation", c.Field.Name)
	case *ChartCmd:
		u := aggUses("chart", c.Aggs)
		if f := c.RowField(); f != "" {
			u = append(u, fieldUse{f, "chart"})
		}
		if f := c.ColumnField(); f != "" {
			u = append(u, fieldUse{f, "by of chart"})
		}
		return "chart", u
	case *XyseriesCmd:
		return "xyseries", uses("xyseries", slices.Concat([]string{c.X.Name, c.Y.Name}, FieldNames(c.Values))...)
	case *UntableCmd:
		return "untable", uses("untable", c.X.Name)
	case *AddtotalsCmd:
		return "addtotals", uses("addtotals", FieldNames(c.Fields)...)
	case *ConvertCmd:
		var u []fieldUse
		made := map[string]bool{}
		for _, v := range c.Convs {
			if !made[v.Field.Name] {
				u = append(u, fieldUse{v.Field.Name, string(v.Func) + "() of convert"})
			}
			made[v.Output()] = true
		}
		return "convert", u
	case *FirstseenCmd:
		u := uses("firstseen", c.Field.Name)
		if c.By != nil {
			u = append(u, uses("by of firstseen", c.By.Name)...)
		}
		return "firstseen", u
	}
	return fmt.Sprintf("%T", st), nil
}

// after updates k to the fields of the rows that st passes on.
func (k *knownFields) after(st Command) {
	switch c := st.(type) {
	case *EvalCmd:
		for _, a := range c.Assigns {
			k.add(string(a.Field))
		}
	case *RexCmd:
		if re, err := c.Compile(); err == nil {
			for _, n := range re.SubexpNames() {
				if n != "" {
					k.add(n)
				}
			}
		}
	case *RenameCmd:
		for _, r := range c.Renames {
			had := k.has(r.From.Name)
			k.remove("rename", r.From.Name)
			if had {
				k.add(r.To.Name)
			}
		}
	case *FieldsCmd:
		if c.Remove {
			k.remove("fields -", FieldNames(c.Fields)...)
		} else {
			k.keep("fields", FieldNames(c.Fields)...)
		}
	case *TableCmd:
		k.keep("table", FieldNames(c.Fields)...)
	case *StatsCmd:
		k.keep("stats", FieldNames(c.By)...)
		k.add(aggOutputs(c.Aggs)...)
	case *EventstatsCmd:
		k.add(aggOutputs(c.Aggs)...)
	case *StreamstatsCmd:
		k.add(aggOutputs(c.Aggs)...)
	case *TimechartCmd:
		k.keep("timechart", store.ColTime)
		k.add(store.ColTime)
		if c.By != nil {
			k.open = true // a column per value of the by field
		} else {
			k.add(aggOutputs(c.Aggs)...)
		}
	case *TopCmd:
		k.keep("top", slices.Concat(FieldNames(c.Fields), FieldNames(c.By))...)
		k.add("count", "percent")
	case *RareCmd:
		k.keep("rare", slices.Concat(FieldNames(c.Fields), FieldNames(c.By))...)
		k.add("count", "percent")
	case *LookupCmd:
		if len(c.Output) == 0 {
			k.open = true // every column of the file
		}
		k.add(FieldNames(c.Output)...)
	case *AnomaliesCmd:
		k.add(anomalyColumns...)
		if c.Method == "decompose" {
			k.add(colExpected, colLower, colUpper)
			k.add(c.decomposeColumns()...)
			if len(c.Features) == 0 { // expected_F for each numeric F
				for n := range maps.Clone(k.names) {
					e, l, u := bandColumns(n, true)
					k.add(e, l, u)
				}
			}
		}
	case *PatternsCmd:
		k.add("pattern", "pattern_id")
	case *ContextCmd:
		k.open = true // the events' fields
		k.add(ContextOfField)
	case *FirstseenCmd:
		k.add(colScore, colFlag, colReason)
	case *IplocationCmd:
		k.add(c.outFields()...)
	case *ExplainCmd:
		k.add(ExplanationField)
		if c.LLM {
			k.add(LLMExplanationField)
		}
	case *FillnullCmd:
		k.add(FieldNames(c.Fields)...)
	case *MakeresultsCmd:
		k.keep("makeresults", store.ColTime)
		k.add(store.ColTime)
	case *DeltaCmd:
		k.add(c.Out)
	case *AutoregressCmd:
		k.add(c.Outs...)
	case *SigmaCmd:
		k.add(sigmaFields...)
	case *TransactionCmd:
		k.add(txnOutputs...)
	case *ChartCmd:
		k.keep("chart", c.RowField())
		if c.ColumnField() != "" {
			k.open = true // a column per value of the by field
		} else {
			k.add(aggOutputs(c.Aggs)...)
		}
	case *XyseriesCmd:
		k.keep("xyseries", c.X.Name)
		k.open = true // a column per value of Y
	case *UntableCmd:
		k.keep("untable", c.X.Name)
		k.add(c.X.Name, c.Name.Name, c.Value.Name)
	case *AddtotalsCmd:
		if c.Row {
			k.add(c.FieldName)
		}
		if c.Col && c.LabelField != "" {
			k.add(c.LabelField)
		}
	case *ConvertCmd:
		for _, v := range c.Convs {
			k.add(v.Output())
		}
	case *InputlookupCmd:
		if !c.Append {
			k.keep("inputlookup")
		}
		k.open = true // the file's columns
	case *SpathCmd:
		if c.Steps == nil {
			k.open = true // every path of the documents
		}
		k.add(c.outputs()...)
	case *JoinCmd, *AppendCmd, *AppendpipeCmd:
		k.open = true // the fields of another search's rows
	}
}

func aggOutputs(aggs []*Aggregate) []string {
	out := make([]string, len(aggs))
	for i, a := range aggs {
		out[i] = a.OutputName()
	}
	return out
}

// warnUnknownFields runs checkFields when the store lists its fields and
// someone listens to warnings.
func warnUnknownFields(st Store, q *Query, opt *Options) error {
	cat, ok := st.(fieldCatalog)
	if !ok || opt.Warn == nil {
		return nil
	}
	stats, err := cat.Fields()
	if err != nil {
		return fmt.Errorf("read the field catalog: %w", err)
	}
	var names []string
	for i := range stats {
		if stats[i].Events() > 0 {
			names = append(names, stats[i].Name)
		}
	}
	checkFields(q, names, opt)
	return nil
}

// CheckFields is the field check of a run for callers that validate a
// query without running it (loghunt rules check): the warnings for the
// fields q uses that its rows cannot have, given the fields of the
// store's events, and whether a field is in the rows at the end of q.
// With open set the events' fields are unknown (no database): nothing is
// warned of, and the end's fields are what the stages make or keep.
func CheckFields(q *Query, events []string, open bool) (warnings []string, has func(string) bool) {
	k := &knownFields{names: map[string]bool{}, dropped: map[string]string{}, open: open}
	opt := &Options{Warn: func(msg string) { warnings = append(warnings, msg) }}
	if open {
		opt.Warn = nil
	}
	checkFields(q, events, opt)
	k.add(store.ColTime, store.ColRaw, "source", "sourcetype")
	k.add(events...)
	for _, st := range q.Stages {
		k.after(st)
	}
	return warnings, k.has
}

// QuoteText quotes s as a string of the query language.
func QuoteText(s string) string { return quoteText(s) }
