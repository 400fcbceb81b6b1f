package query

import (
	"context"
	"loghunt/store"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// StreamstatsCmd adds running aggregates to each row, in time order
// (oldest first), per group of the By fields, over the last Window rows
// and/or the rows within TimeWindow of the current one (the current row
// included).
type StreamstatsCmd struct {
	Pos     lexer.Position
	Options []*Option    `parser:"'streamstats':Stage @@*"`
	Aggs    []*Aggregate `parser:"@@ ( ','? @@ )*"`
	By      []*Field     `parser:"( 'by':Keyword @@ ( ','? @@ )* )?"`
	EndPos  lexer.Position

	Window     int           // window=N: the last N rows; 0 for all rows so far
	TimeWindow time.Duration // time_window=DUR: 0 for no time limit
}

func (*StreamstatsCmd) command()                   {}
func (c *StreamstatsCmd) Position() lexer.Position { return c.Pos }

func (c *StreamstatsCmd) String() string {
	s := "streamstats "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	return s + aggsBy(c.Aggs, c.By)
}

func (c *StreamstatsCmd) check() *posError {
	opts, err := checkOptions("streamstats", c.Options)
	if err != nil {
		return err
	}
	if c.Window, err = opts.int("window", 0, 0); err != nil {
		return err
	}
	if c.TimeWindow, err = opts.duration("time_window"); err != nil {
		return err
	}
	return checkAggs(c.Aggs)
}

func (c *StreamstatsCmd) inputFields(after fieldSet) fieldSet {
	specs := aggSpecs(c.Aggs)
	for _, s := range specs {
		if len(c.By) == 0 {
			after = after.without(s.out) // every row gets it
		}
	}
	return after.with(FieldNames(c.By)...).with(aggFields(specs)...).with(store.ColTime)
}

func (c *StreamstatsCmd) operator(p *plan, next operator) (operator, error) {
	return &streamstatsOp{ctx: p.ctx, cmd: c, specs: aggSpecs(c.Aggs), by: FieldNames(c.By),
		groups: newGroupTable(nil, FieldNames(c.By), p.opt), windows: map[*group]*window{}, next: next}, nil
}

// streamstatsOp adds running aggregates to each row, in time order
// (oldest first): over all earlier rows of its by group and itself, or
// over the last Window rows, or the rows within TimeWindow of it. A row
// with a null by-value is in no group: its results are null.
type streamstatsOp struct {
	ctx     context.Context
	cmd     *StreamstatsCmd
	specs   []aggSpec
	by      []string
	groups  *groupTable
	windows map[*group]*window
	next    operator
}

// window holds a group's running states, or its recent rows.
type window struct {
	states []aggState // unbounded: running states
	vals   [][]store.Value
	times  []int64
}

func (s *streamstatsOp) push(b *Batch) error {
	byCols := make([][]store.Value, len(s.by))
	for i, f := range s.by {
		byCols[i] = b.Column(f)
	}
	in := make([][]store.Value, len(s.specs))
	for i, sp := range s.specs {
		if sp.field != "" {
			in[i] = b.Column(sp.field)
		}
	}
	times := b.Order
	if c := b.Col(store.ColTime); c >= 0 {
		times = make([]int64, b.Len)
		for r, v := range b.Cols[c] {
			times[r] = v.I
		}
	}
	outs := make([][]store.Value, len(s.specs))
	for i := range outs {
		outs[i] = make([]store.Value, b.Len)
	}
	key := make([]store.Value, len(byCols))
	grouped := make([]bool, b.Len)
	for r := 0; r < b.Len; r++ {
		if r%256 == 0 && s.ctx.Err() != nil {
			return s.ctx.Err() // windows can make a batch slow
		}
		null := false
		for i, c := range byCols {
			key[i] = c[r]
			null = null || c[r].K == store.KindNull
		}
		if null {
			continue // as stats and eventstats: in no group, the row keeps what it has
		}
		g, err := s.groups.lookup(key)
		if err != nil {
			return err
		}
		w := s.windows[g]
		if w == nil {
			w = &window{}
			s.windows[g] = w
		}
		vals := make([]store.Value, len(s.specs))
		for i := range s.specs {
			if in[i] != nil {
				vals[i] = in[i][r]
			}
		}
		t := int64(0)
		if times != nil {
			t = times[r]
		}
		grouped[r] = true
		s.step(w, vals, t, outs, r)
	}
	if err := s.groups.budget.err(s.by); err != nil {
		return err // the running values of dc, values and perc
	}
	for i, sp := range s.specs {
		col := b.Column(sp.out)
		for r, ok := range grouped {
			if ok {
				col[r] = outs[i][r]
			}
		}
	}
	return s.next.push(b)
}

// step adds one row to a group's window and writes the results for it.
func (s *streamstatsOp) step(w *window, vals []store.Value, t int64, outs [][]store.Value, r int) {
	if s.cmd.Window == 0 && s.cmd.TimeWindow == 0 {
		if w.states == nil {
			for _, sp := range s.specs {
				st := newAggState(sp.fn, sp.perc, sp.field != "")
				setBudget(st, s.groups.budget)
				w.states = append(w.states, st)
			}
		}
		for i, st := range w.states {
			st.add(vals[i], t)
			outs[i][r] = st.result()
		}
		return
	}
	w.vals = append(w.vals, vals)
	w.times = append(w.times, t)
	drop := 0
	if s.cmd.Window > 0 && len(w.vals) > s.cmd.Window {
		drop = len(w.vals) - s.cmd.Window
	}
	for s.cmd.TimeWindow > 0 && drop < len(w.times)-1 && t-w.times[drop] >= int64(s.cmd.TimeWindow) {
		drop++
	}
	w.vals, w.times = w.vals[drop:], w.times[drop:]
	for i, sp := range s.specs {
		st := newAggState(sp.fn, sp.perc, sp.field != "")
		for k, row := range w.vals {
			st.add(row[i], w.times[k])
		}
		outs[i][r] = st.result()
	}
}

func (s *streamstatsOp) finish() error { return s.next.finish() }
