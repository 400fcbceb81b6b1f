package query

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseWithMacros expands the macros of q (see Macros) and parses the
// result. An error inside a macro's text points into its definition, with
// a caret at the column, and says where each macro was used, down to the
// query. A backquoted name that is no macro stays a field name.
func ParseWithMacros(q string, ms *Macros) (*Query, error) {
	if ms.Len() == 0 || !strings.Contains(q, "`") || len(q) > MaxQueryLen || !utf8.ValidString(q) || strings.TrimSpace(q) == "" {
		return Parse(q)
	}
	x, err := expandMacros(q, ms)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(x.text) == "" {
		return nil, x.errorAt(0, "empty query")
	}
	if len(x.text) > MaxQueryLen {
		return nil, newError(q, 0, fmt.Sprintf("query is too long once its macros are expanded (more than %d KiB)", MaxQueryLen>>10))
	}
	ast, perr := parseQuery(x.text)
	if perr != nil {
		return nil, x.errorAt(perr.off, perr.msg+x.macroHint(perr.off, ms))
	}
	return ast, nil
}

// ExpandMacros returns q with its macros expanded, for showing what a
// query runs.
func ExpandMacros(q string, ms *Macros) (string, error) {
	if ms.Len() == 0 || !strings.Contains(q, "`") {
		return q, nil
	}
	x, err := expandMacros(q, ms)
	if err != nil {
		return "", err
	}
	return x.text, nil
}

// origin is where a byte of an expanded query was written: in the query
// (site nil) or in the definition of the macro a site used.
type origin struct {
	site *macroSite
	off  int // in the query, or in site.m.Def
}

// macroSite is one use of a macro: which, and where its backquote was.
type macroSite struct {
	m   *Macro
	use origin
}

// expansion is an expanded query, with the origin of every byte.
type expansion struct {
	query string // as the user wrote it
	text  string
	orig  []origin
}

func expandMacros(q string, ms *Macros) (*expansion, error) {
	org := make([]origin, len(q))
	for i := range org {
		org[i] = origin{off: i}
	}
	x := &expansion{query: q}
	e := &expander{ms: ms, x: x}
	if err := e.expand([]byte(q), org); err != nil {
		return nil, err
	}
	x.text, x.orig = string(e.out), e.org
	return x, nil
}

// expander writes the expanded text, macro by macro, once: a macro's
// text with its arguments put in is expanded in turn where it goes.
type expander struct {
	ms  *Macros
	x   *expansion
	out []byte
	org []origin
}

func (e *expander) expand(buf []byte, org []origin) error {
	for i := 0; i < len(buf); {
		c := buf[i]
		if (c == '"' || c == '\'') && quoteStarts(buf, i) {
			j := skipQuote(buf, i)
			e.out, e.org = append(e.out, buf[i:j]...), append(e.org, org[i:j]...)
			i = j
			continue
		}
		end := i + 1
		if c == '`' {
			for end < len(buf) && buf[end] != '`' {
				end++
			}
		}
		if c != '`' || end >= len(buf) {
			e.out, e.org = append(e.out, c), append(e.org, org[i])
			i++
			continue
		}
		name, args, ok := parseMacroCall(string(buf[i+1 : end]))
		defs := e.ms.named(name)
		if !ok || len(defs) == 0 {
			e.out, e.org = append(e.out, buf[i:end+1]...), append(e.org, org[i:end+1]...)
			i = end + 1
			continue
		}
		sub, subOrg, err := e.substitute(buf, org, i, name, args, defs)
		if err != nil {
			return err
		}
		if err := e.expand(sub, subOrg); err != nil {
			return err
		}
		if len(e.out) > MaxQueryLen {
			return e.x.errorAtOrigin(org[i], fmt.Sprintf("the query is more than %d KiB once macro %s is expanded", MaxQueryLen>>10, macroKey(name, len(args))))
		}
		i = end + 1
	}
	return nil
}

