package xmldsig

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// signatureInfo is a ds:Signature read strictly: the elements XMLDSig
// requires, in the order it requires, and nothing this package would have
// to ignore inside SignedInfo.
type signatureInfo struct {
	el         *etree.Element
	signedInfo *etree.Element
	c14n       c14nMethod
	prefixes   map[string]bool // InclusiveNamespaces of an exclusive c14n
	methodURI  string
	method     *signatureMethod // nil if unknown
	refs       []referenceInfo
	value      []byte
	certs      []*x509.Certificate
	certErrors []string
}

type referenceInfo struct {
	uri         string
	transforms  []transformInfo
	digestURI   string
	digest      *digestMethod // nil if unknown
	digestValue []byte
}

type transformInfo struct {
	uri      string
	prefixes map[string]bool
}

var errMalformed = errors.New("malformed signature")

// isDS reports whether e is the XMLDSig element local.
func isDS(e *etree.Element, local string) bool {
	return e != nil && e.Tag == local && e.NamespaceURI() == NamespaceDSig
}

// dsChildren returns e's child elements, requiring each to be in the XMLDSig
// namespace and any text between them to be whitespace.
func dsChildren(e *etree.Element) ([]*etree.Element, error) {
	var out []*etree.Element
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.Element:
			if t.NamespaceURI() != NamespaceDSig {
				return nil, fmt.Errorf("%w: unexpected element %s in %s", errMalformed, t.FullTag(), e.Tag)
			}
			out = append(out, t)
		case *etree.CharData:
			if !t.IsWhitespace() {
				return nil, fmt.Errorf("%w: text inside %s", errMalformed, e.Tag)
			}
		}
	}
	return out, nil
}

// readSignature reads the parts of sig. Unknown algorithms are not errors
// here (they leave method or digest nil); broken structure is.
func readSignature(sig *etree.Element) (*signatureInfo, error) {
	info := &signatureInfo{el: sig}
	var kids []*etree.Element
	for _, c := range sig.ChildElements() {
		if c.NamespaceURI() == NamespaceDSig {
			kids = append(kids, c)
		}
	}
	if len(kids) < 2 || !isDS(kids[0], "SignedInfo") || !isDS(kids[1], "SignatureValue") {
		return nil, fmt.Errorf("%w: Signature must start with SignedInfo and SignatureValue", errMalformed)
	}
	info.signedInfo = kids[0]
	value, err := decodeBase64(kids[1].Text())
	if err != nil {
		return nil, fmt.Errorf("%w: SignatureValue: %w", errMalformed, err)
	}
	info.value = value
	for _, k := range kids[2:] {
		if isDS(k, "KeyInfo") {
			info.readKeyInfo(k)
			break
		}
	}

	si, err := dsChildren(info.signedInfo)
	if err != nil {
		return nil, err
	}
	if len(si) < 3 || !isDS(si[0], "CanonicalizationMethod") || !isDS(si[1], "SignatureMethod") {
		return nil, fmt.Errorf("%w: SignedInfo must hold CanonicalizationMethod, SignatureMethod and a Reference", errMalformed)
	}
	alg := si[0].SelectAttrValue("Algorithm", "")
	m, ok := c14nByURI(alg)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported CanonicalizationMethod %q", errMalformed, alg)
	}
	info.c14n = m
	if info.prefixes, err = inclusivePrefixes(si[0], m); err != nil {
		return nil, err
	}
	info.methodURI = si[1].SelectAttrValue("Algorithm", "")
	info.method = signatureByURI(info.methodURI)
	if len(si)-2 > maxReferences {
		return nil, fmt.Errorf("%w: %d references, at most %d", ErrTooLarge, len(si)-2, maxReferences)
	}
	for _, r := range si[2:] {
		if !isDS(r, "Reference") {
			return nil, fmt.Errorf("%w: unexpected %s in SignedInfo", errMalformed, r.Tag)
		}
		ref, err := readReference(r)
		if err != nil {
			return nil, err
		}
		info.refs = append(info.refs, ref)
	}
	return info, nil
}

