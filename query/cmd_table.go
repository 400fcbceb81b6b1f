package query

import "github.com/alecthomas/participle/v2/lexer"

// TableCmd keeps exactly the listed fields, in this order (missing ones
// are null columns).
type TableCmd struct {
	Pos    lexer.Position
	Fields []*Field `parser:"'table':Stage @@ ( ','? @@ )*"`
	EndPos lexer.Position
}

func (*TableCmd) command()                   {}
func (c *TableCmd) Position() lexer.Position { return c.Pos }
func (c *TableCmd) String() string           { return "table " + fieldList(c.Fields) }

func (c *TableCmd) inputFields(fieldSet) fieldSet { return fieldsOf(FieldNames(c.Fields)...) }

func (c *TableCmd) rowStage(*plan) (rowStage, error) { return c, nil }

func (c *TableCmd) apply(b *Batch) (*Batch, error) { return project(b, FieldNames(c.Fields)), nil }
