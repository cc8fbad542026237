package xmldsig

import (
	"bytes"

	"github.com/beevik/etree"
)

// serialize writes the signed document the way NCALayer's Java serializer
// does: no XML declaration (the output is UTF-8), attributes in document
// order with double quotes, empty elements as <a/>, '>' escaped in text, and
// a carriage return as &#13; so that the CR LF line ends inside base64 values
// survive the next parser's line-end normalization.
//
// Whatever it writes parses back to the same tree, which is what makes the
// digest computed over the tree valid for the bytes.
func serialize(doc *etree.Document) []byte {
	var w bytes.Buffer
	for _, t := range doc.Child {
		if pi, ok := t.(*etree.ProcInst); ok && pi.Target == "xml" {
			continue
		}
		writeToken(&w, t)
	}
	return w.Bytes()
}

func writeToken(w *bytes.Buffer, t etree.Token) {
	switch t := t.(type) {
	case *etree.Element:
		w.WriteByte('<')
		w.WriteString(t.FullTag())
		for _, a := range t.Attr {
			w.WriteByte(' ')
			w.WriteString(a.FullKey())
			w.WriteString(`="`)
			writeEscaped(w, a.Value, true)
			w.WriteByte('"')
		}
		if len(t.Child) == 0 {
			w.WriteString("/>")
			return
		}
		w.WriteByte('>')
		for _, c := range t.Child {
			writeToken(w, c)
		}
		w.WriteString("</")
		w.WriteString(t.FullTag())
		w.WriteByte('>')
	case *etree.CharData:
		writeEscaped(w, t.Data, false)
	case *etree.Comment:
		w.WriteString("<!--")
		w.WriteString(t.Data)
		w.WriteString("-->")
	case *etree.ProcInst:
		w.WriteString("<?")
		w.WriteString(t.Target)
		if t.Inst != "" {
			w.WriteByte(' ')
			w.WriteString(t.Inst)
		}
		w.WriteString("?>")
	}
}

// writeEscaped escapes text or an attribute value so that a parser returns
// exactly s: markup characters, and in attributes the whitespace characters
// that attribute-value normalization would otherwise turn into spaces.
func writeEscaped(w *bytes.Buffer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\r':
			esc = "&#13;"
		case c == '"' && attr:
			esc = "&quot;"
		case c == '\n' && attr:
			esc = "&#10;"
		case c == '\t' && attr:
			esc = "&#9;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}
