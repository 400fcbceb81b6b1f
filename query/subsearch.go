package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// Subsearch is `[ QUERY ]`: a query of its own, run against the same
// store over the same time range as the query it is in (its own
// earliest= and latest= replace that range's bounds), before the stage it
// is in. In search terms it may start with maxout=N and maxtime=DUR;
// join and append take those as their options.
type Subsearch struct {
	Pos     lexer.Position
	Options []*Option `parser:"'[' @@*"`
	Stages  []Command `parser:"@@ ( '|' @@ )* ']'"`
	EndPos  lexer.Position

	// MaxOut and MaxTime are the options of a subsearch in search terms.
	MaxOut  int
	MaxTime time.Duration
}

// Limits of subsearches, Splunk's defaults (limits.conf [subsearch] and
// join's and append's subsearch_maxout), made options.
const (
	DefaultSubsearchMaxOut = 10_000 // rows of a subsearch in search terms
	DefaultJoinMaxOut      = 50_000 // rows of join's and append's subsearch
	DefaultSubsearchTime   = 60 * time.Second
	maxSubsearchOut        = 1_000_000
)

func (s *Subsearch) String() string {
	var b strings.Builder
	b.WriteString("[")
	if len(s.Options) > 0 {
		b.WriteString(optionList(s.Options))
		b.WriteString(" ")
	}
	b.WriteString((&Query{Stages: s.Stages}).String())
	b.WriteString("]")
	return b.String()
}

// check checks the stages; with options (a subsearch in search terms)
// reads maxout= and maxtime=.
func (s *Subsearch) check() *posError {
	if perr := checkStages(s.Stages); perr != nil {
		return perr
	}
	if perr := checkMakeresultsFirst(&Query{Stages: s.Stages}); perr != nil {
		return perr
	}
	opts, perr := checkOptions("subsearch", s.Options)
	if perr != nil {
		return perr
	}
	if s.MaxOut, perr = opts.int("maxout", DefaultSubsearchMaxOut, 1); perr != nil {
		return perr
	}
	if s.MaxOut > maxSubsearchOut {
		return errorfAt(opts["maxout"].valueOffset(), "maxout must be at most %d", maxSubsearchOut)
	}
	if s.MaxTime, perr = opts.duration("maxtime"); perr != nil {
		return perr
	}
	if s.MaxTime == 0 {
		s.MaxTime = DefaultSubsearchTime
	}
	return nil
}

// subsearchLimits reads the maxout= and maxtime= options of join and
// append.
func subsearchLimits(opts optionSet) (int, time.Duration, *posError) {
	n, perr := opts.int("maxout", DefaultJoinMaxOut, 1)
	if perr != nil {
		return 0, 0, perr
	}
	if n > maxSubsearchOut {
		return 0, 0, errorfAt(opts["maxout"].valueOffset(), "maxout must be at most %d", maxSubsearchOut)
	}
	d, perr := opts.duration("maxtime")
	if perr != nil {
		return 0, 0, perr
	}
	if d == 0 {
		d = DefaultSubsearchTime
	}
	return n, d, nil
}

// errEnough stops a subsearch that has maxout rows.
var errEnough = errors.New("enough rows")

// where names the place of a subsearch for messages.
func (s *Subsearch) where() string {
	return fmt.Sprintf("the subsearch at line %d column %d", s.Pos.Line, s.Pos.Column)
}

