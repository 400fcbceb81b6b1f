package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"loghunt/sigma"
	"loghunt/sigmamap"
)

const sigmaUsage = `usage: loghunt sigma check [-q] [--mapping FILE] RULES...
       loghunt [--db PATH] sigma hunt [--format table|csv|json] [--level L] [--tags T] [--mapping FILE] [--stats] RULES...

Reads Sigma rules (specification v2.1: detection rules, filters and
correlations; .yml/.yaml files, or directories walked for them).

sigma check says for each rule whether it can run: "ok", or every problem
with its kind, file:line:col and what is wrong (for a condition, the
condition with a caret under the mistake). Then a summary: how many rules,
filters and correlations, how many can run, and the problems counted by
kind (yaml, missing-field, bad-value, unsupported-modifier,
undefined-placeholder, bad-condition, bad-regex, unknown-rule,
bad-correlation, unmapped-logsource). Exit code 0 when everything can run,
1 when something cannot, 2 for a usage error.

A rule's logsource (product, category, service) says which events it looks
at. The built-in mapping follows SigmaHQ's tests/thor.yml for Windows
(product windows, service security: Channel=Security; category
process_creation: EventID 1 of Sysmon or 4688 of Security, with Image read
as NewProcessName there; ...), product linux to syslog events (service
auth: auth.log files or the auth apps, sshd, sudo, cron: by app, syslog:
all), category webserver to Apache/nginx access logs with W3C names
(cs-method, cs-uri-query, sc-status, c-ip, cs-user-agent, ...), product
zeek service <log> to the Zeek log of that _path (or @stream), category dns
and proxy to Zeek's dns and http logs, product aws service cloudtrail to
CloudTrail records, product cisco service aaa to Cisco IOS command-log
lines. A rule whose logsource no entry describes cannot run
(unmapped-logsource). --mapping
FILE adds entries in thor.yml's shape (tests/thor.yml itself is one); an
entry with a built-in's name replaces it.

sigma hunt runs the rules that can run over every event of the database
and prints one row per hit, in time order: _time, sigma_level, sigma_id,
sigma_title, source, and for correlations (event_count, value_count,
temporal, ..., on sliding windows in event time) also first, last, count
and the group-by fields (_time is then first). --level keeps rules of
that level or above (informational, low, medium, high, critical); --tags
keeps rules with one of the comma-separated tags (attack.t1110 also takes
attack.t1110.001); rules that a kept correlation uses run without being
listed themselves. Chunks no rule can match (by the log-source fields and
the words a rule needs) are not read. --stats prints what the hunt did to
stderr. Exit code 0 with or without hits, 1 on an error, 2 for a usage
error.

In a query, the stage | sigma rules=PATH [level>=L] [tags=T] keeps the
events detection rules match, one row per event and rule, with sigma_id,
sigma_title, sigma_level and sigma_tags (.help sigma).

flags:
`

func (e *env) sigma(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprint(e.stderr, sigmaUsage)
		if len(args) == 0 {
			return usagef("sigma: say what to do (sigma check RULES..., sigma hunt RULES...)")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "check":
		return e.sigmaCheck(args[1:])
	case "hunt":
		return e.sigmaHunt(args[1:])
	}
	return usagef("sigma: unknown subcommand %q (sigma check RULES..., sigma hunt RULES...)", args[0])
}

func (e *env) sigmaCheck(args []string) error {
	fs := flag.NewFlagSet("sigma check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	quiet := fs.Bool("q", false, "list only what cannot run, and the summary")
	mapping := fs.String("mapping", "", "a log-source mapping `FILE` (thor.yml's shape) that extends the built-in one")
	fs.Usage = func() { fmt.Fprint(e.stderr, sigmaUsage); fs.PrintDefaults() }
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return usagef("sigma check: name the rule files or directories")
	}
	ls, err := loadSigmaRules("sigma check", paths, *mapping)
	if err != nil {
		return err
	}
	sum := reportSigmaSet(e.stdout, ls.set, *quiet)
	fmt.Fprintln(e.stdout, sum.line())
	if !sum.allRun() {
		return errShown
	}
	return nil
}

// loadedSigma is a rule set with each rule's log source resolved.
type loadedSigma struct {
	set     *sigma.Set
	mapping *sigmamap.Mapping
	sources map[*sigma.Rule]*sigmamap.Source
}

// loadSigmaRules reads the rules and the mapping, and marks the rules
// whose log source the mapping does not describe (unmapped-logsource).
func loadSigmaRules(cmd string, paths []string, mappingFile string) (*loadedSigma, error) {
	rs, err := sigmamap.LoadRules(cmd, paths, mappingFile)
	if err != nil {
		return nil, err
	}
	return &loadedSigma{set: rs.Set, mapping: rs.Mapping, sources: rs.Sources}, nil
}

// sigmaSummary counts what sigma check found.
type sigmaSummary struct {
	files                  int
	rules, rulesOK         int
	filters, filtersOK     int
	correlations, correlOK int
	fileProblems           int
	byKind                 map[sigma.Kind]int
}

func (s *sigmaSummary) allRun() bool {
	return s.rulesOK == s.rules && s.filtersOK == s.filters && s.correlOK == s.correlations && s.fileProblems == 0
}

