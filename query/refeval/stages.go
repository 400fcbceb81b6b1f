package refeval

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"

	"loghunt/drain"
	"loghunt/query"
	"loghunt/store"
)

// rex sets each named group that took part in the first match of the
// regex in the field (null: no match); other fields stay as they were.
func rex(c *query.RexCmd, rows []Row) ([]Row, error) {
	re, err := regexp.Compile(string(c.Regex.Value))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		src := r.Get(c.Field)
		if src.K == store.KindNull {
			continue
		}
		text := src.String()
		m := re.FindStringSubmatchIndex(text)
		if m == nil {
			continue
		}
		for g, name := range re.SubexpNames() {
			if name != "" && m[2*g] >= 0 {
				r.Set(name, store.Str(text[m[2*g]:m[2*g+1]]))
			}
		}
	}
	return rows, nil
}

// fields keeps only the listed fields, or with - drops them.
func fields(c *query.FieldsCmd, rows []Row) []Row {
	names := query.FieldNames(c.Fields)
	for i, r := range rows {
		if c.Remove {
			for _, n := range names {
				delete(r, n)
			}
			continue
		}
		out := Row{}
		for _, n := range names {
			out.Set(n, r.Get(n))
		}
		rows[i] = out
	}
	return rows
}

// table keeps exactly the listed fields (the order is the renderer's).
func table(c *query.TableCmd, rows []Row) []Row {
	return fields(&query.FieldsCmd{Fields: c.Fields}, rows)
}

// rename renames each field a row has; a row without the field keeps
// whatever it has under the new name.
func rename(c *query.RenameCmd, rows []Row) []Row {
	for _, r := range rows {
		for _, rn := range c.Renames {
			v := r.Get(rn.From.Name)
			if v.K == store.KindNull || rn.From.Name == rn.To.Name {
				continue
			}
			delete(r, rn.From.Name)
			r.Set(rn.To.Name, v)
		}
	}
	return rows
}

// bin floors times to multiples of the span since the epoch, numbers to
// multiples of the span in seconds; other values become null.
func bin(c *query.BinCmd, rows []Row) []Row {
	span := int64(c.Span)
	for _, r := range rows {
		v := r.Get(c.Target)
		switch {
		case v.K == store.KindNull:
		case v.K == store.KindTime:
			q := v.I / span
			if v.I%span != 0 && v.I < 0 {
				q--
			}
			r.Set(c.Target, store.Time(q*span))
		default:
			f, ok := asFloat(v)
			if !ok {
				r.Set(c.Target, store.Null)
				continue
			}
			s := c.Span.Seconds()
			r.Set(c.Target, wholeValue(math.Floor(f/s)*s))
		}
	}
	return rows
}

// sortRows sorts stably by the keys: null first, numbers, then text; -
// reverses a key.
func sortRows(c *query.SortCmd, rows []Row) []Row {
	slices.SortStableFunc(rows, func(a, b Row) int {
		for _, k := range c.Keys {
			d := order(a.Get(k.Field.Name), b.Get(k.Field.Name))
			if k.Desc {
				d = -d
			}
			if d != 0 {
				return d
			}
		}
		return 0
	})
	return rows
}

// dedup keeps the first row of each combination of the fields' values
// (as text); rows without one of them are dropped.
func dedup(c *query.DedupCmd, rows []Row) []Row {
	seen := map[string]bool{}
	var out []Row
	for _, r := range rows {
		k, ok := groupKey(r, query.FieldNames(c.Fields))
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

// groupKey is the identity of a row's values of fields, as Splunk sees
// values: by their text, so 10, 10.0 and "10" are one value and "1.0"
// another. ok is false when a value is null.
func groupKey(r Row, fields []string) (string, bool) {
	k := ""
	for _, f := range fields {
		v := r.Get(f)
		if v.K == store.KindNull {
			return "", false
		}
		s := v.String()
		k += strconv.Itoa(len(s)) + ":" + s
	}
	return k, true
}

// lookup adds the output columns of the first CSV row whose key column
// is the row's field, as text; an empty cell is null.
func (ev *evaluator) lookup(c *query.LookupCmd, rows []Row) ([]Row, error) {
	f, err := os.Open(string(c.File.Path))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, err
	}
	key := slices.Index(header, c.Key.Name)
	if key < 0 {
		return nil, fmt.Errorf("lookup: no column %s", c.Key.Name)
	}
	outs := query.FieldNames(c.Output)
	if len(outs) == 0 {
		for _, h := range header {
			if h != c.Key.Name {
				outs = append(outs, h)
			}
		}
	}
	table := map[string]Row{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if key >= len(rec) {
			continue
		}
		if _, dup := table[rec[key]]; dup {
			continue
		}
		out := Row{}
		for _, o := range outs {
			i := slices.Index(header, o)
			if i < 0 {
				return nil, fmt.Errorf("lookup: no column %s", o)
			}
			if i < len(rec) && rec[i] != "" {
				out.Set(o, csvValue(rec[i]))
			}
		}
		table[rec[key]] = out
	}
	for _, r := range rows {
		v := r.Get(c.EventField)
		if v.K == store.KindNull {
			continue
		}
		if hit, ok := table[v.String()]; ok {
			for _, o := range outs {
				r.Set(o, hit.Get(o))
			}
		}
	}
	return rows, nil
}

var leadingZeros = regexp.MustCompile(`^[+-]?0[0-9]+$`)

// csvValue types a lookup cell as ingest types a field: an int when it is
// a decimal integer without leading zeros, a float when it is other number
// text, else text.
func csvValue(s string) store.Value {
	if leadingZeros.MatchString(s) {
		return store.Str(s)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return store.Int(i)
	}
	if f, ok := textNumber(s); ok {
		return store.Float(f)
	}
	return store.Str(s)
}

// patterns gives each row with the field its Drain template (the
// template of its cluster after every row was seen) and the template's
// id; rows without the field get neither.
func patterns(c *query.PatternsCmd, rows []Row) []Row {
	m := drain.New(drain.DefaultConfig())
	cluster := make([]int, len(rows))
	for i, r := range rows {
		cluster[i] = -1
		if v := r.Get(c.Field); v.K != store.KindNull {
			cluster[i] = m.Add(v.String())
		}
	}
	for i, r := range rows {
		if cluster[i] < 0 {
			delete(r, "pattern")
			delete(r, "pattern_id")
			continue
		}
		t := m.Template(cluster[i])
		sum := sha256.Sum256([]byte(t))
		r.Set("pattern", store.Str(t))
		r.Set("pattern_id", store.Str(hex.EncodeToString(sum[:6])))
	}
	return rows
}
