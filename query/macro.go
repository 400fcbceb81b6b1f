package query

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"loghunt/store"
)

// Macros are named pieces of query text, as Splunk's search macros: a
// query writes `name` or `name(arg1, arg2)` in backquotes and the
// definition's text, with each $arg$ replaced by the argument as written,
// takes its place before the query is parsed (macro_expand.go).
//
// A definition is one line `name = TEXT` or `name(a, b) = TEXT`; lines
// that start with a space or tab continue it. In a macros file (macros.lhq)
// `#` starts a comment line and blank lines separate definitions. In TEXT
// $$ is a $; $word$ must name an argument. A name may have definitions of
// different argument counts, as in Splunk (name(1), name(2)).

// Macro is one definition.
type Macro struct {
	Name   string
	Args   []string
	Body   string // the text, $arg$ still in it
	Def    string // the definition as written, for errors
	BodyAt int    // where Body starts in Def
	Source string // where it was defined: a file's name, "the database"
	Line   int    // the line of Source where Def starts; 0 for none
}

// Where names the place of the definition: "macros.lhq line 3".
func (m *Macro) Where() string { return m.whereAt(0) }

// whereAt names the line of Def that offset off is on.
func (m *Macro) whereAt(off int) string {
	if m.Line == 0 {
		return m.Source
	}
	return fmt.Sprintf("%s line %d", m.Source, m.Line+strings.Count(m.Def[:min(off, len(m.Def))], "\n"))
}

// MaxMacroDepth bounds macros that use macros.
const MaxMacroDepth = 32

// Key is how a macro is stored and listed: name(N) with N arguments, or
// the bare name for none.
func (m *Macro) Key() string { return macroKey(m.Name, len(m.Args)) }

func macroKey(name string, n int) string {
	if n == 0 {
		return name
	}
	return name + "(" + strconv.Itoa(n) + ")"
}

// Signature is name(a, b) as a definition writes it.
func (m *Macro) Signature() string {
	if len(m.Args) == 0 {
		return m.Name
	}
	return m.Name + "(" + strings.Join(m.Args, ", ") + ")"
}

// Macros is a set of definitions, one per name and argument count.
type Macros struct {
	byKey map[string]*Macro
}

// Set adds m, replacing a definition of the same name and argument count.
func (ms *Macros) Set(m *Macro) {
	if ms.byKey == nil {
		ms.byKey = map[string]*Macro{}
	}
	ms.byKey[m.Key()] = m
}

// Len is the number of definitions.
func (ms *Macros) Len() int {
	if ms == nil {
		return 0
	}
	return len(ms.byKey)
}

// List returns the definitions sorted by name, then argument count.
func (ms *Macros) List() []*Macro {
	if ms == nil {
		return nil
	}
	out := make([]*Macro, 0, len(ms.byKey))
	for _, m := range ms.byKey {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return len(out[i].Args) < len(out[j].Args)
	})
	return out
}

// named returns the definitions of name, fewest arguments first.
func (ms *Macros) named(name string) []*Macro {
	var out []*Macro
	for _, m := range ms.List() {
		if m.Name == name {
			out = append(out, m)
		}
	}
	return out
}

func (ms *Macros) names() []string {
	var out []string
	for _, m := range ms.List() {
		if len(out) == 0 || out[len(out)-1] != m.Name {
			out = append(out, m.Name)
		}
	}
	return out
}

