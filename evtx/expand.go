package evtx

import (
	"fmt"
	"strconv"
	"strings"
)

// maxRecordText bounds the work of expanding one record: the text it
// produces, plus nodeCost per node made, plus the bytes of values decoded
// and of BinXML values parsed. A template can refer to one large value many
// times and values can nest, so crafted input could otherwise render
// gigabytes from one 64 KiB chunk.
const maxRecordText = 4 << 20

// maxChunkWork bounds the same work over all the records of a chunk: a
// chunk holds up to about 2000 records, each of which may refer to
// templates defined earlier. The real files seen need at most 1.6 MB per
// chunk (65 KB per record).
const maxChunkWork = 32 << 20

// nodeCost is what each expanded node counts against maxRecordText, about
// its size in memory.
const nodeCost = 64

// xnode is a node of the expanded event: templates applied, substitutions
// replaced by their values.
type xnode struct {
	kind  nodeKind // nodeElement, nodeText, nodeCharRef, nodeEntityRef, nodeCDATA, nodePI
	name  string
	attrs []xattr
	kids  []xnode
	// val is a text node's value (literal text is a string, a substitution
	// keeps its type), CDATA or PI data in val.Text, a character reference
	// in val.bits.
	val Value
}

type xattr struct {
	name string
	val  Value
}

// expander applies templates. It counts the text it produces against
// maxRecordText and the nesting of templates and BinXML values against
// maxDepth.
type expander struct {
	c       *chunk
	budget  int
	byChunk bool // the chunk's remaining work, not maxRecordText, sets budget
	depth   int
}

// scope is a template instance's decoded values.
type scope struct {
	raw  []rawValue
	vals []Value
}

func (e *expander) spend(n int) error {
	e.budget -= n
	if e.budget < 0 {
		if e.byChunk {
			return fmt.Errorf("chunk expands to more than %d bytes of text", maxChunkWork)
		}
		return fmt.Errorf("record expands to more than %d bytes of text", maxRecordText)
	}
	return nil
}

func (e *expander) newScope(inst *instance) (*scope, error) {
	if err := e.spend(nodeCost * len(inst.vals)); err != nil {
		return nil, err
	}
	s := &scope{raw: inst.vals, vals: make([]Value, len(inst.vals))}
	for i, rv := range inst.vals {
		if rv.t == TypeBinXML {
			s.vals[i] = Value{Type: TypeBinXML}
			continue
		}
		if err := e.spend(rv.size); err != nil {
			return nil, err
		}
		v, err := decodeValue(rv.t, e.c.data[rv.off:rv.off+rv.size])
		if err != nil {
			return nil, fmt.Errorf("substitution value %d: %w", i, err)
		}
		s.vals[i] = v
	}
	return s, nil
}

// nodes expands ns (in scope s, nil outside templates) and appends to out.
func (e *expander) nodes(ns []node, s *scope, out []xnode) ([]xnode, error) {
	for i := range ns {
		var err error
		out, err = e.node(&ns[i], s, -1, out)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// node expands one node. item >= 0 selects that element of array values.
func (e *expander) node(n *node, s *scope, item int, out []xnode) ([]xnode, error) {
	switch n.kind {
	case nodeElement:
		return e.element(n, s, out)
	case nodeTemplate:
		return e.instance(n.inst, out)
	case nodeSubst:
		return e.subst(n, s, item, out)
	case nodeText:
		if err := e.spend(nodeCost + len(n.text)); err != nil {
			return nil, err
		}
		return append(out, xnode{kind: nodeText, val: Value{Type: TypeString, Text: n.text}}), nil
	default:
		if err := e.spend(nodeCost + len(n.name) + len(n.text) + 8); err != nil {
			return nil, err
		}
		return append(out, xnode{kind: n.kind, name: n.name, val: Value{Text: n.text, bits: uint64(n.id)}}), nil
	}
}

func (e *expander) instance(inst *instance, out []xnode) ([]xnode, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return nil, fmt.Errorf("templates nested deeper than %d", maxDepth)
	}
	s, err := e.newScope(inst)
	if err != nil {
		return nil, err
	}
	return e.nodes(inst.tmpl.nodes, s, out)
}

// value returns substitution id's value, or one element of an array.
func (s *scope) value(id uint16, item int) (Value, bool) {
	if s == nil || int(id) >= len(s.vals) {
		return Value{}, false
	}
	v := s.vals[id]
	if v.Type.IsArray() && item != -1 {
		if item < 0 || item >= len(v.Items) {
			return Value{}, true // an empty array gives one empty element
		}
		return v.Items[item], true
	}
	return v, true
}

// subst expands a substitution: nothing for a null value, the nested
// document for a BinXML value, else its text.
func (e *expander) subst(n *node, s *scope, item int, out []xnode) ([]xnode, error) {
	v, ok := s.value(n.id, item)
	if !ok {
		return nil, fmt.Errorf("substitution %d of %d values", n.id, len(s.valsOrNil()))
	}
	switch v.Type {
	case TypeNull:
		return out, nil
	case TypeBinXML:
		return e.binxml(s.raw[n.id], out)
	}
	if err := e.spend(nodeCost + len(v.Text)); err != nil {
		return nil, err
	}
	return append(out, xnode{kind: nodeText, val: v}), nil
}

func (s *scope) valsOrNil() []Value {
	if s == nil {
		return nil
	}
	return s.vals
}

// binxml parses and expands a BinXML substitution value in place.
func (e *expander) binxml(rv rawValue, out []xnode) ([]xnode, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return nil, fmt.Errorf("binxml values nested deeper than %d", maxDepth)
	}
	if err := e.spend(rv.size); err != nil {
		return nil, err
	}
	p := parser{c: e.c, pos: rv.off, end: rv.off + rv.size, depth: e.depth, noDep: true}
	ns, err := p.stream()
	if err != nil {
		return nil, fmt.Errorf("binxml value: %w", err)
	}
	return e.nodes(ns, nil, out)
}

