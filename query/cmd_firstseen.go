package query

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"time"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// FirstseenCmd marks the rows whose value of Field (for their By entity,
// with by) never occurred in a baseline: the rows of the first Train of
// event time it receives, or a saved first-seen model. It adds
// anomaly_score (1 new, 0 not), is_anomaly and anomaly_reason, as the
// detectors do, and is a blocking stage (the baseline is the earliest
// rows, whatever order they come in).
type FirstseenCmd struct {
	Pos     lexer.Position
	Field   *Field    `parser:"'firstseen':Stage @@"`
	By      *Field    `parser:"( 'by':Keyword @@ )?"`
	Options []*Option `parser:"@@*"`
	EndPos  lexer.Position

	Train   time.Duration // train=
	Model   string        // model=
	Save    string        // save=
	Replace bool          // replace=true
}

func (*FirstseenCmd) command()                   {}
func (c *FirstseenCmd) Position() lexer.Position { return c.Pos }

func (c *FirstseenCmd) String() string {
	s := "firstseen " + c.Field.String()
	if c.By != nil {
		s += " by " + c.By.String()
	}
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	return s
}

func (c *FirstseenCmd) check() *posError {
	opts, err := checkOptions("firstseen", c.Options)
	if err != nil {
		return err
	}
	if c.Train, err = opts.duration("train"); err != nil {
		return err
	}
	c.Model, c.Save = opts.text("model", ""), opts.text("save", "")
	if c.Replace, err = opts.boolean("replace", false); err != nil {
		return err
	}
	switch {
	case c.Model != "" && c.Train > 0:
		return errorfAt(opts["model"].Pos.Offset, "firstseen takes train= or model=, not both")
	case c.Model != "" && c.Save != "":
		return errorfAt(opts["save"].Pos.Offset, "firstseen model= scores with a saved baseline; save= stores a new one (use train=)")
	case c.Model == "" && c.Train == 0 && c.Save == "":
		return errorfAt(c.EndPos.Offset, "firstseen needs train=DUR (the first DUR of the rows is the baseline, e.g. train=6d) or model=NAME")
	case c.Replace && c.Save == "":
		return errorfAt(opts["replace"].Pos.Offset, "replace=true goes with save=")
	}
	return nil
}

func (c *FirstseenCmd) inputFields(after fieldSet) fieldSet {
	f := after.without(anomalyColumns...).with(c.Field.Name, store.ColTime)
	if c.By != nil {
		f = f.with(c.By.Name)
	}
	return f
}

func (c *FirstseenCmd) operator(p *plan, next operator) (operator, error) {
	ms := p.opt.Models
	if (c.Save != "" || c.Model != "") && ms == nil {
		return nil, fmt.Errorf("firstseen: this run has no database for models")
	}
	o := &firstseenOp{cmd: c, next: next, max: p.opt.MaxRows, opt: p.opt, models: ms}
	if c.Save != "" && !c.Replace {
		if _, ok, err := ms.Model(c.Save); err != nil {
			return nil, err
		} else if ok {
			return nil, fmt.Errorf("firstseen save=%s: a model named %s is saved already; add replace=true to replace it, or delete it with loghunt models delete %s", c.Save, c.Save, c.Save)
		}
	}
	if c.Model != "" {
		blob, ok, err := ms.Model(c.Model)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("firstseen model=%s: no model of that name (loghunt models lists them)", c.Model)
		}
		m, err := decodeFirstseen(blob)
		if err != nil {
			return nil, fmt.Errorf("firstseen model=%s: %w", c.Model, err)
		}
		by := ""
		if c.By != nil {
			by = c.By.Name
		}
		if m.Field != c.Field.Name || m.By != by {
			return nil, fmt.Errorf("firstseen model=%s was saved for %s, not for %s", c.Model, m.what(), c.String())
		}
		o.baseline = m
	}
	return o, nil
}

// firstseenModel is a first-seen baseline: the values of a field seen,
// per entity.
type firstseenModel struct {
	Field   string              `json:"field"`
	By      string              `json:"by,omitempty"`
	Train   string              `json:"train,omitempty"` // as given, e.g. 6d
	From    time.Time           `json:"from,omitzero"`   // the baseline's time range
	To      time.Time           `json:"to,omitzero"`
	Rows    int                 `json:"rows"`
	Created time.Time           `json:"created"`
	Values  map[string][]string `json:"values"` // by entity ("" without by), sorted

	seen map[string]map[string]bool
}

func (m *firstseenModel) what() string {
	if m.By != "" {
		return "firstseen " + m.Field + " by " + m.By
	}
	return "firstseen " + m.Field
}

func (m *firstseenModel) index() {
	m.seen = map[string]map[string]bool{}
	for e, vs := range m.Values {
		set := make(map[string]bool, len(vs))
		for _, v := range vs {
			set[v] = true
		}
		m.seen[e] = set
	}
}

// The blob of a saved first-seen model: magic "LHFS", version 1, the model
// as JSON, CRC-32 (IEEE) of what comes before, little-endian.
const firstseenMagic = "LHFS"

