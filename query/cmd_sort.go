package query

import (
	"loghunt/store"
	"slices"
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

func (c *SortCmd) inputFields(after fieldSet) fieldSet {
	for _, k := range c.Keys {
		after = after.with(k.Field.Name)
	}
	return after
}

func (c *SortCmd) operator(p *plan, next operator) (operator, error) {
	return &sortOp{keys: c.Keys, next: next, max: p.opt.MaxRows}, nil
}

// sortOp holds every row, then sorts them stably by the keys: numbers as
// numbers, nulls first ascending (last descending).
type sortOp struct {
	keys []*SortKey
	rows rowBuffer
	next operator
	max  int
}

func (s *sortOp) push(b *Batch) error { return s.rows.add(b, s.max, "sort") }

func (s *sortOp) finish() error {
	all := s.rows.batch()
	cols := make([][]store.Value, len(s.keys))
	for i, k := range s.keys {
		cols[i] = all.Column(k.Field.Name)
	}
	perm := make([]int, all.Len)
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int {
		for i, k := range s.keys {
			c := compareValues(cols[i][a], cols[i][b])
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return flush(s.next, all.permute(perm))
}
