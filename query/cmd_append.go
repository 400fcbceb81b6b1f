package query

import (
	"errors"
	"fmt"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// AppendCmd adds the rows of a subsearch after the rows of the stream:
// `append [maxout=N] [maxtime=DUR] [ SUBSEARCH ]`.
type AppendCmd struct {
	Pos     lexer.Position
	Options []*Option  `parser:"'append':Stage @@*"`
	Sub     *Subsearch `parser:"@@"`
	EndPos  lexer.Position

	MaxOut  int
	MaxTime time.Duration
}

func (*AppendCmd) command()                   {}
func (c *AppendCmd) Position() lexer.Position { return c.Pos }

func (c *AppendCmd) String() string {
	s := "append "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	return s + c.Sub.String()
}

func (c *AppendCmd) check() *posError {
	opts, perr := checkOptions("append", c.Options)
	if perr != nil {
		return perr
	}
	if c.MaxOut, c.MaxTime, perr = subsearchLimits(opts); perr != nil {
		return perr
	}
	return checkSubOfStage("append", c.Sub)
}

func (c *AppendCmd) inputFields(after fieldSet) fieldSet { return after }

func (c *AppendCmd) operator(p *plan, next operator) (operator, error) {
	return &appendOp{p: p, c: c, next: next}, nil
}

// appendOp passes the rows on, then runs the subsearch and passes its.
type appendOp struct {
	p       *plan
	c       *AppendCmd
	next    operator
	stopped bool // the next stage wants no more rows
}

func (a *appendOp) push(b *Batch) error {
	err := a.next.push(b)
	a.stopped = a.stopped || errors.Is(err, errStop)
	return err
}

func (a *appendOp) finish() error {
	if a.stopped {
		return a.next.finish()
	}
	b, err := a.p.runSub(a.c.Sub, a.c.MaxOut, a.c.MaxTime)
	if err != nil {
		return err
	}
	return flush(a.next, b)
}

// AppendpipeCmd runs stages on the rows so far and adds their result
// after them: `appendpipe [ STAGES ]`.
type AppendpipeCmd struct {
	Pos    lexer.Position
	Sub    *Subsearch `parser:"'appendpipe':Stage @@"`
	EndPos lexer.Position
}

func (*AppendpipeCmd) command()                   {}
func (c *AppendpipeCmd) Position() lexer.Position { return c.Pos }

func (c *AppendpipeCmd) String() string {
	return "appendpipe [" + (&Query{Stages: append([]Command{&SearchCmd{}}, c.Sub.Stages...)}).String()[2:] + "]"
}

func (c *AppendpipeCmd) check() *posError {
	if perr := checkStages(c.Sub.Stages); perr != nil {
		return perr
	}
	for _, st := range c.Sub.Stages {
		if name, pos := generatingStage(st); name != "" {
			return errorfAt(pos.Offset, "%s makes rows out of nothing: it cannot be in appendpipe, which runs on the rows so far", name)
		}
	}
	return nil
}

func (c *AppendpipeCmd) inputFields(after fieldSet) fieldSet {
	need := after
	for i := len(c.Sub.Stages) - 1; i >= 0; i-- {
		fu, ok := c.Sub.Stages[i].(fieldUser)
		if !ok {
			return allFields()
		}
		need = fu.inputFields(need)
	}
	if need.all {
		return need
	}
	return after.with(need.list()...)
}

func (c *AppendpipeCmd) operator(p *plan, next operator) (operator, error) {
	op := &appendpipeOp{next: next, limit: p.opt.MaxRows}
	var err error
	op.pipe, err = p.chain(c.Sub.Stages, &forwardOp{next: next})
	return op, err
}

// appendpipeOp passes the rows on and keeps a copy, then runs the stages
// on the copy and passes their rows on.
type appendpipeOp struct {
	rows    rowBuffer
	limit   int
	pipe    operator // the stages, ending in a forwardOp to next
	next    operator
	stopped bool
}

func (a *appendpipeOp) push(b *Batch) error {
	if err := a.rows.add(copyBatch(b), a.limit, "appendpipe"); err != nil {
		return err
	}
	err := a.next.push(b)
	a.stopped = a.stopped || errors.Is(err, errStop)
	return err
}

func (a *appendpipeOp) finish() error {
	if !a.stopped {
		if err := flush(a.pipe, a.rows.batch()); err != nil && !errors.Is(err, errStop) {
			return err
		}
	}
	return a.next.finish()
}

// forwardOp passes rows on to next but not the end: the stage that
// made it finishes next itself.
type forwardOp struct{ next operator }

func (f *forwardOp) push(b *Batch) error { return f.next.push(b) }
func (f *forwardOp) finish() error       { return nil }

// chain makes the operators of stages on the ordered stream, the last
// passing its rows to sink.
func (p *plan) chain(stages []Command, sink operator) (operator, error) {
	next := sink
	for j := len(stages) - 1; j >= 0; j-- {
		op, err := p.stageOp(stages[j], next)
		if err != nil {
			return nil, err
		}
		next = op
	}
	return next, nil
}

// stageOp makes one stage an operator on the ordered stream.
func (p *plan) stageOp(c Command, next operator) (operator, error) {
	switch c := c.(type) {
	case opCommand:
		return c.operator(p, next)
	case rowCommand:
		rs, err := c.rowStage(p)
		if err != nil {
			return nil, err
		}
		return &rowOp{stage: rs, next: next}, nil
	}
	return nil, fmt.Errorf("BUG: stage %T has no runtime", c)
}
