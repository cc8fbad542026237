package xmldsig

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// This file is Canonical XML 1.0 (inclusive, W3C REC-xml-c14n-20010315) and
// Exclusive XML Canonicalization 1.0, with and without comments, over an
// etree tree. goxmldsig's canonicalizers were not enough for this package:
// they take only an element (no document-level comments and PIs, no way to
// leave out the enveloped signature without copying the tree), sort prefixed
// attributes by local name before namespace URI, and its inclusive variant
// copies every ancestor declaration onto the subtree without the inherited
// xml:* attributes. The differential test in c14n_test.go checks that both
// agree where goxmldsig is right.
//
// The node-sets this package canonicalizes are always a whole document or
// a whole element subtree, minus at most one excluded subtree (the
// enveloped signature) and, for same-document references, minus comments.
// That is all XMLDSig needs for the references it accepts, and it keeps the
// namespace rules simple: an element's nearest output ancestor is its parent,
// except for the apex of a subtree, which has none.

const (
	xmlNamespace   = "http://www.w3.org/XML/1998/namespace"
	xmlnsNamespace = "http://www.w3.org/2000/xmlns/"
)

// c14nOptions select the algorithm and the node-set.
type c14nOptions struct {
	c14nMethod
	// inclusivePrefixes is Exclusive C14N's InclusiveNamespaces PrefixList
	// ("" stands for #default).
	inclusivePrefixes map[string]bool
	// exclude lists subtrees left out of the node-set: the signature an
	// enveloped-signature transform removes (and, for a co-signed document,
	// the signatures appended after it; see reference.go).
	exclude []*etree.Element
}

func (o *c14nOptions) excluded(e *etree.Element) bool {
	for _, x := range o.exclude {
		if x == e {
			return true
		}
	}
	return false
}

// nsScope maps a prefix ("" for the default namespace) to its URI.
type nsScope map[string]string

type canonicalizer struct {
	opts c14nOptions
	w    *bytes.Buffer
}

// canonicalizeDocument writes the canonical form of the whole document.
func canonicalizeDocument(doc *etree.Document, opts c14nOptions) ([]byte, error) {
	c := &canonicalizer{opts: opts, w: new(bytes.Buffer)}
	seenRoot := false
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Element:
			if opts.excluded(t) {
				continue
			}
			if err := c.element(t, nsScope{}, nsScope{}, false); err != nil {
				return nil, err
			}
			seenRoot = true
		case *etree.Comment:
			if !opts.comments {
				continue
			}
			if seenRoot {
				c.w.WriteByte('\n')
			}
			c.comment(t)
			if !seenRoot {
				c.w.WriteByte('\n')
			}
		case *etree.ProcInst:
			if t.Target == "xml" { // the XML declaration is not a node
				continue
			}
			if seenRoot {
				c.w.WriteByte('\n')
			}
			c.procInst(t)
			if !seenRoot {
				c.w.WriteByte('\n')
			}
		}
	}
	return c.w.Bytes(), nil
}

// canonicalizeElement writes the canonical form of the subtree rooted at
// apex, which stays in its document: its namespace context (and, for
// inclusive C14N, the xml:* attributes it inherits) come from its ancestors.
func canonicalizeElement(apex *etree.Element, opts c14nOptions) ([]byte, error) {
	c := &canonicalizer{opts: opts, w: new(bytes.Buffer)}
	scope := nsScope{}
	for _, a := range ancestors(apex) {
		var err error
		if scope, err = withDeclarations(scope, a); err != nil {
			return nil, err
		}
	}
	if err := c.element(apex, scope, nsScope{}, true); err != nil {
		return nil, err
	}
	return c.w.Bytes(), nil
}

