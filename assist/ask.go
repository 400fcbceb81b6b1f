// Package assist turns a question in words into a loghunt query with the
// configured language model (package llm): the model gets a summary of
// the query language (from query's help), the store's catalog
// (sourcetypes, fields with types and example values, through the
// allow-list and pseudonyms) and worked examples from hunts/*.lhq; its
// answer is parsed by loghunt's own parser, and a syntax error goes back
// to it, with its caret message, for another try.
package assist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"loghunt/llm"
	"loghunt/query"
	"loghunt/store"
)

// MaxRetries is how many times a query that does not parse goes back to
// the model.
const MaxRetries = 2

// Example is a worked example: a hunt's comment and query.
type Example struct {
	Comment, Query string
}

// ExamplesFrom reads the queries of a .lhq script with the comment lines
// just above each.
func ExamplesFrom(name, src string) ([]Example, error) {
	qs, err := query.SplitScript(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lines := strings.Split(src, "\n")
	var out []Example
	for _, q := range qs {
		if q.Dot {
			continue
		}
		var comment []string
		for i := q.Line - 2; i >= 0 && strings.HasPrefix(strings.TrimSpace(lines[i]), "#"); i-- {
			comment = append([]string{strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), "#"))}, comment...)
		}
		var text []string
		for _, l := range strings.Split(q.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				text = append(text, l)
			}
		}
		out = append(out, Example{Comment: strings.Join(comment, " "), Query: strings.TrimSuffix(strings.Join(text, " "), ";")})
	}
	return out, nil
}

// Catalog is what the model is told of the store.
type Catalog struct {
	Sources []*store.Source
	Fields  []store.FieldStat
}

// maxCatalogFields bounds the fields told, the most common first.
const maxCatalogFields = 80

// Asker asks one model.
type Asker struct {
	Config   *llm.Config // may be unconfigured with Show
	Client   *llm.Client // nil with Show
	Examples []Example
	Catalog  Catalog
	// Show, when set, receives the first request as it would be sent,
	// and nothing is sent (--show-prompt).
	Show func(string)
	// Progress receives a line on each retry; nil discards it.
	Progress func(string)
}

// Answer is a query the model wrote that loghunt's parser accepts.
type Answer struct {
	Text   string       // the query, pseudonyms mapped back
	Query  *query.Query // parsed
	Note   string       // the model's one-sentence account of it, mapped back
	Tries  int          // requests made
	Shown  bool         // Show got the request: nothing was asked
	Mapped []string     // the pseudonyms used, ip-1=...
}

// ErrNoQuery is the error when the model's answers never parsed.
var ErrNoQuery = errors.New("the model's query does not parse")

// Ask asks for a query answering question; a query that does not parse
// goes back to the model with the parser's message, at most MaxRetries
// times.
func (a *Asker) Ask(ctx context.Context, question string) (*Answer, error) {
	priv := llm.NewPrivacy(a.Config)
	system := a.systemPrompt(priv)
	msgs := []llm.Message{{Role: "system", Content: system}, {Role: "user", Content: priv.Text(question)}}
	var last error
	for try := 1; try <= MaxRetries+1; try++ {
		req := llm.NewRequest(a.Config, "json_object", msgs...)
		if a.Show != nil {
			a.Show(llm.ShowRequest(a.Config, req))
			return &Answer{Shown: true}, nil
		}
		if a.Client == nil {
			return nil, llm.ErrNotConfigured
		}
		raw, err := a.Client.Chat(ctx, req)
		if err != nil {
			return nil, err
		}
		text, note := parseReply(raw)
		// The model wrote pseudonyms; parse its own text for the message
		// that goes back (it names no real value), then the real one.
		perr := parseError(text)
		if perr == nil {
			real := priv.Restore(text)
			q, err := query.Parse(real)
			if err == nil {
				return &Answer{Text: real, Query: q, Note: priv.Restore(note), Tries: try, Mapped: priv.Mapping()}, nil
			}
			perr = errors.New(priv.Text(err.Error()))
		}
		last = perr
		if try > MaxRetries {
			break
		}
		if a.Progress != nil {
			a.Progress(fmt.Sprintf("the model's query does not parse; sending the error back (retry %d of %d)", try, MaxRetries))
		}
		msgs = append(msgs, llm.Message{Role: "assistant", Content: raw},
			llm.Message{Role: "user", Content: "loghunt's parser rejects that query:\n" + perr.Error() +
				"\nAnswer again with the JSON object, the query corrected."})
	}
	return nil, fmt.Errorf("%w after %d retries:\n%v", ErrNoQuery, MaxRetries, last)
}

// parseError is the parser's message for text, or nil.
func parseError(text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("the answer has no query")
	}
	_, err := query.Parse(text)
	return err
}

var fence = regexp.MustCompile("(?s)```[a-zA-Z]*\\s*\\n(.*?)```")

// parseReply takes the query and its note out of the model's answer:
// the JSON object asked for, else a fenced block, else the whole text.
func parseReply(raw string) (text, note string) {
	s := strings.TrimSpace(raw)
	if m := fence.FindStringSubmatch(s); m != nil && !strings.HasPrefix(s, "{") {
		s = strings.TrimSpace(m[1])
	}
	var obj struct {
		Query       string `json:"query"`
		Explanation string `json:"explanation"`
	}
	if strings.HasPrefix(s, "{") && json.Unmarshal([]byte(s), &obj) == nil {
		return strings.TrimSpace(obj.Query), strings.TrimSpace(obj.Explanation)
	}
	return s, ""
}

