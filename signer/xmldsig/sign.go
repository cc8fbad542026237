package xmldsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/beevik/etree"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// SignOptions choose what is signed and where the signature goes.
type SignOptions struct {
	Style Style
	// ID, if set, signs only the element whose Id (or ID, id) attribute has
	// this value: Reference URI="#ID", exclusive C14N for SignedInfo, the
	// single transform c14n#WithComments. Empty signs the whole document:
	// Reference URI="", inclusive C14N for SignedInfo, transforms
	// enveloped-signature then c14n#WithComments. These are NCALayer's shapes.
	ID string
	// ParentXPath names the element the ds:Signature is appended to (etree's
	// XPath subset, e.g. "/root/Signatures" or "//header"); it must match
	// exactly one element. Empty means the root element.
	ParentXPath string
}

// Sign signs doc with key, whose certificate cert goes into KeyInfo, and
// returns the document with a ds:Signature appended. RSA keys sign with
// rsa-sha256, ECDSA keys with ecdsa-sha256/384/512 by curve size (r‖s as
// XMLDSig 1.1 prescribes), GOST 34.10-2015-512 and GOST 34.310-2004 keys with
// the KZ algorithms.
//
// Signing an already signed document (co-signing) appends one more
// ds:Signature; its enveloped-signature transform removes only itself, so
// the new signature covers the earlier ones. Verify checks the earlier
// whole-document signatures without the later ones (see reference.go).
//
// The output is UTF-8 without an XML declaration, as NCALayer writes it.
func Sign(doc []byte, key crypto.Signer, cert *x509.Certificate, opts SignOptions) ([]byte, error) {
	if key == nil || cert == nil {
		return nil, errors.New("xmldsig: sign: nil key or certificate")
	}
	if opts.Style != StyleNCALayer && opts.Style != StyleCompact {
		return nil, fmt.Errorf("xmldsig: sign: unknown style %d", opts.Style)
	}
	method, err := methodForKey(key.Public(), cert)
	if err != nil {
		return nil, fmt.Errorf("xmldsig: sign: %w", err)
	}
	tree, err := parse(doc)
	if err != nil {
		return nil, fmt.Errorf("xmldsig: sign: %w", err)
	}
	parent, err := findParent(tree, opts.ParentXPath)
	if err != nil {
		return nil, fmt.Errorf("xmldsig: sign: %w", err)
	}
	var target *etree.Element // nil: whole document
	if opts.ID != "" {
		if target, err = elementByID(tree, opts.ID); err != nil {
			return nil, fmt.Errorf("xmldsig: sign: %w", err)
		}
	}

	b := builder{style: opts.Style}
	sig := parent.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", NamespaceDSig)
	b.newline(sig)
	signedInfo := b.child(sig, "SignedInfo")
	b.newline(signedInfo)
	c14nAlg, transforms := AlgC14N10, []string{AlgEnveloped, AlgC14N10WithComments}
	if target != nil {
		c14nAlg, transforms = AlgExcC14N, []string{AlgC14N10WithComments}
		if isAncestorOrSelf(target, parent) {
			// The signature would sit inside what it signs: only an
			// enveloped-signature transform makes that computable.
			transforms = []string{AlgEnveloped, AlgC14N10WithComments}
		}
	}
	b.child(signedInfo, "CanonicalizationMethod").CreateAttr("Algorithm", c14nAlg)
	b.newline(signedInfo)
	b.child(signedInfo, "SignatureMethod").CreateAttr("Algorithm", method.uri)
	b.newline(signedInfo)
	ref := b.child(signedInfo, "Reference")
	if target != nil {
		ref.CreateAttr("URI", "#"+opts.ID)
	} else {
		ref.CreateAttr("URI", "")
	}
	b.newline(ref)
	tr := b.child(ref, "Transforms")
	b.newline(tr)
	for _, alg := range transforms {
		b.child(tr, "Transform").CreateAttr("Algorithm", alg)
		b.newline(tr)
	}
	b.newline(ref)
	b.child(ref, "DigestMethod").CreateAttr("Algorithm", method.digest.uri)
	b.newline(ref)
	digestValue := b.child(ref, "DigestValue")
	b.newline(ref)
	b.newline(signedInfo)
	b.newline(sig)
	sigValue := b.child(sig, "SignatureValue")
	b.newline(sig)
	keyInfo := b.child(sig, "KeyInfo")
	b.newline(keyInfo)
	x509Data := b.child(keyInfo, "X509Data")
	b.newline(x509Data)
	b.child(x509Data, "X509Certificate").SetText(b.base64Text(cert.Raw, true))
	b.newline(x509Data)
	b.newline(keyInfo)
	b.newline(sig)

	// The reference is digested exactly as Verify will: over the final tree,
	// without this signature.
	opt := c14nOptions{c14nMethod: c14nMethod{comments: false}, exclude: []*etree.Element{sig}}
	var data []byte
	if target == nil {
		data, err = canonicalizeDocument(tree, opt)
	} else {
		data, err = canonicalizeElement(target, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("xmldsig: sign: canonicalize: %w", err)
	}
	h := method.digest.new()
	h.Write(data)
	digestValue.SetText(b.base64Text(h.Sum(nil), false))

	m, _ := c14nByURI(c14nAlg)
	si, err := canonicalizeElement(signedInfo, c14nOptions{c14nMethod: m})
	if err != nil {
		return nil, fmt.Errorf("xmldsig: sign: canonicalize SignedInfo: %w", err)
	}
	value, err := signBytes(key, method, si)
	if err != nil {
		return nil, fmt.Errorf("xmldsig: sign: %w", err)
	}
	sigValue.SetText(b.base64Text(value, true))
	return serialize(tree), nil
}

// methodForKey picks the SignatureMethod for pub and checks that cert
// carries pub.
func methodForKey(pub crypto.PublicKey, cert *x509.Certificate) (*signatureMethod, error) {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	var uri string
	var certKey crypto.PublicKey = cert.PublicKey
	switch k := pub.(type) {
	case *rsa.PublicKey:
		uri = AlgRSASHA256
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			uri = AlgECDSASHA256
		case 384:
			uri = AlgECDSASHA384
		case 521:
			uri = AlgECDSASHA512
		default:
			return nil, fmt.Errorf("%w: ECDSA on %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
	case *gost.PublicKey:
		switch k.Curve() {
		case gost.Curve512A():
			uri = AlgGOST2015_512
		case gost.CurveCryptoProA():
			uri = AlgGOST2004
		default:
			return nil, fmt.Errorf("%w: GOST key on %s (no XMLDSig algorithm URI known)", ErrUnsupportedKey, k.Curve().Name())
		}
		gk, err := gost.PublicKeyFromCertificate(cert)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKeyMismatch, err)
		}
		certKey = gk
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	if e, ok := pub.(equaler); !ok || !e.Equal(certKey) {
		return nil, ErrKeyMismatch
	}
	return signatureByURI(uri), nil
}

// signBytes hashes the canonical SignedInfo and signs it, returning the
// SignatureValue bytes: PKCS#1 v1.5 for RSA, r‖s for ECDSA, r‖s little-endian
// for GOST.
func signBytes(key crypto.Signer, m *signatureMethod, signedInfo []byte) ([]byte, error) {
	h := m.newHash()
	h.Write(signedInfo)
	digest := h.Sum(nil)
	var opts crypto.SignerOpts = m.hash
	sig, err := key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("sign SignedInfo: %w", err)
	}
	if m.kind != kindECDSA {
		return sig, nil
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("sign SignedInfo: ECDSA signer returned no DER signature")
	}
	size := (key.Public().(*ecdsa.PublicKey).Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}

// findParent resolves SignOptions.ParentXPath.
func findParent(doc *etree.Document, xpath string) (*etree.Element, error) {
	if xpath == "" {
		return doc.Root(), nil
	}
	path, err := etree.CompilePath(xpath)
	if err != nil {
		return nil, fmt.Errorf("parent XPath %q: %w", xpath, err)
	}
	found := doc.FindElementsPath(path)
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: parent XPath %q matches nothing", ErrElementNotFound, xpath)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("parent XPath %q matches %d elements, want one", xpath, len(found))
}

func isAncestorOrSelf(a, e *etree.Element) bool {
	for ; e != nil; e = e.Parent() {
		if e == a {
			return true
		}
	}
	return false
}

// Check tells whether Sign would accept doc with opts, without a key: the
// document parses (UTF-8, no DTD, within the limits) and the element to sign
// and the parent to sign into exist. Callers check before asking for a
// password or PIN, so that no secret is spent on a document that cannot be
// signed.
func Check(doc []byte, opts SignOptions) error {
	tree, err := parse(doc)
	if err != nil {
		return fmt.Errorf("xmldsig: %w", err)
	}
	if _, err := findParent(tree, opts.ParentXPath); err != nil {
		return fmt.Errorf("xmldsig: %w", err)
	}
	if opts.ID != "" {
		if _, err := elementByID(tree, opts.ID); err != nil {
			return fmt.Errorf("xmldsig: %w", err)
		}
	}
	return nil
}
