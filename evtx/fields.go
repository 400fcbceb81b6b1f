package evtx

import (
	"strconv"
	"strings"
)

// Field is one named value of an event; see the package documentation for
// how fields are named.
type Field struct {
	Name  string
	Value Value
}

// fieldSet collects fields in order and makes names unique: a name already
// taken gets _1, _2, ... (as evtx_dump names repeated sibling elements).
// Events have a few dozen fields: names are looked up by a scan until there
// are many.
type fieldSet struct {
	fields []Field
	seen   map[string]bool // built past manyFields
}

const manyFields = 64

func (f *fieldSet) taken(name string) bool {
	if f.seen != nil {
		return f.seen[name]
	}
	for i := range f.fields {
		if f.fields[i].Name == name {
			return true
		}
	}
	return false
}

func (f *fieldSet) add(name string, v Value) {
	if f.taken(name) {
		for i := 1; ; i++ {
			n := name + "_" + strconv.Itoa(i)
			if !f.taken(n) {
				name = n
				break
			}
		}
	}
	if f.fields == nil {
		f.fields = make([]Field, 0, 48)
	}
	f.fields = append(f.fields, Field{Name: name, Value: v})
	if f.seen != nil {
		f.seen[name] = true
	} else if len(f.fields) > manyFields {
		f.seen = make(map[string]bool, 2*len(f.fields))
		for _, fl := range f.fields {
			f.seen[fl.Name] = true
		}
	}
}

// flatten turns the expanded Event element into fields.
func flatten(event *xnode) []Field {
	var f fieldSet
	for i := range event.kids {
		c := &event.kids[i]
		if c.kind != nodeElement {
			continue
		}
		switch c.name {
		case "System":
			f.container(c, false)
		case "EventData":
			f.container(c, true)
		case "UserData":
			f.attrs(c.name, c)
			for j := range c.kids {
				if w := &c.kids[j]; w.kind == nodeElement {
					f.container(w, true)
				}
			}
		default:
			f.element(c.name, c, true)
		}
	}
	return f.fields
}

// container flattens a section whose children are named without a prefix:
// its own attributes are Section_Attr. In EventData, a Data or ComplexData
// element with a Name attribute is named by that attribute. keepEmpty gives
// empty child elements an empty string field (so the positions of unnamed
// Data elements are kept).
func (f *fieldSet) container(c *xnode, keepEmpty bool) {
	f.attrs(c.name, c)
	for i := range c.kids {
		k := &c.kids[i]
		if k.kind != nodeElement {
			continue
		}
		name, skip := k.name, ""
		if keepEmpty && (k.name == "Data" || k.name == "ComplexData") {
			for _, a := range k.attrs {
				if a.name == "Name" && a.val.Text != "" {
					name, skip = a.val.Text, "Name"
					break
				}
			}
		}
		f.elementSkip(name, k, keepEmpty, skip)
	}
}

func (f *fieldSet) element(name string, x *xnode, keepEmpty bool) {
	f.elementSkip(name, x, keepEmpty, "")
}

// elementSkip flattens an element named name: its text is the field name,
// each attribute name_Attr (but skip), each child element name_Child.
func (f *fieldSet) elementSkip(name string, x *xnode, keepEmpty bool, skip string) {
	if v, ok := textValue(x); ok {
		f.add(name, v)
	} else if keepEmpty && !hasElements(x) && !hasAttrsBut(x, skip) {
		f.add(name, Value{Type: TypeString})
	}
	for _, a := range x.attrs {
		if a.name != skip && !isXMLNS(a.name) {
			f.add(name+"_"+a.name, a.val)
		}
	}
	for i := range x.kids {
		if k := &x.kids[i]; k.kind == nodeElement {
			f.element(name+"_"+k.name, k, keepEmpty)
		}
	}
}

func (f *fieldSet) attrs(prefix string, x *xnode) {
	for _, a := range x.attrs {
		if !isXMLNS(a.name) {
			f.add(prefix+"_"+a.name, a.val)
		}
	}
}

func isXMLNS(name string) bool { return name == "xmlns" || strings.HasPrefix(name, "xmlns:") }

func hasElements(x *xnode) bool {
	for i := range x.kids {
		if x.kids[i].kind == nodeElement {
			return true
		}
	}
	return false
}

func hasAttrsBut(x *xnode, skip string) bool {
	for _, a := range x.attrs {
		if a.name != skip && !isXMLNS(a.name) {
			return true
		}
	}
	return false
}

// textValue is an element's own text: a single substitution keeps its type,
// several parts join into a string. ok is false when there is no text.
func textValue(x *xnode) (Value, bool) {
	var first *xnode
	n := 0
	for i := range x.kids {
		if k := &x.kids[i]; k.kind != nodeElement && k.kind != nodePI {
			if n == 0 {
				first = k
			}
			n++
		}
	}
	switch {
	case n == 0:
		return Value{}, false
	case n == 1 && first.kind == nodeText:
		return first.val, true
	}
	var sb strings.Builder
	for i := range x.kids {
		if k := &x.kids[i]; k.kind != nodeElement && k.kind != nodePI {
			k.appendText(&sb)
		}
	}
	return Value{Type: TypeString, Text: sb.String()}, true
}