// ParseMacro reads one definition, `name(a, b) = TEXT`; source and line
// say where it comes from (line 0: no file).
func ParseMacro(def, source string, line int) (*Macro, error) {
	eq := strings.IndexByte(def, '=')
	if eq < 0 {
		return nil, fmt.Errorf("a macro definition is `name = TEXT` or `name(a, b) = TEXT`: no '=' in %q", firstLine(def))
	}
	if !utf8.ValidString(def) {
		return nil, fmt.Errorf("a macro definition must be UTF-8 text")
	}
	m := &Macro{Def: def, Source: source, Line: line}
	head := strings.TrimSpace(def[:eq])
	name, args := head, ""
	if i := strings.IndexByte(head, '('); i >= 0 {
		if !strings.HasSuffix(head, ")") {
			return nil, fmt.Errorf("macro %s: the arguments need a closing ')'", head)
		}
		name, args = strings.TrimSpace(head[:i]), head[i+1:len(head)-1]
	}
	if !isMacroName(name) {
		return nil, fmt.Errorf("bad macro name %q: letters, digits, _ and -, starting with a letter or _", name)
	}
	m.Name = name
	if strings.TrimSpace(args) != "" {
		for _, a := range strings.Split(args, ",") {
			a = strings.TrimSpace(a)
			if !isArgName(a) {
				return nil, fmt.Errorf("macro %s: bad argument name %q: letters, digits and _, starting with a letter or _", name, a)
			}
			for _, b := range m.Args {
				if a == b {
					return nil, fmt.Errorf("macro %s: argument %s is named twice", name, a)
				}
			}
			m.Args = append(m.Args, a)
		}
	}
	m.BodyAt = eq + 1
	for m.BodyAt < len(def) && isSpaceByte(def[m.BodyAt]) {
		m.BodyAt++
	}
	m.Body = strings.TrimRight(def[m.BodyAt:], " \t\r\n")
	if m.Body == "" {
		return nil, fmt.Errorf("macro %s has no text after '='", m.Signature())
	}
	if err := m.checkArgs(); err != nil {
		return nil, err
	}
	return m, nil
}

// checkArgs rejects a $word$ that names no argument: a misspelt argument
// would otherwise stay in the query as text.
func (m *Macro) checkArgs() error {
	b := m.Body
	for i := 0; i < len(b); i++ {
		if b[i] != '$' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '$' {
			i++
			continue
		}
		word, ok := argRef(b, i)
		if !ok {
			continue
		}
		if indexOf(m.Args, word) < 0 {
			return fmt.Errorf("macro %s uses $%s$, which is not one of its arguments%s (write $$ for a $)", m.Signature(), word, argsNote(m.Args))
		}
		i += len(word) + 1
	}
	return nil
}

func argsNote(args []string) string {
	if len(args) == 0 {
		return " (it has none)"
	}
	return " (" + strings.Join(args, ", ") + ")"
}

// argRef returns the word of $word$ at b[i] ('$').
func argRef(b string, i int) (string, bool) {
	j := strings.IndexByte(b[i+1:], '$')
	if j < 0 {
		return "", false
	}
	w := b[i+1 : i+1+j]
	return w, isArgName(w)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func isMacroName(s string) bool {
	if s == "" || !(isLetterByte(s[0]) || s[0] == '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetterByte(c) && !isDigitByte(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isArgName(s string) bool {
	return isMacroName(s) && !strings.Contains(s, "-")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ParseMacroFile reads a macros file: definitions, each a line with
// continuation lines that start with a space or tab; # comment lines and
// blank lines between them. name is the file's name for errors and
// sources ("macros.lhq line 3").
func ParseMacroFile(name, text string) (*Macros, error) {
	ms := &Macros{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		trim := strings.TrimSpace(line)
		if trim == "" || strings.HasPrefix(trim, "#") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			return nil, fmt.Errorf("%s line %d: a line that starts with a space continues a definition, and there is none before it", name, i+1)
		}
		start := i
		def := line
		for i+1 < len(lines) && lines[i+1] != "" && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') && strings.TrimSpace(lines[i+1]) != "" {
			i++
			def += "\n" + strings.TrimRight(lines[i], "\r")
		}
		m, err := ParseMacro(def, name, start+1)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, start+1, err)
		}
		if old := ms.byKey[m.Key()]; old != nil {
			return nil, fmt.Errorf("%s line %d: macro %s is defined twice (also at line %d)", name, start+1, m.Key(), old.Line)
		}
		ms.Set(m)
	}
	return ms, nil
}

// MacroTable lists macros for printing: name (with its argument count),
// arguments, text and where each is defined.
func MacroTable(ms *Macros) ([]string, [][]store.Value) {
	fields := []string{"macro", "args", "text", "defined"}
	var rows [][]store.Value
	for _, m := range ms.List() {
		rows = append(rows, []store.Value{store.Str(m.Key()), store.Str(strings.Join(m.Args, ", ")), store.Str(m.Body), store.Str(m.Where())})
	}
	return fields, rows
}
