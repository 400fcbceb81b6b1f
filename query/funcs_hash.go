package query

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"loghunt/store"
)

// Hash and encoding functions: they work on the bytes of the value's
// printed form (store.Value.String); null in gives null out.
func init() {
	for name, def := range map[string]funcDef{
		"md5":    {1, 1, strict1(hashWith(func(b []byte) []byte { h := md5.Sum(b); return h[:] }))},
		"sha1":   {1, 1, strict1(hashWith(func(b []byte) []byte { h := sha1.Sum(b); return h[:] }))},
		"sha256": {1, 1, strict1(hashWith(func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }))},
		"base64encode": {1, 1, strict1(func(v store.Value) store.Value {
			return store.Str(base64.StdEncoding.EncodeToString([]byte(v.String())))
		})},
		"base64decode": {1, 1, strict1(fnBase64Decode)},
		"urldecode":    {1, 1, strict1(func(v store.Value) store.Value { return store.Str(urlDecode(v.String())) })},
	} {
		funcs[name] = def
	}
}

// hashWith makes a hash function: the digest in lower-case hex.
func hashWith(sum func([]byte) []byte) func(store.Value) store.Value {
	return func(v store.Value) store.Value { return store.Str(hex.EncodeToString(sum([]byte(v.String())))) }
}

// fnBase64Decode reads standard base64 (RFC 4648 section 4), with or
// without its = padding, ignoring surrounding whitespace; URL-safe base64
// (- and _) is read too. Text that is not base64 gives null.
func fnBase64Decode(v store.Value) store.Value {
	s := strings.TrimSpace(v.String())
	if strings.ContainsAny(s, "-_") {
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	s = strings.TrimRight(s, "=")
	out, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return store.Null
	}
	return store.Str(string(out))
}

// urlDecode replaces each %XX escape by its byte and + by a space (as
// query strings are written); a % not followed by two hex digits stays
// as written, so a half-escaped URL decodes as far as it can.
func urlDecode(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHexByte(s[i+1]) && isHexByte(s[i+2]):
			b.WriteByte(unhexByte(s[i+1])<<4 | unhexByte(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhexByte(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
