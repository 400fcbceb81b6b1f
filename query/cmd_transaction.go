package query

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// TransactionCmd groups events into sessions, as Splunk's transaction:
// `transaction [f, g] [maxspan=DUR] [maxpause=DUR] [maxevents=N]
// [startswith="TERMS"|startswith=eval(EXPR)] [endswith=...]
// [keepevicted=bool] [mvlist=bool] [maxopentxn=N]`.
//
// The events of one combination of the fields' values (every event, with
// no fields) form a session until a condition cuts it: the next event is
// more than maxpause after the session's last, or more than maxspan after
// its first; the session reached maxevents (1000 by default, as in
// Splunk; negative for no limit); an event matches startswith (it starts
// the next session) or endswith (it ends this one). Events without one of
// the fields are in no session. A session's row has _time (its first
// event's), _raw (its events' joined by newlines, oldest first),
// duration (seconds from its first event to its last), eventcount, and
// every other field of its events: one value, or the distinct values
// sorted as text and joined one per line (a multi-value; mvlist=true
// keeps every value in event order instead).
//
// Unlike Splunk, which reads events newest first, the events are read
// oldest first (the order of every loghunt stream), so maxspan and
// maxevents cut a long run of events from its start; rows come out by
// their _time, oldest first.
type TransactionCmd struct {
	Pos      lexer.Position
	Lead     []*TxnOption `parser:"'transaction':Stage @@*"`
	Fields   []*Field     `parser:"( @@ ( ','? @@ )* )?"`
	Trailing []*TxnOption `parser:"@@*"`
	EndPos   lexer.Position

	MaxSpan, MaxPause time.Duration // 0: no limit
	MaxEvents         int           // 0: no limit
	MaxOpen           int
	Start, End        *TxnFilter // nil: none
	KeepEvicted       bool
	MVList            bool
}

// DefaultMaxOpenTxn bounds the sessions a transaction has open at once.
// Splunk's maxopentxn (5000) evicts the oldest sessions silently; loghunt
// stops with an error instead, so a result is never quietly incomplete,
// and allows more.
const DefaultMaxOpenTxn = 100_000

// TxnOption is `name=value` of transaction, where startswith and
// endswith may also be eval(EXPR).
type TxnOption struct {
	Pos    lexer.Position
	Name   string `parser:"@Ident '='"`
	Eval   *Expr  `parser:"( 'eval':Ident '(' @@ ')'"`
	Quoted *Text  `parser:"| @String"`
	Value  Text   `parser:"| @( '-'? ( Number | Duration ) | Ident | Field | Keyword ) )"`
	EndPos lexer.Position
}

func (o *TxnOption) String() string {
	if o.Eval != nil {
		return o.Name + "=eval(" + o.Eval.String() + ")"
	}
	return (&Option{Name: o.Name, Value: o.text()}).String()
}

// text is the option's value as written (unquoted).
func (o *TxnOption) text() Text {
	if o.Quoted != nil {
		return *o.Quoted
	}
	return o.Value
}

// TxnFilter is a startswith or endswith condition: search terms (Search)
// or an eval expression (Eval).
type TxnFilter struct {
	Search *SearchCmd
	Eval   *Expr
}

func (*TransactionCmd) command()                   {}
func (c *TransactionCmd) Position() lexer.Position { return c.Pos }

func (c *TransactionCmd) String() string {
	parts := []string{"transaction"}
	for _, o := range c.Lead {
		parts = append(parts, o.String())
	}
	if len(c.Fields) > 0 {
		parts = append(parts, fieldList(c.Fields))
	}
	for _, o := range c.Trailing {
		parts = append(parts, o.String())
	}
	return strings.Join(parts, " ")
}

