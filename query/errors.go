package query

import (
	"fmt"

	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Error is a query syntax or validation error at a place in the query.
//
// Error() renders the query line with a caret under the column, then the
// message:
//
//   - | stast count
//     ^ unknown stage "stast" (did you mean "stats"?)
//
// A query of several lines names the line in the message; a very long line
// is cut to a window around the column. Without Query only the position and
// message are rendered.
type Error struct {
	Query string // the whole query text
	Line  int    // 1-based
	Col   int    // 1-based, in characters
	Msg   string // lower-case, no trailing period
	// Note follows the caret line: where the macro the error is in was
	// used, each with its own caret (see ParseWithMacros).
	Note string
}

// Error renders the line of the query with a caret and the message.
func (e *Error) Error() string {
	if e.Query == "" {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	lines := strings.Split(e.Query, "\n")
	text := ""
	if e.Line >= 1 && e.Line <= len(lines) {
		text = lines[e.Line-1]
	}
	runes := []rune(strings.ReplaceAll(strings.TrimRight(text, "\r"), "\t", " "))
	col := min(max(e.Col-1, 0), len(runes))
	const window = 40
	if len(runes) > 2*window+20 {
		lo, hi := max(col-window, 0), min(col+window, len(runes))
		cut := string(runes[lo:hi])
		if lo > 0 {
			cut = "…" + cut
			col = col - lo + 1
		}
		if hi < len(runes) {
			cut += "…"
		}
		runes = []rune(cut)
	}
	msg := e.Msg
	if len(lines) > 1 {
		msg = fmt.Sprintf("%s (line %d)", msg, e.Line)
	}
	out := string(runes) + "\n" + strings.Repeat(" ", col) + "^ " + msg
	if e.Note != "" {
		out += "\n" + e.Note
	}
	return out
}

// posError is an error at a byte offset of the query, turned into an
// *Error once the query text is at hand.
type posError struct {
	off       int
	line, col int // when known: 1-based, col in bytes
	msg       string
}

func (e *posError) Error() string { return e.msg }

func errorfAt(off int, format string, args ...any) *posError {
	return &posError{off: off, msg: fmt.Sprintf(format, args...)}
}

// errorAtPos is errorfAt at a node's position, keeping its line and column.
func errorAtPos(pos lexer.Position, format string, args ...any) *posError {
	return &posError{off: pos.Offset, line: pos.Line, col: pos.Column, msg: fmt.Sprintf(format, args...)}
}

// newError places msg at byte offset off of q.
func newError(q string, off int, msg string) *Error {
	off = min(max(off, 0), len(q))
	line := 1 + strings.Count(q[:off], "\n")
	start := strings.LastIndexByte(q[:off], '\n') + 1
	col := utf8.RuneCountInString(q[start:off]) + 1
	return &Error{Query: q, Line: line, Col: col, Msg: msg}
}

// didYouMean returns ` (did you mean "x"?)` for the candidate nearest to
// name, or "" when none is near.
// DidYouMean returns ` (did you mean "x"?)` for the candidate nearest to
// name, or "" when none is near.
func DidYouMean(name string, candidates []string) string { return didYouMean(name, candidates) }

func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// suggest returns the candidate with the smallest edit distance to name
// (case-insensitive), if that distance is small for the name's length.
func suggest(name string, candidates []string) string {
	name = strings.ToLower(name)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := levenshtein(name, strings.ToLower(c))
		if strings.HasPrefix(strings.ToLower(c), name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 3
	switch {
	case len(name) <= 3:
		limit = 1
	case len(name) <= 6:
		limit = 2
	}
	if bestD <= limit {
		return best
	}
	return ""
}

// levenshtein is the edit distance between a and b in bytes, counting a
// swap of two neighbours as one edit (optimal string alignment).
func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