// substitute returns the text of the macro called at buf[i] with its
// arguments put in, and the origin of each byte.
func (e *expander) substitute(buf []byte, org []origin, i int, name string, args [][2]int, defs []*Macro) ([]byte, []origin, error) {
	var m *Macro
	for _, d := range defs {
		if len(d.Args) == len(args) {
			m = d
		}
	}
	if m == nil {
		return nil, nil, e.x.errorAtOrigin(org[i], wrongArgs(name, len(args), defs))
	}
	depth := 0
	for s := org[i].site; s != nil; s = s.use.site {
		if s.m == m {
			return nil, nil, e.x.errorAtOrigin(org[i], fmt.Sprintf("macro %s uses itself%s", m.Key(), chainNote(org[i], m)))
		}
		depth++
	}
	if depth >= MaxMacroDepth {
		return nil, nil, e.x.errorAtOrigin(org[i], fmt.Sprintf("macros are used inside macros more than %d deep", MaxMacroDepth))
	}
	args = namedArgs(m, buf[i+1:], args)
	site := &macroSite{m: m, use: org[i]}
	var sub []byte
	var subOrg []origin
	for k := 0; k < len(m.Body); k++ {
		if m.Body[k] == '$' {
			if k+1 < len(m.Body) && m.Body[k+1] == '$' {
				sub, subOrg = append(sub, '$'), append(subOrg, origin{site, m.BodyAt + k})
				k++
				continue
			}
			if w, ok := argRef(m.Body, k); ok {
				a := args[indexOf(m.Args, w)]
				sub = append(sub, buf[i+1+a[0]:i+1+a[1]]...)
				subOrg = append(subOrg, org[i+1+a[0]:i+1+a[1]]...)
				k += len(w) + 1
				continue
			}
		}
		sub, subOrg = append(sub, m.Body[k]), append(subOrg, origin{site, m.BodyAt + k})
	}
	return sub, subOrg, nil
}

// quoteStarts reports whether a quote at buf[i] starts a string: at the
// start of a token, as the lexer reads quotes (don't is one word).
func quoteStarts(buf []byte, i int) bool {
	return i == 0 || isSpaceByte(buf[i-1]) || strings.IndexByte("=(,[|!<>+-*/%", buf[i-1]) >= 0
}

// skipQuote returns the offset after the string at buf[i]; a backslash
// escapes the next byte.
func skipQuote(buf []byte, i int) int {
	q := buf[i]
	for j := i + 1; j < len(buf); j++ {
		switch buf[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(buf)
}

// parseMacroCall reads `name` or `name(a, b)` (the text between the
// backquotes): the arguments as byte ranges of s, trimmed, split at the
// commas outside quotes and parentheses.
func parseMacroCall(s string) (name string, args [][2]int, ok bool) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, nil, isMacroName(s)
	}
	if !strings.HasSuffix(s, ")") || !isMacroName(s[:i]) {
		return "", nil, false
	}
	name = s[:i]
	inner := s[i+1 : len(s)-1]
	if strings.TrimSpace(inner) == "" {
		return name, nil, true
	}
	start, depth := 0, 0
	b := []byte(inner)
	add := func(a, z int) {
		for a < z && isSpaceByte(inner[a]) {
			a++
		}
		for z > a && isSpaceByte(inner[z-1]) {
			z--
		}
		args = append(args, [2]int{i + 1 + a, i + 1 + z})
	}
	for j := 0; j < len(b); j++ {
		switch c := b[j]; {
		case (c == '"' || c == '\'') && (j == 0 || quoteStarts(b, j)):
			j = skipQuote(b, j) - 1
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			add(start, j)
			start = j + 1
		}
	}
	add(start, len(inner))
	return name, args, true
}