func (c *TransactionCmd) check() *posError {
	all := slices.Concat(c.Lead, c.Trailing)
	plain := make([]*Option, len(all))
	for i, o := range all {
		plain[i] = &Option{Pos: o.Pos, Name: o.Name, Value: o.text(), EndPos: o.EndPos}
		if o.Eval != nil && !strings.EqualFold(o.Name, "startswith") && !strings.EqualFold(o.Name, "endswith") {
			return errorfAt(o.Pos.Offset, "only startswith and endswith take eval(...)")
		}
	}
	opts, err := checkOptions("transaction", plain)
	if err != nil {
		return err
	}
	if c.MaxSpan, err = txnDuration(opts, "maxspan"); err != nil {
		return err
	}
	if c.MaxPause, err = txnDuration(opts, "maxpause"); err != nil {
		return err
	}
	c.MaxEvents = 1000
	if o := opts["maxevents"]; o != nil {
		n, perr := strconv.Atoi(string(o.Value))
		if perr != nil || n == 0 {
			return errorfAt(o.valueOffset(), "maxevents must be a whole number (negative for no limit), not %q", o.Value)
		}
		c.MaxEvents = max(n, 0)
	}
	if c.MaxOpen, err = opts.int("maxopentxn", DefaultMaxOpenTxn, 1); err != nil {
		return err
	}
	if c.KeepEvicted, err = opts.boolean("keepevicted", false); err != nil {
		return err
	}
	if c.MVList, err = opts.boolean("mvlist", false); err != nil {
		return err
	}
	for _, o := range all {
		name := strings.ToLower(o.Name)
		if name != "startswith" && name != "endswith" {
			continue
		}
		f, err := txnFilter(o)
		if err != nil {
			return err
		}
		if name == "startswith" {
			c.Start = f
		} else {
			c.End = f
		}
	}
	return nil
}

// txnDuration reads maxspan or maxpause: a positive duration, or a
// negative number for no limit (Splunk's -1).
func txnDuration(opts optionSet, name string) (time.Duration, *posError) {
	o := opts[name]
	if o == nil || strings.HasPrefix(string(o.Value), "-") {
		return 0, nil
	}
	d, err := ParseDuration(string(o.Value))
	if err != nil || d <= 0 {
		return 0, errorfAt(o.valueOffset(), "%s must be a duration such as 30s, 5m, 1h or 1d (or -1 for no limit), not %q", name, o.Value)
	}
	return d, nil
}

// txnFilter reads startswith or endswith: eval(EXPR), or search terms in
// a string (or one word), as Splunk's.
func txnFilter(o *TxnOption) (*TxnFilter, *posError) {
	if o.Eval != nil {
		if err := checkExpr(o.Eval); err != nil {
			return nil, err
		}
		return &TxnFilter{Eval: o.Eval}, nil
	}
	text := string(o.text())
	base := o.Pos.Offset + len(o.Name) + 1
	if o.Quoted != nil {
		base++ // past the opening quote
	}
	if strings.TrimSpace(text) == "" {
		return nil, errorfAt(base, "%s needs search terms or eval(EXPR)", strings.ToLower(o.Name))
	}
	q, perr := parseQuery(text)
	if perr != nil {
		return nil, errorfAt(base+perr.off, "%s: %s", strings.ToLower(o.Name), perr.msg)
	}
	s, ok := q.Stages[0].(*SearchCmd)
	if len(q.Stages) != 1 || !ok {
		return nil, errorfAt(base, "%s takes search terms, not a pipeline", strings.ToLower(o.Name))
	}
	if hasSubsearch(s.Term) {
		return nil, errorfAt(base, "%s cannot hold a subsearch", strings.ToLower(o.Name))
	}
	if e, l, _ := s.TimeRange(time.Unix(0, 0)); !e.IsZero() || !l.IsZero() {
		return nil, errorfAt(base, "%s cannot hold earliest= or latest=", strings.ToLower(o.Name))
	}
	return &TxnFilter{Search: s}, nil
}

// Fields returns the fields the filter reads (store.ColRaw for words).
func (f *TxnFilter) fields() []string {
	if f == nil {
		return nil
	}
	if f.Eval != nil {
		e, _ := CompileExpr(f.Eval, nil)
		return e.Fields()
	}
	if f.Search.Term == nil {
		return nil
	}
	out := searchFields(f.Search.Term)
	if usesRaw(f.Search.Term) {
		out = append(out, store.ColRaw)
	}
	return out
}

// txnOutputs are the fields transaction makes.
var txnOutputs = []string{"duration", "eventcount", "closed_txn"}

func (c *TransactionCmd) inputFields(after fieldSet) fieldSet {
	return after.without(txnOutputs...).with(FieldNames(c.Fields)...).with(store.ColTime).
		with(c.Start.fields()...).with(c.End.fields()...)
}

