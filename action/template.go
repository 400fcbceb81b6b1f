package action

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"loghunt/alert"
)

// fill fills an argv template from the alert: {name}, name made of
// letters, digits, '_' and '.', becomes the value of the alert's entity
// field name or of one of its own fields (id, rule, severity, count,
// score, value, reason, first, last, state); any other brace is literal,
// so "{ {src_ip} }" becomes "{ 203.0.113.7 }". A placeholder naming
// nothing, or whose value is empty or starts with '-' (it would read as
// an option to the command), is an error: the command is not run.
func fill(argv []string, a *alert.Alert) ([]string, error) {
	out := make([]string, len(argv))
	for i, arg := range argv {
		var b strings.Builder
		for j := 0; j < len(arg); {
			if arg[j] == '{' {
				k := j + 1
				for k < len(arg) && isNameByte(arg[k]) {
					k++
				}
				if k > j+1 && k < len(arg) && arg[k] == '}' {
					name := arg[j+1 : k]
					v, ok := field(a, name)
					switch {
					case !ok:
						return nil, fmt.Errorf("argument %d %q: {%s} is not a field of the alert or its entity", i+1, arg, name)
					case v == "":
						return nil, fmt.Errorf("argument %d %q: {%s} is empty", i+1, arg, name)
					case strings.HasPrefix(v, "-"):
						return nil, fmt.Errorf("argument %d %q: the value of {%s}, %q, starts with '-' and could pass as an option", i+1, arg, name, v)
					}
					b.WriteString(v)
					j = k + 1
					continue
				}
			}
			b.WriteByte(arg[j])
			j++
		}
		out[i] = b.String()
	}
	return out, nil
}

func isNameByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// field is the value of an alert's entity field or own field.
func field(a *alert.Alert, name string) (string, bool) {
	if v, ok := a.Entity[name]; ok {
		return v, true
	}
	switch name {
	case "id":
		return strconv.FormatUint(a.ID, 10), true
	case "rule":
		return a.Rule, true
	case "severity":
		return a.Severity, true
	case "count":
		return strconv.FormatInt(a.Count, 10), true
	case "score":
		return strconv.FormatFloat(a.Score, 'g', -1, 64), true
	case "value":
		return strconv.FormatFloat(a.Value, 'g', -1, 64), true
	case "reason":
		return a.Reason, true
	case "first":
		return a.First.UTC().Format(time.RFC3339), true
	case "last":
		return a.Last.UTC().Format(time.RFC3339), true
	case "state":
		return a.State, true
	}
	return "", false
}

// entityString is the entity as "f=v f2=v2", fields in order.
func entityString(e map[string]string) string {
	keys := sortedKeys(e)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + e[k]
	}
	return strings.Join(parts, " ")
}

// shellQuote renders argv for a person to read (and paste): words with
// nothing special bare, others in single quotes.
func shellQuote(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == ',' || r == '@' || r == '+' ||
				r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) < 0 {
			parts[i] = a
		} else {
			parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(parts, " ")
}
