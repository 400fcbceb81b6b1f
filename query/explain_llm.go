package query

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"loghunt/llm"
	"loghunt/store"
)

// LLMOptions lets explain llm=true ask a language model (package llm).
type LLMOptions struct {
	// Load returns the model's configuration; it is called only by a
	// query that asks, so a broken config file troubles no other query.
	// Nil, or a configuration without a URL, means none is configured.
	Load func() (*llm.Config, error)
	// ShowPrompt makes every explain llm=true print what it would send
	// instead of sending it, as show_prompt=true does (--show-prompt).
	ShowPrompt bool
	// Print receives what show_prompt prints: one request at a time.
	Print func(string)
}

// LLMExplanationField is the field explain llm=true adds, beside
// explanation: the model's answer, pseudonyms mapped back.
const LLMExplanationField = "llm_explanation"

// Around each finding, explain llm=true sends at most explainLLMEvents
// events of its entity within explainLLMSpan, and counts of all of them.
const (
	explainLLMSpan   = DefaultContextSpan
	explainLLMEvents = 20
)

// ExplainSystemPrompt is the system message of explain llm=true.
const ExplainSystemPrompt = "You help a security analyst read a finding of loghunt, an offline log hunting tool. " +
	"You get the finding (a row of a query's result), loghunt's own account of it, computed from the data, " +
	"and the events of the same entity around it. Addresses, user names and host names are replaced by pseudonyms " +
	"such as ip-1, user-1 and host-1: write them as they are. In at most five sentences, in plain words: what probably happened, " +
	"how serious it may be, and what to check next. Say so when the data does not tell; do not invent events."

// check reads explain's options: llm=true and show_prompt=true.
func (c *ExplainCmd) check() *posError {
	opts, err := checkOptions("explain", c.Options)
	if err != nil {
		return err
	}
	if c.LLM, err = boolOption(opts, "llm"); err != nil {
		return err
	}
	if c.ShowPrompt, err = boolOption(opts, "show_prompt"); err != nil {
		return err
	}
	if c.ShowPrompt && !c.LLM {
		return errorfAt(opts["show_prompt"].Pos.Offset, "show_prompt=true goes with llm=true")
	}
	return nil
}

// boolOption is true or false, false when absent.
func boolOption(opts optionSet, name string) (bool, *posError) { return opts.boolean(name, false) }

// explainAsker asks the model about the findings explain explained.
type explainAsker struct {
	p    *plan
	by   string
	cfg  *llm.Config
	cl   *llm.Client // nil with show
	show func(string)
	priv *llm.Privacy
}

// newExplainAsker is nil without llm=true, else ready to ask (or to show
// what it would ask): the error says how to configure a model.
func (c *ExplainCmd) newExplainAsker(p *plan) (*explainAsker, error) {
	if !c.LLM {
		return nil, nil
	}
	lo := p.opt.LLM
	var cfg *llm.Config
	if lo != nil && lo.Load != nil {
		var err error
		if cfg, err = lo.Load(); err != nil {
			return nil, fmt.Errorf("explain llm=true: %w", err)
		}
	}
	if cfg == nil {
		cfg = &llm.Config{}
	}
	a := &explainAsker{p: p, cfg: cfg, priv: llm.NewPrivacy(cfg)}
	if c.By != nil {
		a.by = c.By.Name
	}
	if c.ShowPrompt || lo != nil && lo.ShowPrompt {
		if lo == nil || lo.Print == nil {
			return nil, fmt.Errorf("explain show_prompt=true: nowhere to print the prompt here")
		}
		a.show = lo.Print
		return a, nil
	}
	cl, err := llm.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("explain llm=true: %w", err)
	}
	a.cl = cl
	return a, nil
}

// explain asks about each finding of b (a row with an explanation) and
// adds the answers as llm_explanation.
func (a *explainAsker) explain(b *Batch) error {
	out := b.Column(LLMExplanationField)
	ex := b.Col(ExplanationField)
	for r := 0; r < b.Len; r++ {
		out[r] = store.Null
		if ex < 0 || b.Cols[ex][r].IsNull() {
			continue
		}
		req, err := a.request(b, r)
		if err != nil {
			return err
		}
		if a.show != nil {
			a.show(llm.ShowRequest(a.cfg, req))
			continue
		}
		answer, err := a.cl.Chat(a.p.ctx, req)
		if err != nil {
			return fmt.Errorf("explain llm=true: %w", err)
		}
		out[r] = store.Str(a.priv.Restore(answer))
	}
	return nil
}