func (c *TransactionCmd) operator(p *plan, next operator) (operator, error) {
	op := &transactionOp{c: c, next: next, open: map[string]*txnSession{}, maxRows: p.opt.MaxRows,
		prevTime: math.MinInt64, keys: FieldNames(c.Fields)}
	var err error
	if op.start, err = bindTxnFilter(c.Start, p.env); err != nil {
		return nil, err
	}
	if op.end, err = bindTxnFilter(c.End, p.env); err != nil {
		return nil, err
	}
	return op, nil
}

// txnMatcher evaluates a startswith or endswith filter on a batch.
type txnMatcher func(b *Batch) func(row int) bool

func bindTxnFilter(f *TxnFilter, env *EvalEnv) (txnMatcher, error) {
	if f == nil {
		return nil, nil
	}
	if f.Eval != nil {
		e, err := CompileExpr(f.Eval, env)
		if err != nil {
			return nil, err
		}
		return func(b *Batch) func(int) bool {
			ev := e.Bind(b)
			return func(r int) bool { return ev(r).Truthy() }
		}, nil
	}
	flt := f.Search.Term.filter()
	return func(b *Batch) func(int) bool {
		if flt == nil {
			return func(int) bool { return true }
		}
		raw := -1
		if i := b.Col(store.ColRaw); i >= 0 {
			raw = i
		}
		return func(r int) bool {
			text := ""
			if raw >= 0 {
				text = b.Cols[raw][r].S
			}
			return flt.MatchRow(text, func(f string) store.Value { return b.Get(f, r) })
		}
	}, nil
}

// txnSession is one open (or closed, not yet handed on) session.
type txnSession struct {
	key         string
	seq         int // creation order
	first, last int64
	count       int
	raws        []string
	fields      []string // in order of first appearance
	vals        map[string]*txnValues
	started     bool // its first event matched startswith
	ended       bool // its last event matched endswith
	closed      bool // a condition closed it (not the end of the events)
	done        bool
	heapAt      int   // index in the expiry heap, -1 when not in it
	deadline    int64 // the last time an event may join it (maxspan, maxpause)
	bytes       int64
}

type txnValues struct {
	list []store.Value
	seen map[string]bool // the texts in list, without mvlist
}

// transactionOp runs transaction on the ordered stream.
type transactionOp struct {
	c          *TransactionCmd
	keys       []string
	start, end txnMatcher
	next       operator
	open       map[string]*txnSession
	queue      []*txnSession // every held session, by seq
	expiry     txnHeap       // the open sessions by when maxspan/maxpause close them
	seq        int
	prevTime   int64
	held       int   // events in held sessions
	bytes      int64 // their estimated memory
	maxRows    int
	stopped    bool // the next stage wants no more rows (errStop)
}

func (t *transactionOp) push(b *Batch) error {
	if t.stopped {
		return errStop
	}
	tc := b.Col(store.ColTime)
	if tc < 0 {
		if b.Len == 0 {
			return nil
		}
		return fmt.Errorf("transaction needs _time on every row (a stage before it removed _time)")
	}
	keyCols := make([][]store.Value, len(t.keys))
	for i, k := range t.keys {
		if c := b.Col(k); c >= 0 {
			keyCols[i] = b.Cols[c]
		}
	}
	var isStart, isEnd func(int) bool
	if t.start != nil {
		isStart = t.start(b)
	}
	if t.end != nil {
		isEnd = t.end(b)
	}
	var key strings.Builder
rows:
	for r := 0; r < b.Len; r++ {
		tv := b.Cols[tc][r]
		if tv.K != store.KindTime {
			return fmt.Errorf("transaction needs _time on every row (a stage before it removed or changed _time)")
		}
		now := tv.I
		if now < t.prevTime {
			return fmt.Errorf("transaction needs its rows in time order, oldest first: put it before sort or reverse (or sort _time before it)")
		}
		t.prevTime = now
		t.expire(now)
		key.Reset()
		for i, col := range keyCols {
			if col == nil || col[r].IsNull() {
				continue rows
			}
			if i > 0 {
				key.WriteByte(0)
			}
			key.WriteString(col[r].String())
		}
		k := key.String()
		s := t.open[k]
		start := isStart != nil && isStart(r)
		if s != nil && start {
			t.close(s, true)
			s = nil
		}
		if s == nil {
			var err error
			if s, err = t.newSession(k, now, start); err != nil {
				return err
			}
		}
		if err := t.add(s, b, r, now); err != nil {
			return err
		}
		switch {
		case isEnd != nil && isEnd(r):
			s.ended = true
			t.close(s, true)
		case t.c.MaxEvents > 0 && s.count >= t.c.MaxEvents:
			t.close(s, true)
		default:
			t.reschedule(s)
		}
	}
	return t.emit(false)
}

