package query

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"loghunt/detect"
	"loghunt/store"
)

// minEntityRows is the fewest rows an entity needs for a baseline of its
// own under by; smaller entities are scored by the baseline of all rows.
const minEntityRows = 32

// baselineAll labels the baseline fitted on all rows.
const baselineAll = "all"

// baseline is one model of normal: a forest (or, for method=mad, the
// rows' median) with the encodings of its text features and the score
// above which a row is an anomaly.
type baseline struct {
	label  string // the entity value, or "all"
	all    bool
	train  []int // held rows it is fitted on (none with model=)
	scored []int // held rows it scores
	enc    []*rarity
	forest *detect.Forest
	lof    *detect.LOF     // method=lof
	svm    *detect.SVM     // method=ocsvm
	mad    detect.MADModel // method=mad
	typ    [][2]float64    // lof, ocsvm: 5th–95th percentiles of the training features
	cut    detect.Cut      // which scores are anomalies
	rows   int             // rows it was fitted on
}

// typicalRange is feature j's 5th–95th percentile range in training.
func (b *baseline) typicalRange(j int) (lo, hi float64) {
	if b.forest != nil {
		return b.forest.TypicalRange(j)
	}
	if j < len(b.typ) {
		return b.typ[j][0], b.typ[j][1]
	}
	return math.NaN(), math.NaN()
}