// namedArgs puts arguments given by name, as Splunk's `m(field=user,
// n=5)`, in the order of the definition: when every argument is NAME=TEXT
// and the names are the macro's, each once. Otherwise they are by
// position, as written.
func namedArgs(m *Macro, call []byte, args [][2]int) [][2]int {
	out := make([][2]int, len(args))
	seen := make([]bool, len(args))
	for _, a := range args {
		text := string(call[a[0]:a[1]])
		eq := strings.IndexByte(text, '=')
		if eq < 0 || strings.HasPrefix(text[eq:], "==") {
			return args
		}
		k := indexOf(m.Args, strings.TrimSpace(text[:eq]))
		if k < 0 || seen[k] {
			return args
		}
		start := a[0] + eq + 1
		for start < a[1] && isSpaceByte(call[start]) {
			start++
		}
		out[k], seen[k] = [2]int{start, a[1]}, true
	}
	return out
}

func wrongArgs(name string, n int, defs []*Macro) string {
	var have []string
	for _, d := range defs {
		have = append(have, d.Signature())
	}
	return fmt.Sprintf("macro %s is given %d argument%s, but it is defined as %s", name, n, plural(n), strings.Join(have, " and "))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// chainNote names the macros from the use at o back to m: " (a → b → a)".
func chainNote(o origin, m *Macro) string {
	names := []string{m.Key()}
	for s := o.site; s != nil; s = s.use.site {
		names = append(names, s.m.Key())
		if s.m == m {
			break
		}
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return " (" + strings.Join(names, " → ") + ")"
}

// errorAt places msg at offset off of the expanded text: in the query, or
// in the macro definition the text there came from, then where each
// macro was used.
func (x *expansion) errorAt(off int, msg string) *Error {
	var o origin
	switch {
	case off < len(x.orig):
		o = x.orig[off]
	case len(x.orig) > 0:
		o = x.orig[len(x.orig)-1]
		o.off++
	}
	return x.errorAtOrigin(o, msg)
}

// errorAtOrigin places msg where o is.
func (x *expansion) errorAtOrigin(o origin, msg string) *Error {
	if o.site == nil {
		return newError(x.query, o.off, msg)
	}
	e := lineError(o.site.m.Def, o.off, msg)
	var notes []string
	at := o.off
	for s := o.site; s != nil; s = s.use.site {
		u := s.use
		where := fmt.Sprintf("in macro %s (%s), used in the query:", s.m.Key(), s.m.whereAt(at))
		ue := newError(x.query, u.off, "here")
		if u.site != nil {
			where = fmt.Sprintf("in macro %s (%s), used in macro %s:", s.m.Key(), s.m.whereAt(at), u.site.m.Key())
			ue = lineError(u.site.m.Def, u.off, "here")
		}
		notes = append(notes, where+"\n"+ue.Error())
		at = u.off
	}
	e.Note = strings.Join(notes, "\n")
	return e
}

// lineError is newError on the one line of text that off is on (the
// note says which line of the file it is).
func lineError(text string, off int, msg string) *Error {
	off = min(max(off, 0), len(text))
	start := strings.LastIndexByte(text[:off], '\n') + 1
	end := strings.IndexByte(text[off:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += off
	}
	return newError(text[start:end], off-start, msg)
}

// macroHint adds, to an error at a backquoted name that no macro has, the
// nearest macro name.
func (x *expansion) macroHint(off int, ms *Macros) string {
	// The error is at the backquoted name, or at what follows it.
	var call string
	if off < len(x.text) && x.text[off] == '`' {
		if end := strings.IndexByte(x.text[off+1:], '`'); end >= 0 {
			call = x.text[off+1 : off+1+end]
		}
	} else {
		prev := strings.TrimRight(x.text[:min(off, len(x.text))], " \t\r\n")
		if strings.HasSuffix(prev, "`") {
			if start := strings.LastIndexByte(prev[:len(prev)-1], '`'); start >= 0 {
				call = prev[start+1 : len(prev)-1]
			}
		}
	}
	if call == "" {
		return ""
	}
	name, _, ok := parseMacroCall(call)
	if !ok {
		return ""
	}
	if s := suggest(name, ms.names()); s != "" {
		return fmt.Sprintf(" (no macro is named %s; did you mean %s?)", name, s)
	}
	return ""
}