func (s *sigmaSummary) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rule%s, %d runnable", s.rules, plural(s.rules), s.rulesOK)
	if s.filters > 0 {
		fmt.Fprintf(&b, "; %d filter%s, %d usable", s.filters, plural(s.filters), s.filtersOK)
	}
	if s.correlations > 0 {
		fmt.Fprintf(&b, "; %d correlation%s, %d runnable", s.correlations, plural(s.correlations), s.correlOK)
	}
	if s.fileProblems > 0 {
		fmt.Fprintf(&b, "; %d file-level problem%s", s.fileProblems, plural(s.fileProblems))
	}
	if len(s.byKind) == 0 {
		b.WriteString("; no problems")
		return b.String()
	}
	kinds := make([]string, 0, len(s.byKind))
	for k := range s.byKind {
		kinds = append(kinds, string(k))
	}
	sort.Slice(kinds, func(i, j int) bool {
		ni, nj := s.byKind[sigma.Kind(kinds[i])], s.byKind[sigma.Kind(kinds[j])]
		if ni != nj {
			return ni > nj
		}
		return kinds[i] < kinds[j]
	})
	b.WriteString("; problems:")
	for i, k := range kinds {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %d", k, s.byKind[sigma.Kind(k)])
	}
	return b.String()
}

// reportSigmaSet prints one entry per rule, filter and correlation, in
// file order, with the file-level problems (YAML syntax, documents that
// are not Sigma) at their file.
func reportSigmaSet(w io.Writer, set *sigma.Set, quiet bool) *sigmaSummary {
	sum := &sigmaSummary{byKind: map[sigma.Kind]int{}}
	type entry struct {
		file     string
		line     int
		what     string // rule, filter, correlation, file
		ref      string
		title    string
		problems []sigma.Problem
	}
	var es []entry
	for _, r := range set.Rules {
		sum.rules++
		if r.CanRun() {
			sum.rulesOK++
		}
		es = append(es, entry{r.File, r.Line, "rule", r.Ref(), r.Title, r.Problems})
	}
	for _, f := range set.Filters {
		sum.filters++
		if len(f.Problems) == 0 {
			sum.filtersOK++
		}
		ref := f.ID
		if ref == "" {
			ref = f.Name
		}
		es = append(es, entry{f.File, f.Line, "filter", ref, f.Title, f.Problems})
	}
	for _, c := range set.Correlations {
		sum.correlations++
		if c.CanRun() {
			sum.correlOK++
		}
		es = append(es, entry{c.File, c.Line, "correlation", c.Ref(), c.Title, c.Problems})
	}
	byFile := map[string][]sigma.Problem{}
	for _, p := range set.Problems {
		sum.fileProblems++
		byFile[p.File] = append(byFile[p.File], p)
	}
	for f, ps := range byFile {
		es = append(es, entry{f, 0, "file", "", "", ps})
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].file != es[j].file {
			return es[i].file < es[j].file
		}
		return es[i].line < es[j].line
	})
	for _, e := range es {
		for _, p := range e.problems {
			sum.byKind[p.Kind]++
		}
		if quiet && len(e.problems) == 0 {
			continue
		}
		loc := e.file
		if e.line > 0 {
			loc = fmt.Sprintf("%s:%d", e.file, e.line)
		}
		status := "ok  "
		if len(e.problems) > 0 {
			status = "FAIL"
		}
		name := e.what
		if e.ref != "" {
			name += " " + e.ref
		}
		if e.title != "" && e.title != e.ref {
			name += " " + strconv.Quote(e.title)
		}
		if e.what == "file" {
			name = "(the file itself)"
		}
		fmt.Fprintf(w, "%s %s %s\n", status, loc, name)
		for _, p := range e.problems {
			fmt.Fprintf(w, "     %s %s\n", p.Kind, problemText(p))
			if cond, ok := problemCondition(p); ok {
				fmt.Fprintf(w, "       %s\n       %s^\n", cond, strings.Repeat(" ", caretOffset(cond, p.CondCol)))
			}
		}
	}
	return sum
}

// problemText is a problem as file:line:col: message.
func problemText(p sigma.Problem) string {
	loc := p.File
	switch {
	case p.Line > 0 && p.Col > 0:
		loc = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	case p.Line > 0:
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	s := loc + ": " + p.Msg
	if p.CondCol > 0 {
		s += fmt.Sprintf(" (condition column %d)", p.CondCol)
	}
	return s
}

// problemCondition returns the condition text of a condition problem
// with a column inside it (its message starts `condition "..."`).
func problemCondition(p sigma.Problem) (string, bool) {
	if p.Kind != sigma.KindCondition || p.CondCol <= 0 {
		return "", false
	}
	rest, ok := strings.CutPrefix(p.Msg, "condition ")
	if !ok {
		return "", false
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", false
	}
	cond, err := strconv.Unquote(q)
	if err != nil || strings.ContainsAny(cond, "\n\t") {
		return "", false
	}
	return cond, true
}

// caretOffset is how many spaces put a caret under byte col (1-based)
// of s: the characters before it.
func caretOffset(s string, col int) int {
	col = min(max(col, 1), len(s)+1)
	return utf8.RuneCountInString(s[:col-1])
}
