package query

import (
	"context"
	"errors"
	"fmt"
	"time"

	"loghunt/store"
)

// RunBatches runs the stages of q from Stages[from] on over rows another
// engine made (a ClickHouse server that ran the stages before from, see
// package clickhouse), instead of over a store's scan. src calls push
// with each batch, in the order the earlier stages give (time order for
// events); push returns ErrStop when the pipeline wants no more rows, and
// src then returns it (or nil). With from 0 the first search's terms are
// applied to the rows too (its time range is not: src has applied it).
//
// opt.Now must be set (relative times and now() in the stages). Stages
// that read a store themselves (a subsearch, context, join) get st, which
// may be nil: they then fail with an error saying so.
func RunBatches(ctx context.Context, st Store, q *Query, from int, src func(push func(*Batch) error) error, opt Options, out func(*Batch) error) (Stats, error) {
	start := time.Now()
	var stats Stats
	if from < 0 || from > len(q.Stages) {
		return stats, fmt.Errorf("BUG: RunBatches from stage %d of %d", from, len(q.Stages))
	}
	if opt.Now.IsZero() {
		return stats, fmt.Errorf("BUG: RunBatches without Options.Now")
	}
	if st == nil {
		st = noStore{}
	}
	rest := &Query{Pos: q.Pos, EndPos: q.EndPos, Stages: []Command{&SearchCmd{}}}
	if from == 0 {
		first := q.Stages[0].(*SearchCmd)
		rest.Stages = append(rest.Stages, &SearchCmd{Pos: first.Pos, Expr: first.Expr, EndPos: first.EndPos, Term: first.Term})
		from = 1
	}
	rest.Stages = append(rest.Stages, q.Stages[from:]...)
	o := opt
	o.Earliest, o.Latest = "", ""
	p, err := newPlan(st, rest, &o)
	if err != nil {
		return stats, err
	}
	p.ctx, p.st = ctx, st
	sink := &sinkOp{ctx: ctx, out: out, rows: &stats.RowsOut}
	first, err := p.buildOperators(sink)
	if err != nil {
		return stats, err
	}
	var rows int64
	stopped := false
	err = src(func(b *Batch) error {
		if stopped {
			return ErrStop
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rows += int64(b.Len)
		if b.Len == 0 || p.noScan {
			return nil
		}
		err := first.push(b)
		if errors.Is(err, errStop) {
			stopped = true
			return ErrStop
		}
		return err
	})
	stats.Rows = rows
	if errors.Is(err, ErrStop) {
		err = nil
	}
	if err == nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		} else if err = first.finish(); errors.Is(err, errStop) {
			err = nil
		}
	}
	stats.Elapsed = time.Since(start)
	return stats, err
}

// ErrStop is what RunBatches's push returns once the stages want no more
// rows (a head has its rows).
var ErrStop = errStop

// buildOperators makes every stage after the first search an operator on
// the ordered stream: none is pushed into scan workers, none aggregates
// partially, as the rows come from elsewhere.
func (p *plan) buildOperators(sink operator) (operator, error) {
	return p.chain(p.q.Stages[1:], sink)
}

// noStore is the store of a run over another engine's rows: a stage that
// reads a store itself fails with a clear error.
type noStore struct{}

func (noStore) Scan(context.Context, store.ScanSpec, func(*store.Chunk) (any, error), func(*store.Chunk, any) error) (store.ScanStats, error) {
	return store.ScanStats{}, fmt.Errorf("this stage reads events itself (a subsearch, join, append or context), which a query on another engine cannot do locally: run it on the local store")
}

func (noStore) NewestTime() (int64, bool, error) { return 0, false, nil }
