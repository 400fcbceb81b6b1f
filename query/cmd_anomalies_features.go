package query

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"loghunt/store"
)

// feature is one field anomalies scores, and how its values become numbers.
type feature struct {
	name string
	text bool // a string field, encoded by how rare its value is (see rarity)
}

// featureTable holds the features of every held row, read once.
type featureTable struct {
	feats []feature
	num   [][]float64     // num[j][row] for a numeric feature j, nil for text
	text  [][]store.Value // text[j] is the column of a text feature j, nil for numeric
	note  []string        // why a row cannot be scored, "" when it can
}

// resolveFeatures decides the features of a fit from the held rows: the
// listed fields, or every numeric field but _time, the by field and the
// columns anomalies itself adds. A field is numeric when every value it
// has is a number (ints, floats, bools, times, strings that parse as
// numbers); a listed field with other values is text.
func resolveFeatures(c *AnomaliesCmd, b *Batch) ([]feature, error) {
	if len(c.Features) > 0 {
		var feats []feature
		for _, f := range c.Features {
			numeric, present := numericColumn(b, f.Name)
			if !present {
				return nil, fmt.Errorf("no row has the feature %s (fields: %s)", f.Name, fieldsHint(b))
			}
			feats = append(feats, feature{name: f.Name, text: !numeric})
		}
		return feats, nil
	}
	skip := map[string]bool{"_time": true}
	for _, n := range anomalyColumns {
		skip[n] = true
	}
	if c.By != nil {
		skip[c.By.Name] = true
	}
	var feats []feature
	for _, name := range b.Fields {
		if numeric, present := numericColumn(b, name); numeric && present && !skip[name] {
			feats = append(feats, feature{name: name})
		}
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("no numeric field to score (fields: %s); list the features, e.g. anomalies count", fieldsHint(b))
	}
	return feats, nil
}

// numericColumn reports whether every non-null value of the named column
// is a number, and whether it has any non-null value at all.
func numericColumn(b *Batch, name string) (numeric, present bool) {
	c := b.Col(name)
	if c < 0 {
		return false, false
	}
	numeric = true
	for _, v := range b.Cols[c] {
		if v.K == store.KindNull {
			continue
		}
		present = true
		if _, ok := v.Number(); !ok {
			numeric = false
			break
		}
	}
	return numeric, present
}

// fieldsHint lists a batch's fields for an error message, sorted and cut
// after a dozen.
func fieldsHint(b *Batch) string {
	names := append([]string(nil), b.Fields...)
	sort.Strings(names)
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	return strings.Join(names, ", ")
}

// readFeatures reads the features of every row of b. A row whose numeric
// feature is null, not a number or not finite (NaN, ±Inf) cannot be scored:
// it is left out of the fit and gets a note saying why. A text feature
// takes any value, null included (null is a value of its own).
func readFeatures(b *Batch, feats []feature) *featureTable {
	t := &featureTable{feats: feats, num: make([][]float64, len(feats)),
		text: make([][]store.Value, len(feats)), note: make([]string, b.Len)}
	for j, f := range feats {
		col := b.Column(f.name)
		if f.text {
			t.text[j] = col
			continue
		}
		nums := make([]float64, b.Len)
		for r, v := range col {
			x, ok := v.Number()
			switch {
			case v.K == store.KindNull:
				t.noteOnce(r, f.name+" is null")
			case !ok:
				t.noteOnce(r, fmt.Sprintf("%s is not a number (%s)", f.name, quoteIfNeeded(v.S)))
			case math.IsNaN(x) || math.IsInf(x, 0):
				t.noteOnce(r, fmt.Sprintf("%s is %v", f.name, x))
			}
			nums[r] = x
		}
		t.num[j] = nums
	}
	return t
}

func (t *featureTable) noteOnce(r int, msg string) {
	if t.note[r] == "" {
		t.note[r] = msg
	}
}

// scorable lists the rows that can be scored, in order.
func (t *featureTable) scorable() []int {
	rows := make([]int, 0, len(t.note))
	for r, n := range t.note {
		if n == "" {
			rows = append(rows, r)
		}
	}
	return rows
}

// matrix returns the feature vectors of rows under the text encodings enc.
func (t *featureTable) matrix(enc []*rarity, rows []int) [][]float64 {
	d := len(t.feats)
	flat := make([]float64, len(rows)*d)
	X := make([][]float64, len(rows))
	for i, r := range rows {
		x := flat[i*d : (i+1)*d : (i+1)*d]
		for j := range t.feats {
			if t.text[j] != nil {
				x[j] = enc[j].code(t.text[j][r])
			} else {
				x[j] = t.num[j][r]
			}
		}
		X[i] = x
	}
	return X
}

// encodings counts the values of the text features over rows: the
// rarity encodings of a baseline fitted on them (nil for numeric ones).
func (t *featureTable) encodings(rows []int) []*rarity {
	enc := make([]*rarity, len(t.feats))
	for j := range t.feats {
		if t.text[j] == nil {
			continue
		}
		r := &rarity{Counts: map[string]int{}, Rows: len(rows)}
		for _, row := range rows {
			if v := t.text[j][row]; v.K == store.KindNull {
				r.Null++
			} else {
				r.Counts[v.String()]++
			}
		}
		enc[j] = r
	}
	return enc
}

// rarity encodes a text feature by how rare its value was among the rows
// a baseline was fitted on: code = ln(rows / count), 0 for a value every
// row had, larger the rarer. A value never seen scores as if seen half a
// time, ln(2·rows), rarer than any seen. Null counts as a value of its
// own. The counts travel with a saved model.
type rarity struct {
	Counts map[string]int `json:"counts"`
	Null   int            `json:"null,omitempty"`
	Rows   int            `json:"rows"`
}

func (r *rarity) count(v store.Value) int {
	if v.K == store.KindNull {
		return r.Null
	}
	return r.Counts[v.String()]
}

func (r *rarity) code(v store.Value) float64 {
	n := float64(max(r.Rows, 1))
	if k := r.count(v); k > 0 {
		return math.Log(n / float64(k))
	}
	return math.Log(2 * n)
}

// formatNumber prints a number for a reason: integers without decimals,
// others to three significant digits (no exponent from 0.001 to 10^15).
func formatNumber(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'g', -1, 64)
	case x == math.Trunc(x) && math.Abs(x) < 1e15:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case math.Abs(x) >= 100 && math.Abs(x) < 1e15:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case math.Abs(x) >= 0.001 && math.Abs(x) < 100:
		digits := 2 - int(math.Floor(math.Log10(math.Abs(x))))
		s := strconv.FormatFloat(x, 'f', digits, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// quoteIfNeeded quotes a value for a reason when it is empty or holds
// spaces, quotes or the separator ';'.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t;\"") {
		return strconv.Quote(s)
	}
	return s
}
