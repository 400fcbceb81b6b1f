package query

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// RareCmd is TopCmd with the least common combinations first.
type RareCmd struct {
	Pos      lexer.Position
	Count    *NumberLit `parser:"'rare':Stage @@?"`
	Options  []*Option  `parser:"@@*"`
	Fields   []*Field   `parser:"@@ ( ','? @@ )*"`
	By       []*Field   `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	Trailing []*Option  `parser:"@@*"`
	EndPos   lexer.Position

	Limit int // N or limit=N, default 10; 0 for every value
}

func (*RareCmd) command()                   {}
func (c *RareCmd) Position() lexer.Position { return c.Pos }

func (c *RareCmd) String() string {
	return topString("rare", c.Count, c.Options, c.Fields, c.By, c.Trailing)
}

func (c *RareCmd) check() (err *posError) {
	c.Limit, err = checkTop("rare", c.Count, c.Options, c.Trailing)
	return err
}

func (c *RareCmd) inputFields(fieldSet) fieldSet { return topInputs(c.Fields, c.By) }

func (c *RareCmd) operator(p *plan, next operator) (operator, error) {
	return newTopOp(p, c.Fields, c.By, c.Limit, true, next), nil
}

func (c *RareCmd) partialAggregator(p *plan, next operator) (partialAggregator, operator, error) {
	op := newTopOp(p, c.Fields, c.By, c.Limit, true, next)
	op.spare = spareTables()
	return op, op, nil
}
