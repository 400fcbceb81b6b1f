package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"loghunt/store"
)

// Store is what the engine needs of the store: a parallel, ordered scan
// of chunks, and the time of the newest event (for relative times).
type Store interface {
	Scan(ctx context.Context, spec store.ScanSpec, work func(*store.Chunk) (any, error),
		emit func(*store.Chunk, any) error) (store.ScanStats, error)
	NewestTime() (int64, bool, error)
}

// Options tune a run.
type Options struct {
	// Now anchors relative times (earliest=-24h) and now(); zero means the
	// time of the newest event in the store, so a hunt on old evidence
	// works as it did on the day.
	Now time.Time
	// Earliest and Latest narrow the time range like the terms of the
	// same names (the --earliest and --latest flags).
	Earliest, Latest string
	// Models stores and loads models for anomalies save= and model=.
	Models ModelStore
	// MaxGroups bounds the groups of one aggregation; 0 means DefaultMaxGroups.
	MaxGroups int
	// MaxRows bounds the rows a blocking stage (sort, tail, eventstats,
	// anomalies) holds; 0 means DefaultMaxRows.
	MaxRows int
	// MaxAggBytes bounds the memory of one aggregation; 0 means
	// DefaultMaxAggBytes.
	MaxAggBytes int64
	// Warn receives what the user should know about a result that is not
	// an error (rows tied at an anomaly threshold, a field no event has);
	// nil discards it. It may be called from the goroutine of Run only.
	Warn func(msg string)
	// NoSigmaPushdown runs a sigma stage right after the search without
	// joining its rules' log sources and words to the scan's filter (the
	// tests' plain evaluation).
	NoSigmaPushdown bool
	// SkipDamaged runs the query without the damaged chunks it meets (a
	// checksum of what it reads does not match), warning of each and of
	// the events left out; without it a damaged chunk is an error (a
	// store.DamageError).
	SkipDamaged bool
	// LLM lets explain llm=true ask a language model; nil means none is
	// configured.
	LLM *LLMOptions
	// GeoIP are the MaxMind-format databases iplocation reads; none means
	// those LOGHUNT_GEOIP names.
	GeoIP []string

	// window, when set, is the time range of the query a subsearch is in:
	// the subsearch's range unless its own earliest= or latest= replace
	// a bound.
	window *[2]int64
}

// warn passes msg to Options.Warn, if set.
func (o *Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Sprintf(format, args...))
	}
}

// Limits that keep a query from exhausting memory.
const (
	DefaultMaxGroups = 1_000_000
	DefaultMaxRows   = 5_000_000
	// DefaultMaxAggBytes bounds the memory of one aggregation: its groups
	// and the values dc, perc and median keep.
	DefaultMaxAggBytes = 256 << 20
)

// ModelStore keeps fitted models by name.
type ModelStore interface {
	PutModel(name string, blob []byte) error
	Model(name string) ([]byte, bool, error)
}

// Stats counts what a run did.
type Stats struct {
	store.ScanStats
	RowsOut int64
	Elapsed time.Duration
}

// ErrLimit is wrapped by errors of a query that went over a memory bound.
var ErrLimit = errors.New("query limit")

// operator is a stage on the ordered stream: it takes batches in time
// order and passes its results to the next operator.
type operator interface {
	push(b *Batch) error
	finish() error
}

// rowStage is a stage that transforms each batch on its own, whatever the
// order: it may run in the parallel scan workers. It must be safe for
// concurrent use.
type rowStage interface {
	apply(b *Batch) (*Batch, error)
}

// errStop tells the scan that the pipeline wants no more rows (head).
var errStop = errors.New("stop")

// Run executes q against st and hands the result batches to out, in
// order. It stops promptly when ctx is cancelled.
func Run(ctx context.Context, st Store, q *Query, opt Options, out func(*Batch) error) (Stats, error) {
	start := time.Now()
	var stats Stats
	p, err := newPlan(st, q, &opt)
	if err != nil {
		return stats, err
	}
	if err := warnUnknownFields(st, q, p.opt); err != nil {
		return stats, err
	}
	p.ctx, p.st = ctx, st
	if err := p.resolveSearch(); err != nil {
		return stats, err
	}
	sink := &sinkOp{ctx: ctx, out: out, rows: &stats.RowsOut}
	ops, err := p.build(sink)
	if err != nil {
		return stats, err
	}
	stats.ScanStats, err = p.scan(ctx, st, ops)
	if err == nil || errors.Is(err, errStop) {
		if ctx.Err() != nil {
			err = ctx.Err()
		} else {
			err = ops.finish()
			if errors.Is(err, errStop) {
				err = nil
			}
		}
	}
	stats.Elapsed = time.Since(start)
	return stats, err
}

// sinkOp hands results to the caller.
type sinkOp struct {
	ctx  context.Context
	out  func(*Batch) error
	rows *int64
}

// push hands a batch to the caller; it is where a cancelled run stops
// producing output, whichever stage was working.
func (s *sinkOp) push(b *Batch) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if b.Len == 0 {
		return nil
	}
	*s.rows += int64(b.Len)
	return s.out(b)
}

func (s *sinkOp) finish() error { return nil }

// timeBounds resolves the search's earliest/latest terms and the options'
// into an inclusive range of Unix ns.
func timeBounds(st Store, search *SearchCmd, opt *Options) (lo, hi int64, now time.Time, err error) {
	now = opt.Now
	if now.IsZero() {
		t, ok, err := st.NewestTime()
		if err != nil {
			return 0, 0, now, err
		}
		now = time.Now().UTC()
		if ok {
			now = time.Unix(0, t).UTC()
		}
		opt.Now = now
	}
	lo, hi = math.MinInt64, math.MaxInt64
	if opt.window != nil {
		lo, hi = opt.window[0], opt.window[1]
	}
	if search != nil {
		e, l, err := search.TimeRange(now)
		if err != nil {
			return 0, 0, now, &Error{Query: "", Msg: err.Error()}
		}
		if !e.IsZero() {
			lo = e.UnixNano()
		}
		if !l.IsZero() {
			hi = l.UnixNano() - 1 // latest is exclusive, as in Splunk
		}

	}
	for _, b := range []struct {
		spec   string
		isLow  bool
		option string
	}{{opt.Earliest, true, "--earliest"}, {opt.Latest, false, "--latest"}} {
		if b.spec == "" {
			continue
		}
		t, err := ParseTimeSpec(b.spec, now)
		if err != nil {
			return 0, 0, now, fmt.Errorf("%s %s: %w", b.option, b.spec, err)
		}
		if b.isLow {
			lo = max(lo, t.UnixNano())
		} else {
			hi = min(hi, t.UnixNano()-1)
		}
	}
	return lo, hi, now, nil
}

// flush passes b on in pieces of BatchSize rows, then finishes next. A
// head that has its rows (errStop) only ends the pushing: the stages
// after it still finish.
func flush(next operator, b *Batch) error {
	for i := 0; i < b.Len; i += BatchSize {
		err := next.push(b.Slice(i, min(i+BatchSize, b.Len)))
		if errors.Is(err, errStop) {
			break
		}
		if err != nil {
			return err
		}
	}
	return next.finish()
}
