package refeval

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"loghunt/query"
	"loghunt/store"
)

// spath evaluates Splunk's spath over encoding/json: each level of the
// document decoded as a map or slice of raw values, so that objects and
// arrays print as their own compact text. With a path, the values it
// reaches go into the output field; without one, every leaf path is a
// field; nulls are no value, one value keeps its type, several make a
// multi-value; a row without JSON or anything at the path is kept as it is.
func spath(c *query.SpathCmd, rows []Row) []Row {
	path := c.PathText()
	for _, r := range rows {
		v := r.Get(c.Input)
		if v.K != store.KindString {
			continue
		}
		t := strings.TrimSpace(v.S)
		if t == "" || t[0] != '{' && t[0] != '[' || !json.Valid([]byte(t)) {
			continue
		}
		doc := json.RawMessage(t)
		if path != "" {
			if out, ok := jsonFieldValue(spathFind(doc, strings.Split(path, "."))); ok {
				r.Set(c.Output, out)
			}
			continue
		}
		leaves := map[string][]json.RawMessage{}
		spathLeaves(doc, "", leaves)
		for p, vals := range leaves {
			if out, ok := jsonFieldValue(vals); ok {
				r.Set(p, out)
			}
		}
	}
	return rows
}

func spathLeaves(raw json.RawMessage, prefix string, out map[string][]json.RawMessage) {
	var obj map[string]json.RawMessage
	var arr []json.RawMessage
	switch {
	case json.Unmarshal(raw, &obj) == nil && obj != nil:
		for k, v := range obj {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			spathLeaves(v, name, out)
		}
	case json.Unmarshal(raw, &arr) == nil && arr != nil:
		for _, v := range arr {
			spathLeaves(v, prefix+"{}", out)
		}
	case string(raw) == "null":
	default:
		out[prefix] = append(out[prefix], raw)
	}
}

// spathFind follows the parts of a path (key{i}{}...): a key may hold dots
// itself, the shortest run of parts naming a key of the object counts.
func spathFind(raw json.RawMessage, parts []string) []json.RawMessage {
	if len(parts) == 0 {
		return []json.RawMessage{raw}
	}
	key, sels := splitPart(parts[0])
	next := 1
	cur := []json.RawMessage{raw}
	if key != "" {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil || obj == nil {
			return nil
		}
		cur = nil
		for j := range parts {
			k, s := splitPart(parts[j])
			var names []string
			for _, p := range parts[:j] {
				names = append(names, p)
			}
			names = append(names, k)
			if v, ok := obj[strings.Join(names, ".")]; ok {
				cur, sels, next = []json.RawMessage{v}, s, j+1
				break
			}
			if len(s) > 0 {
				break
			}
		}
	}
	for _, sel := range sels {
		var nxt []json.RawMessage
		for _, c := range cur {
			var arr []json.RawMessage
			if json.Unmarshal(c, &arr) != nil || arr == nil {
				continue
			}
			if sel < 0 {
				nxt = append(nxt, arr...)
			} else if sel < len(arr) {
				nxt = append(nxt, arr[sel])
			}
		}
		cur = nxt
	}
	var out []json.RawMessage
	for _, c := range cur {
		out = append(out, spathFind(c, parts[next:])...)
	}
	return out
}

// splitPart splits "key{0}{}" into the key and its selections (-1: all).
func splitPart(p string) (string, []int) {
	i := strings.IndexByte(p, '{')
	if i < 0 {
		return p, nil
	}
	var sels []int
	for _, s := range strings.Split(strings.TrimSuffix(p[i+1:], "}"), "}{") {
		n := -1
		if s != "" {
			n, _ = strconv.Atoi(s)
		}
		sels = append(sels, n)
	}
	return p[:i], sels
}

// jsonFieldValue is the field value of the JSON values found.
func jsonFieldValue(vals []json.RawMessage) (store.Value, bool) {
	var texts []string
	var one store.Value
	for _, raw := range vals {
		raw = bytes.TrimSpace(raw)
		if string(raw) == "null" {
			continue
		}
		var text string
		switch raw[0] {
		case '"':
			json.Unmarshal(raw, &text)
			one = store.Str(text)
		case '{', '[':
			var b bytes.Buffer
			json.Compact(&b, raw)
			text = b.String()
			one = store.Str(text)
		case 't', 'f':
			text = string(raw)
			one = store.Bool(raw[0] == 't')
		default:
			text = string(raw)
			if i, err := strconv.ParseInt(text, 10, 64); err == nil {
				one = store.Int(i)
			} else if f, err := strconv.ParseFloat(text, 64); err == nil {
				one = store.Float(f)
			} else {
				one = store.Str(text)
			}
		}
		texts = append(texts, text)
	}
	switch len(texts) {
	case 0:
		return store.Null, false
	case 1:
		return one, true
	}
	return store.Str(strings.Join(texts, "\n")), true
}
