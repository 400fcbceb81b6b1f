package refeval

import (
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// Search terms, by Splunk's rules: the grammar already groups them (NOT
// on the one term after it, then OR, then the implicit AND), so they are
// evaluated as the tree stands.

func (ev *evaluator) matchAnd(s *query.SearchAnd, r Row) bool {
	for _, o := range s.Or {
		if !ev.matchOr(o, r) {
			return false
		}
	}
	return true
}

func (ev *evaluator) matchOr(s *query.SearchOr, r Row) bool {
	for _, n := range s.Not {
		if ev.matchNot(n, r) {
			return true
		}
	}
	return false
}

func (ev *evaluator) matchNot(s *query.SearchNot, r Row) bool {
	if s.Not != nil {
		return !ev.matchNot(s.Not, r)
	}
	return ev.matchAtom(s.Atom, r)
}

func (ev *evaluator) matchAtom(a *query.SearchAtom, r Row) bool {
	raw := r.Get(store.ColRaw).String()
	switch {
	case a.Sub != nil:
		return ev.matchSub(a.Sub, r)
	case a.Group != nil:
		return ev.matchAnd(a.Group, r)
	case a.In != nil:
		v := r.Get(string(a.In.Field))
		if v.K == store.KindNull {
			return false
		}
		for _, want := range a.In.Values {
			if valueEquals(string(want), v) {
				return true
			}
		}
		return false
	case a.Cmp != nil:
		return matchCmp(a.Cmp, r)
	case a.Phrase != nil:
		return containsBounded(raw, string(*a.Phrase))
	}
	w := *a.Word
	if w == "*" {
		return true
	}
	if !strings.Contains(w, "*") {
		return containsBounded(raw, w)
	}
	return globWord(w).MatchString(raw)
}

// matchCmp is field OP value. earliest= and latest= are the time range,
// applied apart: as terms they hold for every event. A missing field
// matches nothing, not even !=.
func matchCmp(c *query.SearchCmp, r Row) bool {
	field, want := string(c.Field), string(c.Value)
	if f := strings.ToLower(field); f == "earliest" || f == "latest" {
		return true
	}
	v := r.Get(field)
	if v.K == store.KindNull {
		return false
	}
	switch c.Op {
	case "=":
		return valueEquals(want, v)
	case "!=":
		return !valueEquals(want, v)
	}
	var d int
	x, okx := asFloat(v)
	y, oky := textNumber(want)
	if okx && oky {
		d = cmp3(x, y)
	} else {
		d = strings.Compare(v.String(), want)
	}
	switch c.Op {
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	}
	return d >= 0
}

// valueEquals is field=want: with '*' a case-insensitive match of the
// whole printed value ('*' any run of characters); else equal as numbers
// when both are numbers, else equal as text ignoring ASCII case.
func valueEquals(want string, v store.Value) bool {
	if strings.Contains(want, "*") {
		return globValue(want).MatchString(v.String())
	}
	if y, ok := textNumber(want); ok {
		if x, ok := asFloat(v); ok {
			return x == y
		}
	}
	return foldEqual(v.String(), want)
}

// isTokenChar reports whether a byte belongs to a token of _raw: ASCII
// letters and digits, '_', and every byte of a UTF-8 sequence.
func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func foldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

// containsBounded reports whether raw holds s, ASCII case ignored, at a
// place that starts a token when s starts with a token character and ends
// one when s ends with one: how a bare word (a whole token, or a run of
// tokens with their separators) and a phrase match.
func containsBounded(raw, s string) bool {
	if s == "" {
		return true
	}
	first, last := isTokenChar(s[0]), isTokenChar(s[len(s)-1])
	for i := 0; i+len(s) <= len(raw); i++ {
		if first && i > 0 && isTokenChar(raw[i-1]) {
			continue
		}
		end := i + len(s)
		if last && end < len(raw) && isTokenChar(raw[end]) {
			continue
		}
		if foldEqual(raw[i:end], s) {
			return true
		}
	}
	return false
}

// nonToken is a character that is not part of a token (ASCII only: every
// other character is).
const nonToken = `[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]`

var (
	globMu    sync.Mutex
	globCache = map[string]*regexp.Regexp{}
)

// globRegex turns a pattern with '*' into a regular expression: ASCII
// letters in either case, every other character literally, and '*' as
// star.
func globRegex(pat, star string) string {
	var b strings.Builder
	for _, r := range pat {
		switch {
		case r == '*':
			b.WriteString(star)
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			lo := strings.ToLower(string(r))
			b.WriteString("[" + lo + strings.ToUpper(lo) + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

func cachedRegex(key, expr string) *regexp.Regexp {
	globMu.Lock()
	defer globMu.Unlock()
	if re := globCache[key]; re != nil {
		return re
	}
	re := regexp.MustCompile(expr)
	globCache[key] = re
	return re
}

// globWord is the regex of a search word with '*': somewhere in _raw,
// beginning where a token begins (when the word begins with a token
// character) and ending where one ends (likewise), '*' any run of
// characters but whitespace.
func globWord(w string) *regexp.Regexp {
	expr := globRegex(w, `[^ \t\r\n]*`)
	if isTokenChar(w[0]) {
		expr = `(?:^|` + nonToken + `)` + expr
	}
	if isTokenChar(w[len(w)-1]) {
		expr += `(?:$|` + nonToken + `)`
	}
	return cachedRegex("w"+w, `(?s)`+expr)
}

// globValue is the regex of a field value with '*': the whole value, '*'
// any run of characters.
func globValue(w string) *regexp.Regexp {
	return cachedRegex("v"+w, `(?s)^`+globRegex(w, `.*`)+`$`)
}

// timeRange is the range of the first search: its earliest= and latest=
// terms (outside any OR or NOT) and the options', the latest bound
// exclusive.
func (ev *evaluator) timeRange(c *query.SearchCmd) (lo, hi int64, err error) {
	lo, hi = math.MinInt64, math.MaxInt64
	if ev.window != nil {
		// A subsearch: the range of its query, a bound replaced by its own
		// earliest= or latest=.
		defer func() {
			if lo == math.MinInt64 {
				lo = ev.window[0]
			}
			if hi == math.MaxInt64 {
				hi = ev.window[1]
			}
		}()
	}
	narrow := func(kind, spec string) error {
		t, err := parseTime(spec, ev.now)
		if err != nil {
			return err
		}
		if kind == "earliest" {
			lo = max(lo, t.UnixNano())
		} else {
			hi = min(hi, t.UnixNano())
		}
		return nil
	}
	var walk func(s *query.SearchAnd) error
	walk = func(s *query.SearchAnd) error {
		for _, o := range s.Or {
			if len(o.Not) != 1 || o.Not[0].Atom == nil {
				continue
			}
			a := o.Not[0].Atom
			switch {
			case a.Group != nil:
				if err := walk(a.Group); err != nil {
					return err
				}
			case a.Cmp != nil:
				if f := strings.ToLower(string(a.Cmp.Field)); f == "earliest" || f == "latest" {
					if err := narrow(f, string(a.Cmp.Value)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if c.Expr != nil {
		if err := walk(c.Expr); err != nil {
			return 0, 0, err
		}
	}
	for _, o := range []struct{ kind, spec string }{{"earliest", ev.opt.Earliest}, {"latest", ev.opt.Latest}} {
		if o.spec != "" {
			if err := narrow(o.kind, o.spec); err != nil {
				return 0, 0, err
			}
		}
	}
	return lo, hi, nil
}

// unixTime is ns as a time.Time in UTC.
func unixTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
