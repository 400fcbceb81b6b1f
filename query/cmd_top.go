package query

import "github.com/alecthomas/participle/v2/lexer"

// TopCmd lists the most common combinations of Fields (per By group),
// with `count` and `percent` (of the group's rows) columns, the Limit
// most common first.
type TopCmd struct {
	Pos      lexer.Position
	Count    *NumberLit `parser:"'top':Stage @@?"`
	Options  []*Option  `parser:"@@*"`
	Fields   []*Field   `parser:"@@ ( ','? @@ )*"`
	By       []*Field   `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	Trailing []*Option  `parser:"@@*"`
	EndPos   lexer.Position

	Limit int // N or limit=N, default 10; 0 for every value
}

func (*TopCmd) command()                   {}
func (c *TopCmd) Position() lexer.Position { return c.Pos }

func (c *TopCmd) String() string {
	return topString("top", c.Count, c.Options, c.Fields, c.By, c.Trailing)
}

func (c *TopCmd) check() (err *posError) {
	c.Limit, err = checkTop("top", c.Count, c.Options, c.Trailing)
	return err
}

func topString(stage string, count *NumberLit, opts []*Option, fields, by []*Field, trailing []*Option) string {
	s := countString(stage, count)
	if len(opts) > 0 {
		s += " " + optionList(opts)
	}
	s += " " + fieldList(fields)
	if len(by) > 0 {
		s += " by " + fieldList(by)
	}
	if len(trailing) > 0 {
		s += " " + optionList(trailing)
	}
	return s
}

// checkTop returns the limit of top or rare.
func checkTop(stage string, count *NumberLit, opts, trailing []*Option) (int, *posError) {
	set, err := checkOptions(stage, opts, trailing)
	if err != nil {
		return 0, err
	}
	if count != nil && set["limit"] != nil {
		return 0, errorfAt(set["limit"].Pos.Offset, "give either a count or limit=, not both")
	}
	if count != nil {
		return checkCount(stage, count)
	}
	return set.int("limit", 10, 0)
}
