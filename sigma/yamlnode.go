package sigma

import (
	"gopkg.in/yaml.v3"
)

// Rules are read as yaml.Node trees, not decoded into structs, for three
// reasons: every problem can name the line and column of its node; a
// scalar keeps the text it was written with (0x17, 1.10, 010 stay as
// written, as Sigma treats values as strings) together with its tag
// (so numbers can still be told from quoted strings); and mapping order
// is kept for deterministic messages.

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapPairs calls fn with each key and value of a mapping node, in order.
func mapPairs(n *yaml.Node, fn func(k, v *yaml.Node)) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(deref(n.Content[i]), deref(n.Content[i+1]))
	}
}

// mapGet returns the value of key in a mapping node, or nil.
func mapGet(n *yaml.Node, key string) *yaml.Node {
	var out *yaml.Node
	mapPairs(n, func(k, v *yaml.Node) {
		if out == nil && k.Kind == yaml.ScalarNode && k.Value == key {
			out = v
		}
	})
	return out
}

// isNull reports whether n is absent or a YAML null.
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// scalarString returns a scalar's text and whether n is a non-null scalar.
func scalarString(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

// stringList reads a scalar or a sequence of scalars.
func stringList(n *yaml.Node) ([]string, bool) {
	n = deref(n)
	if n == nil {
		return nil, true
	}
	if s, ok := scalarString(n); ok {
		return []string{s}, true
	}
	if n.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, ok := scalarString(c)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// mergeNodes deep-merges b over a (for `action: global` collections):
// mappings merge key by key, anything else in b replaces a. Neither
// input is modified.
func mergeNodes(a, b *yaml.Node) *yaml.Node {
	a, b = deref(a), deref(b)
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode {
		return b
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: b.Tag, Line: b.Line, Column: b.Column}
	index := map[string]int{}
	mapPairs(a, func(k, v *yaml.Node) {
		index[k.Value] = len(out.Content)
		out.Content = append(out.Content, k, v)
	})
	mapPairs(b, func(k, v *yaml.Node) {
		if i, ok := index[k.Value]; ok {
			out.Content[i+1] = mergeNodes(out.Content[i+1], v)
			return
		}
		index[k.Value] = len(out.Content)
		out.Content = append(out.Content, k, v)
	})
	return out
}

// withoutKey returns a mapping node without key.
func withoutKey(n *yaml.Node, key string) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: n.Tag, Line: n.Line, Column: n.Column}
	mapPairs(n, func(k, v *yaml.Node) {
		if k.Value != key {
			out.Content = append(out.Content, k, v)
		}
	})
	return out
}
