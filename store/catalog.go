package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// maxExamples is how many distinct example values the catalog keeps.
const maxExamples = 5

// FieldStat is what the catalog knows of one field.
type FieldStat struct {
	Name     string   `json:"-"`
	Kinds    [6]int64 `json:"kinds"` // events with a value of each Kind (null not counted)
	Examples []string `json:"examples,omitempty"`
}

// Events returns how many events have a non-null value of the field.
func (f *FieldStat) Events() int64 {
	var n int64
	for k := KindString; k <= KindTime; k++ {
		n += f.Kinds[k]
	}
	return n
}

// Type names the field's type: one kind, or the kinds it mixes.
func (f *FieldStat) Type() string {
	var names []string
	for k := KindString; k <= KindTime; k++ {
		if f.Kinds[k] > 0 {
			names = append(names, k.String())
		}
	}
	if len(names) == 0 {
		return "null"
	}
	if len(names) == 1 {
		return names[0]
	}
	return "mixed(" + strings.Join(names, ",") + ")"
}

func newFieldStat(name string, vals []Value, kinds uint8) FieldStat {
	fs := FieldStat{Name: name}
	for i := range vals {
		fs.Kinds[vals[i].K]++
	}
	fs.Kinds[KindNull] = 0
	// Examples come from the first rows: enough to show what a field holds
	// without formatting every value.
	for i := 0; i < len(vals) && i < 256 && len(fs.Examples) < maxExamples; i++ {
		if vals[i].K == KindNull {
			continue
		}
		fs.addExample(vals[i].String())
	}
	return fs
}

// addExample adds an example value, cut to 80 bytes, unless it has it.
func (f *FieldStat) addExample(s string) {
	if len(s) > 80 {
		s = s[:80]
	}
	if !slices.Contains(f.Examples, s) {
		// A copy: the value views the ingest block, which would stay in
		// memory as long as the example (until the commit).
		f.Examples = append(f.Examples, strings.Clone(s))
	}
}

func (f *FieldStat) merge(o *FieldStat) {
	for k := range f.Kinds {
		f.Kinds[k] += o.Kinds[k]
	}
	for _, e := range o.Examples {
		if len(f.Examples) >= maxExamples {
			break
		}
		if !slices.Contains(f.Examples, e) {
			f.Examples = append(f.Examples, e)
		}
	}
}

func decodeFieldStat(name string, b []byte) (FieldStat, error) {
	fs := FieldStat{Name: name}
	if err := json.Unmarshal(b, &fs); err != nil {
		return fs, fmt.Errorf("field %q: %w", name, err)
	}
	return fs, nil
}
