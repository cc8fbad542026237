package xmldsig

import (
	"crypto"
	"crypto/sha1" // #nosec: verifying old SHA-1 signatures, flagged as weak
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// Namespace and algorithm URIs. The KZ GOST URIs are those Kalkan (NCALayer)
// writes; see docs/kz-pki.md.
const (
	NamespaceDSig = "http://www.w3.org/2000/09/xmldsig#"

	AlgC14N10              = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	AlgC14N10WithComments  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	AlgExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	AlgExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	AlgEnveloped           = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

	AlgSHA1              = "http://www.w3.org/2000/09/xmldsig#sha1"
	AlgSHA256            = "http://www.w3.org/2001/04/xmlenc#sha256"
	AlgSHA384            = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	AlgSHA512            = "http://www.w3.org/2001/04/xmlenc#sha512"
	AlgGOST2015Digest512 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-512"
	AlgGOST2004Digest    = "http://www.w3.org/2001/04/xmldsig-more#gost34311"

	AlgRSASHA1      = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	AlgRSASHA256    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	AlgRSASHA384    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	AlgRSASHA512    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	AlgECDSASHA1    = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
	AlgECDSASHA256  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	AlgECDSASHA384  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	AlgECDSASHA512  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"
	AlgGOST2015_512 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512"
	AlgGOST2004     = "http://www.w3.org/2001/04/xmldsig-more#gost34310-gost34311"
)

// digestMethod is a DigestMethod this package computes.
type digestMethod struct {
	uri  string
	name string // pki.Evidence.DigestAlgorithm
	new  func() hash.Hash
	weak bool
}

var digestMethods = []*digestMethod{
	{uri: AlgSHA1, name: "SHA-1", new: sha1.New, weak: true},
	{uri: AlgSHA256, name: "SHA-256", new: sha256.New},
	{uri: AlgSHA384, name: "SHA-384", new: sha512.New384},
	{uri: AlgSHA512, name: "SHA-512", new: sha512.New},
	{uri: AlgGOST2015Digest512, name: "GOST34.11-2015-512", new: gostHash(gost.Curve512A())},
	{uri: AlgGOST2004Digest, name: "GOST34.311-95", new: gostHash(gost.CurveCryptoProA())},
}

func gostHash(c *gost.Curve) func() hash.Hash { return gost.SignatureAlgorithmForCurve(c).NewHash }

func digestByURI(uri string) *digestMethod {
	for _, d := range digestMethods {
		if d.uri == uri {
			return d
		}
	}
	return nil
}

// keyKind is the family of key a SignatureMethod needs.
type keyKind int

const (
	kindRSA keyKind = iota
	kindECDSA
	kindGOST
)

// signatureMethod is a SignatureMethod this package verifies (and, unless
// weak, signs with).
type signatureMethod struct {
	uri    string
	name   string // pki.Evidence.SignatureAlgorithm
	kind   keyKind
	hash   crypto.Hash // RSA and ECDSA
	curve  *gost.Curve // GOST
	digest *digestMethod
	weak   bool
}

// newHash returns the hash the signature is computed over SignedInfo with.
func (m *signatureMethod) newHash() hash.Hash {
	if m.kind == kindGOST {
		return gostHash(m.curve)()
	}
	return m.hash.New()
}

var signatureMethods = []*signatureMethod{
	{uri: AlgRSASHA1, name: "RSA-SHA1", kind: kindRSA, hash: crypto.SHA1, digest: digestByURI(AlgSHA1), weak: true},
	{uri: AlgRSASHA256, name: "RSA-SHA256", kind: kindRSA, hash: crypto.SHA256, digest: digestByURI(AlgSHA256)},
	{uri: AlgRSASHA384, name: "RSA-SHA384", kind: kindRSA, hash: crypto.SHA384, digest: digestByURI(AlgSHA384)},
	{uri: AlgRSASHA512, name: "RSA-SHA512", kind: kindRSA, hash: crypto.SHA512, digest: digestByURI(AlgSHA512)},
	{uri: AlgECDSASHA1, name: "ECDSA-SHA1", kind: kindECDSA, hash: crypto.SHA1, digest: digestByURI(AlgSHA1), weak: true},
	{uri: AlgECDSASHA256, name: "ECDSA-SHA256", kind: kindECDSA, hash: crypto.SHA256, digest: digestByURI(AlgSHA256)},
	{uri: AlgECDSASHA384, name: "ECDSA-SHA384", kind: kindECDSA, hash: crypto.SHA384, digest: digestByURI(AlgSHA384)},
	{uri: AlgECDSASHA512, name: "ECDSA-SHA512", kind: kindECDSA, hash: crypto.SHA512, digest: digestByURI(AlgSHA512)},
	{uri: AlgGOST2015_512, name: "GOST34.10-2015-512", kind: kindGOST, curve: gost.Curve512A(), digest: digestByURI(AlgGOST2015Digest512)},
	{uri: AlgGOST2004, name: "GOST34.310-2004", kind: kindGOST, curve: gost.CurveCryptoProA(), digest: digestByURI(AlgGOST2004Digest)},
}

func signatureByURI(uri string) *signatureMethod {
	for _, m := range signatureMethods {
		if m.uri == uri {
			return m
		}
	}
	return nil
}

// c14nMethod describes one canonicalization algorithm.
type c14nMethod struct {
	exclusive bool
	comments  bool
}

func c14nByURI(uri string) (c14nMethod, bool) {
	switch uri {
	case AlgC14N10:
		return c14nMethod{}, true
	case AlgC14N10WithComments:
		return c14nMethod{comments: true}, true
	case AlgExcC14N:
		return c14nMethod{exclusive: true}, true
	case AlgExcC14NWithComments:
		return c14nMethod{exclusive: true, comments: true}, true
	}
	return c14nMethod{}, false
}
