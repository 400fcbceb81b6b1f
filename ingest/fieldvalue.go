package ingest

import (
	"strconv"
	"strings"
	"unsafe"

	"loghunt/store"
)

// bstr views b as a string without copying. The string must not outlive a
// change to b; the parsers only read it inside Classify.
func bstr(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// trimCR drops one trailing carriage return (CRLF files).
func trimCR(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\r' {
		return s[:n-1]
	}
	return s
}

// trimCRBytes is trimCR for Classify's byte lines.
func trimCRBytes(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// fieldName makes name safe as a field name: the reserved names _time,
// _raw, source and sourcetype get an "orig_" prefix, and an empty name
// becomes "field".
func fieldName(name string) string {
	switch name {
	case "_time", "_raw", "source", "sourcetype":
		return "orig_" + name
	case "":
		return "field"
	}
	return name
}

// addField appends one field to ev.
func addField(ev *store.Event, name string, v store.Value) {
	ev.Fields = append(ev.Fields, store.Field{Name: name, Value: v})
}

// typedValue types a text value: an int when it is a plain decimal
// integer (without leading zeros, which would be lost), a float when it is
// a plain decimal number, else the string itself.
func typedValue(s string) store.Value {
	switch numberShape(s) {
	case shapeInt:
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return store.Int(i)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return store.Float(f)
		}
	case shapeFloat:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return store.Float(f)
		}
	}
	return store.Str(s)
}

const (
	shapeNone = iota
	shapeInt
	shapeFloat
)

// numberShape reports whether s is written as a decimal integer or a
// decimal float (digits, optional sign, fraction and exponent). Forms such
// as "0x1f", "NaN", "Inf", "1_000" and "007" are not numbers here.
func numberShape(s string) int {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := i - start
	if intDigits == 0 {
		return shapeNone
	}
	if intDigits > 1 && s[start] == '0' && (i == len(s) || s[i] != '.') {
		return shapeNone
	}
	if i == len(s) {
		return shapeInt
	}
	if s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return shapeNone
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return shapeNone
		}
	}
	if i != len(s) {
		return shapeNone
	}
	return shapeFloat
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' }

// isKeyByte reports whether c may appear in a key of a key=value pair.
func isKeyByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '.' || c == '-' || c == '@' || c == '/'
}

// levelWords are the severity words a kv line may carry, upper-cased.
var levelWords = [...]string{
	"TRACE", "DEBUG", "INFO", "INFORMATION", "NOTICE", "WARN", "WARNING",
	"ERROR", "ERR", "CRIT", "CRITICAL", "ALERT", "EMERG", "FATAL", "SEVERE",
	"FINE", "FINER", "FINEST", "PANIC",
}

// isLevelWord reports whether tok is a severity word (any case) or a
// single upper-case logcat letter (V, D, I, W, E, F, A).
func isLevelWord(tok string) bool {
	if len(tok) == 1 {
		return strings.IndexByte("VDIWEFA", tok[0]) >= 0
	}
	if len(tok) < 3 || len(tok) > 11 {
		return false
	}
	for _, w := range levelWords {
		if strings.EqualFold(tok, w) {
			return true
		}
	}
	return false
}

// timeKeys are the field names that carry an event's time, best first.
var timeKeys = [...]string{
	"ts", "time", "timestamp", "@timestamp", "_time", "eventTime", "date",
	"datetime", "TimeCreated", "TimeGenerated", "UtcTime", "EventReceivedTime",
	"time_local", "asctime", "created", "@t",
}

// timeKeyRank returns the rank of name in timeKeys (compared ignoring
// case), or -1.
func timeKeyRank(name string) int {
	if len(name) < 2 || len(name) > 17 {
		return -1
	}
	for i, k := range timeKeys {
		if len(k) == len(name) && strings.EqualFold(k, name) {
			return i
		}
	}
	return -1
}
