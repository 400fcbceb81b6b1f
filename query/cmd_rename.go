package query

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// RenameCmd renames fields: `rename f as g, h as i`.
type RenameCmd struct {
	Pos     lexer.Position
	Renames []*Rename `parser:"'rename':Stage @@ ( ',' @@ )*"`
	EndPos  lexer.Position
}

// Rename is one `from as to`.
type Rename struct {
	Pos    lexer.Position
	From   *Field `parser:"@@ 'as':Keyword"`
	To     *Field `parser:"@@"`
	EndPos lexer.Position
}

func (*RenameCmd) command()                   {}
func (c *RenameCmd) Position() lexer.Position { return c.Pos }

func (c *RenameCmd) String() string {
	parts := make([]string, len(c.Renames))
	for i, r := range c.Renames {
		parts[i] = r.From.String() + " as " + r.To.String()
	}
	return "rename " + strings.Join(parts, ", ")
}
