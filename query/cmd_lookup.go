package query

import "github.com/alecthomas/participle/v2/lexer"

// LookupCmd enriches rows from a CSV file: a row whose EventField equals
// the CSV's Key column gets the Output columns of the first matching CSV
// row (every other column without OUTPUT).
type LookupCmd struct {
	Pos    lexer.Position
	File   *FileName `parser:"'lookup':Stage @@"`
	Key    *Field    `parser:"@@"`
	As     *Field    `parser:"( 'as':Keyword @@ )?"`
	Output []*Field  `parser:"( 'output':Keyword @@ ( ','? @@ )* )?"`
	EndPos lexer.Position

	EventField string // the row field matched against Key: As or Key
}

// FileName is a file path, bare (`intel/ti.csv`) or quoted.
type FileName struct {
	Pos    lexer.Position
	Path   Text `parser:"@(Ident | String)"`
	EndPos lexer.Position
}

func (f *FileName) String() string {
	if isArgsIdent(string(f.Path)) {
		return string(f.Path)
	}
	return quoteText(string(f.Path))
}

func (*LookupCmd) command()                   {}
func (c *LookupCmd) Position() lexer.Position { return c.Pos }

func (c *LookupCmd) String() string {
	s := "lookup " + c.File.String() + " " + c.Key.String()
	if c.As != nil {
		s += " as " + c.As.String()
	}
	if len(c.Output) > 0 {
		s += " OUTPUT " + fieldList(c.Output)
	}
	return s
}

func (c *LookupCmd) check() *posError {
	c.EventField = c.Key.Name
	if c.As != nil {
		c.EventField = c.As.Name
	}
	if c.File.Path == "" {
		return errorfAt(c.File.Pos.Offset, "lookup needs a file name")
	}
	return nil
}
