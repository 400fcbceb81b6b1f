package refeval

import (
	"fmt"
	"math"
	"slices"

	"loghunt/detect"
	"loghunt/query"
	"loghunt/store"
)

// PrefixMark starts a value that stands for any text that begins with the
// rest: the anomaly_reason refeval gives is "\x00" for a scored row with a
// reason and "\x00not scored: " for a row that could not be scored, since
// the wording of a reason (which features isolated the row, their typical
// ranges) is the engine's to choose.
const PrefixMark = "\x00"

// anomalies scores the rows by SPEC §3 and .help anomalies: Isolation
// Forest (the detect package's, fitted on the same rows in the same
// order with the same parameters) or MAD's robust z-score; a baseline per
// by value with at least 32 scorable rows, the others scored by a
// baseline of all scorable rows; flagged above the (1 − C) quantile of
// the baseline's training scores (top rows tied there above 0.5 all
// flagged), or above 0.5 with contamination=auto. Saved models are not
// covered: the test gives the features explicitly and saves nothing.
func anomalies(c *query.AnomaliesCmd, rows []Row) ([]Row, error) {
	if c.Save != "" || c.Model != "" || len(c.Features) == 0 {
		return nil, fmt.Errorf("refeval: anomalies needs listed features and no save= or model=")
	}
	if len(rows) == 0 {
		return rows, nil
	}
	type feat struct {
		name string
		text bool
	}
	var feats []feat
	for _, f := range c.Features {
		present, numeric := false, true
		for _, r := range rows {
			if v := r.Get(f.Name); v.K != store.KindNull {
				present = true
				if _, ok := asFloat(v); !ok {
					numeric = false
				}
			}
		}
		if !present {
			return nil, fmt.Errorf("anomalies: no row has the feature %s", f.Name)
		}
		feats = append(feats, feat{f.Name, !numeric})
	}
	// Which rows can be scored: a numeric feature must be a finite number.
	var scorable []int
	note := make([]string, len(rows))
	for i, r := range rows {
		for _, f := range feats {
			if f.text {
				continue
			}
			v := r.Get(f.name)
			x, ok := asFloat(v)
			switch {
			case v.K == store.KindNull:
				note[i] = f.name + " is null"
			case !ok:
				note[i] = fmt.Sprintf("%s is not a number", f.name)
			case math.IsNaN(x) || math.IsInf(x, 0):
				note[i] = fmt.Sprintf("%s is %v", f.name, x)
			}
			if note[i] != "" {
				break
			}
		}
		if note[i] == "" {
			scorable = append(scorable, i)
		}
	}
	// Baselines: (label, training rows, scored rows).
	type baseline struct {
		label         string
		train, scored []int
	}
	whole := &baseline{label: "all", train: scorable}
	var bases []*baseline
	if c.By == nil {
		whole.scored = scorable
		bases = []*baseline{whole}
	} else {
		groups := map[string][]int{}
		var order []string
		for _, i := range scorable {
			v := rows[i].Get(c.By.Name)
			if v.K == store.KindNull {
				whole.scored = append(whole.scored, i)
				continue
			}
			k := v.String()
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], i)
		}
		for _, k := range order {
			if g := groups[k]; len(g) >= 32 {
				bases = append(bases, &baseline{label: k, train: g, scored: g})
			} else {
				whole.scored = append(whole.scored, g...)
			}
		}
		if len(whole.scored) > 0 {
			slices.Sort(whole.scored)
			bases = append(bases, whole)
		}
	}
	score := make([]float64, len(rows))
	flag := make([]bool, len(rows))
	label := make([]string, len(rows))
	for i := range score {
		score[i] = math.NaN()
	}
	round := 1e4
	if c.Method == "mad" {
		round = 1e6
	}
	for _, b := range bases {
		if len(b.train) == 0 {
			continue
		}
		// Text features are coded by how rare their value is in training.
		codes := make([]func(store.Value) float64, len(feats))
		for j, f := range feats {
			if !f.text {
				continue
			}
			counts := map[string]int{}
			for _, i := range b.train {
				v := rows[i].Get(f.name)
				k := "\x00null"
				if v.K != store.KindNull {
					k = "v" + v.String()
				}
				counts[k]++
			}
			n := float64(len(b.train))
			codes[j] = func(v store.Value) float64 {
				k := "\x00null"
				if v.K != store.KindNull {
					k = "v" + v.String()
				}
				if c := counts[k]; c > 0 {
					return math.Log(n / float64(c))
				}
				return math.Log(2 * n)
			}
		}
		matrix := func(idx []int) [][]float64 {
			X := make([][]float64, len(idx))
			for k, i := range idx {
				X[k] = make([]float64, len(feats))
				for j, f := range feats {
					if f.text {
						X[k][j] = codes[j](rows[i].Get(f.name))
					} else {
						X[k][j], _ = asFloat(rows[i].Get(f.name))
					}
				}
			}
			return X
		}
		X := matrix(b.train)
		var trainScores, scored []float64
		if c.Method == "mad" {
			x := make([]float64, len(X))
			for k := range X {
				x[k] = X[k][0]
			}
			trainScores = madScores(x)
			at := map[int]float64{}
			for k, i := range b.train {
				at[i] = trainScores[k]
			}
			for _, i := range b.scored {
				scored = append(scored, at[i])
			}
		} else {
			f, err := detect.Fit(X, detect.Params{Trees: c.Trees, Sample: c.Sample, Seed: uint64(c.Seed)})
			if err != nil {
				return nil, err
			}
			if trainScores, err = f.Score(X); err != nil {
				return nil, err
			}
			if scored, err = f.Score(matrix(b.scored)); err != nil {
				return nil, err
			}
		}
		isAnomaly := cutOf(trainScores, c)
		for k, i := range b.scored {
			score[i], flag[i], label[i] = scored[k], isAnomaly(scored[k]), b.label
		}
	}
	for i, r := range rows {
		r.Set("anomaly_score", store.Null)
		if !math.IsNaN(score[i]) {
			r.Set("anomaly_score", store.Float(math.Round(score[i]*round)/round))
		}
		r.Set("is_anomaly", store.Bool(flag[i]))
		r.Set("anomaly_reason", store.Null)
		if note[i] != "" {
			r.Set("anomaly_reason", store.Str(PrefixMark+"not scored: "))
		} else if flag[i] || score[i] > 0.6 {
			r.Set("anomaly_reason", store.Str(PrefixMark))
		}
		if c.By != nil {
			r.Set("anomaly_baseline", store.Null)
			if label[i] != "" {
				r.Set("anomaly_baseline", store.Str(label[i]))
			}
		}
	}
	return rows, nil
}