// score fits the baselines on the held rows and scores them: a baseline
// per entity with enough rows under by, and one of all rows for the rest.
// With save= the fitted baselines are stored as one model.
func (o *anomaliesOp) score(all *Batch) (*anomalyResult, error) {
	if o.model != nil {
		return o.apply(all)
	}
	c := o.cmd
	feats, err := resolveFeatures(c, all)
	if err != nil {
		return nil, err
	}
	if c.Method == "mad" && len(feats) > 1 {
		return nil, fmt.Errorf("method=mad scores a single feature; name one of %s", featureNames(feats))
	}
	t := readFeatures(all, feats)
	res := newAnomalyResult(all.Len)
	if c.Method != "iforest" {
		res.round = 1e6
	}
	res.notScored(t)
	bases := o.partition(all, t)
	for _, b := range bases {
		if err := o.fit(b, t, res); err != nil {
			return nil, err
		}
	}
	if c.Save != "" {
		if err := o.save(feats, bases, len(t.scorable())); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// partition makes the baselines to fit: without by, one of all scorable
// rows; with by, one per entity of at least minEntityRows scorable rows,
// and one of all rows that scores the others (rows without an entity
// among them) and is fitted only when some row needs it or it is saved.
func (o *anomaliesOp) partition(all *Batch, t *featureTable) []*baseline {
	rows := t.scorable()
	whole := &baseline{label: baselineAll, all: true, train: rows}
	if o.cmd.By == nil {
		whole.scored = rows
		return []*baseline{whole}
	}
	groups := map[string][]int{}
	var order []string
	col := all.Column(o.cmd.By.Name)
	for _, r := range rows {
		if col[r].K == store.KindNull {
			whole.scored = append(whole.scored, r)
			continue
		}
		k := col[r].String()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var bases []*baseline
	for _, k := range order {
		g := groups[k]
		if len(g) < minEntityRows {
			whole.scored = append(whole.scored, g...)
			continue
		}
		bases = append(bases, &baseline{label: k, train: g, scored: g})
	}
	if len(whole.scored) > 0 || o.cmd.Save != "" {
		slices.Sort(whole.scored)
		bases = append(bases, whole)
	}
	return bases
}

// fit fits b on its training rows, sets its threshold from their scores
// and scores its rows into res. A baseline with no rows stays unfitted.
func (o *anomaliesOp) fit(b *baseline, t *featureTable, res *anomalyResult) error {
	b.rows = len(b.train)
	if len(b.train) == 0 {
		return nil
	}
	b.enc = t.encodings(b.train)
	X := t.matrix(b.enc, b.train)
	c := o.cmd
	switch c.Method {
	case "mad":
		return o.fitMAD(b, X, t, res)
	case "lof", "ocsvm":
		return o.fitDistance(b, X, t, res)
	}
	f, err := detect.Fit(X, detect.Params{Trees: c.Trees, Sample: c.Sample, Seed: uint64(c.Seed)})
	if err != nil {
		return err
	}
	b.forest = f
	scores, err := f.Score(X)
	if err != nil {
		return err
	}
	b.cut = o.cut(b, scores)
	if !slices.Equal(b.scored, b.train) {
		X = t.matrix(b.enc, b.scored)
		if scores, err = f.Score(X); err != nil {
			return err
		}
	}
	b.emit(res, t, b.scored, X, scores, nil)
	return nil
}

// fitMAD scores the single feature by its robust z-score.
func (o *anomaliesOp) fitMAD(b *baseline, X [][]float64, t *featureTable, res *anomalyResult) error {
	x := make([]float64, len(X))
	for i, row := range X {
		x[i] = row[0]
	}
	scores, z, err := detect.MAD(x)
	if err != nil {
		return err
	}
	b.cut = o.cut(b, scores)
	b.mad = detect.FitMAD(x)
	at := b.trainIndex()
	s, zs := make([]float64, len(b.scored)), make([]float64, len(b.scored))
	for i, r := range b.scored {
		s[i], zs[i] = scores[at[r]], z[at[r]]
	}
	b.emit(res, t, b.scored, nil, s, zs)
	return nil
}

// trainIndex maps a held row to its position among b's training rows,
// which its scored rows are among when fitting.
func (b *baseline) trainIndex() map[int]int {
	at := make(map[int]int, len(b.train))
	for i, r := range b.train {
		at[r] = i
	}
	return at
}

// fitDistance fits LOF or the One-Class SVM; a training row's score is
// its own (LOF's factor among the training rows, the SVM's decision).
func (o *anomaliesOp) fitDistance(b *baseline, X [][]float64, t *featureTable, res *anomalyResult) error {
	c := o.cmd
	var scores []float64
	if c.Method == "lof" {
		m, err := detect.FitLOF(X, detect.LOFParams{Neighbors: c.Neighbors})
		if err != nil {
			return err
		}
		b.lof = m
		scores = make([]float64, len(X))
		for i, f := range m.Factors() {
			scores[i] = detect.LOFScore(f)
		}
	} else {
		m, _, err := detect.FitSVM(X, detect.SVMParams{Nu: c.Nu, Gamma: c.Gamma, Seed: uint64(c.Seed)})
		if err != nil {
			return err
		}
		b.svm = m
		if scores, err = b.svmScores(X); err != nil {
			return err
		}
	}
	b.typ = detect.TypicalRanges(X)
	b.cut = o.cut(b, scores)
	at := b.trainIndex()
	s, xs := make([]float64, len(b.scored)), make([][]float64, len(b.scored))
	for i, r := range b.scored {
		s[i], xs[i] = scores[at[r]], X[at[r]]
	}
	b.emit(res, t, b.scored, xs, s, nil)
	return nil
}

// svmScores maps the SVM's decisions on X to anomaly scores.
func (b *baseline) svmScores(X [][]float64) ([]float64, error) {
	f, err := b.svm.Decision(X)
	if err != nil {
		return nil, err
	}
	for i, v := range f {
		f[i] = b.svm.Score(v)
	}
	return f, nil
}

// scoreNew scores rows X with a fitted or loaded baseline: novelty
// scoring for LOF, the decision for the SVM, the z-score for MAD.
func (b *baseline) scoreNew(X [][]float64) (scores, z []float64, err error) {
	switch {
	case b.forest != nil:
		scores, err = b.forest.Score(X)
	case b.lof != nil:
		if scores, err = b.lof.Novelty(X); err == nil {
			for i, f := range scores {
				scores[i] = detect.LOFScore(f)
			}
		}
	case b.svm != nil:
		scores, err = b.svmScores(X)
	default:
		scores, z = make([]float64, len(X)), make([]float64, len(X))
		for i, row := range X {
			z[i] = b.mad.Z(row[0])
			scores[i] = detect.MADScore(z[i])
		}
	}
	return scores, z, err
}

// cut says which scores are anomalies: those above the (1 − C) quantile
// of the training scores, and the top rows when they tie at it (see
// detect.ContaminationCut), or those above 0.5 with contamination=auto. A
// tie that reaches into the top C gets a warning, flagged or not, unless
// every row ties.
func (o *anomaliesOp) cut(b *baseline, scores []float64) detect.Cut {
	if o.cmd.Auto {
		return detect.Cut{Threshold: detect.AutoThreshold}
	}
	cut := detect.ContaminationCut(scores, o.cmd.Contamination)
	if cut.Tied > 0 && cut.Tied < len(scores) { // when every row ties, nothing stands out
		of, verdict := "", "are not flagged"
		if o.cmd.By != nil {
			of = " of baseline " + quoteIfNeeded(b.label)
		}
		if cut.Inclusive {
			verdict = "are all flagged"
		}
		o.opt.warn("anomalies: %d rows%s tie at the threshold score %s and %s: %d flagged where contamination=%s asks for %d",
			cut.Tied, of, formatNumber(cut.Threshold), verdict, cut.Flagged,
			strconv.FormatFloat(o.cmd.Contamination, 'g', -1, 64), cut.Wanted)
	}
	return cut
}

// reasonScore is the score above which a row that is not flagged still
// gets a reason: "worth a look" in the help's reading of scores.
const reasonScore = 0.6

// emit records the scores of rows (and, for MAD, their z) with b's flag,
// label and, for rows that are flagged or score above reasonScore, a
// reason. Rows with the same features share one explanation.
func (b *baseline) emit(res *anomalyResult, t *featureTable, rows []int, X [][]float64, scores, z []float64) {
	seen := map[string]string{} // reasons by feature vector
	for i, r := range rows {
		s := scores[i]
		res.score[r], res.baseline[r] = s, b.label
		res.flag[r] = b.cut.Flag(s)
		if !res.flag[r] && !(s > reasonScore) {
			continue
		}
		if z != nil {
			res.reason[r] = b.madReason(t, r, z[i])
			continue
		}
		x := X[i]
		key := unsafe.String((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 8*len(x)) // the vector's bits
		reason, ok := seen[key]
		if !ok {
			if b.forest != nil {
				reason = b.forestReason(t, r, x)
			} else {
				reason = b.distanceReason(t, r, x, s)
			}
			seen[strings.Clone(key)] = reason
		}
		res.reason[r] = reason
	}
}

// notScored gives the rows that cannot be scored their note as reason.
func (r *anomalyResult) notScored(t *featureTable) {
	for i, n := range t.note {
		if n != "" {
			r.reason[i] = "not scored: " + n
		}
	}
}

// Reasons name the features whose splits isolated a row (Explain's
// shares), largest first: those with at least minShare of the credit, at
// most maxReasons of them.
const (
	minShare   = 0.15
	maxReasons = 3
)

func (b *baseline) forestReason(t *featureTable, r int, x []float64) string {
	shares := b.forest.Explain(x)
	order := make([]int, len(shares))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(i, k int) bool { return shares[order[i]] > shares[order[k]] })
	var parts []string
	for _, j := range order {
		if shares[j] <= 0 || (len(parts) > 0 && shares[j] < minShare) || len(parts) == maxReasons {
			break
		}
		parts = append(parts, b.describe(t, j, r))
	}
	if len(parts) == 0 {
		return "no single feature stands out"
	}
	return strings.Join(parts, "; ")
}

// describe says how row r's feature j compares with the training rows:
// a number against its 5th–95th percentile range, a text value by how
// many training rows had it.
func (b *baseline) describe(t *featureTable, j, r int) string {
	name := t.feats[j].name
	if t.text[j] != nil {
		return name + "=" + b.textValue(t, j, r)
	}
	lo, hi := b.typicalRange(j)
	typical := formatNumber(lo)
	if lo != hi {
		typical += "–" + formatNumber(hi)
	}
	return fmt.Sprintf("%s=%s (typical %s)", name, formatNumber(t.num[j][r]), typical)
}

// textValue is a text feature's value and how common it was.
func (b *baseline) textValue(t *featureTable, j, r int) string {
	v := t.text[j][r]
	shown := "null"
	if v.K != store.KindNull {
		shown = quoteIfNeeded(v.String())
	}
	enc := b.enc[j]
	if k := enc.count(v); k > 0 {
		return fmt.Sprintf("%s (in %d of %d rows)", shown, k, enc.Rows)
	}
	return fmt.Sprintf("%s (never seen in %d rows)", shown, enc.Rows)
}

func (b *baseline) madReason(t *featureTable, r int, z float64) string {
	name := t.feats[0].name
	zs := formatNumber(math.Round(z*10) / 10)
	if t.text[0] != nil {
		return fmt.Sprintf("%s=%s, z=%s", name, b.textValue(t, 0, r), zs)
	}
	return fmt.Sprintf("%s=%s (median %s, z=%s)", name, formatNumber(t.num[0][r]), formatNumber(b.mad.Median), zs)
}

// distanceReason says how LOF or the SVM sees the row, then names the
// features furthest outside their typical training range (in widths of
// that range, on the encoded values, so rare text counts too), at most
// maxReasons of them.
func (b *baseline) distanceReason(t *featureTable, r int, x []float64, score float64) string {
	var lead string
	if b.lof != nil {
		f := 1.5 * score / (1 - score) // LOFScore's inverse
		lead = fmt.Sprintf("local outlier factor %s (its neighbourhood is that much sparser than its neighbours')", formatNumber(math.Round(f*100)/100))
	} else {
		lead = "outside the One-Class SVM's boundary"
		if score <= 0.5 {
			lead = "near the One-Class SVM's boundary"
		}
	}
	type dev struct {
		j int
		d float64
	}
	var devs []dev
	for j, v := range x {
		lo, hi := b.typicalRange(j)
		w := hi - lo
		if w == 0 {
			w = math.Max(math.Abs(lo), 1)
		}
		switch {
		case v < lo:
			devs = append(devs, dev{j, (lo - v) / w})
		case v > hi:
			devs = append(devs, dev{j, (v - hi) / w})
		}
	}
	sort.SliceStable(devs, func(i, k int) bool { return devs[i].d > devs[k].d })
	var parts []string
	for _, d := range devs[:min(len(devs), maxReasons)] {
		parts = append(parts, b.describe(t, d.j, r))
	}
	if len(parts) == 0 {
		return lead + "; every feature is within its typical range, the combination is what is unusual"
	}
	return lead + "; " + strings.Join(parts, "; ")
}

func featureNames(feats []feature) string {
	names := make([]string, len(feats))
	for i, f := range feats {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}
