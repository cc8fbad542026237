package xmldsig

import (
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
)

// Style is how a ds:Signature is laid out. Both styles sign the same things
// with the same algorithms; only whitespace differs, and that whitespace is
// inside SignedInfo, so it is signed too.
type Style int

const (
	// StyleNCALayer is the layout of NCALayer's commonUtils.signXml (Kalkan
	// with Apache Santuario): a newline after every start and end tag of the
	// signature's elements, base64 values wrapped at 76 columns with CR LF
	// (the CR written as &#13;), SignatureValue and X509Certificate opened
	// and closed by a newline, DigestValue not.
	StyleNCALayer Style = iota
	// StyleCompact is the layout of NCALayer's basics.sign for XML: no
	// whitespace between elements and unwrapped base64. egov.kz re-parses
	// documents and drops whitespace inside SignedInfo, so only this style
	// verifies there.
	StyleCompact
)

// String names the style for messages and flags.
func (s Style) String() string {
	switch s {
	case StyleNCALayer:
		return "ncalayer"
	case StyleCompact:
		return "compact"
	}
	return "unknown"
}

// wrap76 is Java's MIME base64: lines of 76 characters joined by CR LF.
func wrap76(b64 string) string {
	if len(b64) <= 76 {
		return b64
	}
	var sb strings.Builder
	for len(b64) > 76 {
		sb.WriteString(b64[:76])
		sb.WriteString("\r\n")
		b64 = b64[76:]
	}
	sb.WriteString(b64)
	return sb.String()
}

// builder lays out ds:* elements in a style.
type builder struct{ style Style }

// child appends a ds:name element to parent, preceded in the NCALayer style
// by nothing (newlines follow tags, see close).
func (b builder) child(parent *etree.Element, name string) *etree.Element {
	e := parent.CreateElement("ds:" + name)
	return e
}

// newline appends the NCALayer style's newline to e.
func (b builder) newline(e *etree.Element) {
	if b.style == StyleNCALayer {
		e.CreateText("\n")
	}
}

// base64Text is the text of DigestValue (framed=false), SignatureValue and
// X509Certificate (framed=true) in the style.
func (b builder) base64Text(raw []byte, framed bool) string {
	s := base64.StdEncoding.EncodeToString(raw)
	if b.style != StyleNCALayer {
		return s
	}
	s = wrap76(s)
	if framed {
		s = "\n" + s + "\n"
	}
	return s
}
