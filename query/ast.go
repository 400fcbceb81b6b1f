package query

import (
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Query is a parsed query: a pipeline of stages. Stages[0] is always a
// *SearchCmd (with no terms when the query starts with `|`).
type Query struct {
	Pos    lexer.Position
	Stages []Command `parser:"@@ ( '|' @@ )*"`
	EndPos lexer.Position
}

// String prints the query as canonical text: stages joined by " | ", the
// first search without the word `search`.
func (q *Query) String() string {
	var b strings.Builder
	for i, st := range q.Stages {
		if i == 0 {
			if s, ok := st.(*SearchCmd); ok && (s.Expr != nil || len(q.Stages) > 1) {
				b.WriteString(s.termsString())
				continue
			}
			b.WriteString(st.String())
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("| ")
		b.WriteString(st.String())
	}
	return b.String()
}

// Command is one stage of a pipeline: one of the *XxxCmd types, each in its
// cmd_<name>.go file. The set is sealed.
type Command interface {
	command()
	// String prints the stage as canonical query text.
	String() string
	// Position is where the stage starts in the query.
	Position() lexer.Position
}

// commandTypes lists one value of every stage type, for the grammar union.
var commandTypes = []Command{
	&SearchCmd{}, &WhereCmd{}, &EvalCmd{}, &RexCmd{}, &FieldsCmd{}, &TableCmd{},
	&RenameCmd{}, &StatsCmd{}, &BinCmd{}, &TimechartCmd{}, &EventstatsCmd{},
	&StreamstatsCmd{}, &SortCmd{}, &HeadCmd{}, &TailCmd{}, &DedupCmd{}, &TopCmd{},
	&RareCmd{}, &LookupCmd{}, &AnomaliesCmd{}, &PatternsCmd{}, &ContextCmd{}, &ExplainCmd{}, &FirstseenCmd{}, &IplocationCmd{},
	&MvexpandCmd{}, &FillnullCmd{}, &MakeresultsCmd{}, &ReverseCmd{}, &RegexCmd{}, &DeltaCmd{}, &AutoregressCmd{},
	&SigmaCmd{}, &TransactionCmd{}, &JoinCmd{}, &AppendCmd{}, &AppendpipeCmd{},
	&ChartCmd{}, &XyseriesCmd{}, &UntableCmd{}, &AddtotalsCmd{}, &ConvertCmd{},
	&SpathCmd{}, &InputlookupCmd{}, &OutputlookupCmd{},
}

// Field is a field name in a stage's arguments: a bare identifier or a
// `backquoted` name. A bare identifier followed by '=' is an option name,
// never a Field, so options and fields can share a position.
type Field struct {
	Pos    lexer.Position
	Name   string
	EndPos lexer.Position
}

// Parse implements participle.Parseable.
func (f *Field) Parse(lex *lexer.PeekingLexer) error {
	cp := lex.MakeCheckpoint()
	t := *lex.Peek()
	if t.Type != tokIdent && t.Type != tokField {
		return participle.NextMatch
	}
	lex.Next()
	next := lex.Peek()
	if t.Type == tokIdent && next.Type == tokPunct && next.Value == "=" {
		lex.LoadCheckpoint(cp)
		return participle.NextMatch
	}
	f.Pos, f.Name, f.EndPos = t.Pos, unquoteField(t.Value), next.Pos
	return nil
}

func (f *Field) String() string { return fieldString(f.Name, modeArgs) }

// FieldNames returns the names of fs.
func FieldNames(fs []*Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func fieldList(fs []*Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

// Option is `name=value` in a stage's arguments. Which names a stage takes
// is checked after parsing; its typed fields hold the values. A number may
// be negative (fillnull value=-1); each stage says which it takes.
type Option struct {
	Pos    lexer.Position
	Name   string `parser:"@Ident '='"`
	Value  Text   `parser:"@( '-'? ( Number | Duration ) | String | Ident | Field | Keyword )"`
	EndPos lexer.Position
}

func (o *Option) String() string {
	v := string(o.Value)
	if !isArgsIdent(v) && !isNumberOrDuration(v) {
		v = quoteText(v)
	}
	return o.Name + "=" + v
}

func optionList(opts []*Option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.String()
	}
	return strings.Join(parts, " ")
}

// StringLit is a quoted string argument (a regex, a file name).
type StringLit struct {
	Pos    lexer.Position
	Value  Text `parser:"@String"`
	EndPos lexer.Position
}

func (s *StringLit) String() string { return quoteText(string(s.Value)) }

// NumberLit is a number argument (the N of head, tail, top and rare).
type NumberLit struct {
	Pos    lexer.Position
	Text   string `parser:"@Number"`
	EndPos lexer.Position
}

func (n *NumberLit) String() string { return n.Text }

// Text is a captured string: a quoted token is unquoted, any other token is
// taken as written.
type Text string

// Capture implements participle.Capture.
func (t *Text) Capture(values []string) error {
	v := strings.Join(values, "")
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		*t = Text(unquoteToken(v))
	} else if len(v) >= 2 && v[0] == '`' {
		*t = Text(v[1 : len(v)-1])
	} else {
		*t = Text(v)
	}
	return nil
}

// Name is a captured name that is case-insensitive (functions,
// aggregates): it is kept lower-case.
type Name string

// Capture implements participle.Capture.
func (n *Name) Capture(values []string) error {
	*n = Name(strings.ToLower(strings.Join(values, "")))
	return nil
}

// unquote returns the value of a quoted string token: a backslash before
// the quote character or a backslash stands for that character; every
// other backslash is kept.
func unquoteToken(tok string) string {
	q, body := tok[0], tok[1:len(tok)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && i+1 < len(body) && (body[i+1] == q || body[i+1] == '\\') {
			i++
			c = body[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// quote returns s as a double-quoted string token that unquotes to s.
func quoteText(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\' && (i+1 == len(s) || s[i+1] == '\\' || s[i+1] == '"'):
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func unquoteField(tok string) string {
	if len(tok) >= 2 && tok[0] == '`' {
		return tok[1 : len(tok)-1]
	}
	return tok
}

// fieldString prints a field name for the given lexer mode, in backquotes
// when it would not lex as one identifier there.
func fieldString(name string, mode lexMode) string {
	ok := false
	switch mode {
	case modeArgs:
		ok = isArgsIdent(name)
	case modeExpr:
		ok = isExprIdent(name)
	case modeSearch:
		ok = isBareWord(name)
	}
	if ok || strings.Contains(name, "`") {
		return name
	}
	return "`" + name + "`"
}

// isIdentWith reports whether s lexes as one identifier of mode.
func isIdentWith(s string, mode lexMode) bool {
	if s == "" || !isIdentStart(s[0]) || modeKeywords[mode][strings.ToLower(s)] {
		return false
	}
	sc := queryScanner{mode: mode}
	for i := 1; i < len(s); i++ {
		if !sc.isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

func isArgsIdent(s string) bool { return isIdentWith(s, modeArgs) }
func isExprIdent(s string) bool { return isIdentWith(s, modeExpr) }

// isNumberOrDuration reports whether s lexes as one number or duration.
func isNumberOrDuration(s string) bool {
	if s == "" || !isDigitByte(s[0]) {
		return false
	}
	toks, err := lexQuery("| head " + s)
	return err == nil && len(toks) == 5 && (toks[3].Type == tokNumber || toks[3].Type == tokDuration)
}

// isBareWord reports whether s lexes as one search word (not a keyword).
func isBareWord(s string) bool {
	if s == "" || s[0] == '"' || s[0] == '\'' || s[0] == '`' || s[len(s)-1] == '!' {
		return false // a trailing ! would fuse with a following =
	}
	for i := 0; i < len(s); i++ {
		if !isSearchWordByte(s, i) {
			return false
		}
	}
	return !modeKeywords[modeSearch][strings.ToLower(s)]
}
