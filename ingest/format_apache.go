package ingest

import (
	"errors"
	"strings"

	"loghunt/monthname"
	"loghunt/store"
)

// apacheFormat reads Apache and nginx access logs in the common and
// combined formats:
//
//	127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://ref/" "Mozilla/4.08"
//
// Fields: clientip, ident, user, method, path, protocol, status, bytes,
// referer, useragent. ident, user and bytes are null when "-"; referer and
// useragent keep "-" as written. Fields after the user agent (nginx
// extras such as "$http_x_forwarded_for" or a request time) are ignored.
// A line wrapped in one more pair of double quotes, as some exports do,
// is read as if it were not.
//
// This is the hot path: Parse takes substrings of raw and allocates
// nothing when ev.Fields has room.
type apacheFormat struct{}

func (apacheFormat) Name() string { return "apache" }

func (apacheFormat) Detect(sample []string) float64 {
	p := &apacheParser{clock: newClock(&Options{}, nil)}
	var ev store.Event
	return fitShare(sample, func(line string) bool {
		ev.Fields = ev.Fields[:0]
		_, err := p.Parse(line, &ev)
		return err == nil
	})
}

func (apacheFormat) NewParser(head []string, opt Options) (Parser, error) {
	return &apacheParser{clock: newClock(&opt, head)}, nil
}

type apacheParser struct {
	clock clock
	// The events of one second share their time text: the last one read
	// (a copy: the line's memory is reused) and its time.
	lastTime [26]byte
	lastNS   int64
}

// clone gives each parse worker a parser of its own, for the cache.
func (p *apacheParser) clone() Parser { return &apacheParser{clock: p.clock} }

func (p *apacheParser) Classify(line []byte) LineKind {
	if len(trimCRBytes(line)) == 0 {
		return LineSkip
	}
	return LineEvent
}

var (
	errApacheShape   = errors.New("not an access log line")
	errApacheTime    = errors.New("bad access log timestamp")
	errApacheRequest = errors.New("unterminated request")
	errApacheStatus  = errors.New("bad status")
)

func (p *apacheParser) Parse(raw string, ev *store.Event) (bool, error) {
	fs, ok, err := p.parse(raw, ev, ev.Fields)
	ev.Fields = fs
	return ok, err
}

// parse appends the fields to a local slice: appending to ev.Fields
// field by field loaded and stored the slice through ev each time (a
// tenth of ingest's CPU).
func (p *apacheParser) parse(raw string, ev *store.Event, fs []store.Field) ([]store.Field, bool, error) {
	s := trimCR(raw)
	if len(s) > 2 && s[0] == '"' && s[len(s)-1] == '"' && s[len(s)-2] == '"' {
		s = s[1 : len(s)-1]
	}
	clientip, i := apacheToken(s, 0)
	ident, i := apacheToken(s, i)
	if clientip == "" || ident == "" || i >= len(s) {
		return fs, false, errApacheShape
	}
	// The user is everything up to " [" (it may contain blanks).
	j := strings.Index(s[i:], " [")
	if j < 0 {
		return fs, false, errApacheShape
	}
	user := s[i : i+j]
	i += j + 2
	k := strings.IndexByte(s[i:], ']')
	if k < 0 {
		return fs, false, errApacheTime
	}
	ns, ok := p.accessTime(s[i : i+k])
	if !ok {
		return fs, false, errApacheTime
	}
	ev.Time = ns
	fs = append(fs, store.Field{Name: "clientip", Value: store.Str(clientip)})
	fs = append(fs, store.Field{Name: "ident", Value: dashNull(ident)})
	fs = append(fs, store.Field{Name: "user", Value: dashNull(user)})
	i += k + 1
	if i+1 >= len(s) || s[i] != ' ' || s[i+1] != '"' {
		return fs, true, errApacheShape
	}
	req, i, ok := quoted(s, i+1, statusNext)
	if !ok {
		return fs, true, errApacheRequest
	}
	fs = appendRequest(fs, req)
	status, i := apacheToken(s, i)
	if len(status) != 3 || !isDigit(status[0]) || !isDigit(status[1]) || !isDigit(status[2]) {
		return fs, true, errApacheStatus
	}
	fs = append(fs, store.Field{Name: "status", Value: store.Int(int64(status[0]-'0')*100 + int64(status[1]-'0')*10 + int64(status[2]-'0'))})
	bytes, i := apacheToken(s, i)
	fs = append(fs, store.Field{Name: "bytes", Value: bytesValue(bytes)})
	if i < len(s) && s[i] == '"' {
		ref, j, ok := quoted(s, i, fieldNext)
		if ok {
			fs = append(fs, store.Field{Name: "referer", Value: store.Str(ref)})
			if j < len(s) && s[j] == '"' {
				if ua, _, ok := quoted(s, j, fieldNext); ok {
					fs = append(fs, store.Field{Name: "useragent", Value: store.Str(ua)})
				}
			}
		}
	}
	return fs, true, nil
}