func readReference(r *etree.Element) (referenceInfo, error) {
	var ref referenceInfo
	uri := r.SelectAttr("URI")
	if uri == nil {
		return ref, fmt.Errorf("%w: Reference without URI (detached data is not supported)", errMalformed)
	}
	ref.uri = uri.Value
	kids, err := dsChildren(r)
	if err != nil {
		return ref, err
	}
	if len(kids) > 0 && isDS(kids[0], "Transforms") {
		ts, err := dsChildren(kids[0])
		if err != nil {
			return ref, err
		}
		if len(ts) > maxTransforms {
			return ref, fmt.Errorf("%w: %d transforms, at most %d", ErrTooLarge, len(ts), maxTransforms)
		}
		for _, t := range ts {
			if !isDS(t, "Transform") {
				return ref, fmt.Errorf("%w: unexpected %s in Transforms", errMalformed, t.Tag)
			}
			ti := transformInfo{uri: t.SelectAttrValue("Algorithm", "")}
			if m, ok := c14nByURI(ti.uri); ok {
				if ti.prefixes, err = inclusivePrefixes(t, m); err != nil {
					return ref, err
				}
			} else if len(t.ChildElements()) > 0 {
				return ref, fmt.Errorf("%w: unsupported transform %q", errMalformed, ti.uri)
			}
			ref.transforms = append(ref.transforms, ti)
		}
		kids = kids[1:]
	}
	if len(kids) != 2 || !isDS(kids[0], "DigestMethod") || !isDS(kids[1], "DigestValue") {
		return ref, fmt.Errorf("%w: Reference must hold DigestMethod and DigestValue", errMalformed)
	}
	ref.digestURI = kids[0].SelectAttrValue("Algorithm", "")
	ref.digest = digestByURI(ref.digestURI)
	if ref.digestValue, err = decodeBase64(kids[1].Text()); err != nil {
		return ref, fmt.Errorf("%w: DigestValue: %w", errMalformed, err)
	}
	return ref, nil
}

// inclusivePrefixes reads an exclusive c14n's InclusiveNamespaces child.
func inclusivePrefixes(e *etree.Element, m c14nMethod) (map[string]bool, error) {
	kids := e.ChildElements()
	if len(kids) == 0 {
		return nil, nil
	}
	if !m.exclusive || len(kids) > 1 || kids[0].Tag != "InclusiveNamespaces" || kids[0].NamespaceURI() != AlgExcC14N {
		return nil, fmt.Errorf("%w: unexpected parameters of %s", errMalformed, e.Tag)
	}
	set := map[string]bool{}
	for _, p := range strings.Fields(kids[0].SelectAttrValue("PrefixList", "")) {
		if p == "#default" {
			p = ""
		}
		set[p] = true
	}
	return set, nil
}

func (info *signatureInfo) readKeyInfo(k *etree.Element) {
	for _, data := range k.ChildElements() {
		if !isDS(data, "X509Data") {
			continue
		}
		for _, c := range data.ChildElements() {
			if !isDS(c, "X509Certificate") {
				continue
			}
			if len(info.certs)+len(info.certErrors) >= maxCertificates {
				info.certErrors = append(info.certErrors, fmt.Sprintf("more than %d certificates; the rest ignored", maxCertificates))
				return
			}
			der, err := decodeBase64(c.Text())
			if err == nil {
				var cert *x509.Certificate
				if cert, err = x509.ParseCertificate(der); err == nil {
					info.certs = append(info.certs, cert)
					continue
				}
			}
			info.certErrors = append(info.certErrors, fmt.Sprintf("unreadable X509Certificate: %v", err))
		}
	}
}

// decodeBase64 decodes a base64 element value, ignoring the XML whitespace
// (spaces, tabs, CR as &#13;, LF) that wrapping puts in it.
func decodeBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(clean)
}
