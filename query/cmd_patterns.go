package query

import (
	"crypto/sha256"
	"encoding/hex"
	"loghunt/drain"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// PatternsCmd mines log templates (Drain-style) from a field and adds
// `pattern_id` and `pattern` to each row. It is a blocking stage: a
// template can change until the last line is seen, so every row gets its
// cluster's final template. See package drain for the miner and its settings.
type PatternsCmd struct {
	Pos     lexer.Position
	Options []*Option `parser:"'patterns':Stage @@*"`
	EndPos  lexer.Position

	Field string // field=, default _raw
}

func (*PatternsCmd) command()                   {}
func (c *PatternsCmd) Position() lexer.Position { return c.Pos }

func (c *PatternsCmd) String() string {
	if len(c.Options) == 0 {
		return "patterns"
	}
	return "patterns " + optionList(c.Options)
}

func (c *PatternsCmd) check() *posError {
	opts, err := checkOptions("patterns", c.Options)
	if err != nil {
		return err
	}
	c.Field = opts.text("field", "_raw")
	return nil
}

func (c *PatternsCmd) inputFields(after fieldSet) fieldSet {
	return after.without("pattern_id", "pattern").with(c.Field)
}

func (c *PatternsCmd) operator(p *plan, next operator) (operator, error) {
	return &patternsOp{field: c.Field, miner: drain.New(drain.DefaultConfig()), next: next, max: p.opt.MaxRows}, nil
}

// patternsOp mines the templates of a field's text as rows arrive, holds
// the rows, and at the end gives each row its cluster's final template
// as pattern and a hash of it as pattern_id. A row without the field
// gets neither.
type patternsOp struct {
	field    string
	miner    *drain.Miner
	clusters []int32 // each held row's cluster, or -1
	rows     rowBuffer
	next     operator
	max      int
}

func (o *patternsOp) push(b *Batch) error {
	if err := o.rows.add(b, o.max, "patterns"); err != nil {
		return err
	}
	src := b.Col(o.field)
	for r := 0; r < b.Len; r++ {
		c := int32(-1)
		if src >= 0 && b.Cols[src][r].K != store.KindNull {
			c = int32(o.miner.Add(b.Cols[src][r].String()))
		}
		o.clusters = append(o.clusters, c)
	}
	return nil
}

func (o *patternsOp) finish() error {
	all := o.rows.batch()
	ids := make([]store.Value, o.miner.Len())
	texts := make([]store.Value, o.miner.Len())
	for i := range texts {
		t := o.miner.Template(i)
		texts[i], ids[i] = store.Str(t), store.Str(patternID(t))
	}
	idCol, textCol := all.Column("pattern_id"), all.Column("pattern")
	for r, c := range o.clusters {
		if c < 0 {
			idCol[r], textCol[r] = store.Null, store.Null
			continue
		}
		idCol[r], textCol[r] = ids[c], texts[c]
	}
	o.clusters = nil
	return flush(o.next, all)
}

// patternID names a template by the first 12 hex digits of its SHA-256:
// the same template has the same id in every query, and two of 10,000
// templates share an id with a chance of about one in five million.
func patternID(template string) string {
	sum := sha256.Sum256([]byte(template))
	return hex.EncodeToString(sum[:6])
}
