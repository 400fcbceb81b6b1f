package llm

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DefaultFields is the allow-list of fields whose values are sent as they
// are (with any address in them replaced): times, kinds of event,
// outcomes, web request lines, counts, scores and reasons, patterns.
// Address, user and host fields are sent too, but only as pseudonyms;
// every other field (_raw, source, messages, user agents, ...) is left
// out. Numbers a stage computed (counts) are sent whatever their name.
var DefaultFields = []string{
	"_time", "sourcetype", "action", "status", "method", "path", "uri", "uri_path", "auth_method",
	"event_id", "eventid", "process", "pattern", "count",
	"is_anomaly", "anomaly_score", "anomaly_reason", "explanation", "context_of",
}

// Kinds of value replaced by pseudonyms.
const (
	KindIP   = "ip"
	KindUser = "user"
	KindHost = "host"
)

// FieldKind says whether a field holds addresses, user names or host
// names, by its name: "ip", "user", "host", or "" for none of them.
func FieldKind(field string) string {
	f := strings.ToLower(field)
	switch {
	case ipName.MatchString(f):
		return KindIP
	case strings.Contains(f, "agent"):
		return ""
	case strings.Contains(f, "user") || strings.Contains(f, "account") || f == "uid" || f == "login":
		return KindUser
	case strings.Contains(f, "host") || strings.Contains(f, "computer") || strings.Contains(f, "workstation") ||
		f == "dvc" || f == "src" || f == "dst" || f == "dest" || f == "server_name" || f == "domain":
		return KindHost
	}
	return ""
}

var ipName = regexp.MustCompile(`(^|_)ip($|_)|ip$|^ip|addr|address`)

// Privacy decides what of the data is sent and how: the allow-list, and
// the pseudonyms of one conversation (the same value always gets the same
// pseudonym, so the model can follow an address through the events).
type Privacy struct {
	allow  map[string]bool
	toFake map[string]string
	toReal map[string]string
	count  map[string]int
	reals  []string // the replaced values, longest first
}

// NewPrivacy follows cfg's allow-list (DefaultFields when it has none;
// cfg may be nil).
func NewPrivacy(cfg *Config) *Privacy {
	fields := DefaultFields
	if cfg != nil && len(cfg.Fields) > 0 {
		fields = cfg.Fields
	}
	p := &Privacy{allow: map[string]bool{}, toFake: map[string]string{}, toReal: map[string]string{}, count: map[string]int{}}
	for _, f := range fields {
		p.allow[strings.ToLower(f)] = true
	}
	return p
}

// Allowed reports whether a field is on the allow-list.
func (p *Privacy) Allowed(field string) bool { return p.allow[strings.ToLower(field)] }

// Sends reports whether field's values are sent (as they are, or as
// pseudonyms); numeric says the value is a number.
func (p *Privacy) Sends(field string, numeric bool) bool {
	return FieldKind(field) != "" || p.Allowed(field) || numeric
}

// Register notes a value of field, so that it is replaced wherever it
// appears in text; do it for every value before the texts are made.
func (p *Privacy) Register(field, value string) {
	if kind := p.kindOf(field, value); kind != "" {
		p.pseudonym(kind, value)
	}
}

// kindOf is the kind of pseudonym of field=value, or "" to keep it.
func (p *Privacy) kindOf(field, value string) string {
	v := strings.TrimSpace(value)
	if v == "" || v == "-" || v == "?" || v == "(null)" {
		return ""
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return KindIP
	}
	return FieldKind(field)
}

// pseudonym of a value of a kind: ip-1, user-1, host-1, ...
func (p *Privacy) pseudonym(kind, real string) string {
	if f, ok := p.toFake[real]; ok {
		return f
	}
	p.count[kind]++
	fake := kind + "-" + strconv.Itoa(p.count[kind])
	p.toFake[real], p.toReal[fake] = fake, real
	i, _ := slices.BinarySearchFunc(p.reals, real, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a) // longest first
		}
		return strings.Compare(a, b)
	})
	p.reals = slices.Insert(p.reals, i, real)
	return fake
}

// Value is what is sent of field=value, and whether it is sent at all:
// an address, user or host as its pseudonym, an allowed field's or a
// number's value with the known values and addresses in it replaced.
func (p *Privacy) Value(field, value string, numeric bool) (string, bool) {
	if kind := p.kindOf(field, value); kind != "" && FieldKind(field) != "" {
		return p.pseudonym(kind, strings.TrimSpace(value)), true
	}
	if !p.Sends(field, numeric) {
		return "", false
	}
	return p.Text(value), true
}

// ipLike finds what may be an address in text: IPv4, or hex and colons
// (checked by netip, so times such as 03:12:00 stay).
var ipLike = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`)

// Text replaces in free text every value registered so far and every
// address, on word boundaries.
func (p *Privacy) Text(s string) string {
	for _, real := range p.reals {
		s = replaceWord(s, real, p.toFake[real])
	}
	return ipLike.ReplaceAllStringFunc(s, func(m string) string {
		if _, err := netip.ParseAddr(m); err != nil || !strings.ContainsAny(m, ".:") || strings.Count(m, ":") == 1 {
			return m
		}
		return p.pseudonym(KindIP, m)
	})
}

// replaceWord replaces old by new in s where old is not part of a longer
// word (letters, digits, _ and - around it; a dot only before a digit).
func replaceWord(s, old, new string) string {
	if old == "" || !strings.Contains(s, old) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(old)
		if (i == 0 || !wordByte(s[i-1], true)) && (j == len(s) || !wordByte(s[j], false) && !(s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]))) {
			b.WriteString(s[:i])
			b.WriteString(new)
		} else {
			b.WriteString(s[:j])
		}
		s = s[j:]
	}
}

func wordByte(c byte, before bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '-' || before && c == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fakeName finds pseudonyms in an answer.
var fakeName = regexp.MustCompile(`\b(ip|user|host)-(\d+)\b`)

// Restore maps the pseudonyms in the model's answer back to the real
// values; a pseudonym this conversation did not give stays as it is.
func (p *Privacy) Restore(s string) string {
	return fakeName.ReplaceAllStringFunc(s, func(m string) string {
		if real, ok := p.toReal[m]; ok {
			return real
		}
		return m
	})
}

// Mapping lists the pseudonyms given, "ip-1=203.0.113.77", in order of
// kind and number: for a user who wants to see what was replaced.
func (p *Privacy) Mapping() []string {
	var out []string
	for _, kind := range []string{KindIP, KindUser, KindHost} {
		for i := 1; i <= p.count[kind]; i++ {
			fake := fmt.Sprintf("%s-%d", kind, i)
			out = append(out, fake+"="+p.toReal[fake])
		}
	}
	return out
}
