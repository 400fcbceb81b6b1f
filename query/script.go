package query

import (
	"fmt"
	"strings"
)

// ScriptQuery is one query of a script, with the script line it starts on.
type ScriptQuery struct {
	Text string // the query; its line k is line Line+k-1 of the script
	Line int    // 1-based
	Dot  bool   // Text is a dot-command line (.format json), not a query
}

// SplitScript splits a .lhq script into its queries (SPEC §5):
//
//   - `#` starts a comment to the end of the line, except inside a quoted
//     string or backquoted name;
//   - a `;` at the end of a line (after comments are removed) ends a query;
//   - a blank (or comment-only) line ends a query, unless the query so far
//     ends with `|`, which continues it;
//   - a line starting with `.` is a dot-command (`.format json`), as in the
//     REPL, unless the query so far ends with `|`; it ends the query
//     before it.
//
// Comments are blanked, not removed, so an error's line within Text maps
// to the script line Line+line-1. An unclosed quote is an error naming the
// line it starts on.
func SplitScript(src string) ([]ScriptQuery, error) {
	var (
		out   []ScriptQuery
		cur   []string // lines of the current query
		start int      // script line of cur[0]
		quote byte     // the open quote, carried across lines
		qline int      // where it opened
	)
	flush := func() {
		text := strings.TrimRight(strings.Join(cur, "\n"), " \t\r\n")
		if strings.TrimSpace(text) != "" {
			out = append(out, ScriptQuery{Text: text, Line: start})
		}
		cur = nil
	}
	for i, line := range strings.Split(src, "\n") {
		n := i + 1
		if quote == 0 {
			qline = n
		}
		inQuote := quote != 0 // the line starts inside a quoted string
		code, q := stripComment(strings.TrimRight(line, "\r"), quote)
		if q != 0 && quote == 0 {
			qline = n
		}
		quote = q
		trimmed := strings.TrimSpace(code)
		if trimmed == "" && quote == 0 {
			if len(cur) > 0 && !strings.HasSuffix(strings.TrimSpace(strings.Join(cur, "\n")), "|") {
				flush()
			} else if len(cur) > 0 {
				cur = append(cur, "")
			}
			continue
		}
		if !inQuote && quote == 0 && strings.HasPrefix(trimmed, ".") && !continues(cur) {
			flush()
			out = append(out, ScriptQuery{Text: strings.TrimSuffix(trimmed, ";"), Line: n, Dot: true})
			continue
		}
		if len(cur) == 0 {
			start = n
		}
		if quote == 0 && strings.HasSuffix(trimmed, ";") {
			cur = append(cur, strings.TrimSuffix(strings.TrimRight(code, " \t"), ";"))
			flush()
			continue
		}
		cur = append(cur, code)
	}
	if quote != 0 {
		return nil, fmt.Errorf("line %d: unclosed quote %c", qline, quote)
	}
	flush()
	return out, nil
}

// continues reports whether the lines of a query so far end with '|'.
func continues(cur []string) bool {
	return strings.HasSuffix(strings.TrimSpace(strings.Join(cur, "\n")), "|")
}

// stripComment blanks a # comment outside quotes; quote is the quote open
// at the start of the line, and the result's is the one open at its end.
func stripComment(line string, quote byte) (string, byte) {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == '\\' && quote != '`':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case (c == '"' || c == '`' || c == '\'') && startsToken(line, i):
			quote = c
		case c == '#':
			return line[:i], 0
		}
	}
	return line, quote
}

// startsToken reports whether a single quote at i opens a string, as the
// lexer sees it: at the start of a token, not inside a word like don't.
func startsToken(line string, i int) bool {
	return i == 0 || strings.IndexByte(" \t|(),=<>!+-*/%", line[i-1]) >= 0
}

// EventsViewRows is how many events a bare search shows on a terminal.
const EventsViewRows = 1000

// EventsView is how a bare search (one search stage, nothing after it)
// shows on a terminal, as Splunk shows events: _time, source and _raw,
// the newest first, the newest EventsViewRows of them; any other query is
// itself. table or fields after the search choose the columns instead.
func EventsView(q *Query) *Query {
	if len(q.Stages) != 1 {
		return q
	}
	if _, ok := q.Stages[0].(*SearchCmd); !ok {
		return q
	}
	v, err := Parse(q.String() + fmt.Sprintf(" | tail %d | reverse | table _time, source, _raw", EventsViewRows))
	if err != nil {
		return q
	}
	return v
}
