package store

import (
	"math"
	"strconv"
	"time"
)

// Kind is the type of a field value.
type Kind uint8

// The kinds of value an event field can hold. The numbering is part of the
// on-disk format (see FORMAT.md): never reorder.
const (
	KindNull Kind = iota
	KindString
	KindInt
	KindFloat
	KindBool
	KindTime
)

var kindNames = [...]string{"null", "string", "int", "float", "bool", "time"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one typed field value. The zero Value is null.
//
// Int, Bool (0 or 1) and Time (Unix nanoseconds, UTC) use I; Float uses F;
// String uses S.
type Value struct {
	K Kind
	I int64
	F float64
	S string
}

// Null is the null value.
var Null = Value{}

// Str returns a string value.
func Str(s string) Value { return Value{K: KindString, S: s} }

// Int returns an integer value.
func Int(i int64) Value { return Value{K: KindInt, I: i} }

// Float returns a float value.
func Float(f float64) Value { return Value{K: KindFloat, F: f} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{K: KindBool, I: 1}
	}
	return Value{K: KindBool}
}

// Time returns a time value from Unix nanoseconds.
func Time(ns int64) Value { return Value{K: KindTime, I: ns} }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.K == KindNull }

// Number returns v as a float64 and whether it is numeric: ints, floats,
// bools, times (Unix seconds) and strings written as decimal numbers (see
// ParseNumber: "nan", "inf" and "0x1f" are text).
func (v Value) Number() (float64, bool) {
	switch v.K {
	case KindInt, KindBool:
		return float64(v.I), true
	case KindFloat:
		return v.F, true
	case KindTime:
		return float64(v.I) / 1e9, true
	case KindString:
		return ParseNumber(v.S)
	}
	return 0, false
}

// Truthy reports whether v counts as true in a condition.
func (v Value) Truthy() bool {
	switch v.K {
	case KindBool, KindInt, KindTime:
		return v.I != 0
	case KindFloat:
		return v.F != 0 && !math.IsNaN(v.F)
	case KindString:
		return v.S != "" && v.S != "false" && v.S != "0"
	}
	return false
}

// String renders v as users see it: times in RFC 3339 UTC (fractional
// seconds only when not zero), floats in their shortest form, null as "".
func (v Value) String() string {
	switch v.K {
	case KindString:
		return v.S
	case KindInt:
		return strconv.FormatInt(v.I, 10)
	case KindFloat:
		return FormatFloat(v.F)
	case KindBool:
		if v.I != 0 {
			return "true"
		}
		return "false"
	case KindTime:
		return FormatTime(v.I)
	}
	return ""
}

// FormatFloat prints f in its shortest round-trip form, without an exponent
// for ordinary magnitudes.
func FormatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "inf"
	}
	if math.IsInf(f, -1) {
		return "-inf"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// FormatTime prints Unix nanoseconds as RFC 3339 in UTC, with fractional
// seconds only when they are not zero.
func FormatTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// Field is one named value of an event.
type Field struct {
	Name  string
	Value Value
}

// Event is one log event as ingest produces it. Source and sourcetype are
// properties of the batch it is written in, not of each event.
type Event struct {
	Time   int64  // Unix nanoseconds, UTC
	Raw    string // the original text, every line of a multi-line event
	Fields []Field
}

// Get returns the value of the named field, or Null.
func (e *Event) Get(name string) Value {
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			return e.Fields[i].Value
		}
	}
	return Null
}
