package docsign

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

const nsDSig = "http://www.w3.org/2000/09/xmldsig#"

// ErrNotCarried: a signed XML document is not the stored version with
// signatures added.
var ErrNotCarried = errors.New("the signed XML is not the document version")

// XMLCarries checks that signed is content with ds:Signature elements
// added: both, with every ds:Signature and the whitespace-only text that
// the signing style puts around one removed, canonicalize (C14N 1.0
// without comments) to the same bytes. xmldsig.Verify proves the
// signature covers signed; this proves signed is the stored version.
func XMLCarries(signed, content []byte) error {
	a, err := strippedC14N(signed)
	if err != nil {
		return fmt.Errorf("signed XML: %w", err)
	}
	b, err := strippedC14N(content)
	if err != nil {
		return fmt.Errorf("document XML: %w", err)
	}
	if !bytes.Equal(a, b) {
		return ErrNotCarried
	}
	return nil
}

// maxXMLStrip bounds the documents XMLCarries parses (the store's limit).
const maxXMLStrip = 16 << 20

func strippedC14N(data []byte) ([]byte, error) {
	if len(data) > maxXMLStrip {
		return nil, fmt.Errorf("larger than %d bytes", maxXMLStrip)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = 256
	if err := doc.ReadFromBytes(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); err != nil {
		return nil, err
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return nil, errors.New("a DTD is not accepted")
		}
	}
	root := doc.Root()
	if root == nil {
		return nil, errors.New("no root element")
	}
	stripSignatures(root)
	return dsig.MakeC14N10RecCanonicalizer().Canonicalize(root)
}

// stripSignatures removes ds:Signature elements below e and all
// whitespace-only character data (indentation is not content in the
// documents signed here, and signing styles differ in it).
func stripSignatures(e *etree.Element) {
	for _, child := range append([]etree.Token(nil), e.Child...) {
		switch c := child.(type) {
		case *etree.Element:
			if c.Tag == "Signature" && c.NamespaceURI() == nsDSig {
				e.RemoveChild(c)
				continue
			}
			stripSignatures(c)
		case *etree.CharData:
			if isSpace(c.Data) {
				e.RemoveChild(c)
			}
		}
	}
}

func isSpace(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\r' && r != '\n' {
			return false
		}
	}
	return true
}