// expire closes the open sessions that maxspan or maxpause end before now.
func (t *transactionOp) expire(now int64) {
	for len(t.expiry) > 0 && t.expiry[0].deadline < now {
		s := heap.Pop(&t.expiry).(*txnSession)
		t.close(s, true)
	}
}

// deadlineOf is the last time an event may join s.
func (t *transactionOp) deadlineOf(s *txnSession) int64 {
	d := int64(math.MaxInt64)
	if t.c.MaxPause > 0 {
		d = min(d, s.last+int64(t.c.MaxPause))
	}
	if t.c.MaxSpan > 0 {
		d = min(d, s.first+int64(t.c.MaxSpan))
	}
	return d
}

func (t *transactionOp) reschedule(s *txnSession) {
	if t.c.MaxPause <= 0 && t.c.MaxSpan <= 0 {
		return
	}
	s.deadline = t.deadlineOf(s)
	if s.heapAt < 0 {
		heap.Push(&t.expiry, s)
	} else {
		heap.Fix(&t.expiry, s.heapAt)
	}
}

func (t *transactionOp) newSession(k string, now int64, started bool) (*txnSession, error) {
	if len(t.open) >= t.c.MaxOpen {
		return nil, fmt.Errorf("%w: transaction would have more than %d sessions open at once; add maxspan= or maxpause= so that sessions close, narrow the search, or raise maxopentxn=",
			ErrLimit, t.c.MaxOpen)
	}
	s := &txnSession{key: k, seq: t.seq, first: now, last: now, started: started, heapAt: -1,
		vals: map[string]*txnValues{}}
	t.seq++
	t.open[k] = s
	t.queue = append(t.queue, s)
	return s, nil
}

// add folds row r of b into s.
func (t *transactionOp) add(s *txnSession, b *Batch, r int, now int64) error {
	s.last = now
	s.count++
	t.held++
	var n int64 = valueBytes
	for c, f := range b.Fields {
		v := b.Cols[c][r]
		if v.IsNull() || f == store.ColTime {
			continue
		}
		if f == store.ColRaw {
			s.raws = append(s.raws, v.String())
			n += int64(len(v.S)) + 16
			continue
		}
		tv := s.vals[f]
		if tv == nil {
			tv = &txnValues{}
			if !t.c.MVList {
				tv.seen = map[string]bool{}
			}
			s.vals[f] = tv
			s.fields = append(s.fields, f)
		}
		for _, one := range splitMV(v) {
			if tv.seen != nil {
				text := one.String()
				if tv.seen[text] {
					continue
				}
				tv.seen[text] = true
				n += int64(len(text))
			}
			tv.list = append(tv.list, one)
			n += valueBytes + int64(len(one.S))
		}
	}
	s.bytes += n
	t.bytes += n
	if t.held > t.maxRows {
		return fmt.Errorf("%w: transaction would hold more than %d events in its sessions; add maxspan= or maxpause=, or narrow the search", ErrLimit, t.maxRows)
	}
	if t.bytes > DefaultMaxRowBytes {
		return fmt.Errorf("%w: transaction would hold more than %d MB of events in its sessions; add maxspan= or maxpause=, keep fewer fields (| fields ...) or narrow the search",
			ErrLimit, DefaultMaxRowBytes>>20)
	}
	return nil
}

// splitMV returns the values of a multi-value (text with one value per
// line), or v alone.
func splitMV(v store.Value) []store.Value {
	if v.K != store.KindString || !strings.Contains(v.S, mvSep) {
		return []store.Value{v}
	}
	parts := strings.Split(v.S, mvSep)
	out := make([]store.Value, len(parts))
	for i, p := range parts {
		out[i] = store.Str(p)
	}
	return out
}

