package query

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"loghunt/store"
)

// JSON functions, on text that holds a JSON document (a JSON log line's
// _raw, a field that carries JSON). Text that is not JSON gives null.
func init() {
	funcs["json_extract"] = funcDef{1, -1, buildJSONExtract}
	funcs["json_keys"] = funcDef{1, 1, strict1(fnJSONKeys)}
}

// jsonStep is one step of a path: a key, or an array index (key == "").
type jsonStep struct {
	key   string
	index int
}

// parseJSONPath reads Splunk's path syntax: keys separated by dots, {N}
// for the N-th element of an array (0-based): "cities{0}.name".
func parseJSONPath(p string) ([]jsonStep, bool) {
	var steps []jsonStep
	for _, part := range strings.Split(p, ".") {
		key := part
		var idx []int
		if i := strings.IndexByte(part, '{'); i >= 0 {
			key = part[:i]
			rest := part[i:]
			for rest != "" {
				j := strings.IndexByte(rest, '}')
				if rest[0] != '{' || j < 0 {
					return nil, false
				}
				n, err := strconv.Atoi(rest[1:j])
				if err != nil || n < 0 {
					return nil, false
				}
				idx = append(idx, n)
				rest = rest[j+1:]
			}
		}
		if key == "" && len(idx) == 0 {
			if p == "" {
				return nil, true
			}
			return nil, false
		}
		if key != "" {
			steps = append(steps, jsonStep{key: key})
		}
		for _, n := range idx {
			steps = append(steps, jsonStep{index: n})
		}
	}
	return steps, true
}

// buildJSONExtract is json_extract(json[, path...]): with no path the
// document itself, with one the value at the path (text unquoted, numbers
// and booleans as such, objects and arrays as compact JSON; null when the
// path is not there), with several a JSON array of their values. Literal
// paths are checked here.
func buildJSONExtract(fb *fnBuild) (exprNode, *posError) {
	for i := 1; i < len(fb.args); i++ {
		if s, ok := fb.constString(i); ok {
			if _, ok := parseJSONPath(s); !ok {
				return nil, errorAtPos(fb.call.Args[i].Pos, "bad JSON path %q: write keys with dots and array elements as {N}, such as \"a.b{0}.c\"", s)
			}
		}
	}
	return &strictNode{args: fb.args, f: fnJSONExtract}, nil
}

func fnJSONExtract(v []store.Value) store.Value {
	if anyNullValue(v) {
		return store.Null
	}
	doc := []byte(v[0].String())
	if !json.Valid(doc) {
		return store.Null
	}
	if len(v) == 1 {
		return jsonValue(doc)
	}
	found := make([]json.RawMessage, len(v)-1)
	for i, p := range v[1:] {
		steps, ok := parseJSONPath(p.String())
		if !ok {
			return store.Null
		}
		found[i] = jsonAt(doc, steps)
	}
	if len(found) == 1 {
		if found[0] == nil {
			return store.Null
		}
		return jsonValue(found[0])
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, f := range found {
		if i > 0 {
			b.WriteByte(',')
		}
		if f == nil {
			f = json.RawMessage("null")
		}
		if err := json.Compact(&b, f); err != nil {
			return store.Null
		}
	}
	b.WriteByte(']')
	return store.Str(b.String())
}

// jsonAt returns the value at steps in doc, or nil. Of keys given twice
// the last counts, as in most JSON readers.
func jsonAt(doc json.RawMessage, steps []jsonStep) json.RawMessage {
	cur := doc
	for _, s := range steps {
		if s.key != "" {
			var obj map[string]json.RawMessage
			if json.Unmarshal(cur, &obj) != nil {
				return nil
			}
			next, ok := obj[s.key]
			if !ok {
				return nil
			}
			cur = next
			continue
		}
		var arr []json.RawMessage
		if json.Unmarshal(cur, &arr) != nil || s.index >= len(arr) {
			return nil
		}
		cur = arr[s.index]
	}
	return cur
}

// jsonValue turns a JSON value into a field value.
func jsonValue(raw json.RawMessage) store.Value {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return store.Null
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return store.Null
		}
		return store.Str(s)
	case 'n':
		return store.Null
	case 't', 'f':
		return store.Bool(raw[0] == 't')
	case '{', '[':
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return store.Null
		}
		return store.Str(b.String())
	}
	if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return store.Int(i)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return store.Str(string(raw)) // past the float range: kept as written
	}
	return store.Float(f)
}

// fnJSONKeys is json_keys(json): the keys of a JSON object, in the order
// they are written (each once), as a JSON array; null for anything else.
func fnJSONKeys(v store.Value) store.Value {
	doc := []byte(v.String())
	if !json.Valid(doc) {
		return store.Null
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return store.Null
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return store.Null
		}
		k, _ := t.(string)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return store.Null
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(append([]string{}, keys...)) != nil {
		return store.Null
	}
	return store.Str(strings.TrimSuffix(out.String(), "\n"))
}
