package query

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"loghunt/store"
)

// jsonNode is a parsed JSON value that keeps the order of an object's
// keys (auto-extract names fields in the order they are written) and each
// value's text. Of a key given twice the last value counts, at the place
// of the first, as encoding/json and json_extract read it.
type jsonNode struct {
	raw  string // the value's JSON text
	kind byte   // '{', '[', '"', 'n' (null) or 's' (another scalar)
	keys []string
	kids []*jsonNode
}

// maxSpathDepth bounds the nesting spath reads; deeper text is not
// extracted (no event of a real log nests this deep).
const maxSpathDepth = 200

// parseJSONTree parses s when it holds one JSON object or array.
func parseJSONTree(s string) (*jsonNode, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] != '{' && s[0] != '[' || !json.Valid([]byte(s)) {
		return nil, false
	}
	p := jsonTreeParser{s: s}
	n := p.value(0)
	return n, !p.deep
}

// jsonTreeParser walks text that json.Valid accepted.
type jsonTreeParser struct {
	s    string
	i    int
	deep bool
}

func (p *jsonTreeParser) space() {
	for p.i < len(p.s) && isSpaceByte(p.s[p.i]) {
		p.i++
	}
}

func (p *jsonTreeParser) value(depth int) *jsonNode {
	p.space()
	start := p.i
	n := &jsonNode{}
	switch c := p.s[p.i]; c {
	case '{', '[':
		if depth >= maxSpathDepth {
			p.deep = true
		}
		n.kind = c
		p.i++
		p.space()
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		for p.s[p.i] != end && !p.deep {
			if c == '{' {
				key := p.str()
				p.space()
				p.i++ // ':'
				kid := p.value(depth + 1)
				if k := n.index(key); k >= 0 {
					n.kids[k] = kid
				} else {
					n.keys, n.kids = append(n.keys, key), append(n.kids, kid)
				}
			} else {
				n.kids = append(n.kids, p.value(depth+1))
			}
			p.space()
			if p.s[p.i] == ',' {
				p.i++
				p.space()
			}
		}
		if p.deep {
			return n
		}
		p.i++
	case '"':
		n.kind = '"'
		p.str()
	default:
		n.kind = 's'
		if c == 'n' {
			n.kind = 'n'
		}
		for p.i < len(p.s) && !strings.ContainsRune(",}] \t\r\n", rune(p.s[p.i])) {
			p.i++
		}
	}
	n.raw = p.s[start:p.i]
	return n
}

// str reads a string and returns its decoded text.
func (p *jsonTreeParser) str() string {
	start := p.i
	p.i++
	esc := false
	for p.s[p.i] != '"' {
		if p.s[p.i] == '\\' {
			esc = true
			p.i++
		}
		p.i++
	}
	p.i++
	raw := p.s[start:p.i]
	if !esc && utf8.ValidString(raw) {
		return raw[1 : len(raw)-1]
	}
	var out string
	json.Unmarshal([]byte(raw), &out)
	return out
}

// index is the position of key in an object, or -1.
func (n *jsonNode) index(key string) int {
	for i, k := range n.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// leaves calls fn with each leaf path of n and its value (see
// spathValue), paths in the order they first occur. Nulls and empty
// objects and arrays are no leaves.
func (n *jsonNode) leaves(fn func(path string, v store.Value)) {
	var order []string
	found := map[string][]*jsonNode{}
	var walk func(n *jsonNode, prefix string)
	walk = func(n *jsonNode, prefix string) {
		switch n.kind {
		case '{':
			for i, k := range n.keys {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				walk(n.kids[i], name)
			}
		case '[':
			for _, kid := range n.kids {
				walk(kid, prefix+"{}")
			}
		case 'n':
		default:
			if _, ok := found[prefix]; !ok {
				order = append(order, prefix)
			}
			found[prefix] = append(found[prefix], n)
		}
	}
	walk(n, "")
	for _, p := range order {
		if v, ok := spathValue(found[p]); ok {
			fn(p, v)
		}
	}
}

// at returns the value at a path (see spathValue). A key step may match
// a key that holds dots itself (Zeek's "id.orig_h"): at an object, the
// shortest run of the path's keys that names one of its keys is taken.
func (n *jsonNode) at(steps []spathStep) (store.Value, bool) {
	return spathValue(n.find(steps))
}

func (n *jsonNode) find(steps []spathStep) []*jsonNode {
	if len(steps) == 0 {
		return []*jsonNode{n}
	}
	base, sel, next := n, steps[0].idx, 1
	if steps[0].key != "" {
		base = nil
		if n.kind != '{' {
			return nil
		}
		name := ""
		for j := range steps {
			if j > 0 {
				name += "."
			}
			name += steps[j].key
			if k := n.index(name); k >= 0 {
				base, sel, next = n.kids[k], steps[j].idx, j+1
				break
			}
			if len(steps[j].idx) > 0 {
				break
			}
		}
		if base == nil {
			return nil
		}
	}
	cur := []*jsonNode{base}
	for _, ix := range sel {
		var nxt []*jsonNode
		for _, c := range cur {
			switch {
			case c.kind != '[':
			case ix < 0:
				nxt = append(nxt, c.kids...)
			case ix < len(c.kids):
				nxt = append(nxt, c.kids[ix])
			}
		}
		cur = nxt
	}
	var out []*jsonNode
	for _, c := range cur {
		out = append(out, c.find(steps[next:])...)
	}
	return out
}

// spathValue is the field value of the nodes a path found, nulls left
// out: one value keeps its type (a number, true or false, text; an object
// or array as compact JSON), several make a multi-value of their texts,
// one per line.
func spathValue(nodes []*jsonNode) (store.Value, bool) {
	var keep []*jsonNode
	for _, n := range nodes {
		if n.kind != 'n' {
			keep = append(keep, n)
		}
	}
	switch len(keep) {
	case 0:
		return store.Null, false
	case 1:
		if keep[0].kind == '"' {
			return store.Str(jsonString(keep[0].raw)), true
		}
		return jsonValue(json.RawMessage(keep[0].raw)), true
	}
	parts := make([]string, len(keep))
	for i, n := range keep {
		switch n.kind {
		case '"':
			parts[i] = jsonString(n.raw)
		case '{', '[':
			var b bytes.Buffer
			json.Compact(&b, []byte(n.raw))
			parts[i] = b.String()
		default:
			parts[i] = n.raw
		}
	}
	return store.Str(strings.Join(parts, mvSep)), true
}

// jsonString decodes a JSON string's text; one without escapes (and in
// UTF-8, as encoding/json would mend it) is its inside, as it is.
func jsonString(raw string) string {
	if !strings.ContainsRune(raw, '\\') && utf8.ValidString(raw) {
		return raw[1 : len(raw)-1]
	}
	var out string
	json.Unmarshal([]byte(raw), &out)
	return out
}