// ancestors returns e's ancestor elements, outermost first.
func ancestors(e *etree.Element) []*etree.Element {
	var list []*etree.Element
	for p := e.Parent(); p != nil && p.Tag != ""; p = p.Parent() {
		list = append(list, p)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// isNSDecl reports whether a is a namespace declaration, and its prefix.
func isNSDecl(a etree.Attr) (prefix string, ok bool) {
	switch {
	case a.Space == "xmlns":
		return a.Key, true
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	}
	return "", false
}

// withDeclarations returns scope extended by e's namespace declarations,
// copying scope only when e declares something.
func withDeclarations(scope nsScope, e *etree.Element) (nsScope, error) {
	copied := false
	for _, a := range e.Attr {
		p, ok := isNSDecl(a)
		if !ok {
			continue
		}
		if p != "" && a.Value == "" {
			return nil, fmt.Errorf("%w: namespace prefix %q undeclared", ErrNotXML, p)
		}
		if p == "xmlns" || (p == "xml" && a.Value != xmlNamespace) || (p != "xml" && a.Value == xmlNamespace) || a.Value == xmlnsNamespace {
			return nil, fmt.Errorf("%w: reserved namespace misused in %s", ErrNotXML, a.FullKey())
		}
		if p == "xml" {
			continue
		}
		if !copied {
			next := make(nsScope, len(scope)+1)
			for k, v := range scope {
				next[k] = v
			}
			scope, copied = next, true
		}
		scope[p] = a.Value
	}
	return scope, nil
}

// lookup returns the URI bound to prefix in scope.
func (s nsScope) lookup(prefix string) (string, error) {
	if prefix == "xml" {
		return xmlNamespace, nil
	}
	uri := s[prefix]
	if uri == "" && prefix != "" {
		return "", fmt.Errorf("%w: namespace prefix %q is not declared", ErrNotXML, prefix)
	}
	return uri, nil
}

type nsDecl struct{ prefix, uri string }

type c14nAttr struct {
	uri, local, qname, value string
}

// element writes e and its subtree. parentScope holds the namespaces in
// scope at e's parent; rendered those the nearest output ancestor rendered.
func (c *canonicalizer) element(e *etree.Element, parentScope, rendered nsScope, apex bool) error {
	scope, err := withDeclarations(parentScope, e)
	if err != nil {
		return err
	}
	if _, err := scope.lookup(e.Space); err != nil {
		return err
	}

	// Namespace declarations to render.
	var decls []nsDecl
	if c.opts.exclusive {
		used := map[string]bool{e.Space: true}
		for _, a := range e.Attr {
			if _, ok := isNSDecl(a); !ok && a.Space != "" && a.Space != "xml" {
				used[a.Space] = true
			}
		}
		for p := range c.opts.inclusivePrefixes {
			if _, inScope := scope[p]; inScope || p == "" {
				used[p] = true
			}
		}
		for p := range used {
			if p == "xml" {
				continue
			}
			if rendered[p] != scope[p] {
				decls = append(decls, nsDecl{p, scope[p]})
			}
		}
	} else {
		for p, uri := range scope {
			if rendered[p] != uri {
				decls = append(decls, nsDecl{p, uri})
			}
		}
	}
	sort.Slice(decls, func(i, j int) bool { return decls[i].prefix < decls[j].prefix })

	// Attributes, in canonical order: by namespace URI, then local name.
	attrs := make([]c14nAttr, 0, len(e.Attr))
	for _, a := range e.Attr {
		if _, ok := isNSDecl(a); ok {
			continue
		}
		uri := "" // an unprefixed attribute is in no namespace, whatever the default
		if a.Space != "" {
			if uri, err = scope.lookup(a.Space); err != nil {
				return err
			}
		}
		attrs = append(attrs, c14nAttr{uri: uri, local: a.Key, qname: a.FullKey(), value: a.Value})
	}
	if apex && !c.opts.exclusive {
		attrs = appendInheritedXMLAttrs(attrs, e)
	}
	sort.Slice(attrs, func(i, j int) bool {
		if attrs[i].uri != attrs[j].uri {
			return attrs[i].uri < attrs[j].uri
		}
		return attrs[i].local < attrs[j].local
	})

	w := c.w
	w.WriteByte('<')
	w.WriteString(e.FullTag())
	for _, d := range decls {
		if d.prefix == "" {
			w.WriteString(` xmlns="`)
		} else {
			w.WriteString(` xmlns:`)
			w.WriteString(d.prefix)
			w.WriteString(`="`)
		}
		escapeAttr(w, d.uri)
		w.WriteByte('"')
	}
	for _, a := range attrs {
		w.WriteByte(' ')
		w.WriteString(a.qname)
		w.WriteString(`="`)
		escapeAttr(w, a.value)
		w.WriteByte('"')
	}
	w.WriteByte('>')

	childRendered := rendered
	if len(decls) > 0 {
		childRendered = make(nsScope, len(rendered)+len(decls))
		for k, v := range rendered {
			childRendered[k] = v
		}
		for _, d := range decls {
			childRendered[d.prefix] = d.uri
		}
	}
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.Element:
			if c.opts.excluded(t) {
				continue
			}
			if err := c.element(t, scope, childRendered, false); err != nil {
				return err
			}
		case *etree.CharData:
			escapeText(w, t.Data)
		case *etree.Comment:
			if c.opts.comments {
				c.comment(t)
			}
		case *etree.ProcInst:
			c.procInst(t)
		}
	}
	w.WriteString("</")
	w.WriteString(e.FullTag())
	w.WriteByte('>')
	return nil
}

// appendInheritedXMLAttrs adds the xml:* attributes of apex's ancestors that
// apex does not override (C14N 1.0 section 2.4, for a subtree apex).
func appendInheritedXMLAttrs(attrs []c14nAttr, apex *etree.Element) []c14nAttr {
	have := map[string]bool{}
	for _, a := range attrs {
		if a.uri == xmlNamespace {
			have[a.local] = true
		}
	}
	anc := ancestors(apex)
	for i := len(anc) - 1; i >= 0; i-- {
		for _, a := range anc[i].Attr {
			if a.Space == "xml" && !have[a.Key] {
				have[a.Key] = true
				attrs = append(attrs, c14nAttr{uri: xmlNamespace, local: a.Key, qname: a.FullKey(), value: a.Value})
			}
		}
	}
	return attrs
}

func (c *canonicalizer) comment(t *etree.Comment) {
	c.w.WriteString("<!--")
	c.w.WriteString(t.Data)
	c.w.WriteString("-->")
}

func (c *canonicalizer) procInst(t *etree.ProcInst) {
	c.w.WriteString("<?")
	c.w.WriteString(t.Target)
	if inst := strings.TrimLeft(t.Inst, " \t\r\n"); inst != "" {
		c.w.WriteByte(' ')
		c.w.WriteString(inst)
	}
	c.w.WriteString("?>")
}

// escapeText escapes character data as C14N requires.
func escapeText(w *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// escapeAttr escapes an attribute value as C14N requires.
func escapeAttr(w *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}
