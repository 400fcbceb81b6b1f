package query

import "github.com/alecthomas/participle/v2/lexer"

// FieldsCmd keeps the listed fields (in their current order), or with
// `-` drops them.
type FieldsCmd struct {
	Pos    lexer.Position
	Remove bool     `parser:"'fields':Stage ( @'-' | '+' )?"`
	Fields []*Field `parser:"@@ ( ','? @@ )*"`
	EndPos lexer.Position
}

func (*FieldsCmd) command()                   {}
func (c *FieldsCmd) Position() lexer.Position { return c.Pos }

func (c *FieldsCmd) String() string {
	if c.Remove {
		return "fields - " + fieldList(c.Fields)
	}
	return "fields " + fieldList(c.Fields)
}
