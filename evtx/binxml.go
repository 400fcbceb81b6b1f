package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BinXML tokens (MS-EVEN6 2.2.12). Tokens 0x01 and 0x05..0x09 may carry the
// "more data" flag 0x40.
const (
	tokEOF            = 0x00
	tokOpenStart      = 0x01
	tokCloseStart     = 0x02
	tokCloseEmpty     = 0x03
	tokEndElement     = 0x04
	tokValue          = 0x05
	tokAttribute      = 0x06
	tokCDATA          = 0x07
	tokCharRef        = 0x08
	tokEntityRef      = 0x09
	tokPITarget       = 0x0a
	tokPIData         = 0x0b
	tokTemplate       = 0x0c
	tokSubst          = 0x0d
	tokOptSubst       = 0x0e
	tokFragmentHeader = 0x0f
	tokMore           = 0x40
)

// maxDepth bounds element nesting plus template and BinXML-value nesting:
// real events nest a handful of levels; crafted input must not recurse
// without end.
const maxDepth = 64

type nodeKind uint8

const (
	nodeElement nodeKind = iota
	nodeText
	nodeSubst
	nodeCharRef
	nodeEntityRef
	nodeCDATA
	nodePI
	nodeTemplate
)

// node is one parsed BinXML item. Template definitions are parsed once per
// chunk into nodes with substitution placeholders; records refer to them.
type node struct {
	kind     nodeKind
	optional bool      // optional substitution
	vtype    ValueType // declared type of a substitution
	id       uint16    // substitution index or character reference
	name     string    // element, entity or PI target name
	text     string    // text, CDATA or PI data
	attrs    []attr
	children []node
	inst     *instance
}

type attr struct {
	name  string
	parts []node
}

// template is a parsed template definition.
type template struct {
	nodes []node
	err   error // the definition could not be parsed
	busy  bool  // being parsed: a reference now is a cycle
}

// instance is a template instance: the template and its substitution values,
// which stay as raw bytes of the chunk until rendered.
type instance struct {
	tmpl *template
	vals []rawValue
}

type rawValue struct {
	t         ValueType
	off, size int // in the chunk
}

var errTruncated = errors.New("truncated binxml")

// parser reads BinXML from a chunk's bytes. Offsets of names and templates
// are relative to the chunk, so the parser always works on the whole chunk
// and keeps pos and end within it.
type parser struct {
	c     *chunk
	pos   int
	end   int
	depth int
	// noDep: element starts lack the 2-byte dependency identifier, as in
	// BinXML substitution values (libevtx, "Element start", note 3).
	noDep bool
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("binxml at chunk offset 0x%x: %s", p.pos, fmt.Sprintf(format, a...))
}

func (p *parser) need(n int) error {
	if n < 0 || p.pos+n > p.end {
		return fmt.Errorf("binxml at chunk offset 0x%x: need %d bytes: %w", p.pos, n, errTruncated)
	}
	return nil
}

func (p *parser) u8() (byte, error) {
	if err := p.need(1); err != nil {
		return 0, err
	}
	p.pos++
	return p.c.data[p.pos-1], nil
}

func (p *parser) u16() (uint16, error) {
	if err := p.need(2); err != nil {
		return 0, err
	}
	p.pos += 2
	return binary.LittleEndian.Uint16(p.c.data[p.pos-2:]), nil
}

func (p *parser) u32() (uint32, error) {
	if err := p.need(4); err != nil {
		return 0, err
	}
	p.pos += 4
	return binary.LittleEndian.Uint32(p.c.data[p.pos-4:]), nil
}

func (p *parser) peek() (byte, error) {
	if err := p.need(1); err != nil {
		return 0, err
	}
	return p.c.data[p.pos], nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nested deeper than %d", maxDepth)
	}
	return nil
}

