package xmldsig

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/beevik/etree"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// Verify checks every ds:Signature in doc and returns one pki.Evidence per
// signature, in document order. It returns an error only when the document
// cannot be examined at all: not XML (ErrNotXML), a DTD (ErrDTD), another
// encoding than UTF-8 (ErrEncoding), over the limits (ErrTooLarge), or no
// signature in it (ErrNoSignature). A signature that is malformed, uses an
// unsupported algorithm or transform, or does not verify is reported in its
// Evidence (DigestValid, SignatureValid, CryptoError), never as an error.
//
// Verify establishes only what the document proves by itself: whether the
// signed data and SignedInfo are intact under the certificate found in
// KeyInfo. Whether that certificate is trusted, valid and unrevoked is for
// signer/pki to judge.
func Verify(doc []byte) ([]pki.Evidence, error) {
	tree, err := parseLimited(doc, true)
	if errors.Is(err, ErrNoSignature) {
		return nil, ErrNoSignature
	}
	if err != nil {
		return nil, fmt.Errorf("xmldsig: verify: %w", err)
	}
	sigs := findSignatures(tree.Root())
	switch {
	case len(sigs) == 0:
		return nil, ErrNoSignature
	case len(sigs) > maxSignatures:
		return nil, fmt.Errorf("xmldsig: verify: %w: %d signatures, at most %d", ErrTooLarge, len(sigs), maxSignatures)
	}
	v := &verifier{doc: tree, sigs: sigs, budget: 16*len(doc) + 1<<20}
	out := make([]pki.Evidence, len(sigs))
	for i, s := range sigs {
		out[i] = v.verifySignature(i, s)
	}
	return out, nil
}

type verifier struct {
	doc  *etree.Document
	sigs []*etree.Element // all ds:Signature elements, in document order
	// budget is the canonical bytes references may still produce: it keeps
	// a document with many signatures and references from costing more
	// than a small multiple of its size.
	budget int
}

// findSignatures returns the ds:Signature elements under root in document order.
func findSignatures(root *etree.Element) []*etree.Element {
	var out []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if e.Tag == "Signature" && e.NamespaceURI() == NamespaceDSig {
			out = append(out, e)
			if len(out) > maxSignatures {
				return
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	return out
}

func (v *verifier) verifySignature(index int, sig *etree.Element) (ev pki.Evidence) {
	ev = pki.Evidence{Format: "xmldsig", Index: index}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	defer func() { ev.CryptoError = strings.Join(problems, "; ") }()

	info, err := readSignature(sig)
	if err != nil {
		fail("%v", err)
		return ev
	}
	ev.Certificates = info.certs
	ev.Warnings = append(ev.Warnings, info.certErrors...)
	if info.method != nil {
		ev.SignatureAlgorithm = info.method.name
		if info.method.weak {
			ev.Warnings = append(ev.Warnings, "SHA-1 signature algorithm is weak")
		}
	} else {
		ev.SignatureAlgorithm = info.methodURI
	}

	// References: all must hold for DigestValid.
	ev.DigestValid = true
	var scopes []string
	for i, ref := range info.refs {
		if ref.digest != nil && i == 0 {
			ev.DigestAlgorithm = ref.digest.name
		}
		if ref.digest != nil && ref.digest.weak {
			ev.Warnings = appendOnce(ev.Warnings, "SHA-1 digest is weak")
		}
		res, err := v.reference(sig, ref)
		if err != nil {
			ev.DigestValid = false
			scopes = append(scopes, fmt.Sprintf("unresolved reference %q", ref.uri))
			fail("reference %q: %v", ref.uri, err)
			continue
		}
		scopes = append(scopes, res.scope)
		ev.Warnings = append(ev.Warnings, res.warnings...)
		if i == 0 {
			ev.ScopeDigest = res.digest
		}
		if !res.valid {
			ev.DigestValid = false
			fail("reference %q: digest mismatch: the signed data was changed", ref.uri)
		}
	}
	ev.Scope = strings.Join(scopes, "; ")

	// SignatureValue over the canonical SignedInfo.
	if info.method == nil {
		fail("unsupported SignatureMethod %q", info.methodURI)
		return ev
	}
	si, err := canonicalizeElement(info.signedInfo, c14nOptions{c14nMethod: info.c14n, inclusivePrefixes: info.prefixes})
	if err != nil {
		fail("canonicalize SignedInfo: %v", err)
		return ev
	}
	if len(info.certs) == 0 {
		fail("no X509Certificate in KeyInfo: the signer is unknown")
		return ev
	}
	var firstErr error
	for _, cert := range info.certs {
		err := verifyValue(info.method, cert, si, info.value)
		if err == nil {
			ev.Certificate, ev.SignatureValid = cert, true
			break
		}
		if firstErr == nil {
			ev.Certificate, firstErr = cert, err
		}
	}
	if !ev.SignatureValid {
		fail("signature value: %v", firstErr)
		return ev
	}
	ev.Timestamps = verifyTimestamps(sig)
	return ev
}

var errBadSignature = errors.New("does not verify with the certificate's key")

// verifyValue checks value, a SignatureValue, over the canonical SignedInfo
// with cert's key.
func verifyValue(m *signatureMethod, cert *x509.Certificate, signedInfo, value []byte) error {
	h := m.newHash()
	h.Write(signedInfo)
	digest := h.Sum(nil)
	switch m.kind {
	case kindRSA:
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s signature, but the certificate key is %s", m.name, pki.KeyAlgorithm(cert))
		}
		if rsa.VerifyPKCS1v15(pub, m.hash, digest, value) != nil {
			return errBadSignature
		}
	case kindECDSA:
		pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s signature, but the certificate key is %s", m.name, pki.KeyAlgorithm(cert))
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(value) != 2*size {
			return fmt.Errorf("%w: ECDSA value of %d bytes, want %d (r‖s)", errBadSignature, len(value), 2*size)
		}
		r := new(big.Int).SetBytes(value[:size])
		s := new(big.Int).SetBytes(value[size:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return errBadSignature
		}
	case kindGOST:
		pub, err := gost.PublicKeyFromCertificate(cert)
		if err != nil {
			return fmt.Errorf("%s signature, but the certificate key is %s", m.name, pki.KeyAlgorithm(cert))
		}
		if pub.Curve() != m.curve {
			return fmt.Errorf("%s signature, but the certificate key is %s", m.name, pki.KeyAlgorithm(cert))
		}
		if !gost.Verify(pub, digest, value) {
			return errBadSignature
		}
	default:
		return fmt.Errorf("unsupported key kind")
	}
	return nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
