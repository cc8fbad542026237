package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"time"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// SignOptions shape the CMS Sign, SignDigest and CoSign build.
type SignOptions struct {
	// Detached leaves the content out of the CMS (it is hashed only).
	Detached bool
	// SigningTime is the signingTime attribute; zero means now.
	SigningTime time.Time
	// IncludeChain adds chain to the certificates; the signer's own
	// certificate is always included unless OmitCertificate is set.
	IncludeChain bool
	// Digest overrides the key's natural hash (RSA and ECDSA only: SHA-256,
	// SHA-384, SHA-512); nil means Streebog for GOST 2015, GOST 34.311-95
	// for GOST 2004, SHA-256 otherwise.
	Digest *rawsig.Digest
	// ContentType is the eContentType; nil means id-data. A TSA signs
	// id-ct-TSTInfo (OIDTSTInfo).
	ContentType asn1.ObjectIdentifier
	// OmitCertificate leaves every certificate out, as a TSA does when the
	// request's certReq is false.
	OmitCertificate bool
}

// Sign signs content and returns a DER ContentInfo holding SignedData.
//
// Detached signing streams content through the hash in constant memory.
// Attached signing reads the whole content into memory (it must be written
// inside the DER, whose lengths come first), up to MaxSize bytes.
func Sign(content io.Reader, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, opts SignOptions) ([]byte, error) {
	if content == nil {
		return nil, fmt.Errorf("cms sign: %w: nil content reader", ErrNoContent)
	}
	d, err := digestFor(key, cert, opts)
	if err != nil {
		return nil, err
	}
	h := d.New()
	var data []byte
	if opts.Detached {
		if _, err := io.Copy(h, content); err != nil {
			return nil, fmt.Errorf("cms sign: read content: %w", err)
		}
	} else {
		if data, err = io.ReadAll(io.LimitReader(content, MaxSize+1)); err != nil {
			return nil, fmt.Errorf("cms sign: read content: %w", err)
		}
		if len(data) > MaxSize {
			return nil, fmt.Errorf("cms sign: %w: attached content over %d bytes (sign detached)", ErrUnsupported, MaxSize)
		}
		h.Write(data)
	}
	sd := &signedData{contentType: contentTypeOr(opts.ContentType), content: data, attached: !opts.Detached}
	if err := addSigner(sd, h.Sum(nil), d, key, cert, chain, opts); err != nil {
		return nil, err
	}
	return sd.marshal(), nil
}

// SignDigest makes a detached CMS over a digest computed elsewhere with the
// algorithm digestOID (which must be the key's hash for GOST keys).
func SignDigest(digest []byte, digestOID asn1.ObjectIdentifier, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, opts SignOptions) ([]byte, error) {
	d, ok := rawsig.DigestByOID(digestOID)
	if !ok {
		return nil, fmt.Errorf("cms sign digest: %w digest algorithm %s", ErrUnsupported, digestOID)
	}
	if len(digest) != d.Size {
		return nil, fmt.Errorf("cms sign digest: %w: %d-byte %s digest", ErrUnsupported, len(digest), d.Name)
	}
	opts.Digest, opts.Detached = d, true
	if _, err := digestFor(key, cert, opts); err != nil {
		return nil, err
	}
	sd := &signedData{contentType: contentTypeOr(opts.ContentType)}
	if err := addSigner(sd, digest, d, key, cert, chain, opts); err != nil {
		return nil, err
	}
	return sd.marshal(), nil
}

func contentTypeOr(ct asn1.ObjectIdentifier) asn1.ObjectIdentifier {
	if ct == nil {
		return OIDData
	}
	return ct
}

// digestFor checks that key and cert belong together and picks the digest.
func digestFor(key crypto.Signer, cert *x509.Certificate, opts SignOptions) (*rawsig.Digest, error) {
	if key == nil || cert == nil {
		return nil, fmt.Errorf("cms sign: %w: no key or certificate", ErrUnsupported)
	}
	pub := key.Public()
	certPub, err := rawsig.CertificateKey(cert)
	if err != nil {
		return nil, fmt.Errorf("cms sign: %w", err)
	}
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(certPub) {
		return nil, fmt.Errorf("cms sign: %w: the key does not match the certificate of %q", ErrUnsupported, cert.Subject.CommonName)
	}
	d := opts.Digest
	if d == nil {
		if d, err = rawsig.NaturalDigest(pub); err != nil {
			return nil, fmt.Errorf("cms sign: %w: %w", ErrUnsupported, err)
		}
	}
	return d, nil
}

