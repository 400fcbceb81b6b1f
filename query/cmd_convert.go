package query

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// ConvertCmd converts field values as Splunk's convert does:
// `convert [timeformat=F] FUNC(f) [as g] ...`.
type ConvertCmd struct {
	Pos      lexer.Position
	Options  []*Option     `parser:"'convert':Stage @@*"`
	Convs    []*Conversion `parser:"@@ ( ','? @@ )*"`
	Trailing []*Option     `parser:"@@*"`
	EndPos   lexer.Position

	TimeFormat string // timeformat=, default %m/%d/%Y %H:%M:%S
}

// Conversion is one FUNC(f) [as g] of convert.
type Conversion struct {
	Pos    lexer.Position
	Func   Name   `parser:"@Ident '('"`
	Field  *Field `parser:"@@ ')'"`
	As     *Field `parser:"( 'as':Keyword @@ )?"`
	EndPos lexer.Position
}

func (v *Conversion) String() string {
	s := string(v.Func) + "(" + v.Field.String() + ")"
	if v.As != nil {
		s += " as " + v.As.String()
	}
	return s
}

// Output is the field the conversion writes: the as name, else f.
func (v *Conversion) Output() string {
	if v.As != nil {
		return v.As.Name
	}
	return v.Field.Name
}

// ConvertFuncs are convert's functions.
var ConvertFuncs = []string{"auto", "ctime", "dur2sec", "memk", "mktime", "none", "num", "rmcomma", "rmunit"}

// DefaultTimeFormat is convert's timeformat=, as Splunk's.
const DefaultTimeFormat = "%m/%d/%Y %H:%M:%S"

func (*ConvertCmd) command()                   {}
func (c *ConvertCmd) Position() lexer.Position { return c.Pos }

func (c *ConvertCmd) String() string {
	s := "convert "
	if len(c.Options) > 0 {
		s += optionList(c.Options) + " "
	}
	parts := make([]string, len(c.Convs))
	for i, v := range c.Convs {
		parts[i] = v.String()
	}
	s += strings.Join(parts, ", ")
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *ConvertCmd) check() *posError {
	opts, err := checkOptions("convert", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	c.TimeFormat = opts.text("timeformat", DefaultTimeFormat)
	for _, v := range c.Convs {
		found := false
		for _, f := range ConvertFuncs {
			found = found || f == string(v.Func)
		}
		if !found {
			return errorfAt(v.Pos.Offset, "unknown convert function %q%s (convert takes %s)", v.Func,
				didYouMean(string(v.Func), ConvertFuncs), strings.Join(ConvertFuncs, ", "))
		}
	}
	return nil
}

func (c *ConvertCmd) inputFields(after fieldSet) fieldSet {
	// Walk back: a conversion's output is made, its input read.
	for i := len(c.Convs) - 1; i >= 0; i-- {
		v := c.Convs[i]
		after = after.without(v.Output()).with(v.Field.Name)
	}
	return after
}

func (c *ConvertCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// apply converts each row's fields, one conversion after another.
func (c *ConvertCmd) apply(b *Batch) (*Batch, error) {
	out := *b
	out.Fields, out.Cols = append([]string(nil), b.Fields...), append([][]store.Value(nil), b.Cols...)
	for _, v := range c.Convs {
		src := out.Col(v.Field.Name)
		res := make([]store.Value, out.Len)
		if src >= 0 {
			for r, x := range out.Cols[src] {
				res[r] = ConvertValue(string(v.Func), c.TimeFormat, x)
			}
		}
		if at := out.Col(v.Output()); at >= 0 {
			out.Cols[at] = res
		} else {
			out.Fields = append(out.Fields, v.Output())
			out.Cols = append(out.Cols, res)
		}
	}
	return &out, nil
}

var (
	thousandsRe = regexp.MustCompile(`^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
	leadNumRe   = regexp.MustCompile(`^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?`)
	memkRe      = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([kKmMgG]?)$`)
	durRe       = regexp.MustCompile(`^(?:([0-9]+)\+)?([0-9]+):([0-9]{1,2}):([0-9]{1,2}(?:\.[0-9]+)?)$`)
)

// ConvertValue applies a convert function to one value; a null stays
// null. A value a function cannot convert is kept as it is, except by
// num, which makes it null.
func ConvertValue(fn, timeFormat string, v store.Value) store.Value {
	if v.IsNull() {
		return v
	}
	switch fn {
	case "auto":
		if n, ok := convertNumber(v); ok {
			return n
		}
	case "num":
		if n, ok := convertNumber(v); ok {
			return n
		}
		return store.Null
	case "rmcomma":
		if v.K != store.KindString {
			return v
		}
		s := strings.ReplaceAll(v.S, ",", "")
		if n, ok := textNumberValue(s); ok {
			return n
		}
		return store.Str(s)
	case "rmunit":
		if v.K != store.KindString {
			return v // a number has no unit; a time is no number with one
		}
		if m := leadNumRe.FindString(v.S); m != "" {
			if n, ok := textNumberValue(strings.TrimSpace(m)); ok {
				return n
			}
		}
	case "memk":
		if m := memkRe.FindStringSubmatch(v.String()); m != nil {
			f, err := strconv.ParseFloat(m[1], 64)
			if err == nil {
				switch strings.ToLower(m[2]) {
				case "m":
					f *= 1024
				case "g":
					f *= 1024 * 1024
				}
				return numberValue(f)
			}
		}
	case "dur2sec":
		if m := durRe.FindStringSubmatch(v.String()); m != nil {
			d, _ := strconv.ParseFloat("0"+m[1], 64)
			h, _ := strconv.ParseFloat(m[2], 64)
			mi, _ := strconv.ParseFloat(m[3], 64)
			s, _ := strconv.ParseFloat(m[4], 64)
			return numberValue(d*86400 + h*3600 + mi*60 + s)
		}
	case "ctime":
		if ns, ok := toTime(v); ok {
			return store.Str(Strftime(time.Unix(0, ns).UTC(), timeFormat))
		}
	case "mktime":
		if v.K == store.KindString {
			if t, err := Strptime(v.S, timeFormat); err == nil {
				ns := t.UnixNano()
				if ns%1e9 == 0 {
					return store.Int(ns / 1e9)
				}
				return store.Float(float64(ns) / 1e9)
			}
		}
	}
	return v
}

// convertNumber is auto's number: an int or a float as it is, text
// written as a decimal number, with or without thousands separators
// (1,234.5).
func convertNumber(v store.Value) (store.Value, bool) {
	switch v.K {
	case store.KindInt, store.KindFloat:
		return v, true
	case store.KindString:
		s := v.S
		if thousandsRe.MatchString(s) {
			s = strings.ReplaceAll(s, ",", "")
		}
		return textNumberValue(s)
	}
	return v, false
}

// textNumberValue is the number text s is written as: an int when it is
// a whole number that fits, else a float.
func textNumberValue(s string) (store.Value, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return store.Int(i), true
	}
	if f, ok := store.ParseNumber(s); ok && !math.IsInf(f, 0) {
		return store.Float(f), true
	}
	return store.Null, false
}