// apacheToken returns the token at s[i:] and the offset after it and one
// blank.
func apacheToken(s string, i int) (string, int) {
	if i >= len(s) {
		return "", i
	}
	j := strings.IndexByte(s[i:], ' ')
	if j < 0 {
		return s[i:], len(s)
	}
	return s[i : i+j], i + j + 1
}

// quoted returns the contents of the double-quoted string at s[i] and the
// offset after its closing quote and one blank. Quotes inside a value are
// not always escaped, so the closing quote is the first unescaped quote
// that next(s, j) accepts (j at that quote), else the first one followed
// by a blank or the end of the line.
func quoted(s string, i int, next func(s string, j int) bool) (string, int, bool) {
	first := -1
	for j := i + 1; j < len(s); {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			break
		}
		j += k
		if s[j-1] != '\\' && (j+1 == len(s) || s[j+1] == ' ') {
			if next(s, j) {
				return s[i+1 : j], min(j+2, len(s)), true
			}
			if first < 0 {
				first = j
			}
		}
		j++
	}
	if first < 0 {
		return "", 0, false
	}
	return s[i+1 : first], min(first+2, len(s)), true
}

// statusNext accepts a request's closing quote: a 3-digit status follows.
func statusNext(s string, j int) bool {
	return j+5 <= len(s) && isDigit(s[j+2]) && isDigit(s[j+3]) && isDigit(s[j+4]) &&
		(j+5 == len(s) || s[j+5] == ' ')
}

// fieldNext accepts a referer's or user agent's closing quote: the line
// ends or another quoted field follows.
func fieldNext(s string, j int) bool {
	return j+1 == len(s) || (j+2 < len(s) && s[j+2] == '"')
}

// appendRequest splits "METHOD PATH PROTOCOL" into its fields. A request
// that is "-" or not in that shape (a TLS handshake sent to a plain port)
// gives the whole request as path.
func appendRequest(fs []store.Field, req string) []store.Field {
	if req == "-" || req == "" {
		return fs
	}
	a := strings.IndexByte(req, ' ')
	b := strings.LastIndexByte(req, ' ')
	if a <= 0 || !isMethod(req[:a]) {
		return append(fs, store.Field{Name: "path", Value: store.Str(req)})
	}
	fs = append(fs, store.Field{Name: "method", Value: store.Str(req[:a])})
	if b > a && strings.HasPrefix(req[b+1:], "HTTP/") {
		return append(fs, store.Field{Name: "path", Value: store.Str(req[a+1 : b])},
			store.Field{Name: "protocol", Value: store.Str(req[b+1:])})
	}
	return append(fs, store.Field{Name: "path", Value: store.Str(req[a+1:])})
}

// isMethod reports whether m looks like an HTTP method: upper-case
// letters only (GET, POST, PROPFIND ...).
func isMethod(m string) bool {
	if len(m) > 16 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return true
}

func dashNull(s string) store.Value {
	if s == "-" {
		return store.Null
	}
	return store.Str(s)
}

// bytesValue reads the response size: an int, null for "-".
func bytesValue(s string) store.Value {
	if s == "-" || s == "" {
		return store.Null
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || n > 1e17 {
			return typedValue(s)
		}
		n = n*10 + int64(s[i]-'0')
	}
	return store.Int(n)
}

// accessTime parses "10/Oct/2000:13:55:36 -0700" by its fixed layout, and
// any other shape through the general scanner.
func (p *apacheParser) accessTime(t string) (int64, bool) {
	if len(t) == 26 && t == string(p.lastTime[:]) {
		return p.lastNS, true
	}
	if len(t) == 26 && t[2] == '/' && t[6] == '/' && t[11] == ':' && t[20] == ' ' {
		d, ok := fixed2(t, 0)
		y1, ok1 := fixed2(t, 7)
		y2, ok2 := fixed2(t, 9)
		h, ok3 := fixed2(t, 12)
		mi, ok4 := fixed2(t, 15)
		sec, ok5 := fixed2(t, 18)
		oh, ok6 := fixed2(t, 22)
		om, ok7 := fixed2(t, 24)
		st := stamp{year: y1*100 + y2, month: apacheMonth(t[3:]), day: d,
			hour: h, min: mi, sec: sec, zoned: true, off: oh*3600 + om*60}
		if t[21] == '-' {
			st.off = -st.off
		}
		if ok && ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && (t[21] == '+' || t[21] == '-') && st.valid() {
			ns := p.clock.resolve(&st)
			copy(p.lastTime[:], t)
			p.lastNS = ns
			return ns, true
		}
		return 0, false
	}
	return p.clock.parse(t)
}

func fixed2(s string, i int) (int, bool) {
	a, b := s[i]-'0', s[i+1]-'0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// apacheMonth returns the month of the three-letter abbreviation that
// starts s (10/Oct/2000), or 0.
func apacheMonth(s string) int {
	if m, n := monthname.At(s); n == 3 {
		return m
	}
	return 0
}
