package refeval

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"loghunt/store"
)

// huntCall evaluates the hashing, encoding, type, address, entropy and
// JSON functions (their .help entries); ok is false for other names
// (printf is refPrintf, over the conversions the generator writes).
// Arguments are not null here.
func huntCall(name string, args []store.Value) (v store.Value, ok bool) {
	s := ""
	if len(args) > 0 {
		s = args[0].String()
	}
	switch name {
	case "md5":
		h := md5.Sum([]byte(s))
		return store.Str(hex.EncodeToString(h[:])), true
	case "sha1":
		h := sha1.Sum([]byte(s))
		return store.Str(hex.EncodeToString(h[:])), true
	case "sha256":
		h := sha256.Sum256([]byte(s))
		return store.Str(hex.EncodeToString(h[:])), true
	case "base64encode":
		return store.Str(base64.StdEncoding.EncodeToString([]byte(s))), true
	case "base64decode":
		t := strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(s))
		t = strings.ReplaceAll(strings.ReplaceAll(t, "-", "+"), "_", "/")
		t = strings.TrimRight(t, "=")
		if len(t)%4 == 1 {
			return store.Null, true
		}
		t += strings.Repeat("=", (4-len(t)%4)%4)
		out, err := base64.StdEncoding.DecodeString(t)
		if err != nil {
			return store.Null, true
		}
		return store.Str(string(out)), true
	case "urldecode":
		t := strings.ReplaceAll(s, "+", " ")
		return store.Str(pctEscape.ReplaceAllStringFunc(t, func(e string) string {
			b, _ := strconv.ParseUint(e[1:], 16, 8)
			return string([]byte{byte(b)})
		})), true
	case "ipmask":
		return refIPMask(s, args[1].String()), true
	case "entropy":
		counts := map[rune]float64{}
		n := 0.0
		for _, r := range s {
			counts[r]++
			n++
		}
		ps := []float64{}
		for _, c := range counts {
			ps = append(ps, c/n)
		}
		sort.Float64s(ps)
		h := 0.0
		for _, p := range ps {
			h += p * math.Log2(1/p)
		}
		return store.Float(h), true
	case "json_extract":
		return refJSONExtract(args), true
	case "json_keys":
		return refJSONKeys(s), true
	}
	return store.Null, false
}

var pctEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// typeTest is isnum, isint and isstr, on any value (null is none).
func typeTest(name string, v store.Value) store.Value {
	num := false
	whole := false
	switch v.K {
	case store.KindInt:
		num, whole = true, true
	case store.KindFloat:
		num = true
	case store.KindTime:
		num, whole = true, v.I%1000000000 == 0
	case store.KindString:
		_, num = store.ParseNumber(strings.TrimSpace(v.S))
		_, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64)
		whole = err == nil
		num = num || whole
	}
	switch name {
	case "isnum":
		return store.Bool(num)
	case "isint":
		return store.Bool(whole)
	}
	return store.Bool(v.K == store.KindString && !num)
}

// refIPMask ANDs the address with the mask, both of one family.
func refIPMask(mask, ip string) store.Value {
	m, err1 := netip.ParseAddr(mask)
	a, err2 := netip.ParseAddr(ip)
	if err1 != nil || err2 != nil {
		return store.Null
	}
	m, a = m.Unmap(), a.Unmap()
	if m.Is4() && a.Is4() {
		mb, ab := m.As4(), a.As4()
		parts := make([]string, 4)
		for i := range parts {
			parts[i] = strconv.Itoa(int(mb[i] & ab[i]))
		}
		return store.Str(strings.Join(parts, "."))
	}
	if m.Is4() || a.Is4() {
		return store.Null
	}
	mb, ab := m.As16(), a.As16()
	for i := range ab {
		ab[i] &= mb[i]
	}
	return store.Str(netip.AddrFrom16(ab).String())
}

// refJSONExtract walks decoded JSON (numbers kept as written).
func refJSONExtract(args []store.Value) store.Value {
	doc := []byte(args[0].String())
	var root any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil || dec.More() || !json.Valid(doc) {
		return store.Null
	}
	if len(args) == 1 {
		return fromJSON(root, doc)
	}
	var found []any
	missing := []bool{}
	for _, p := range args[1:] {
		v, ok := walkJSON(root, p.String())
		found = append(found, v)
		missing = append(missing, !ok)
	}
	if len(found) == 1 {
		if missing[0] {
			return store.Null
		}
		return fromJSON(found[0], nil)
	}
	parts := make([]string, len(found))
	for i, v := range found {
		parts[i] = compactJSON(v)
	}
	return store.Str("[" + strings.Join(parts, ",") + "]")
}

var jsonIndex = regexp.MustCompile(`^\{(\d+)\}`)

// walkJSON follows a path of dotted keys and {N} indexes.
func walkJSON(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "{")
		if rest != "" || strings.Contains(part, "{") {
			rest = "{" + rest
		}
		if key == "" && rest == "" {
			return nil, false
		}
		if key != "" {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = obj[key]; !ok {
				return nil, false
			}
		}
		for rest != "" {
			m := jsonIndex.FindStringSubmatch(rest)
			if m == nil {
				return nil, false
			}
			arr, ok := v.([]any)
			n, err := strconv.Atoi(m[1])
			if !ok || err != nil || n >= len(arr) {
				return nil, false
			}
			v, rest = arr[n], rest[len(m[0]):]
		}
	}
	return v, true
}

// fromJSON makes a field value of a decoded JSON value; objects and
// arrays print as compact JSON in their written order, which decoding
// into maps loses, so the text itself is compacted when known.
func fromJSON(v any, text []byte) store.Value {
	switch x := v.(type) {
	case nil:
		return store.Null
	case string:
		return store.Str(x)
	case bool:
		return store.Bool(x)
	case json.Number:
		if i, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return store.Int(i)
		}
		if f, err := strconv.ParseFloat(x.String(), 64); err == nil {
			return store.Float(f)
		}
		return store.Str(x.String())
	}
	if text != nil {
		var b bytes.Buffer
		if json.Compact(&b, text) == nil {
			return store.Str(b.String())
		}
	}
	return store.Str(compactJSON(v))
}

// compactJSON prints decoded JSON compactly. Objects print with their
// keys sorted, not in written order: the generator asks several paths at
// once only of keys that hold scalars.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return "null"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// refJSONKeys lists an object's keys in written order, by scanning the
// tokens of the top level.
func refJSONKeys(s string) store.Value {
	if !json.Valid([]byte(s)) {
		return store.Null
	}
	dec := json.NewDecoder(strings.NewReader(s))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return store.Null
	}
	keys := []string{}
	depth := 0
	expectKey := true
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
			} else {
				depth--
			}
			if depth < 0 {
				return store.Str(compactJSON(dedupStrings(keys)))
			}
			if depth == 0 {
				expectKey = true
			}
			continue
		case string:
			if depth == 0 && expectKey {
				keys = append(keys, t)
				expectKey = false
				continue
			}
		}
		if depth == 0 {
			expectKey = true
		}
	}
	return store.Str(compactJSON(dedupStrings(keys)))
}

func dedupStrings(xs []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
