package ingest

import (
	"errors"
	"strings"

	"loghunt/store"
)

// syslogFormat reads RFC 3164 lines ("Mar  6 08:00:01 web01 sshd[4242]:
// msg"), RFC 5424 lines ("<34>1 2025-03-06T08:00:01Z host app procid
// msgid [sd] msg") and ISO-timestamped lines in the 3164 layout, each with
// an optional <PRI>. Fields: host, app, pid, message (RFC 5424 adds msgid
// and structured_data when present), and for sshd, sudo, su, login,
// useradd and PAM lines the fields of authFields.
type syslogFormat struct{}

func (syslogFormat) Name() string { return "syslog" }

// Detect scores the share of lines with a timestamp, a host and a tag
// ("app[pid]:" or "app:"); the host must not be a level word, which tells
// syslog from "TIME LEVEL component: msg" application logs.
func (syslogFormat) Detect(sample []string) float64 {
	return 0.95 * fitShare(sample, func(line string) bool {
		st, n, ok := scanStamp(line, skipPRI(line))
		if !ok || !st.hasClock || n >= len(line) || line[n] != ' ' {
			return false
		}
		if is5424(line) {
			return true
		}
		host, rest := nextToken(line, n+1)
		if host == "" || isLevelWord(strings.TrimRight(host, ":,")) {
			return false
		}
		_, _, _, ok = parseTag(line, rest)
		return ok
	})
}

func (syslogFormat) NewParser(head []string, opt Options) (Parser, error) {
	return &syslogParser{clock: newClock(&opt, head)}, nil
}

type syslogParser struct {
	clock clock
}

func (p *syslogParser) clone() Parser { c := *p; return &c }

func (p *syslogParser) setYear(y int) { p.clock.eventYear = y }

func (p *syslogParser) classifyDate(line []byte) (LineKind, int, int) {
	return classifyStampedDate(trimCRBytes(line))
}

// Classify: a line that starts with a timestamp starts an event; any
// other non-empty line continues the one before.
func (p *syslogParser) Classify(line []byte) LineKind {
	return classifyStamped(trimCRBytes(line))
}

// classifyStamped is Classify for the formats whose events start with a
// timestamp at the start of the line (after an optional <PRI>).
func classifyStamped(line []byte) LineKind {
	k, _, _ := classifyStampedDate(line)
	return k
}

// classifyStampedDate is classifyStamped that also returns the month and
// day of an event's timestamp when it carries no year (else 0, 0), as
// clock.at reads it.
func classifyStampedDate(line []byte) (LineKind, int, int) {
	if len(line) == 0 {
		return LineSkip, 0, 0
	}
	if isSpace(line[0]) {
		return LineContinue, 0, 0
	}
	s := bstr(line)
	st, _, ok := scanStamp(s, skipPRI(s))
	switch {
	case !ok || !st.hasClock:
		return LineContinue, 0, 0
	case st.yearless:
		return LineEvent, st.month, st.day
	}
	return LineEvent, 0, 0
}

var errNoTimestamp = errors.New("no timestamp at the start of the line")

func (p *syslogParser) Parse(raw string, ev *store.Event) (bool, error) {
	s := trimCR(raw)
	if is5424(s) {
		return p.parse5424(s, ev)
	}
	ns, n, ok := p.clock.at(s)
	if !ok {
		return false, errNoTimestamp
	}
	ev.Time = ns
	host, rest := nextToken(s, n)
	if host == "" {
		return true, nil
	}
	addField(ev, "host", store.Str(host))
	app, pid, msg, ok := parseTag(s, rest)
	if ok {
		addField(ev, "app", store.Str(app))
		if pid != "" {
			addField(ev, "pid", typedValue(pid))
		}
	} else {
		msg = rest
	}
	addField(ev, "message", store.Str(s[msg:]))
	if ok {
		authFields(app, s[msg:], ev)
	}
	return true, nil
}

// is5424 reports whether s starts with "<PRI>1 ".
func is5424(s string) bool {
	i := skipPRI(s)
	return i >= 5 && s[i-2] == '1' && s[i-1] == ' ' && s[i-3] == '>'
}

// parse5424 parses "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG", where
// each of the header fields may be "-".
func (p *syslogParser) parse5424(s string, ev *store.Event) (bool, error) {
	i := skipPRI(s)
	var hasTime bool
	var tok, app string
	if ns, n, ok := p.clock.at(s); ok {
		ev.Time, hasTime, i = ns, true, n
	} else if tok, i = nextToken(s, i); tok != "-" {
		return false, errNoTimestamp
	}
	for _, name := range [...]string{"host", "app", "pid", "msgid"} {
		tok, i = nextToken(s, i)
		if tok == "" {
			return hasTime, errors.New("rfc 5424 header cut short")
		}
		if tok != "-" {
			if name == "app" {
				app = tok
			}
			v := store.Str(tok)
			if name == "pid" {
				v = typedValue(tok)
			}
			addField(ev, name, v)
		}
	}
	sd := i
	if i < len(s) && s[i] == '[' {
		i = skipSD(s, i)
		addField(ev, "structured_data", store.Str(s[sd:i]))
	} else if i < len(s) && s[i] == '-' {
		i++
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	msg := strings.TrimPrefix(s[i:], "\ufeff")
	addField(ev, "message", store.Str(msg))
	authFields(app, msg, ev)
	return hasTime, nil
}

// skipSD returns the offset after the structured data elements at s[i:]
// ("[id k=\"v\"][id2 ...]"), honouring backslash escapes in values.
func skipSD(s string, i int) int {
	for i < len(s) && s[i] == '[' {
		inQuote := false
		for i++; i < len(s); i++ {
			c := s[i]
			if c == '\\' {
				i++
				continue
			}
			if c == '"' {
				inQuote = !inQuote
			} else if c == ']' && !inQuote {
				i++
				break
			}
		}
	}
	return i
}

// nextToken skips blanks at s[i:] and returns the token there and the
// offset after the blanks that follow it.
func nextToken(s string, i int) (string, int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && s[j] != '\n' {
		j++
	}
	tok := s[i:j]
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	return tok, j
}

// parseTag parses a syslog tag at s[i:]: "app[pid]:", "app:" or
// "app[pid]" followed by a blank. It returns the app, the pid text and the
// offset of the message.
func parseTag(s string, i int) (app, pid string, msg int, ok bool) {
	j := i
	for j < len(s) && s[j] != '[' && s[j] != ':' && !isSpace(s[j]) && s[j] != '\n' {
		j++
	}
	if j == i || j == len(s) {
		return "", "", 0, false
	}
	app = s[i:j]
	if s[j] == '[' {
		k := j + 1
		for k < len(s) && s[k] != ']' && k-j < 24 && !isSpace(s[k]) {
			k++
		}
		if k == len(s) || s[k] != ']' {
			return "", "", 0, false
		}
		pid = s[j+1 : k]
		j = k + 1
		if j < len(s) && s[j] == ':' {
			j++
		} else if j < len(s) && !isSpace(s[j]) {
			return "", "", 0, false
		}
	} else if s[j] == ':' {
		j++
	} else {
		return "", "", 0, false
	}
	if j < len(s) && s[j] == ' ' {
		j++
	}
	return app, pid, j, true
}
