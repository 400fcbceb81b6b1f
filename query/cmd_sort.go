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
	s := &sortOp{keys: c.Keys, next: next, max: p.opt.MaxRows}
	if h, ok := next.(*headOp); ok {
		s.limit = h.left // sort | head N: only the first N rows matter
	}
	return s, nil
}

// sortOp holds every row, then sorts them stably by the keys: numbers as
// numbers, nulls first ascending (last descending).
type sortOp struct {
	keys  []*SortKey
	rows  rowBuffer
	next  operator
	max   int
	limit int // > 0 when a head of this many rows follows
}

// push holds the rows; when only the first limit rows matter it keeps
// just those whenever it holds twice as many (a stable sort keeps the
// earlier of equal rows, so the result is the same).
func (s *sortOp) push(b *Batch) error {
	if err := s.rows.add(b, s.max, "sort"); err != nil {
		return err
	}
	if s.limit > 0 && s.rows.n > max(2*s.limit, BatchSize) {
		top := s.sorted()
		top = top.Slice(0, min(s.limit, top.Len))
		s.rows = rowBuffer{maxBytes: s.rows.maxBytes}
		return s.rows.add(top, s.max, "sort")
	}
	return nil
}

func (s *sortOp) finish() error { return flush(s.next, s.sorted()) }

// sorted returns every held row in order.
func (s *sortOp) sorted() *Batch {
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
	return all.permute(perm)
}
