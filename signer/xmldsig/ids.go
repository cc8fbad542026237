package xmldsig

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// idAttributes are the attribute names treated as IDs. Without a DTD or
// schema nothing says which attribute is an ID, so this package, like
// xmlsec's --id-attr and Santuario's setIdAttribute in NCALayer, names them.
// Kalkan signs by "Id"; "ID" and "id" are common in SAML and portal formats.
var idAttributes = []string{"Id", "ID", "id"}

// elementByID returns the one element whose ID attribute equals id. Two or
// more such elements are an error (ErrAmbiguousID): signature wrapping works
// by making a verifier and an application pick different ones.
func elementByID(doc *etree.Document, id string) (*etree.Element, error) {
	var found []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for _, a := range e.Attr {
			if a.Space != "" {
				continue
			}
			for _, name := range idAttributes {
				if a.Key == name && a.Value == id {
					found = append(found, e)
				}
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(doc.Root())
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no element with Id %q", ErrElementNotFound, id)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%w: %d elements carry Id %q", ErrAmbiguousID, len(found), id)
}

// elementPath is a readable location of e, e.g. /root/items/a[2], so that a
// report says which element a signature covers, not only its Id.
func elementPath(e *etree.Element) string {
	var parts []string
	for ; e != nil && e.Tag != ""; e = e.Parent() {
		step := e.FullTag()
		if p := e.Parent(); p != nil && p.Tag != "" {
			n, pos := 0, 0
			for _, s := range p.ChildElements() {
				if s.FullTag() == e.FullTag() {
					n++
					if s == e {
						pos = n
					}
				}
			}
			if n > 1 {
				step = fmt.Sprintf("%s[%d]", step, pos)
			}
		}
		parts = append(parts, step)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return "/" + strings.Join(parts, "/")
}
