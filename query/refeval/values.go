package refeval

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"loghunt/store"
)

// numberText is the shape of text that is a number: a sign, decimal
// digits with an optional fraction, an optional exponent. "nan", "inf",
// "0x1f" and "1_000" are text.
var numberText = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// textNumber returns the number s is written as.
func textNumber(s string) (float64, bool) {
	if !numberText.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// asFloat is v as a number where values are compared and aggregated:
// ints, bools (0, 1), floats, times (Unix seconds) and number text.
func asFloat(v store.Value) (float64, bool) {
	switch v.K {
	case store.KindInt, store.KindBool:
		return float64(v.I), true
	case store.KindFloat:
		return v.F, true
	case store.KindTime:
		return float64(v.I) / 1e9, true
	case store.KindString:
		return textNumber(v.S)
	}
	return 0, false
}

// num is a value in arithmetic: an int or a float.
type num struct {
	isInt bool
	i     int64
	f     float64
}

// arithNum is v as a number in eval arithmetic: ints and bools are ints,
// floats floats, and text (spaces around it allowed) an int when it is a
// whole number that fits, else a float when it is number text. Times are
// not numbers here, nor is null.
func arithNum(v store.Value) (num, bool) {
	switch v.K {
	case store.KindInt, store.KindBool:
		return num{isInt: true, i: v.I, f: float64(v.I)}, true
	case store.KindFloat:
		return num{f: v.F}, true
	case store.KindString:
		s := strings.TrimSpace(v.S)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return num{isInt: true, i: i, f: float64(i)}, true
		}
		if f, ok := textNumber(s); ok {
			return num{f: f}, true
		}
	}
	return num{}, false
}

// truthy is whether v counts as true in a condition: null, false, 0, "",
// "0" and "false" do not.
func truthy(v store.Value) bool {
	switch v.K {
	case store.KindBool, store.KindInt, store.KindTime:
		return v.I != 0
	case store.KindFloat:
		return v.F != 0 && !math.IsNaN(v.F)
	case store.KindString:
		return v.S != "" && v.S != "0" && v.S != "false"
	}
	return false
}

// finite is f as a value, null when it is not a finite number.
func finite(f float64) store.Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return store.Null
	}
	return store.Float(f)
}

// wholeValue is f as an int when it is whole and exact in a float64, else
// a float (how range, perc and numeric bins print their results).
func wholeValue(f float64) store.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return store.Int(int64(f))
	}
	return store.Float(f)
}

func cmp3[T int64 | float64 | int](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortClass is where a value sorts: null first, then numbers (number text
// too), then text.
func sortClass(v store.Value) int {
	switch v.K {
	case store.KindNull:
		return 0
	case store.KindString:
		if _, ok := textNumber(v.S); ok {
			return 1
		}
		return 2
	}
	return 1
}

// order compares values as sort, min, max and group keys order them: null
// first, then numbers by value (two times by their instants, exactly),
// then text by bytes.
func order(a, b store.Value) int {
	ca, cb := sortClass(a), sortClass(b)
	if ca != cb {
		return ca - cb
	}
	switch ca {
	case 1:
		if a.K == store.KindTime && b.K == store.KindTime {
			return cmp3(a.I, b.I)
		}
		x, _ := asFloat(a)
		y, _ := asFloat(b)
		return cmp3(x, y)
	case 2:
		return strings.Compare(a.S, b.S)
	}
	return 0
}

// kindRank orders the kinds for totalOrder: text first.
func kindRank(k store.Kind) int { return int(k) }

// totalOrder is order, and values it finds equal (10 and "10") by kind,
// then text: which of several equal values min, max, earliest and latest
// return.
func totalOrder(a, b store.Value) int {
	if c := order(a, b); c != 0 {
		return c
	}
	if a.K != b.K {
		return kindRank(a.K) - kindRank(b.K)
	}
	switch a.K {
	case store.KindString:
		return strings.Compare(a.S, b.S)
	case store.KindFloat:
		return cmp3(a.F, b.F)
	}
	return cmp3(a.I, b.I)
}
