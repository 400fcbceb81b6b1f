package query

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"time"

	"loghunt/detect"
	"loghunt/store"
)

// A saved model (anomalies save=NAME) is one blob, written by one PutModel
// call so that a crash leaves it whole or absent:
//
//	magic "LHAM", format version (1 byte, now 1)
//	header length (uvarint), header (JSON, savedModel)
//	per baseline, in the header's order: length (uvarint), the fitted
//	    model by the header's method: iforest the forest
//	    (detect.Forest.MarshalBinary, itself versioned and checksummed),
//	    lof the training rows with their k-distances and densities
//	    (detect.LOF.MarshalBinary), ocsvm the support vectors or Fourier
//	    weights (detect.SVM.MarshalBinary), mad nothing (its median and
//	    scale are in the header)
//	CRC-32 (IEEE) of everything before it (4 bytes little-endian)
//
// The header holds what scoring new rows needs besides the forests: the
// feature names and which are text, each baseline's rarity encodings and
// threshold, and what `loghunt models` lists.
const (
	modelMagic   = "LHAM"
	modelVersion = 1
)

// savedModel is the header of a saved model.
type savedModel struct {
	Method        string          `json:"method"`
	Features      []string        `json:"features"`
	Text          []bool          `json:"text"` // per feature: encoded by rarity
	By            string          `json:"by,omitempty"`
	Contamination float64         `json:"contamination,omitempty"`
	Auto          bool            `json:"auto,omitempty"`
	Trees         int             `json:"trees"`
	Sample        int             `json:"sample"`
	Seed          int64           `json:"seed"`
	Neighbors     int             `json:"n_neighbors,omitempty"` // lof
	Nu            float64         `json:"nu,omitempty"`          // ocsvm
	Gamma         float64         `json:"gamma,omitempty"`       // ocsvm as fitted (scale resolved)
	Rows          int             `json:"rows"`
	Created       time.Time       `json:"created"`
	Baselines     []savedBaseline `json:"baselines"`

	fitted []*baseline // per baseline, its decoded model (forest, lof, svm or mad)
}

// savedBaseline is one baseline of a saved model: an entity's, or all
// rows' (which scores entities the model has no baseline for).
type savedBaseline struct {
	Entity    string       `json:"entity,omitempty"`
	All       bool         `json:"all,omitempty"`
	Rows      int          `json:"rows"`
	Threshold float64      `json:"threshold"`
	Inclusive bool         `json:"inclusive,omitempty"` // a score equal to Threshold is flagged too (rows tied at it when fitted)
	Encodings []*rarity    `json:"encodings"`           // per feature; null for numeric ones
	Median    float64      `json:"median,omitempty"`    // mad
	Scale     float64      `json:"scale,omitempty"`     // mad
	Typical   [][2]float64 `json:"typical,omitempty"`   // lof, ocsvm: per feature, the 5th and 95th percentiles in training
}

func (m *savedModel) contamination() string {
	if m.Auto {
		return "auto"
	}
	return strconv.FormatFloat(m.Contamination, 'g', -1, 64)
}

// save stores the fitted baselines as model c.Save.
func (o *anomaliesOp) save(feats []feature, bases []*baseline, rows int) error {
	c := o.cmd
	if rows == 0 {
		return fmt.Errorf("save=%s: no row could be scored, so there is no model to save", c.Save)
	}
	m := &savedModel{Method: c.Method, By: "", Contamination: c.Contamination, Auto: c.Auto,
		Seed: c.Seed, Rows: rows, Created: time.Now().UTC()}
	switch c.Method {
	case "iforest":
		m.Trees, m.Sample = c.Trees, c.Sample
	case "lof":
		m.Neighbors = c.Neighbors
	case "ocsvm":
		m.Nu = c.Nu
	}
	if c.By != nil {
		m.By = c.By.Name
	}
	for _, f := range feats {
		m.Features = append(m.Features, f.name)
		m.Text = append(m.Text, f.text)
	}
	for _, b := range bases {
		m.Baselines = append(m.Baselines, savedBaseline{Entity: b.label, All: b.all, Rows: b.rows,
			Threshold: b.cut.Threshold, Inclusive: b.cut.Inclusive, Encodings: b.enc,
			Median: b.mad.Median, Scale: b.mad.Scale, Typical: b.typ})
		m.fitted = append(m.fitted, b)
		if b.svm != nil {
			m.Gamma = b.svm.Gamma
		}
	}
	if c.By == nil {
		m.Baselines[0].Entity = ""
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		return fmt.Errorf("save=%s: %w", c.Save, err)
	}
	if !c.Replace {
		// Checked when the plan was made; again here, for a model saved
		// meanwhile by an earlier stage of the same query.
		if err := refuseReplace(o.models, c.Save); err != nil {
			return err
		}
	}
	if err := o.models.PutModel(c.Save, blob); err != nil {
		return fmt.Errorf("save=%s: %w", c.Save, err)
	}
	return nil
}