// element expands an element. An array substitution directly in its
// attributes or content repeats the element once per array item (libevtx,
// "Normal substitution").
func (e *expander) element(n *node, s *scope, out []xnode) ([]xnode, error) {
	items := arrayLen(n, s)
	if items < 0 {
		return e.elementOnce(n, s, -1, out)
	}
	for i := range max(items, 1) {
		var err error
		if out, err = e.elementOnce(n, s, i, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// arrayLen is the length of the first array value substituted directly in
// n, or -1.
func arrayLen(n *node, s *scope) int {
	if s == nil {
		return -1
	}
	check := func(p *node) int {
		if p.kind == nodeSubst && int(p.id) < len(s.vals) && s.vals[p.id].Type.IsArray() {
			return len(s.vals[p.id].Items)
		}
		return -1
	}
	for _, a := range n.attrs {
		for i := range a.parts {
			if k := check(&a.parts[i]); k >= 0 {
				return k
			}
		}
	}
	for i := range n.children {
		if k := check(&n.children[i]); k >= 0 {
			return k
		}
	}
	return -1
}

func (e *expander) elementOnce(n *node, s *scope, item int, out []xnode) ([]xnode, error) {
	if err := e.spend(nodeCost + 2*len(n.name) + 5); err != nil {
		return nil, err
	}
	x := xnode{kind: nodeElement, name: n.name}
	if len(n.attrs) > 0 {
		x.attrs = make([]xattr, 0, len(n.attrs))
	}
	if len(n.children) > 0 {
		x.kids = make([]xnode, 0, len(n.children))
	}
	for _, a := range n.attrs {
		v, keep, err := e.attrValue(a.parts, s, item)
		if err != nil {
			return nil, fmt.Errorf("attribute %s of %s: %w", a.name, n.name, err)
		}
		if keep {
			if err := e.spend(nodeCost + len(a.name) + 4); err != nil {
				return nil, err
			}
			x.attrs = append(x.attrs, xattr{name: a.name, val: v})
		}
	}
	for i := range n.children {
		var err error
		if x.kids, err = e.node(&n.children[i], s, item, x.kids); err != nil {
			return nil, err
		}
	}
	return append(out, x), nil
}

// attrValue assembles an attribute value. A single substitution keeps its
// value type; anything else becomes a string. An attribute whose only parts
// are null optional substitutions is left out, as Windows does.
func (e *expander) attrValue(parts []node, s *scope, item int) (Value, bool, error) {
	if len(parts) == 1 { // the usual cases, without a node list
		switch p := &parts[0]; p.kind {
		case nodeText:
			return Value{Type: TypeString, Text: p.text}, true, e.spend(len(p.text))
		case nodeSubst:
			if v, ok := s.value(p.id, item); ok && v.Type != TypeBinXML {
				if v.Type == TypeNull {
					return Value{Type: TypeString}, !p.optional, nil
				}
				return v, true, e.spend(len(v.Text))
			}
		}
	}
	var xs []xnode
	for i := range parts {
		var err error
		if xs, err = e.node(&parts[i], s, item, xs); err != nil {
			return Value{}, false, err
		}
	}
	if len(xs) == 0 {
		if len(parts) == 0 {
			return Value{Type: TypeString}, true, nil
		}
		for _, p := range parts {
			if p.kind != nodeSubst || !p.optional {
				return Value{Type: TypeString}, true, nil
			}
		}
		return Value{}, false, nil
	}
	if len(xs) == 1 && xs[0].kind == nodeText {
		return xs[0].val, true, nil
	}
	var sb strings.Builder
	for i := range xs {
		xs[i].appendText(&sb)
	}
	return Value{Type: TypeString, Text: sb.String()}, true, nil
}

// entities are the predefined XML entities.
var entities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`, "apos": "'"}

// appendText appends the node's text content (references resolved; the
// nested elements' text for an element).
func (x *xnode) appendText(sb *strings.Builder) {
	switch x.kind {
	case nodeText:
		sb.WriteString(x.val.Text)
	case nodeCDATA:
		sb.WriteString(x.val.Text)
	case nodeCharRef:
		sb.WriteRune(rune(x.val.bits))
	case nodeEntityRef:
		if s, ok := entities[x.name]; ok {
			sb.WriteString(s)
		} else {
			sb.WriteString("&" + x.name + ";")
		}
	case nodeElement:
		for i := range x.kids {
			x.kids[i].appendText(sb)
		}
	}
}

// charRef renders a character reference as in the XML: &#N;.
func charRef(c uint16) string { return "&#" + strconv.Itoa(int(c)) + ";" }
