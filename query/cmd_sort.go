package query

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// SortCmd sorts rows by the keys, stably: numbers numerically, then
// strings lexically, nulls last.
type SortCmd struct {
	Pos    lexer.Position
	Keys   []*SortKey `parser:"'sort':Stage @@ ( ','? @@ )*"`
	EndPos lexer.Position
}

// SortKey is `[-]field`; `-` sorts descending.
type SortKey struct {
	Pos    lexer.Position
	Desc   bool   `parser:"( @'-' | '+' )?"`
	Field  *Field `parser:"@@"`
	EndPos lexer.Position
}

func (*SortCmd) command()                   {}
func (c *SortCmd) Position() lexer.Position { return c.Pos }

func (c *SortCmd) String() string {
	parts := make([]string, len(c.Keys))
	for i, k := range c.Keys {
		parts[i] = k.String()
	}
	return "sort " + strings.Join(parts, ", ")
}

func (k *SortKey) String() string {
	if k.Desc {
		return "-" + k.Field.String()
	}
	return k.Field.String()
}
