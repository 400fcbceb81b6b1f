package query

import (
	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// MaxMakeresults bounds the rows makeresults makes.
const MaxMakeresults = 1_000_000

// MakeresultsCmd makes rows out of nothing: `| makeresults [count=N]`,
// each with only _time, the query's now(). It reads no events, so it
// must be the first stage.
type MakeresultsCmd struct {
	Pos     lexer.Position
	Options []*Option `parser:"'makeresults':Stage @@*"`
	EndPos  lexer.Position

	Count int
}

func (*MakeresultsCmd) command()                   {}
func (c *MakeresultsCmd) Position() lexer.Position { return c.Pos }

func (c *MakeresultsCmd) String() string {
	if len(c.Options) == 0 {
		return "makeresults"
	}
	return "makeresults " + optionList(c.Options)
}

func (c *MakeresultsCmd) check() *posError {
	opts, err := checkOptions("makeresults", c.Options)
	if err != nil {
		return err
	}
	if c.Count, err = opts.int("count", 1, 1); err != nil {
		return err
	}
	if c.Count > MaxMakeresults {
		return errorfAt(opts["count"].valueOffset(), "count must be at most %d, not %d", MaxMakeresults, c.Count)
	}
	return nil
}

// checkMakeresultsFirst rejects a stage that makes rows out of nothing
// (makeresults, inputlookup without append=true) that is not the first.
func checkMakeresultsFirst(q *Query) *posError {
	for i, st := range q.Stages {
		name, pos := generatingStage(st)
		if name == "" {
			continue
		}
		if s, _ := q.Stages[0].(*SearchCmd); i != 1 || s == nil || s.Expr != nil {
			extra := ""
			if name == "inputlookup" {
				extra = " (append=true adds the file's rows after the rows so far)"
			}
			return errorfAt(pos.Offset, "%s makes rows out of nothing: it must be the first stage (| %s ...), with no search before it%s", name, name, extra)
		}
	}
	return nil
}

// generatingStage names st when it makes rows out of nothing.
func generatingStage(st Command) (string, lexer.Position) {
	switch c := st.(type) {
	case *MakeresultsCmd:
		return "makeresults", c.Pos
	case *InputlookupCmd:
		if c.generates() {
			return "inputlookup", c.Pos
		}
	}
	return "", lexer.Position{}
}

func (c *MakeresultsCmd) inputFields(after fieldSet) fieldSet { return fieldsOf() }

func (c *MakeresultsCmd) operator(p *plan, next operator) (operator, error) {
	p.noScan = true
	return &makeresultsOp{n: c.Count, now: p.env.Now.UnixNano(), next: next}, nil
}

// makeresultsOp ignores its input (there is none: the scan is skipped)
// and makes its rows when finished.
type makeresultsOp struct {
	n    int
	now  int64
	next operator
}

func (m *makeresultsOp) push(*Batch) error { return nil }

func (m *makeresultsOp) finish() error {
	col := make([]store.Value, m.n)
	for i := range col {
		col[i] = store.Time(m.now)
	}
	return flush(m.next, &Batch{Fields: []string{store.ColTime}, Cols: [][]store.Value{col}, Len: m.n})
}