func (m *firstseenModel) marshal() ([]byte, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	b := append([]byte(firstseenMagic), 1)
	b = append(b, js...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// isFirstseenModel tells a first-seen model's blob by its magic.
func isFirstseenModel(blob []byte) bool { return bytes.HasPrefix(blob, []byte(firstseenMagic)) }

func decodeFirstseen(blob []byte) (*firstseenModel, error) {
	if !isFirstseenModel(blob) {
		return nil, errors.New("not a first-seen model (it was saved by anomalies)")
	}
	if len(blob) < len(firstseenMagic)+5 {
		return nil, errors.New("first-seen model: truncated")
	}
	body, sum := blob[:len(blob)-4], binary.LittleEndian.Uint32(blob[len(blob)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("first-seen model: checksum mismatch (damaged)")
	}
	if v := body[len(firstseenMagic)]; v != 1 {
		return nil, fmt.Errorf("first-seen model: format version %d, this loghunt reads 1", v)
	}
	m := &firstseenModel{}
	if err := json.Unmarshal(body[len(firstseenMagic)+1:], m); err != nil {
		return nil, fmt.Errorf("first-seen model: %w", err)
	}
	m.index()
	return m, nil
}

type firstseenOp struct {
	cmd      *FirstseenCmd
	rows     rowBuffer
	next     operator
	max      int
	opt      *Options
	models   ModelStore
	baseline *firstseenModel // model=
}

func (o *firstseenOp) push(b *Batch) error { return o.rows.add(b, o.max, "firstseen") }

func (o *firstseenOp) finish() error {
	c := o.cmd
	b := o.rows.batch()
	fc, tc := b.Col(c.Field.Name), b.Col(store.ColTime)
	ec := -1
	if c.By != nil {
		ec = b.Col(c.By.Name)
	}
	entity := func(r int) string {
		if ec < 0 || b.Cols[ec][r].IsNull() {
			return ""
		}
		return b.Cols[ec][r].String()
	}
	// the baseline
	m := o.baseline
	training := func(int) bool { return false }
	if m == nil {
		m = &firstseenModel{Field: c.Field.Name, Created: time.Now().UTC(), Values: map[string][]string{}}
		if c.By != nil {
			m.By = c.By.Name
		}
		lo, hi := int64(0), int64(0)
		have := false
		for r := 0; r < b.Len; r++ {
			if tc >= 0 && b.Cols[tc][r].K == store.KindTime {
				t := b.Cols[tc][r].I
				if !have || t < lo {
					lo = t
				}
				hi, have = max(hi, t), true
			}
		}
		end := hi + 1 // save= without train=: every row
		if c.Train > 0 {
			end = lo + int64(c.Train)
			m.Train = optionText(c.Options, "train")
		}
		training = func(r int) bool {
			return tc >= 0 && b.Cols[tc][r].K == store.KindTime && b.Cols[tc][r].I < end
		}
		if !have && b.Len > 0 {
			return fmt.Errorf("firstseen: no row has a _time, so there is no first %s to learn from", durationWords(c.Train))
		}
		sets := map[string]map[string]bool{}
		for r := 0; r < b.Len; r++ {
			if !training(r) || fc < 0 || b.Cols[fc][r].IsNull() {
				continue
			}
			e := entity(r)
			if sets[e] == nil {
				sets[e] = map[string]bool{}
			}
			if !sets[e][b.Cols[fc][r].String()] {
				sets[e][b.Cols[fc][r].String()] = true
			}
			m.Rows++
		}
		for e, set := range sets {
			vs := make([]string, 0, len(set))
			for v := range set {
				vs = append(vs, v)
			}
			slices.Sort(vs)
			m.Values[e] = vs
		}
		m.index()
		if have {
			m.From, m.To = time.Unix(0, lo).UTC(), time.Unix(0, min(end, hi+1)-1).UTC()
			if c.Train > 0 && end > hi {
				o.opt.warn("firstseen: every row is within the first %s (the rows span %s), so no row is scored", durationWords(c.Train), durationWords(time.Duration(hi-lo)))
			}
		}
		if c.Save != "" {
			blob, err := m.marshal()
			if err != nil {
				return err
			}
			if err := o.models.PutModel(c.Save, blob); err != nil {
				return fmt.Errorf("firstseen save=%s: %w", c.Save, err)
			}
		}
	}
	// the rows after it
	score, flag, reason := b.Column(colScore), b.Column(colFlag), b.Column(colReason)
	first := map[string]int64{} // entity and value: its first time after the baseline
	what := "the first " + strings.TrimPrefix(durationWords(c.Train), "one ")
	if o.baseline != nil {
		what = "model " + c.Model
	}
	for r := 0; r < b.Len; r++ {
		score[r], flag[r], reason[r] = store.Float(0), store.Bool(false), store.Null
		if training(r) || fc < 0 || b.Cols[fc][r].IsNull() {
			continue
		}
		e, v := entity(r), b.Cols[fc][r].String()
		if m.seen[e][v] {
			continue
		}
		score[r], flag[r] = store.Float(1), store.Bool(true)
		k := e + "\x00" + v
		t, seenAt := first[k]
		if !seenAt && tc >= 0 && b.Cols[tc][r].K == store.KindTime {
			t, first[k] = b.Cols[tc][r].I, b.Cols[tc][r].I
		}
		s := fmt.Sprintf("new %s=%s", c.Field.Name, v)
		if c.By != nil {
			s += fmt.Sprintf(" for %s=%s", c.By.Name, e)
			s += " (" + othersText(len(m.seen[e]), c.Field.Name, what) + ")"
		} else {
			s += " (" + othersText(len(m.seen[""]), c.Field.Name, what) + ")"
		}
		if seenAt || tc >= 0 && b.Cols[tc][r].K == store.KindTime {
			s += "; first seen " + time.Unix(0, t).UTC().Format(time.RFC3339Nano)
		}
		reason[r] = store.Str(s)
	}
	return flush(o.next, b)
}

// optionText is option name as written, or "".
func optionText(opts []*Option, name string) string {
	for _, o := range opts {
		if o.Name == name {
			return string(o.Value)
		}
	}
	return ""
}

// othersText says how many other values the baseline had.
func othersText(n int, field, what string) string {
	switch n {
	case 0:
		return fmt.Sprintf("no %s in %s", field, what)
	case 1:
		return fmt.Sprintf("1 other value in %s", what)
	}
	return fmt.Sprintf("%d other values in %s", n, what)
}