func (t *transactionOp) close(s *txnSession, byCondition bool) {
	if s.done {
		return
	}
	s.done, s.closed = true, byCondition
	delete(t.open, s.key)
	if s.heapAt >= 0 {
		heap.Remove(&t.expiry, s.heapAt)
	}
}

func (t *transactionOp) finish() error {
	for _, s := range t.queue {
		t.close(s, false)
	}
	// A head after it that has its rows (errStop) ends the pushing only:
	// the stages after it still finish.
	if err := t.emit(true); err != nil && !errors.Is(err, errStop) {
		return err
	}
	return t.next.finish()
}

// emit hands on the closed sessions that no open one started before.
func (t *transactionOp) emit(all bool) error {
	n := 0
	for n < len(t.queue) && (all || t.queue[n].done) {
		n++
	}
	if n == 0 || t.stopped {
		return nil
	}
	ready := t.queue[:n]
	t.queue = slices.Clone(t.queue[n:])
	var out []*txnSession
	for _, s := range ready {
		t.held -= s.count
		t.bytes -= s.bytes
		if t.complete(s) || t.c.KeepEvicted {
			out = append(out, s)
		}
	}
	for i := 0; i < len(out); i += BatchSize {
		if err := t.next.push(t.batch(out[i:min(i+BatchSize, len(out))])); err != nil {
			t.stopped = errors.Is(err, errStop)
			return err
		}
	}
	return nil
}

// complete reports whether s has the start and the end asked for.
func (t *transactionOp) complete(s *txnSession) bool {
	return (t.start == nil || s.started) && (t.end == nil || s.ended)
}

// batch makes the rows of sessions.
func (t *transactionOp) batch(ss []*txnSession) *Batch {
	b := &Batch{Len: len(ss)}
	col := func(name string) []store.Value { return b.Column(name) }
	col(store.ColTime)
	for _, s := range ss {
		if len(s.raws) > 0 {
			col(store.ColRaw)
			break
		}
	}
	for _, s := range ss {
		for _, f := range s.fields {
			if !slices.Contains(txnOutputs, f) {
				col(f)
			}
		}
	}
	tcol, dcol, ncol := col(store.ColTime), col("duration"), col("eventcount")
	var ccol []store.Value
	if t.c.KeepEvicted {
		ccol = col("closed_txn")
	}
	for r, s := range ss {
		tcol[r] = store.Time(s.first)
		dcol[r] = store.Float(float64(s.last-s.first) / 1e9)
		ncol[r] = store.Int(int64(s.count))
		if ccol != nil {
			closed := int64(0)
			if s.closed && t.complete(s) {
				closed = 1
			}
			ccol[r] = store.Int(closed)
		}
		if len(s.raws) > 0 {
			b.Cols[b.Col(store.ColRaw)][r] = store.Str(strings.Join(s.raws, "\n"))
		}
		for _, f := range s.fields {
			if slices.Contains(txnOutputs, f) {
				continue
			}
			b.Cols[b.Col(f)][r] = txnValue(s.vals[f].list, t.c.MVList)
		}
	}
	return b
}

// txnValue is a session's value of a field: its one value, or its values
// (sorted as text without mvlist) one per line.
func txnValue(vals []store.Value, mvlist bool) store.Value {
	if len(vals) == 1 {
		return vals[0]
	}
	texts := make([]string, len(vals))
	for i, v := range vals {
		texts[i] = v.String()
	}
	if !mvlist {
		slices.Sort(texts)
	}
	return store.Str(strings.Join(texts, mvSep))
}

// txnHeap orders open sessions by deadline (then age).
type txnHeap []*txnSession

func (h txnHeap) Len() int { return len(h) }
func (h txnHeap) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(h[i].deadline, h[j].deadline), cmp.Compare(h[i].seq, h[j].seq)) < 0
}
func (h txnHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapAt, h[j].heapAt = i, j
}
func (h *txnHeap) Push(x any) {
	s := x.(*txnSession)
	s.heapAt = len(*h)
	*h = append(*h, s)
}
func (h *txnHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	s.heapAt = -1
	*h = old[:len(old)-1]
	return s
}