// MarshalBinary encodes the model in the format above.
func (m *savedModel) MarshalBinary() ([]byte, error) {
	head, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	b := append([]byte(modelMagic), modelVersion)
	b = binary.AppendUvarint(b, uint64(len(head)))
	b = append(b, head...)
	for _, f := range m.fitted {
		var fb []byte
		var err error
		switch {
		case f.forest != nil:
			fb, err = f.forest.MarshalBinary()
		case f.lof != nil:
			fb, err = f.lof.MarshalBinary()
		case f.svm != nil:
			fb, err = f.svm.MarshalBinary()
		}
		if err != nil {
			return nil, err
		}
		b = binary.AppendUvarint(b, uint64(len(fb)))
		b = append(b, fb...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// decodeModel decodes and checks a blob written by MarshalBinary.
func decodeModel(blob []byte) (*savedModel, error) {
	if len(blob) < len(modelMagic)+1+4 || string(blob[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("not a loghunt anomalies model")
	}
	if v := blob[len(modelMagic)]; v != modelVersion {
		return nil, fmt.Errorf("model format version %d; this loghunt reads version %d (save the model again)", v, modelVersion)
	}
	body, sum := blob[:len(blob)-4], binary.LittleEndian.Uint32(blob[len(blob)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("model is damaged (checksum mismatch)")
	}
	rest := body[len(modelMagic)+1:]
	head, rest, err := lengthPrefixed(rest)
	if err != nil {
		return nil, err
	}
	m := &savedModel{}
	if err := json.Unmarshal(head, m); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if len(m.Features) == 0 || len(m.Text) != len(m.Features) || len(m.Baselines) == 0 {
		return nil, errors.New("model header: no features or no baselines")
	}
	if !slices.Contains(anomalyMethods, m.Method) {
		return nil, fmt.Errorf("model header: unknown method %q (saved by a newer loghunt?)", m.Method)
	}
	for i, sb := range m.Baselines {
		var fb []byte
		if fb, rest, err = lengthPrefixed(rest); err != nil {
			return nil, err
		}
		b := &baseline{}
		features := 1
		switch m.Method {
		case "iforest":
			b.forest = &detect.Forest{}
			err = b.forest.UnmarshalBinary(fb)
			features = b.forest.Features()
		case "lof":
			b.lof = &detect.LOF{}
			err = b.lof.UnmarshalBinary(fb)
			features = b.lof.Features()
		case "ocsvm":
			b.svm = &detect.SVM{}
			err = b.svm.UnmarshalBinary(fb)
			features = b.svm.Features()
		case "mad":
			b.mad = detect.MADModel{Median: sb.Median, Scale: sb.Scale}
			if len(fb) != 0 {
				err = fmt.Errorf("model baseline %d: a mad baseline has no body", i)
			}
		}
		if err != nil {
			return nil, err
		}
		if (m.Method == "lof" || m.Method == "ocsvm") && len(sb.Typical) != len(m.Features) {
			return nil, fmt.Errorf("model baseline %d has no typical ranges", i)
		}
		if err := m.checkBaseline(i, features); err != nil {
			return nil, err
		}
		m.fitted = append(m.fitted, b)
	}
	if len(rest) != 0 {
		return nil, errors.New("model has trailing bytes")
	}
	if _, index := m.baselines(); index[baselineAll] == nil {
		return nil, errors.New("model has no baseline of all rows")
	}
	return m, nil
}

func (m *savedModel) checkBaseline(i int, features int) error {
	b := m.Baselines[i]
	if features != len(m.Features) || len(b.Encodings) != len(m.Features) || b.Rows < 1 {
		return fmt.Errorf("model baseline %d does not match its %d features", i, len(m.Features))
	}
	for j, text := range m.Text {
		if text != (b.Encodings[j] != nil) {
			return fmt.Errorf("model baseline %d: feature %s has no encoding", i, m.Features[j])
		}
	}
	return nil
}

func lengthPrefixed(b []byte) (part, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, errors.New("model is truncated")
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}

// modelLister is what a ModelStore may also do: list its models, for the
// error that names a missing one.
type modelLister interface {
	Models() (names []string, blobs [][]byte, err error)
}

// loadModel loads and decodes the named model.
func loadModel(ms ModelStore, name string) (*savedModel, error) {
	if ms == nil {
		return nil, fmt.Errorf("anomalies model=%s: this run has no database to load models from", name)
	}
	blob, ok, err := ms.Model(name)
	if err != nil {
		return nil, fmt.Errorf("anomalies model=%s: %w", name, err)
	}
	if !ok {
		return nil, fmt.Errorf("anomalies model=%s: no saved model of that name%s", name, savedHint(ms))
	}
	m, err := decodeModel(blob)
	if err != nil {
		return nil, fmt.Errorf("anomalies model=%s: %w", name, err)
	}
	return m, nil
}

func savedHint(ms ModelStore) string {
	l, ok := ms.(modelLister)
	if !ok {
		return ""
	}
	names, _, err := l.Models()
	if err != nil || len(names) == 0 {
		return " (none are saved: fit one with anomalies ... save=NAME)"
	}
	return " (saved: " + strings.Join(names, ", ") + ")"
}

// apply scores the held rows with the stored model, without refitting:
// each row by its entity's baseline when the model has one, else by the
// baseline of all rows.
func (o *anomaliesOp) apply(all *Batch) (*anomalyResult, error) {
	m := o.model
	feats := make([]feature, len(m.Features))
	for j, name := range m.Features {
		if _, present := numericColumn(all, name); !present {
			return nil, fmt.Errorf("model %s needs the feature %s, which no row has (fields: %s)", o.cmd.Model, name, fieldsHint(all))
		}
		feats[j] = feature{name: name, text: m.Text[j]}
	}
	t := readFeatures(all, feats)
	res := newAnomalyResult(all.Len)
	if m.Method != "iforest" {
		res.round = 1e6
	}
	res.notScored(t)
	bases, byEntity := m.baselines()
	var entity []store.Value
	if m.By != "" {
		entity = all.Column(m.By)
	}
	for _, r := range t.scorable() {
		b := byEntity[baselineAll]
		if entity != nil && entity[r].K != store.KindNull {
			if eb := byEntity["="+entity[r].String()]; eb != nil {
				b = eb
			}
		}
		b.scored = append(b.scored, r)
	}
	for _, b := range bases {
		if len(b.scored) == 0 {
			continue
		}
		X := t.matrix(b.enc, b.scored)
		scores, z, err := b.scoreNew(X)
		if err != nil {
			return nil, err
		}
		b.emit(res, t, b.scored, X, scores, z)
	}
	return res, nil
}

// baselines turns the stored baselines into scoring ones, indexed by
// "all" and by "=" + entity value.
func (m *savedModel) baselines() ([]*baseline, map[string]*baseline) {
	var bases []*baseline
	index := map[string]*baseline{}
	for i, sb := range m.Baselines {
		f := m.fitted[i]
		b := &baseline{label: baselineAll, all: sb.All, enc: sb.Encodings, forest: f.forest,
			lof: f.lof, svm: f.svm, mad: f.mad, typ: sb.Typical,
			cut: detect.Cut{Threshold: sb.Threshold, Inclusive: sb.Inclusive}, rows: sb.Rows}
		key := baselineAll
		if !sb.All {
			b.label, key = sb.Entity, "="+sb.Entity
		}
		bases = append(bases, b)
		index[key] = b
	}
	return bases, index
}

// ModelInfo describes a saved model, for `loghunt models`.
type ModelInfo struct {
	Method        string
	Features      []string
	By            string // the entity field of per-entity baselines, or ""
	Baselines     int    // entity baselines plus the one of all rows
	Rows          int    // rows the model was fitted on
	Trees, Sample int
	Seed          int64
	Contamination string // a fraction, or "auto"
	Created       time.Time
}

// DescribeModel decodes a blob stored by anomalies save=NAME or
// firstseen save=NAME.
func DescribeModel(blob []byte) (ModelInfo, error) {
	if isFirstseenModel(blob) {
		f, err := decodeFirstseen(blob)
		if err != nil {
			return ModelInfo{}, err
		}
		return ModelInfo{Method: "firstseen", Features: []string{f.Field}, By: f.By, Baselines: len(f.Values), Rows: f.Rows, Created: f.Created}, nil
	}
	m, err := decodeModel(blob)
	if err != nil {
		return ModelInfo{}, err
	}
	return ModelInfo{Method: m.Method, Features: m.Features, By: m.By, Baselines: len(m.Baselines),
		Rows: m.Rows, Trees: m.Trees, Sample: m.Sample, Seed: m.Seed,
		Contamination: m.contamination(), Created: m.Created}, nil
}
