package query

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// The search-term grammar follows Splunk's search command, by
// precedence: parentheses, then NOT (on the one term after it), then OR,
// then AND (implicit between terms, or written), so `a b OR c` is
// `a AND (b OR c)`. (Expressions in where and eval bind AND tighter than
// OR, as Splunk's do.) SearchCmd.Term holds the same terms as a plain
// *Term tree for the engine.

// SearchAnd is `A [AND] B ...`: the whole search.
type SearchAnd struct {
	Pos    lexer.Position
	Or     []*SearchOr `parser:"@@ ( 'AND':Keyword? @@ )*"`
	EndPos lexer.Position
}

// SearchOr is `A OR B OR ...`.
type SearchOr struct {
	Pos    lexer.Position
	Not    []*SearchNot `parser:"@@ ( 'OR':Keyword @@ )*"`
	EndPos lexer.Position
}

// SearchNot is `NOT A` or an atom.
type SearchNot struct {
	Pos    lexer.Position
	Not    *SearchNot  `parser:"  'NOT':Keyword @@"`
	Atom   *SearchAtom `parser:"| @@"`
	EndPos lexer.Position
}

// SearchAtom is one term: a group, `f IN (...)`, a comparison, a phrase or
// a bare word. The word `in` is a bare word where it does not start an IN
// list ("logged in"); and, or and not are always operators.
type SearchAtom struct {
	Pos    lexer.Position
	Sub    *Subsearch `parser:"  @@"`
	Group  *SearchAnd `parser:"| '(' @@ ')'"`
	In     *SearchIn  `parser:"| @@"`
	Cmp    *SearchCmp `parser:"| @@"`
	Phrase *Text      `parser:"| @String"`
	Word   *string    `parser:"| @(Word | 'IN':Keyword)"`
	EndPos lexer.Position
}

// SearchIn is `field IN (v1, v2, ...)`.
type SearchIn struct {
	Pos    lexer.Position
	Field  Text   `parser:"@(Word | Field) 'IN':Keyword '('"`
	Values []Text `parser:"@(Word | String | Keyword) ( ','? @(Word | String | Keyword) )* ')'"`
	EndPos lexer.Position
}

// SearchCmp is `field OP value` with OP one of = != < <= > >=.
type SearchCmp struct {
	Pos    lexer.Position
	Field  Text   `parser:"@(Word | Field)"`
	Op     string `parser:"@('=' | '!=' | '<=' | '>=' | '<' | '>')"`
	Value  Text   `parser:"@(Word | String | Keyword)"`
	EndPos lexer.Position
}

func (s *SearchAnd) String() string {
	parts := make([]string, len(s.Or))
	for i, o := range s.Or {
		parts[i] = o.String()
	}
	return strings.Join(parts, " ")
}

func (s *SearchOr) String() string {
	parts := make([]string, len(s.Not))
	for i, n := range s.Not {
		parts[i] = n.String()
	}
	return strings.Join(parts, " OR ")
}

func (s *SearchNot) String() string {
	if s.Not != nil {
		return "NOT " + s.Not.String()
	}
	return s.Atom.String()
}

func (s *SearchAtom) String() string {
	switch {
	case s.Sub != nil:
		return s.Sub.String()
	case s.Group != nil:
		return "(" + s.Group.String() + ")"
	case s.In != nil:
		return s.In.String()
	case s.Cmp != nil:
		return s.Cmp.String()
	case s.Phrase != nil:
		return quoteText(string(*s.Phrase))
	case s.Word != nil:
		return *s.Word
	}
	return ""
}

func (s *SearchIn) String() string {
	vals := make([]string, len(s.Values))
	for i, v := range s.Values {
		vals[i] = searchValue(string(v))
	}
	return fieldString(string(s.Field), modeSearch) + " IN (" + strings.Join(vals, ", ") + ")"
}

func (s *SearchCmp) String() string {
	return fieldString(string(s.Field), modeSearch) + s.Op + searchValue(string(s.Value))
}

// searchValue prints a comparison value bare when it lexes as one word.
func searchValue(v string) string {
	if isBareWord(v) {
		return v
	}
	return quoteText(v)
}
