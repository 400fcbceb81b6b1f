package query

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"loghunt/store"

	"github.com/alecthomas/participle/v2/lexer"
)

// AnomaliesCmd fits an Isolation Forest (or scores with a saved model)
// and adds anomaly_score, is_anomaly and anomaly_reason to every row.
// See SPEC §3 "anomalies" for the meaning of each option.
type AnomaliesCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'anomalies':Stage @@*"`
	Features []*Field  `parser:"( @@ ( ','? @@ )* )?"`
	By       *Field    `parser:"( 'by':Keyword @@ )?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Contamination float64 // contamination=C, 0 < C <= 0.5; default 0.01; unused when Auto
	Auto          bool    // contamination=auto: flag score > 0.5
	Trees         int     // trees=N, default 100
	Sample        int     // sample=N (ψ), default 256
	Seed          int64   // seed=N, default 1
	Method        string  // method=iforest (default), mad, lof or ocsvm
	Neighbors     int     // n_neighbors=K for lof, default 20
	Nu            float64 // nu=V for ocsvm, in (0, 1], default 0.5
	Gamma         float64 // gamma=V for ocsvm; 0 is gamma=scale (the default)
	Save          string  // save=NAME: store the fitted model
	Replace       bool    // replace=true: save= may replace a saved model of that name
	Model         string  // model=NAME: score with a stored model
	// method=decompose (cmd_anomalies_decompose.go):
	PeriodMode string        // period=auto (the default) or none; "" when Period is given
	Period     time.Duration // period=DUR: the season's length
	K          float64       // k=V, Tukey's fence multiplier, default 1.5
}

// anomalyMethods are the values method= takes.
var anomalyMethods = []string{"iforest", "mad", "lof", "ocsvm", "decompose"}

func (*AnomaliesCmd) command()                   {}
func (c *AnomaliesCmd) Position() lexer.Position { return c.Pos }

func (c *AnomaliesCmd) String() string {
	parts := []string{"anomalies"}
	if len(c.Options) > 0 {
		parts = append(parts, optionList(c.Options))
	}
	if len(c.Features) > 0 {
		parts = append(parts, fieldList(c.Features))
	}
	if c.By != nil {
		parts = append(parts, "by "+c.By.String())
	}
	if len(c.Trailing) > 0 {
		parts = append(parts, optionList(c.Trailing))
	}
	return strings.Join(parts, " ")
}

func (c *AnomaliesCmd) check() *posError {
	opts, err := checkOptions("anomalies", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if err := c.checkContamination(opts["contamination"]); err != nil {
		return err
	}
	if c.Trees, err = opts.int("trees", 100, 1); err != nil {
		return err
	}
	if c.Sample, err = opts.int("sample", 256, 2); err != nil {
		return err
	}
	seed, err := opts.int("seed", 1, 0)
	if err != nil {
		return err
	}
	c.Seed = int64(seed)
	c.Method = strings.ToLower(opts.text("method", "iforest"))
	if o := opts["method"]; o != nil && !slices.Contains(anomalyMethods, c.Method) {
		return errorfAt(o.valueOffset(), "unknown method %q%s", o.Value, didYouMean(c.Method, anomalyMethods))
	}
	if err := c.checkDecompose(opts); err != nil {
		return err
	}
	if err := c.checkMethodOptions(opts); err != nil {
		return err
	}
	c.Save, c.Model = opts.text("save", ""), opts.text("model", "")
	if c.Save != "" && c.Model != "" {
		return errorfAt(opts["model"].Pos.Offset, "give either save= or model=, not both")
	}
	if o := opts["replace"]; o != nil {
		switch strings.ToLower(string(o.Value)) {
		case "true":
			c.Replace = true
		case "false":
		default:
			return errorfAt(o.valueOffset(), "replace must be true or false, not %q", o.Value)
		}
		if c.Save == "" {
			return errorfAt(o.Pos.Offset, "replace= goes with save=NAME")
		}
	}
	if c.Method == "mad" && len(c.Features) > 1 {
		return errorAtPos(c.Features[1].Pos, "method=mad scores a single feature, not %d; use method=iforest for several", len(c.Features))
	}
	return nil
}

// checkMethodOptions reads the options of lof and ocsvm and refuses them
// with another method.
func (c *AnomaliesCmd) checkMethodOptions(opts optionSet) *posError {
	for _, nm := range [][2]string{{"n_neighbors", "lof"}, {"nu", "ocsvm"}, {"gamma", "ocsvm"}} {
		// With model= the model's method decides (checkModel).
		if name, method := nm[0], nm[1]; opts[name] != nil && c.Method != method && opts["model"] == nil {
			o := opts[name]
			return errorfAt(o.Pos.Offset, "%s= goes with method=%s", name, method)
		}
	}
	var err *posError
	if c.Neighbors, err = opts.int("n_neighbors", 20, 1); err != nil {
		return err
	}
	c.Nu = 0.5
	if o := opts["nu"]; o != nil {
		f, perr := strconv.ParseFloat(string(o.Value), 64)
		if perr != nil || !(f > 0 && f <= 1) {
			return errorfAt(o.valueOffset(), "nu must be a number above 0 and at most 1, not %q", o.Value)
		}
		c.Nu = f
	}
	if o := opts["gamma"]; o != nil && !strings.EqualFold(string(o.Value), "scale") {
		f, perr := strconv.ParseFloat(string(o.Value), 64)
		if perr != nil || !(f > 0) || math.IsInf(f, 0) {
			return errorfAt(o.valueOffset(), "gamma must be scale or a positive number, not %q", o.Value)
		}
		c.Gamma = f
	}
	return nil
}

// given reports whether the option name was written in the query.
func (c *AnomaliesCmd) given(name string) bool {
	for _, o := range append(append([]*Option(nil), c.Options...), c.Trailing...) {
		if strings.EqualFold(o.Name, name) {
			return true
		}
	}
	return false
}

func (c *AnomaliesCmd) checkContamination(o *Option) *posError {
	c.Contamination = 0.01
	if o == nil {
		return nil
	}
	v := strings.ToLower(string(o.Value))
	if v == "auto" {
		c.Auto = true
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= 0.5) {
		return errorfAt(o.valueOffset(), "contamination must be auto or a number above 0 and at most 0.5, not %q", o.Value)
	}
	c.Contamination = f
	return nil
}

// SavesModel reports whether running q writes to the database (anomalies
// or firstseen save=NAME), so the caller opens it for writing.
func (q *Query) SavesModel() bool {
	for _, s := range q.Stages {
		if a, ok := s.(*AnomaliesCmd); ok && a.Save != "" {
			return true
		}
		if f, ok := s.(*FirstseenCmd); ok && f.Save != "" {
			return true
		}
	}
	return false
}

// The columns anomalies adds.
const (
	colScore    = "anomaly_score"
	colFlag     = "is_anomaly"
	colReason   = "anomaly_reason"
	colBaseline = "anomaly_baseline"
)

var anomalyColumns = []string{colScore, colFlag, colReason, colBaseline}

func (c *AnomaliesCmd) inputFields(after fieldSet) fieldSet {
	if len(c.Features) == 0 || c.Model != "" {
		// The features (or a stored model's entity field) are found
		// among the rows' fields.
		return allFields()
	}
	need := after.without(anomalyColumns...).with(FieldNames(c.Features)...)
	if c.Method == "decompose" {
		need = need.without(c.decomposeColumns()...).with(store.ColTime)
	}
	if c.By != nil {
		need = need.with(c.By.Name)
	}
	return need
}

func (c *AnomaliesCmd) operator(p *plan, next operator) (operator, error) {
	op := &anomaliesOp{cmd: c, models: p.opt.Models, next: next, max: p.opt.MaxRows, opt: p.opt}
	if c.Save != "" && op.models == nil {
		return nil, fmt.Errorf("anomalies save=%s: this run has no database to save models in", c.Save)
	}
	if c.Save != "" && !c.Replace {
		if err := refuseReplace(op.models, c.Save); err != nil {
			return nil, err
		}
	}
	if c.Model != "" {
		m, err := loadModel(p.opt.Models, c.Model)
		if err != nil {
			return nil, err
		}
		if err := c.checkModel(m); err != nil {
			return nil, err
		}
		op.model = m
	}
	return op, nil
}

// refuseReplace fails when a model of that name is saved: save= replaces
// one only with replace=true.
func refuseReplace(ms ModelStore, name string) error {
	_, ok, err := ms.Model(name)
	if err != nil {
		return fmt.Errorf("anomalies save=%s: %w", name, err)
	}
	if ok {
		return fmt.Errorf("anomalies save=%s: a model named %s is saved already; add replace=true to replace it, or delete it with loghunt models delete %s", name, name, name)
	}
	return nil
}

// checkModel rejects options that contradict the stored model: they were
// fixed when it was fitted.
func (c *AnomaliesCmd) checkModel(m *savedModel) error {
	pre := "anomalies model=" + c.Model
	if len(c.Features) > 0 && !sameSet(FieldNames(c.Features), m.Features) {
		return fmt.Errorf("%s: the model scores %s; list those features or none", pre, strings.Join(m.Features, ", "))
	}
	if c.By != nil && c.By.Name != m.By {
		if m.By == "" {
			return fmt.Errorf("%s: the model has no per-entity baselines; drop by %s", pre, c.By.Name)
		}
		return fmt.Errorf("%s: the model's baselines are by %s, not by %s", pre, m.By, c.By.Name)
	}
	if c.given("contamination") && (c.Auto != m.Auto || (!c.Auto && c.Contamination != m.Contamination)) {
		return fmt.Errorf("%s: the threshold was fixed when the model was saved (contamination=%s); drop contamination= or save the model again", pre, m.contamination())
	}
	if c.given("method") && c.Method != m.Method {
		return fmt.Errorf("%s: the model was fitted with method=%s; drop method= or save the model again", pre, m.Method)
	}
	for _, o := range []string{"trees", "sample", "seed", "n_neighbors", "nu", "gamma"} {
		if c.given(o) {
			return fmt.Errorf("%s: %s= was fixed when the model was saved; drop it", pre, o)
		}
	}
	return nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}

// anomaliesOp holds every row, then fits (or loads) the baselines, scores
// the rows and passes them on in their order with the anomaly columns.
type anomaliesOp struct {
	cmd    *AnomaliesCmd
	model  *savedModel // model=, loaded when the plan was built
	models ModelStore
	opt    *Options // for warnings
	rows   rowBuffer
	next   operator
	max    int
}

func (o *anomaliesOp) push(b *Batch) error { return o.rows.add(b, o.max, "anomalies") }

func (o *anomaliesOp) finish() error {
	all := o.rows.batch()
	if all.Len == 0 {
		return flush(o.next, all)
	}
	if o.cmd.Method == "decompose" {
		if err := o.decompose(all); err != nil {
			return err
		}
		return flush(o.next, all)
	}
	res, err := o.score(all)
	if err != nil {
		return fmt.Errorf("anomalies: %w", err)
	}
	res.write(all, o.cmd.By != nil || o.model != nil && o.model.By != "")
	return flush(o.next, all)
}

// anomalyResult is what anomalies says of each held row.
type anomalyResult struct {
	score    []float64 // NaN: not scored
	flag     []bool
	reason   []string
	baseline []string
	// round is the scale scores are rounded to: 1e4 (four decimals) for
	// Isolation Forest, 1e6 for MAD, LOF and the SVM, whose scores of far
	// outliers lie close together below 1.
	round float64
}

func newAnomalyResult(n int) *anomalyResult {
	r := &anomalyResult{score: make([]float64, n), flag: make([]bool, n),
		reason: make([]string, n), baseline: make([]string, n), round: 1e4}
	for i := range r.score {
		r.score[i] = math.NaN()
	}
	return r
}

// write adds the anomaly columns to b; anomaly_baseline only with by.
func (r *anomalyResult) write(b *Batch, withBaseline bool) {
	score, flag, reason := b.Column(colScore), b.Column(colFlag), b.Column(colReason)
	var base []store.Value
	if withBaseline {
		base = b.Column(colBaseline)
	}
	fillParallel(len(r.score), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			score[i], reason[i] = store.Null, store.Null
			if !math.IsNaN(r.score[i]) {
				score[i] = store.Float(math.Round(r.score[i]*r.round) / r.round)
			}
			flag[i] = store.Bool(r.flag[i])
			if r.reason[i] != "" {
				reason[i] = store.Str(r.reason[i])
			}
			if base != nil {
				base[i] = store.Null
				if r.baseline[i] != "" {
					base[i] = store.Str(r.baseline[i])
				}
			}
		}
	})
}