// stream parses a BinXML document: fragments, elements, template instances
// and PIs up to the end-of-file token or the end of the data.
func (p *parser) stream() ([]node, error) {
	var out []node
	for p.pos < p.end {
		tok := p.c.data[p.pos]
		switch tok {
		case tokEOF:
			p.pos++
			return out, nil
		case tokFragmentHeader:
			if err := p.need(4); err != nil {
				return nil, err
			}
			p.pos += 4
		case tokPITarget:
			n, err := p.pi()
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		default:
			n, err := p.contentItem(tok)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// contentItem parses one item of element content (or of a stream).
func (p *parser) contentItem(tok byte) (node, error) {
	switch tok &^ tokMore {
	case tokOpenStart:
		return p.element(tok)
	case tokValue:
		return p.valueText()
	case tokCDATA:
		p.pos++
		s, err := p.lenString()
		return node{kind: nodeCDATA, text: s}, err
	case tokCharRef:
		p.pos++
		c, err := p.u16()
		return node{kind: nodeCharRef, id: c}, err
	case tokEntityRef:
		p.pos++
		name, err := p.nameAt()
		return node{kind: nodeEntityRef, name: name}, err
	}
	switch tok {
	case tokSubst, tokOptSubst:
		return p.subst(tok)
	case tokTemplate:
		return p.templateInstance()
	case tokPITarget:
		return p.pi()
	}
	return node{}, p.errorf("unexpected token 0x%02x", tok)
}

// element parses an element start, its attributes and its content.
func (p *parser) element(tok byte) (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	defer func() { p.depth-- }()
	p.pos++
	if p.hasDep() {
		p.pos += 2
	}
	if _, err := p.u32(); err != nil { // data size
		return node{}, err
	}
	name, err := p.nameAt()
	if err != nil {
		return node{}, err
	}
	n := node{kind: nodeElement, name: name}
	if tok&tokMore != 0 {
		if _, err := p.u32(); err != nil { // attribute list size
			return node{}, err
		}
		for {
			t, err := p.peek()
			if err != nil {
				return node{}, err
			}
			if t&^tokMore != tokAttribute {
				break
			}
			p.pos++
			a, err := p.attribute()
			if err != nil {
				return node{}, err
			}
			n.attrs = append(n.attrs, a)
			if t&tokMore == 0 {
				break
			}
		}
	}
	t, err := p.u8()
	if err != nil {
		return node{}, err
	}
	switch t {
	case tokCloseEmpty:
		return n, nil
	case tokCloseStart:
	default:
		p.pos--
		return node{}, p.errorf("element %q: unexpected token 0x%02x after attributes", name, t)
	}
	for {
		t, err := p.peek()
		if err != nil {
			return node{}, err
		}
		if t == tokEndElement {
			p.pos++
			return n, nil
		}
		if t == tokEOF {
			return node{}, p.errorf("element %q: end of data before its end tag", name)
		}
		c, err := p.contentItem(t)
		if err != nil {
			return node{}, err
		}
		n.children = append(n.children, c)
	}
}

// hasDep reports whether the element start at p.pos (after its token) has
// the 2-byte dependency identifier: not in BinXML substitution values
// (libevtx), yes elsewhere. The layout whose name offset is plausible (the
// name right after it, or one earlier in the chunk) wins, the expected one
// first, since writers are known to differ.
func (p *parser) hasDep() bool {
	plausible := func(at int) bool {
		if at+4 > p.end {
			return false
		}
		off := int(binary.LittleEndian.Uint32(p.c.data[at:]))
		return off == at+4 || (off >= chunkHeaderSize && off < at)
	}
	withDep, without := plausible(p.pos+6), plausible(p.pos+4)
	if p.noDep {
		return !without && withDep
	}
	return withDep || !without
}

// attribute parses an attribute's name and value parts (text, substitutions,
// character and entity references).
func (p *parser) attribute() (attr, error) {
	name, err := p.nameAt()
	if err != nil {
		return attr{}, err
	}
	a := attr{name: name}
	for {
		t, err := p.peek()
		if err != nil {
			return attr{}, err
		}
		switch t &^ tokMore {
		case tokValue, tokCharRef, tokEntityRef:
		default:
			if t != tokSubst && t != tokOptSubst {
				return a, nil
			}
		}
		n, err := p.contentItem(t)
		if err != nil {
			return attr{}, err
		}
		a.parts = append(a.parts, n)
	}
}

// valueText parses a value token: a value type (a string) and the text.
func (p *parser) valueText() (node, error) {
	p.pos++
	t, err := p.u8()
	if err != nil {
		return node{}, err
	}
	if ValueType(t) != TypeString {
		return node{}, p.errorf("value text of type %s", ValueType(t))
	}
	s, err := p.lenString()
	return node{kind: nodeText, text: s}, err
}

func (p *parser) subst(tok byte) (node, error) {
	p.pos++
	id, err := p.u16()
	if err != nil {
		return node{}, err
	}
	t, err := p.u8()
	if err != nil {
		return node{}, err
	}
	return node{kind: nodeSubst, id: id, vtype: ValueType(t), optional: tok == tokOptSubst}, nil
}

// pi parses a processing instruction: a target name and a data token.
func (p *parser) pi() (node, error) {
	p.pos++
	name, err := p.nameAt()
	if err != nil {
		return node{}, err
	}
	t, err := p.u8()
	if err != nil {
		return node{}, err
	}
	if t != tokPIData {
		p.pos--
		return node{}, p.errorf("pi %q: data token 0x%02x", name, t)
	}
	s, err := p.lenString()
	return node{kind: nodePI, name: name, text: s}, err
}

// lenString reads a 16-bit character count and that many UTF-16 units.
func (p *parser) lenString() (string, error) {
	n, err := p.u16()
	if err != nil {
		return "", err
	}
	if err := p.need(2 * int(n)); err != nil {
		return "", err
	}
	s := utf16String(p.c.data[p.pos : p.pos+2*int(n)])
	p.pos += 2 * int(n)
	return s, nil
}

// nameAt reads a name offset; a name stored right there is skipped over.
func (p *parser) nameAt() (string, error) {
	off, err := p.u32()
	if err != nil {
		return "", err
	}
	name, size, err := p.c.name(off)
	if err != nil {
		return "", p.errorf("%v", err)
	}
	if int(off) == p.pos {
		if err := p.need(size); err != nil {
			return "", err
		}
		p.pos += size
	}
	return name, nil
}

// templateInstance parses a template instance: the template (defined here or
// earlier in the chunk) and its substitution value descriptors.
func (p *parser) templateInstance() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	defer func() { p.depth-- }()
	p.pos++
	if err := p.need(9); err != nil {
		return node{}, err
	}
	p.pos += 5 // unknown byte, template identifier
	defOff, _ := p.u32()
	if int(defOff) == p.pos { // defined inline: skip the definition
		if err := p.need(24); err != nil {
			return node{}, err
		}
		size := int(binary.LittleEndian.Uint32(p.c.data[p.pos+20:]))
		if err := p.need(24 + size); err != nil {
			return node{}, err
		}
		p.pos += 24 + size
	}
	tmpl, err := p.c.template(defOff, p.depth)
	if err != nil {
		return node{}, err
	}
	count, err := p.u32()
	if err != nil {
		return node{}, err
	}
	if err := p.need(4 * int(count)); err != nil || count > 0xffff {
		return node{}, p.errorf("template instance with %d values", count)
	}
	inst := &instance{tmpl: tmpl, vals: make([]rawValue, count)}
	for i := range inst.vals {
		size, _ := p.u16()
		t, _ := p.u8()
		p.pos++
		inst.vals[i] = rawValue{t: ValueType(t), size: int(size)}
	}
	for i := range inst.vals {
		if err := p.need(inst.vals[i].size); err != nil {
			return node{}, err
		}
		inst.vals[i].off = p.pos
		p.pos += inst.vals[i].size
	}
	return node{kind: nodeTemplate, inst: inst}, nil
}
