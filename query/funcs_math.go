package query

import (
	"math"

	"loghunt/store"
)

// Math functions. A null or non-numeric argument gives null, and so does a
// result that is not a finite number (ln(0), sqrt(-1)).
func init() {
	for name, def := range map[string]funcDef{
		"round": {1, 2, strict(fnRound)},
		"floor": {1, 1, strict(intResult(math.Floor))},
		"ceil":  {1, 1, strict(intResult(math.Ceil))},
		"abs":   {1, 1, strict(fnAbs)},
		"ln":    {1, 1, strict(floatFunc(math.Log))},
		"log10": {1, 1, strict(floatFunc(math.Log10))},
		"exp":   {1, 1, strict(floatFunc(math.Exp))},
		"sqrt":  {1, 1, strict(floatFunc(math.Sqrt))},
		"pow":   {2, 2, strict(fnPow)},
		"min":   {1, -1, strict(func(v []store.Value) store.Value { return fnExtreme(v, -1) })},
		"max":   {1, -1, strict(func(v []store.Value) store.Value { return fnExtreme(v, 1) })},
	} {
		funcs[name] = def
	}
}

// floatFunc wraps a float function.
func floatFunc(f func(float64) float64) func([]store.Value) store.Value {
	return func(v []store.Value) store.Value {
		n, ok := toExprNum(v[0])
		if !ok || v[0].IsNull() {
			return store.Null
		}
		return floatOrNull(f(n.f))
	}
}

// intResult wraps floor and ceil: an int when it fits.
func intResult(f func(float64) float64) func([]store.Value) store.Value {
	return func(v []store.Value) store.Value {
		n, ok := toExprNum(v[0])
		if !ok {
			return store.Null
		}
		if n.isInt {
			return store.Int(n.i)
		}
		return wholeOrFloat(f(n.f))
	}
}

// wholeOrFloat is a whole float as an int when it fits.
func wholeOrFloat(f float64) store.Value {
	if f >= -9.2e18 && f <= 9.2e18 {
		return store.Int(int64(f))
	}
	return floatOrNull(f)
}

// round(x[, n]): half away from zero to n decimals (default 0, an int).
func fnRound(v []store.Value) store.Value {
	n, ok := toExprNum(v[0])
	if !ok {
		return store.Null
	}
	digits := int64(0)
	if len(v) == 2 {
		d, ok := toExprNum(v[1])
		if !ok {
			return store.Null
		}
		digits = int64(d.f)
	}
	if n.isInt && digits >= 0 {
		return store.Int(n.i)
	}
	if digits == 0 {
		return wholeOrFloat(math.Round(n.f))
	}
	p := math.Pow(10, float64(digits))
	return floatOrNull(math.Round(n.f*p) / p)
}

func fnAbs(v []store.Value) store.Value {
	n, ok := toExprNum(v[0])
	switch {
	case !ok:
		return store.Null
	case n.isInt && n.i == math.MinInt64:
		return store.Float(-float64(n.i))
	case n.isInt && n.i < 0:
		return store.Int(-n.i)
	case n.isInt:
		return store.Int(n.i)
	}
	return floatOrNull(math.Abs(n.f))
}

func fnPow(v []store.Value) store.Value {
	x, okx := toExprNum(v[0])
	y, oky := toExprNum(v[1])
	if !okx || !oky {
		return store.Null
	}
	return floatOrNull(math.Pow(x.f, y.f))
}

// extreme is min (dir -1) or max (dir 1) of the non-null arguments, in
// the order of exprCompare; null when all are null.
func fnExtreme(v []store.Value, dir int) store.Value {
	best := store.Null
	for _, x := range v {
		if x.IsNull() {
			continue
		}
		if c, ok := exprCompare(x, best); best.IsNull() || ok && c*dir > 0 {
			best = x
		}
	}
	return best
}