// request is the chat of finding r: the row, the computed account, the
// events around it, all through the allow-list and the pseudonyms.
func (a *explainAsker) request(b *Batch, r int) (llm.Request, error) {
	var events []contextEvent
	total := 0
	entity := ""
	t := b.Get(store.ColTime, r)
	if a.by != "" && !b.Get(a.by, r).IsNull() {
		entity = b.Get(a.by, r).String()
	}
	if entity != "" && t.K == store.KindTime && a.p.st != nil {
		op := &contextOp{cmd: &ContextCmd{By: &Field{Name: a.by}, Span: explainLLMSpan}, p: a.p}
		all, err := op.search(entity, "", t.I-int64(explainLLMSpan), t.I+int64(explainLLMSpan))
		if err != nil {
			return llm.Request{}, fmt.Errorf("explain llm=true: the events around the finding: %w", err)
		}
		total = len(all)
		events = nearest(all, t.I, int64(explainLLMSpan), explainLLMEvents)
		// The counts are of all the window's events; register every
		// value first, so that any text that names one is replaced.
		a.registerEvents(all)
		a.registerRow(b, r)
		var s strings.Builder
		fmt.Fprintf(&s, "Finding:\n%s\n\nloghunt's account (computed):\n%s\n\n", a.row(b, r, true), a.priv.Text(b.Get(ExplanationField, r).String()))
		ev, _ := a.priv.Value(a.by, entity, false)
		lo, hi := time.Unix(0, t.I-int64(explainLLMSpan)).UTC(), time.Unix(0, t.I+int64(explainLLMSpan)).UTC()
		fmt.Fprintf(&s, "Events with %s=%s from %s to %s (%s either side of the finding): %d.\n",
			a.by, ev, lo.Format(time.RFC3339), hi.Format(time.RFC3339), durationWords(explainLLMSpan), total)
		if total > 0 {
			for _, f := range []string{"action", "sourcetype", "status"} {
				if c := a.countBy(all, f); c != "" {
					fmt.Fprintf(&s, "By %s: %s.\n", f, c)
				}
			}
			first, last := all[0], all[len(all)-1]
			fmt.Fprintf(&s, "First %s, last %s.\n", timeText(first.t), timeText(last.t))
			if len(events) < total {
				fmt.Fprintf(&s, "The %d nearest the finding, in time order (a run of events alike but for _time on one line):\n", len(events))
			} else {
				s.WriteString("In time order (a run of events alike but for _time on one line):\n")
			}
			a.writeEvents(&s, events)
		}
		return a.chat(s.String()), nil
	}
	a.registerRow(b, r)
	var s strings.Builder
	fmt.Fprintf(&s, "Finding:\n%s\n\nloghunt's account (computed):\n%s\n\n", a.row(b, r, true), a.priv.Text(b.Get(ExplanationField, r).String()))
	switch {
	case a.by == "":
		s.WriteString("No events around it were read: explain has no by field naming the entity.\n")
	case entity == "" || t.K != store.KindTime:
		fmt.Fprintf(&s, "No events around it were read: the finding has no %s or no _time.\n", a.by)
	default:
		s.WriteString("No events around it were read: there is no store to read them from.\n")
	}
	return a.chat(s.String()), nil
}

func (a *explainAsker) chat(user string) llm.Request {
	return llm.NewRequest(a.cfg, "", llm.Message{Role: "system", Content: ExplainSystemPrompt}, llm.Message{Role: "user", Content: user})
}

func (a *explainAsker) registerRow(b *Batch, r int) {
	for k, f := range b.Fields {
		if v := b.Cols[k][r]; !v.IsNull() && v.K == store.KindString {
			a.priv.Register(f, v.String())
		}
	}
}

func (a *explainAsker) registerEvents(events []contextEvent) {
	for _, e := range events {
		a.registerRow(e.b, e.r)
	}
}

// row is one row as name=value pairs, the fields sent only: for the
// finding also its numbers (counts, scores); never its explanations,
// which go on their own.
func (a *explainAsker) row(b *Batch, r int, finding bool) string { return a.fields(b, r, finding, "") }

func (a *explainAsker) fields(b *Batch, r int, finding bool, skip string) string {
	var parts []string
	for k, f := range b.Fields {
		v := b.Cols[k][r]
		if v.IsNull() || f == skip || f == ExplanationField || f == LLMExplanationField || f == ContextOfField {
			continue
		}
		numeric := finding && (v.K == store.KindInt || v.K == store.KindFloat)
		text := v.String()
		if v.K == store.KindTime {
			text = timeText(v.I)
		}
		if s, ok := a.priv.Value(f, text, numeric); ok {
			parts = append(parts, f+"="+quoteValue(s))
		}
	}
	return strings.Join(parts, " ")
}

// writeEvents writes the events one a line, but a run of events whose
// fields sent are the same but for _time as one line:
// "_time=FIRST..LAST (N events) the fields".
func (a *explainAsker) writeEvents(s *strings.Builder, events []contextEvent) {
	for i := 0; i < len(events); {
		rest := a.rowWithout(events[i].b, events[i].r, store.ColTime)
		j := i + 1
		for j < len(events) && a.rowWithout(events[j].b, events[j].r, store.ColTime) == rest {
			j++
		}
		if j-i == 1 {
			s.WriteString(a.row(events[i].b, events[i].r, false))
		} else {
			fmt.Fprintf(s, "_time=%s..%s (%d events) %s", timeText(events[i].t), timeText(events[j-1].t), j-i, rest)
		}
		s.WriteByte('\n')
		i = j
	}
}

// rowWithout is row of an event without one field.
func (a *explainAsker) rowWithout(b *Batch, r int, field string) string {
	return a.fields(b, r, false, field)
}

// countBy counts the events by field f's value (sent values only), most
// first: "failure 180, success 2"; "" when no event has f.
func (a *explainAsker) countBy(events []contextEvent, f string) string {
	n := map[string]int{}
	for _, e := range events {
		if v := e.b.Get(f, e.r); !v.IsNull() {
			if s, ok := a.priv.Value(f, v.String(), false); ok {
				n[s]++
			}
		}
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int { return cmp.Or(cmp.Compare(n[y], n[x]), cmp.Compare(x, y)) })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
	}
	return strings.Join(parts, ", ")
}

func timeText(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// quoteValue quotes a value with spaces, quotes or an =.
func quoteValue(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"=") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