// runSub runs a subsearch within p's time range and returns its first
// maxout rows as one batch, warning when it had more; running longer than
// maxtime, or holding more than a blocking stage may, is an error.
func (p *plan) runSub(s *Subsearch, maxout int, maxtime time.Duration) (*Batch, error) {
	ctx, cancel := context.WithTimeout(p.ctx, maxtime)
	defer cancel()
	opt := *p.opt
	opt.Earliest, opt.Latest = "", ""
	opt.window = &[2]int64{p.lo, p.hi}
	var buf rowBuffer
	n := 0
	more := false
	_, err := Run(ctx, p.st, &Query{Pos: s.Pos, Stages: s.Stages, EndPos: s.EndPos}, opt, func(b *Batch) error {
		if n+b.Len > maxout {
			b = b.Slice(0, maxout-n)
			more = true
		}
		n += b.Len
		if b.Len > 0 {
			if err := buf.add(copyBatch(b), p.opt.MaxRows, "a subsearch"); err != nil {
				return err
			}
		}
		if more {
			return errEnough
		}
		return nil
	})
	switch {
	case errors.Is(err, errEnough):
		err = nil
	case err != nil && p.ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w: %s ran longer than maxtime=%s; narrow it or raise maxtime=", ErrLimit, s.where(), maxtime)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", s.where(), err)
	}
	if more {
		p.opt.warn("%s has more than maxout=%d rows: only the first %d are used (raise maxout= to use more)", s.where(), maxout, maxout)
	}
	return buf.batch(), nil
}

// copyBatch copies b's columns, so that the stages after may change them
// in place.
func copyBatch(b *Batch) *Batch {
	out := &Batch{Fields: append([]string(nil), b.Fields...), Cols: make([][]store.Value, len(b.Cols)), Len: b.Len}
	for i, c := range b.Cols {
		out.Cols[i] = append([]store.Value(nil), c...)
	}
	return out
}

// hasSubsearch reports whether t holds a subsearch.
func hasSubsearch(t *Term) bool {
	if t == nil {
		return false
	}
	if t.Kind == TermSubsearch {
		return true
	}
	for _, a := range t.Args {
		if hasSubsearch(a) {
			return true
		}
	}
	return false
}

// resolveTerm returns t with each subsearch run and replaced by the terms
// its rows make (see subsearchTerm); t itself, shared by every run of the
// query, is not changed.
func (p *plan) resolveTerm(t *Term) (*Term, error) {
	if !hasSubsearch(t) {
		return t, nil
	}
	if t.Kind == TermSubsearch {
		b, err := p.runSub(t.Sub, t.Sub.MaxOut, t.Sub.MaxTime)
		if err != nil {
			return nil, err
		}
		return subsearchTerm(t.Pos, b), nil
	}
	out := *t
	out.Args = make([]*Term, len(t.Args))
	for i, a := range t.Args {
		r, err := p.resolveTerm(a)
		if err != nil {
			return nil, err
		}
		out.Args[i] = r
	}
	return &out, nil
}

// subsearchTerm is what the rows of a subsearch stand for in search
// terms, as Splunk's format makes it: each row is the AND of field=value
// for its fields (a multi-value: any of its values), fields whose name
// starts with _ left out; the rows are ORed. No such row matches nothing.
func subsearchTerm(pos lexer.Position, b *Batch) *Term {
	or := &Term{Pos: pos, Kind: TermOr}
	for r := 0; r < b.Len; r++ {
		and := &Term{Pos: pos, Kind: TermAnd}
		for i, f := range b.Fields {
			v := b.Cols[i][r]
			if v.IsNull() || strings.HasPrefix(f, "_") {
				continue
			}
			var alts []*Term
			for _, one := range splitMV(v) {
				alts = append(alts, compareTerm(pos, f, one.String()))
			}
			if len(alts) == 1 {
				and.Args = append(and.Args, alts[0])
			} else {
				and.Args = append(and.Args, &Term{Pos: pos, Kind: TermOr, Args: alts})
			}
		}
		switch len(and.Args) {
		case 0:
		case 1:
			or.Args = append(or.Args, and.Args[0])
		default:
			or.Args = append(or.Args, and)
		}
	}
	switch len(or.Args) {
	case 0:
		return &Term{Pos: pos, Kind: TermNot, Args: []*Term{{Pos: pos, Kind: TermAll}}}
	case 1:
		return or.Args[0]
	}
	return or
}

// compareTerm is field=value.
func compareTerm(pos lexer.Position, field, value string) *Term {
	t := &Term{Pos: pos, Kind: TermCompare, Field: field, Op: "=", Value: value, Wildcard: strings.Contains(value, "*")}
	t.num, t.isNum = parseNum(value)
	return t
}