// AskSystemIntro opens the system message of ask.
const AskSystemIntro = "You write queries for loghunt, an offline log search tool whose query language is like Splunk's SPL. " +
	"Answer with a JSON object only: {\"query\": \"THE QUERY\", \"explanation\": \"one sentence saying what it finds\"}. " +
	"Use only the stages, functions and fields listed below. Addresses, user names and host names in the data are replaced " +
	"by pseudonyms such as ip-1, user-1 and host-1: write them as they are, in double quotes. If a query of yours does not parse, " +
	"loghunt's parser's message comes back, with a caret under the place: correct the query."

// systemPrompt is the grammar, the catalog and the examples.
func (a *Asker) systemPrompt(priv *llm.Privacy) string {
	var s strings.Builder
	s.WriteString(AskSystemIntro)
	s.WriteString("\n\n")
	s.WriteString(GrammarSummary())
	s.WriteString("\n")
	s.WriteString(a.catalogText(priv))
	if len(a.Examples) > 0 {
		s.WriteString("\nWorked examples (from loghunt's hunts):\n")
		for _, e := range a.Examples {
			if e.Comment != "" {
				fmt.Fprintf(&s, "# %s\n", priv.Text(e.Comment))
			}
			fmt.Fprintf(&s, "%s\n", priv.Text(e.Query))
		}
	}
	return s.String()
}

// GrammarSummary is the query language in brief, from the help of the
// stages, functions and aggregates.
func GrammarSummary() string {
	var s strings.Builder
	s.WriteString("The query language: a search, then stages, each after |. Relative times (earliest=-24h, -1d@d) count from the newest event in the store.\n")
	s.WriteString("Stages (syntax: what it does; e.g. an example):\n")
	var funcs, aggs []string
	for _, e := range query.HelpEntries() {
		switch e.Kind {
		case "stage":
			fmt.Fprintf(&s, "- %s: %s; e.g. %s\n", e.Syntax, firstClause(e.Summary), e.Example)
		case "function":
			funcs = append(funcs, e.Syntax)
		case "aggregate":
			aggs = append(aggs, e.Syntax)
		}
	}
	fmt.Fprintf(&s, "Functions (in eval and where; AND, OR, NOT, ==, !=, <, >=, +, -, *, /, . joins strings): %s\n", strings.Join(funcs, ", "))
	fmt.Fprintf(&s, "Aggregates (in stats, eventstats, streamstats, timechart): %s\n", strings.Join(aggs, ", "))
	return s.String()
}

// firstClause shortens a help summary to its first clause.
func firstClause(s string) string {
	if i := strings.Index(s, "; "); i > 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 240 {
		s = string(r[:240]) + "..."
	}
	return s
}

// catalogText tells the sourcetypes, the time range and the fields: all
// names and types, example values of the allowed fields only (addresses,
// users and hosts as pseudonyms).
func (a *Asker) catalogText(priv *llm.Privacy) string {
	var s strings.Builder
	types := map[string]int64{}
	var lo, hi int64
	for _, src := range a.Catalog.Sources {
		types[src.Sourcetype] += src.Events
		if src.Events > 0 && (lo == 0 || src.First < lo) {
			lo = src.First
		}
		hi = max(hi, src.Last)
	}
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	slices.SortFunc(names, func(x, y string) int {
		if types[x] != types[y] {
			return int(types[y] - types[x])
		}
		return strings.Compare(x, y)
	})
	s.WriteString("The store:\n")
	var parts []string
	for _, t := range names {
		parts = append(parts, fmt.Sprintf("%s (%d events)", t, types[t]))
	}
	fmt.Fprintf(&s, "Sourcetypes: %s.\n", strings.Join(parts, ", "))
	if hi > 0 {
		fmt.Fprintf(&s, "Events from %s to %s.\n", time.Unix(0, lo).UTC().Format(time.RFC3339), time.Unix(0, hi).UTC().Format(time.RFC3339))
	}
	fields := slices.Clone(a.Catalog.Fields)
	slices.SortStableFunc(fields, func(x, y store.FieldStat) int {
		if x.Events() != y.Events() {
			if x.Events() > y.Events() {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	if len(fields) > maxCatalogFields {
		fields = fields[:maxCatalogFields]
	}
	s.WriteString("Fields (name type, events that have it: examples):\n")
	for _, f := range fields {
		for _, ex := range f.Examples {
			priv.Register(f.Name, ex)
		}
	}
	for _, f := range fields {
		fmt.Fprintf(&s, "- %s %s, %d", f.Name, f.Type(), f.Events())
		var exs []string
		for _, ex := range f.Examples {
			if v, ok := priv.Value(f.Name, ex, false); ok {
				exs = append(exs, v)
			}
		}
		if len(exs) > 0 {
			fmt.Fprintf(&s, ": %s", strings.Join(exs, ", "))
		}
		s.WriteString("\n")
	}
	return s.String()
}
