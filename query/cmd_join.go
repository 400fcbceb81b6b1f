package query

import (
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// JoinCmd adds to each row the fields of the rows of a subsearch that
// have the same values of the join fields, as Splunk's join:
// `join [type=inner|left|outer] [max=N] [overwrite=bool] [maxout=N]
// [maxtime=DUR] f, g [ SUBSEARCH ]`.
type JoinCmd struct {
	Pos      lexer.Position
	Lead     []*Option  `parser:"'join':Stage @@*"`
	Fields   []*Field   `parser:"( @@ ( ','? @@ )* )?"`
	Trailing []*Option  `parser:"@@*"`
	Sub      *Subsearch `parser:"@@"`
	EndPos   lexer.Position

	Left      bool // type=left (or outer): rows without a match stay
	Max       int  // matches per row; 0: every one
	Overwrite bool
	MaxOut    int
	MaxTime   time.Duration
}

func (*JoinCmd) command()                   {}
func (c *JoinCmd) Position() lexer.Position { return c.Pos }

func (c *JoinCmd) String() string {
	parts := []string{"join"}
	if len(c.Lead) > 0 {
		parts = append(parts, optionList(c.Lead))
	}
	if len(c.Fields) > 0 {
		parts = append(parts, fieldList(c.Fields))
	}
	if len(c.Trailing) > 0 {
		parts = append(parts, optionList(c.Trailing))
	}
	return strings.Join(append(parts, c.Sub.String()), " ")
}

func (c *JoinCmd) check() *posError {
	opts, perr := checkOptions("join", c.Lead, c.Trailing)
	if perr != nil {
		return perr
	}
	switch t := strings.ToLower(opts.text("type", "inner")); t {
	case "inner":
	case "left", "outer":
		c.Left = true
	default:
		return errorfAt(opts["type"].valueOffset(), "type must be inner, left or outer, not %q", t)
	}
	if c.Max, perr = opts.int("max", 1, 0); perr != nil {
		return perr
	}
	if c.Overwrite, perr = opts.boolean("overwrite", true); perr != nil {
		return perr
	}
	if c.MaxOut, c.MaxTime, perr = subsearchLimits(opts); perr != nil {
		return perr
	}
	if len(c.Fields) == 0 {
		return errorfAt(c.Sub.Pos.Offset, "join needs the fields to join on (usage: join [type=inner|left] [max=N] f, g [ SUBSEARCH ])")
	}
	return checkSubOfStage("join", c.Sub)
}

// checkSubOfStage checks the subsearch of join or append, whose maxout=
// and maxtime= are the stage's options.
func checkSubOfStage(stage string, s *Subsearch) *posError {
	if len(s.Options) > 0 {
		return errorfAt(s.Options[0].Pos.Offset, "%s= of %s goes before its [ ... ] (%s %s=... [ ... ])", s.Options[0].Name, stage, stage, s.Options[0].Name)
	}
	return s.check()
}

func (c *JoinCmd) inputFields(after fieldSet) fieldSet { return after.with(FieldNames(c.Fields)...) }

func (c *JoinCmd) operator(p *plan, next operator) (operator, error) {
	sub, err := p.runSub(c.Sub, c.MaxOut, c.MaxTime)
	if err != nil {
		return nil, err
	}
	keys := FieldNames(c.Fields)
	op := &joinOp{c: c, sub: sub, keys: keys, next: next, index: map[string][]int{}}
	for _, f := range sub.Fields {
		if !containsString(keys, f) {
			op.adds = append(op.adds, f)
		}
	}
	cols := make([][]store.Value, len(keys))
	for i, k := range keys {
		cols[i] = sub.Column(k)
	}
	for r := 0; r < sub.Len; r++ {
		k, ok := joinKey(cols, r)
		if !ok || c.Max > 0 && len(op.index[k]) >= c.Max {
			continue
		}
		op.index[k] = append(op.index[k], r)
	}
	return op, nil
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// joinKey is the text of a row's join fields; ok is false when one is
// null.
func joinKey(cols [][]store.Value, r int) (string, bool) {
	var b strings.Builder
	for i, c := range cols {
		if c == nil || c[r].IsNull() {
			return "", false
		}
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(c[r].String())
	}
	return b.String(), true
}

// joinOp matches the rows of the stream with the subsearch's.
type joinOp struct {
	c     *JoinCmd
	sub   *Batch
	keys  []string
	adds  []string         // the subsearch's fields but the join fields
	index map[string][]int // its rows by join key, at most max of each
	next  operator
}

func (j *joinOp) push(b *Batch) error {
	cols := make([][]store.Value, len(j.keys))
	for i, k := range j.keys {
		if c := b.Col(k); c >= 0 {
			cols[i] = b.Cols[c]
		}
	}
	type pair struct{ row, sub int } // sub -1: no match
	var pairs []pair
	for r := 0; r < b.Len; r++ {
		k, ok := joinKey(cols, r)
		matches := j.index[k]
		if !ok || len(matches) == 0 {
			if j.c.Left {
				pairs = append(pairs, pair{r, -1})
			}
			continue
		}
		for _, m := range matches {
			pairs = append(pairs, pair{r, m})
		}
	}
	out := &Batch{Len: len(pairs), Fields: append([]string(nil), b.Fields...)}
	for _, f := range j.adds {
		if !containsString(out.Fields, f) {
			out.Fields = append(out.Fields, f)
		}
	}
	out.Cols = make([][]store.Value, len(out.Fields))
	for i, f := range out.Fields {
		col := make([]store.Value, len(pairs))
		mc, sc := b.Col(f), -1
		if containsString(j.adds, f) {
			sc = j.sub.Col(f)
		}
		for k, pr := range pairs {
			var v store.Value
			if mc >= 0 {
				v = b.Cols[mc][pr.row]
			}
			if sc >= 0 && pr.sub >= 0 {
				if sv := j.sub.Cols[sc][pr.sub]; !sv.IsNull() && (j.c.Overwrite || v.IsNull()) {
					v = sv
				}
			}
			col[k] = v
		}
		out.Cols[i] = col
	}
	return j.next.push(out)
}

func (j *joinOp) finish() error { return j.next.finish() }