// madScores is 1 − 1/(1 + log2(1 + |z|/3.5)) of each value's robust
// z-score 0.6745 (x − median) / MAD, or, when the MAD is 0, (x − median)
// / (1.2533 · mean absolute deviation); all 0 when every value is equal.
func madScores(x []float64) []float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	med := numpyPercentile(s, 50)
	dev := make([]float64, len(s))
	for i, v := range s {
		dev[i] = math.Abs(v - med)
	}
	slices.Sort(dev)
	scale := numpyPercentile(dev, 50) / 0.6745
	if scale == 0 {
		sum := 0.0
		for _, d := range dev {
			sum += d
		}
		scale = 1.2533 * sum / float64(len(dev))
	}
	out := make([]float64, len(x))
	if scale == 0 {
		return out
	}
	for i, v := range x {
		z := (v - med) / scale
		if math.IsInf(z, 0) {
			out[i] = math.Nextafter(1, 0)
			continue
		}
		out[i] = 1 - 1/(1+math.Log2(1+math.Abs(z)/3.5))
	}
	return out
}

// numpyPercentile is numpy's default (linear) percentile of sorted values.
func numpyPercentile(s []float64, p float64) float64 {
	v := float64(len(s)-1) * p / 100
	if v >= float64(len(s)-1) {
		return s[len(s)-1]
	}
	lo := math.Floor(v)
	g := v - lo
	a, b := s[int(lo)], s[int(lo)+min(1, len(s)-1-int(lo))]
	if g == 0 {
		return a
	}
	if g >= 0.5 {
		return b - (b-a)*(1-g)
	}
	return a + (b-a)*g
}

// cutOf decides which scores are anomalies: above the (1 − C) quantile of
// the training scores; when the rows of the top score reach below the
// quantile's position, it is above 0.5 and some row scores lower, those
// tied rows too. With contamination=auto, above 0.5.
func cutOf(train []float64, c *query.AnomaliesCmd) func(float64) bool {
	if c.Auto {
		return func(s float64) bool { return s > 0.5 }
	}
	s := slices.Clone(train)
	slices.Sort(s)
	n := len(s)
	q := 100 * (1 - c.Contamination)
	th := numpyPercentile(s, q)
	pos := int(math.Floor(float64(n-1) * q / 100))
	if float64(n-1)*q/100 >= float64(n-1) {
		pos = n - 1
	}
	inclusive := false
	if top := pos + 1; top < n && s[top] == th && s[n-1] == th && s[0] < th && th > 0.5 {
		inclusive = true
	}
	return func(x float64) bool { return x > th || inclusive && x == th }
}
