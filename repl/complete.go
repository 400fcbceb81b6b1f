package repl

import (
	"path/filepath"
	"slices"
	"strings"

	"loghunt/query"
)

// aggStages take aggregates; exprStages take expressions with functions.
var (
	aggStages  = map[string]bool{"stats": true, "eventstats": true, "streamstats": true, "timechart": true}
	exprStages = map[string]bool{"where": true, "eval": true}
)

// WordCompleter is liner's word completer: it completes the word that
// ends at pos. Liner replaces the word with the candidates' longest
// common prefix, which is case-sensitive: "p" with path and PID would
// become "", deleting what was typed. keepTyped makes sure the prefix
// always starts with the typed word.
func (r *REPL) WordCompleter(line string, pos int) (head string, completions []string, tail string) {
	if pos > len(line) {
		pos = len(line)
	}
	head, completions = r.Complete(line[:pos])
	return head, keepTyped(line[len(head):pos], completions), line[pos:]
}

// keepTyped returns candidates whose common prefix starts with word:
// those that start with it as typed, when some do (the typed case
// decides between path and PID); else every candidate with its first
// len(word) bytes written as typed (US completes to USer).
func keepTyped(word string, cands []string) []string {
	if len(cands) < 2 || strings.HasPrefix(commonPrefix(cands), word) {
		return cands
	}
	var exact []string
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			exact = append(exact, c)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	var out []string
	for _, c := range cands {
		if len(c) >= len(word) && strings.EqualFold(c[:len(word)], word) {
			c = word + c[len(word):]
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// commonPrefix is the longest prefix of every string, byte for byte, as
// liner computes it.
func commonPrefix(strs []string) string {
	p := strs[0]
	for _, s := range strs[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// Complete returns the candidates for the word at the end of before, and
// the text before that word. It offers dot-commands after '.', stage names
// after '|', option names (span=) of the current stage, aggregates in
// stats-like stages, functions in where and eval, and the field catalog's
// names.
func (r *REPL) Complete(before string) (head string, candidates []string) {
	if strings.HasPrefix(strings.TrimSpace(before), ".") {
		return r.completeDot(before)
	}
	start := len(before)
	for start > 0 && isWordByte(before[start-1]) {
		start--
	}
	head, word := before[:start], before[start:]
	if strings.HasSuffix(head, "`") && strings.Count(head, "`")%2 == 1 {
		return head, matching(append(r.macroNames(), r.fields...), word) // `name: a macro, or a field
	}
	pipe, open := scanQuotes(head)
	if open {
		return head, nil
	}
	seg := head
	if pipe >= 0 {
		seg = head[pipe+1:]
	} else if strings.TrimSpace(head) == "" {
		return head, nil // the search's first word: anything goes
	}
	var pool []string
	stage := firstWord(seg)
	switch {
	case pipe >= 0 && strings.TrimSpace(seg) == "":
		pool = query.StageNames()
	default:
		for _, o := range query.OptionNames(stage) {
			pool = append(pool, o+"=")
		}
		if aggStages[stage] {
			pool = append(pool, query.AggregateNamesOf(stage)...)
		}
		if exprStages[stage] {
			for _, f := range query.FunctionNames() {
				pool = append(pool, f+"(")
			}
		}
		pool = append(pool, r.fields...)
	}
	return head, matching(pool, word)
}

// macroNames are the macros to complete after a backquote: name` for
// one without arguments, name( for one with.
func (r *REPL) macroNames() []string {
	if r.cfg.Macros == nil {
		return nil
	}
	ms, err := r.cfg.Macros()
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range ms.List() {
		if len(m.Args) == 0 {
			out = append(out, m.Name+"`")
		} else {
			out = append(out, m.Name+"(")
		}
	}
	return out
}

// completeDot completes dot-command names, then .help topics, .format
// names and the paths of .run and .ingest.
func (r *REPL) completeDot(before string) (string, []string) {
	i := strings.LastIndexAny(before, " \t")
	if i < 0 {
		return "", matching(DotCommandNames(), before)
	}
	head, word := before[:i+1], before[i+1:]
	var pool []string
	switch strings.ToLower(firstWord(before)) {
	case ".help":
		for _, e := range query.HelpEntries() {
			pool = append(pool, e.Name)
		}
		pool = append(pool, "rules", "actions", "macros")
	case ".format":
		pool = formatNames()
	case ".run", ".ingest":
		matches, _ := filepath.Glob(word + "*")
		return head, matches
	}
	return head, matching(pool, word)
}

// matching returns the names starting with prefix (case-insensitively),
// sorted, each once.
func matching(pool []string, prefix string) []string {
	var out []string
	p := strings.ToLower(prefix)
	for _, n := range pool {
		if strings.HasPrefix(strings.ToLower(n), p) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '@' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// scanQuotes returns the index of the last '|' outside quotes (-1 if
// none) and whether s ends inside a quoted string.
func scanQuotes(s string) (lastPipe int, open bool) {
	lastPipe = -1
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '`':
			quote = c
		case c == '|':
			lastPipe = i
		}
	}
	return lastPipe, quote != 0
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.ToLower(f[0])
}
