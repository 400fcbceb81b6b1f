package ingest

import (
	"errors"

	"loghunt/store"
)

// logfmtFormat reads logfmt lines: `ts=2025-03-06T08:00:00Z level=warn
// user=bob msg="login failed"`. Every key becomes a field; values are
// typed as ints, floats, true/false or strings; a bare key is true. The
// time comes from the first key of timeKeys present whose value parses.
type logfmtFormat struct{}

func (logfmtFormat) Name() string { return "logfmt" }

// Detect wants lines that start with a key=value pair and are mostly
// pairs, at least two of them.
func (logfmtFormat) Detect(sample []string) float64 {
	return 0.9 * fitShare(sample, func(line string) bool {
		pairs, words := 0, 0
		for i := 0; i < len(line); {
			key, _, hasValue, next, ok := nextPair(line, i)
			if !ok {
				return false
			}
			if hasValue && key != "" {
				pairs++
			} else if words++; pairs == 0 {
				return false
			}
			i = next
		}
		return pairs >= 2 && pairs >= 3*words
	})
}

func (logfmtFormat) NewParser(head []string, opt Options) (Parser, error) {
	return &logfmtParser{clock: newClock(&opt, head)}, nil
}

type logfmtParser struct {
	clock clock
}

func (p *logfmtParser) Classify(line []byte) LineKind {
	if len(trimCRBytes(line)) == 0 {
		return LineSkip
	}
	return LineEvent
}

var errLogfmtQuote = errors.New("logfmt: unterminated quoted value")

func (p *logfmtParser) Parse(raw string, ev *store.Event) (bool, error) {
	s := trimCR(raw)
	var times [len(timeKeys)]string
	var hasTime [len(timeKeys)]bool
	var err error
	for i := 0; i < len(s); {
		key, val, hasValue, next, ok := nextPair(s, i)
		if !ok {
			err = errLogfmtQuote
			break
		}
		i = next
		if key == "" {
			continue
		}
		name := fieldName(key)
		if !hasValue {
			addField(ev, name, store.Bool(true))
			continue
		}
		addField(ev, name, logfmtValue(val))
		if r := timeKeyRank(key); r >= 0 && !hasTime[r] {
			times[r], hasTime[r] = unquoteLogfmt(val), true
		}
	}
	for r := range times {
		if hasTime[r] {
			if ns, ok := p.clock.parse(times[r]); ok {
				ev.Time = ns
				return true, err
			}
		}
	}
	return false, err
}

// logfmtValue types a value as written (quoted values stay strings).
func logfmtValue(val string) store.Value {
	if len(val) > 0 && val[0] == '"' {
		return store.Str(unquoteLogfmt(val))
	}
	switch val {
	case "":
		return store.Str("")
	case "true":
		return store.Bool(true)
	case "false":
		return store.Bool(false)
	}
	return typedValue(val)
}

// unquoteLogfmt removes the quotes of a quoted value and decodes its
// escapes as JSON's (what logfmt encoders write; Go's octal and \x
// escapes could yield invalid UTF-8 and are kept as written); an unquoted
// value is returned as is.
func unquoteLogfmt(val string) string {
	if len(val) < 2 || val[0] != '"' {
		return val
	}
	body := val[1 : len(val)-1]
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' {
			return unescapeJSON(body)
		}
	}
	return body
}

// nextPair reads the key[=value] at s[i:] after any blanks. val keeps its
// quotes. next is the offset after the pair. ok is false for an
// unterminated quote.
func nextPair(s string, i int) (key, val string, hasValue bool, next int, ok bool) {
	for i < len(s) && (isSpace(s[i]) || s[i] == '\n') {
		i++
	}
	j := i
	for j < len(s) && s[j] != '=' && !isSpace(s[j]) && s[j] != '\n' && s[j] != '"' {
		j++
	}
	key = s[i:j]
	if j >= len(s) || s[j] != '=' {
		if j < len(s) && s[j] == '"' {
			// A stray quoted word: skip it as a whole.
			_, end, ok := quotedEnd(s, j)
			return "", "", false, end, ok
		}
		return key, "", false, j, true
	}
	j++
	if j < len(s) && s[j] == '"' {
		v, end, ok := quotedEnd(s, j)
		return key, v, true, end, ok
	}
	k := j
	for k < len(s) && !isSpace(s[k]) && s[k] != '\n' {
		k++
	}
	return key, s[j:k], true, k, true
}

// quotedEnd returns the quoted string at s[i] with its quotes and the
// offset after it.
func quotedEnd(s string, i int) (string, int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return s[i : j+1], j + 1, true
		}
	}
	return "", len(s), false
}
