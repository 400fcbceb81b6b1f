package evtx

import "strings"

// writeXML renders expanded nodes as compact XML text: no declaration, no
// indentation, double-quoted attributes, empty elements as <Name/>. Text
// escapes & < >; attribute values also escape ". Character and entity
// references are written as they were stored.
func writeXML(sb *strings.Builder, xs []xnode) {
	for i := range xs {
		xs[i].writeXML(sb)
	}
}

func (x *xnode) writeXML(sb *strings.Builder) {
	switch x.kind {
	case nodeElement:
		sb.WriteByte('<')
		sb.WriteString(x.name)
		for _, a := range x.attrs {
			sb.WriteByte(' ')
			sb.WriteString(a.name)
			sb.WriteString(`="`)
			escape(sb, a.val.Text, true)
			sb.WriteByte('"')
		}
		if len(x.kids) == 0 {
			sb.WriteString("/>")
			return
		}
		sb.WriteByte('>')
		writeXML(sb, x.kids)
		sb.WriteString("</")
		sb.WriteString(x.name)
		sb.WriteByte('>')
	case nodeText:
		escape(sb, x.val.Text, false)
	case nodeCharRef:
		sb.WriteString(charRef(uint16(x.val.bits)))
	case nodeEntityRef:
		sb.WriteByte('&')
		sb.WriteString(x.name)
		sb.WriteByte(';')
	case nodeCDATA:
		sb.WriteString("<![CDATA[")
		// "]]>" cannot appear inside a CDATA section: split it.
		sb.WriteString(strings.ReplaceAll(x.val.Text, "]]>", "]]]]><![CDATA[>"))
		sb.WriteString("]]>")
	case nodePI:
		sb.WriteString("<?")
		sb.WriteString(x.name)
		if x.val.Text != "" {
			sb.WriteByte(' ')
			sb.WriteString(x.val.Text)
		}
		sb.WriteString("?>")
	}
}

func escape(sb *strings.Builder, s string, attr bool) {
	start := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			if !attr {
				continue
			}
			rep = "&quot;"
		default:
			continue
		}
		sb.WriteString(s[start:i])
		sb.WriteString(rep)
		start = i + 1
	}
	sb.WriteString(s[start:])
}
