package ingest

import (
	"strings"

	"loghunt/store"
)

// kvFormat reads lines that start with a timestamp, then a level word
// and a message with key: value or key=value pairs. Two layouts:
//
//   - comma-separated, as "2025-03-06 08:00:00, INFO, User login success,
//     user: admin": the segments before the first pair are the message,
//     and each later "key: value" or "key=value" segment is a field;
//   - free text, as Hadoop, Spark, Zookeeper, HDFS, Windows CBS or
//     Apache error lines ("TIME LEVEL component: message"): the level is
//     the first level word among the first few tokens after the time, the
//     message is the rest of the event (with its continuation lines), and
//     each key=value in the message's first line is a field.
//
// Fields: level (when found), message, and each key.
type kvFormat struct{}

func (kvFormat) Name() string { return "kv" }

// Detect wants a leading timestamp and a level word or a pair.
func (kvFormat) Detect(sample []string) float64 {
	c := newClock(&Options{}, nil)
	return 0.8 * fitShare(sample, func(line string) bool {
		_, n, ok := c.at(line)
		if !ok {
			return false
		}
		if _, _, ok := findLevel(line, n); ok {
			return true
		}
		var ev store.Event
		addPairs(&ev, line[n:])
		return len(ev.Fields) > 0
	})
}

func (kvFormat) NewParser(head []string, opt Options) (Parser, error) {
	return &kvParser{clock: newClock(&opt, head)}, nil
}

type kvParser struct {
	clock clock
}

func (p *kvParser) clone() Parser { c := *p; return &c }

func (p *kvParser) setYear(y int) { p.clock.eventYear = y }

func (p *kvParser) classifyDate(line []byte) (LineKind, int, int) {
	return classifyStampedDate(trimCRBytes(line))
}

func (p *kvParser) Classify(line []byte) LineKind {
	return classifyStamped(trimCRBytes(line))
}

// maxLevelTokens is how many tokens after the time may hold the level.
const maxLevelTokens = 4

func (p *kvParser) Parse(raw string, ev *store.Event) (bool, error) {
	s := trimCR(raw)
	ns, n, ok := p.clock.at(s)
	if !ok {
		return false, errNoTimestamp
	}
	ev.Time = ns
	msg := n
	if level, end, ok := findLevel(s, n); ok {
		addField(ev, "level", store.Str(level))
		msg = end
	}
	msg = skipSeparators(s, msg)
	first := s[msg:]
	if nl := strings.IndexByte(first, '\n'); nl >= 0 {
		first = first[:nl]
	}
	if n < len(s) && s[n] == ',' && strings.Contains(first, ", ") {
		p.parseSegments(s, msg, first, ev)
		return true, nil
	}
	addField(ev, "message", store.Str(s[msg:]))
	addPairs(ev, first)
	return true, nil
}

// parseSegments handles the comma-separated layout; first is the first
// line of the message, which starts at s[msg].
func (p *kvParser) parseSegments(s string, msg int, first string, ev *store.Event) {
	end := len(first) // the message ends where the first pair starts
	for i := 0; i < len(first); {
		j := strings.Index(first[i:], ", ")
		seg := first[i:]
		if j >= 0 {
			seg = first[i : i+j]
		}
		if key, val, ok := segmentPair(seg); ok {
			if end == len(first) {
				end = i
			}
			addField(ev, fieldName(key), typedValue(val))
		}
		if j < 0 {
			break
		}
		i += j + 2
	}
	text := strings.TrimRight(first[:end], ", ")
	if end == len(first) {
		text = s[msg:]
	}
	addField(ev, "message", store.Str(text))
}

// segmentPair splits "key: value" or "key=value".
func segmentPair(seg string) (key, val string, ok bool) {
	k := 0
	for k < len(seg) && isKeyByte(seg[k]) {
		k++
	}
	if k == 0 || k == len(seg) || !isLetter(seg[0]) && seg[0] != '_' {
		return "", "", false
	}
	switch {
	case seg[k] == '=':
		return seg[:k], strings.TrimSpace(seg[k+1:]), true
	case seg[k] == ':' && (k+1 == len(seg) || seg[k+1] == ' '):
		return seg[:k], strings.TrimSpace(seg[k+1:]), true
	}
	return "", "", false
}

// findLevel looks for a level word among the first tokens after s[i:]
// (tokens split by blanks, commas and pipes, with brackets stripped). It
// returns the level as written and the offset after its token.
func findLevel(s string, i int) (string, int, bool) {
	for t := 0; t < maxLevelTokens; t++ {
		i = skipSeparators(s, i)
		j := i
		for j < len(s) && !isSpace(s[j]) && s[j] != ',' && s[j] != '|' && s[j] != '\n' {
			j++
		}
		if j == i {
			return "", 0, false
		}
		tok := strings.TrimSuffix(s[i:j], ":")
		if len(tok) > 2 && tok[0] == '[' && tok[len(tok)-1] == ']' {
			tok = tok[1 : len(tok)-1]
		}
		if isLevelWord(tok) {
			return tok, j, true
		}
		i = j
	}
	return "", 0, false
}

// skipSeparators skips blanks, commas, pipes and lone dashes.
func skipSeparators(s string, i int) int {
	for i < len(s) {
		switch c := s[i]; {
		case isSpace(c) || c == ',' || c == '|':
			i++
		case c == '-' && (i+1 == len(s) || s[i+1] == ' '):
			i++
		default:
			return i
		}
	}
	return i
}

// addPairs adds a field for each key=value token of line. Keys start with
// a letter or _; values end at a blank or a comma, or are double-quoted.
func addPairs(ev *store.Event, line string) {
	for i := 0; i < len(line); {
		eq := strings.IndexByte(line[i:], '=')
		if eq < 0 {
			return
		}
		eq += i
		k := eq
		for k > i && isKeyByte(line[k-1]) {
			k--
		}
		if k == eq || !(isLetter(line[k]) || line[k] == '_') || (k > 0 && !isSpace(line[k-1]) && line[k-1] != ',' && line[k-1] != '(' && line[k-1] != '[') {
			i = eq + 1
			continue
		}
		key := line[k:eq]
		v := eq + 1
		end := v
		var val string
		if v < len(line) && line[v] == '"' {
			q, e, ok := quotedEnd(line, v)
			if !ok {
				return
			}
			val, end = unquoteLogfmt(q), e
		} else {
			for end < len(line) && !isSpace(line[end]) && line[end] != ',' && line[end] != ';' {
				end++
			}
			val = line[v:end]
		}
		if val == "" {
			addField(ev, fieldName(key), store.Null)
		} else {
			addField(ev, fieldName(key), typedValue(val))
		}
		i = end
	}
}