// addSigner signs digest (of sd's content) and appends the SignerInfo, its
// digest algorithm and certificates to sd. Timestamps are added afterwards
// by AddTimestamp, which takes a context: a TSA that hangs can be cancelled.
func addSigner(sd *signedData, digest []byte, d *rawsig.Digest, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, opts SignOptions) error {
	when := opts.SigningTime
	if when.IsZero() {
		when = time.Now()
	}
	attrs := signedAttributes(sd.contentType, when, cert, digest)
	sig, err := rawsig.SignDigest(key, d, d.Sum(attrs))
	if err != nil {
		return fmt.Errorf("cms sign: %w", err)
	}
	sigAlg, err := signatureAlgorithm(key.Public(), d)
	if err != nil {
		return err
	}
	signedAttrs := append([]byte{tagCtx0}, attrs[1:]...)
	fields := [][]byte{
		smallInt(1),
		seq(cert.RawIssuer, intDER(cert.SerialNumber)),
		algID(d.OID, true),
		signedAttrs,
		sigAlg,
		octets(sig),
	}
	si := seq(fields...)
	sd.addDigestAlg(algID(d.OID, true))
	if !opts.OmitCertificate {
		sd.addCert(cert.Raw)
		if opts.IncludeChain {
			for _, c := range chain {
				sd.addCert(c.Raw)
			}
		}
	}
	sd.signers = append(sd.signers, si)
	return nil
}

// unsignedAttrs encodes [1] SET OF Attribute: the existing attributes plus a
// timeStampToken holding token.
func unsignedAttrs(existing []attr, token []byte) []byte {
	var all [][]byte
	for _, a := range existing {
		all = append(all, a.raw)
	}
	all = append(all, attribute(OIDTimeStampAttr, token))
	return derSet(tagCtx1, all)
}

// tsaDigest is the hash a timestamp imprint is made with: the TSA client's
// choice, else the signer's own.
func tsaDigest(tsa *TSAClient, d *rawsig.Digest) *rawsig.Digest {
	if tsa.DigestOID != nil {
		if td, ok := rawsig.DigestByOID(tsa.DigestOID); ok {
			return td
		}
	}
	return d
}

// signatureAlgorithm is the SignerInfo's signatureAlgorithm: rsaEncryption
// for RSA (what Bouncy Castle, Kalkan and OpenSSL write), ecdsa-with-SHA*
// for ECDSA, the KZ GOST signature OID with NULL parameters for GOST.
func signatureAlgorithm(pub crypto.PublicKey, d *rawsig.Digest) ([]byte, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return algID(oidRSAEncryption, true), nil
	case *ecdsa.PublicKey:
		switch d {
		case rawsig.SHA256:
			return algID(oidECDSAWithSHA256, false), nil
		case rawsig.SHA384:
			return algID(oidECDSAWithSHA384, false), nil
		case rawsig.SHA512:
			return algID(oidECDSAWithSHA512, false), nil
		}
	case *gost.PublicKey:
		if alg := gost.SignatureAlgorithmForCurve(k.Curve()); alg != nil {
			return algID(alg.OID, true), nil
		}
	}
	return nil, fmt.Errorf("cms sign: %w: %s", ErrUnsupported, rawsig.SignatureName(pub, d))
}

func (sd *signedData) addDigestAlg(der []byte) {
	for _, a := range sd.digestAlgs {
		if sameAlgorithm(a, der) {
			return
		}
	}
	sd.digestAlgs = append(sd.digestAlgs, der)
}

// sameAlgorithm compares AlgorithmIdentifiers by OID, so that SHA-256 with
// and without NULL parameters count once.
func sameAlgorithm(a, b []byte) bool {
	var x, y struct {
		OID  asn1.ObjectIdentifier
		Rest asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(a, &x); err != nil {
		return bytes.Equal(a, b)
	}
	if _, err := asn1.Unmarshal(b, &y); err != nil {
		return bytes.Equal(a, b)
	}
	return x.OID.Equal(y.OID)
}

func (sd *signedData) addCert(der []byte) {
	for _, c := range sd.certs {
		if bytes.Equal(c, der) {
			return
		}
	}
	sd.certs = append(sd.certs, der)
}

// marshal encodes sd as a DER ContentInfo. The version is 1 for id-data
// with issuerAndSerialNumber signers, 3 otherwise (RFC 5652 5.1); a parsed
// higher version is kept.
func (sd *signedData) marshal() []byte {
	version := 1
	if !sd.contentType.Equal(OIDData) {
		version = 3
	}
	for _, s := range sd.signers {
		if si, err := parseSignerInfo(s); err == nil && si.version == 3 {
			version = 3
		}
	}
	version = max(version, sd.version)
	encap := [][]byte{oidDER(sd.contentType)}
	if sd.attached {
		encap = append(encap, tlv(tagCtx0, octets(sd.content)))
	}
	body := [][]byte{smallInt(version), derSet(tagSet, sd.digestAlgs), seq(encap...)}
	if len(sd.certs) > 0 {
		body = append(body, tlv(tagCtx0, sd.certs...))
	}
	if sd.crls != nil {
		body = append(body, sd.crls)
	}
	body = append(body, tlv(tagSet, sd.signers...))
	return seq(oidDER(OIDSignedData), tlv(tagCtx0, seq(body...)))
}
