package pki

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// OCSP errors callers act on (test with errors.Is).
var (
	// ErrOCSPStatus: the responder answered with a non-successful
	// responseStatus (malformedRequest, internalError, tryLater, …).
	ErrOCSPStatus = errors.New("pki: OCSP responder refused the request")
	// ErrOCSPNonce: the response does not echo the request's nonce.
	ErrOCSPNonce = errors.New("pki: OCSP nonce mismatch")
	// ErrOCSPResponder: the response is signed by a certificate that is
	// neither the CA, a responder the CA delegated (EKU OCSPSigning), nor a
	// locally trusted responder; or its signature does not verify.
	ErrOCSPResponder = errors.New("pki: OCSP responder not authorized")
	// ErrOCSPStale: thisUpdate is in the future or nextUpdate has passed.
	ErrOCSPStale = errors.New("pki: OCSP response not current")
	// ErrOCSPNoStatus: the response carries no answer for the certificate asked about.
	ErrOCSPNoStatus = errors.New("pki: OCSP response lacks the certificate's status")
)

// OCSPResponseStatus is the outer responseStatus of RFC 6960 4.2.1.
type OCSPResponseStatus int

// Response statuses.
const (
	OCSPSuccessful       OCSPResponseStatus = 0
	OCSPMalformedRequest OCSPResponseStatus = 1
	OCSPInternalError    OCSPResponseStatus = 2
	OCSPTryLater         OCSPResponseStatus = 3
	OCSPSigRequired      OCSPResponseStatus = 5
	OCSPUnauthorized     OCSPResponseStatus = 6
)

func (s OCSPResponseStatus) String() string {
	switch s {
	case OCSPSuccessful:
		return "successful"
	case OCSPMalformedRequest:
		return "malformedRequest"
	case OCSPInternalError:
		return "internalError"
	case OCSPTryLater:
		return "tryLater"
	case OCSPSigRequired:
		return "sigRequired"
	case OCSPUnauthorized:
		return "unauthorized"
	}
	return fmt.Sprintf("status %d", int(s))
}

// CertStatusValue is what a revocation source says about a certificate.
type CertStatusValue string

// Certificate statuses.
const (
	StatusGood    CertStatusValue = "good"
	StatusRevoked CertStatusValue = "revoked"
	StatusUnknown CertStatusValue = "unknown"
)

// OCSPCertID names a certificate in OCSP: hashes of its issuer's name and
// public key, and its serial. Hash is crypto.SHA1 (the default every
// responder knows; it only identifies, it does not protect) or crypto.SHA256.
type OCSPCertID struct {
	Hash           crypto.Hash
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

// NewOCSPCertID computes the CertID of cert, issued by issuer.
func NewOCSPCertID(cert, issuer *x509.Certificate, h crypto.Hash) (OCSPCertID, error) {
	if cert == nil || issuer == nil {
		return OCSPCertID{}, fmt.Errorf("OCSP CertID: %w: nil certificate", ErrMalformed)
	}
	id, err := certIDForIssuer(issuer, h)
	if err != nil {
		return OCSPCertID{}, err
	}
	id.SerialNumber = cert.SerialNumber
	return id, nil
}

// certIDForIssuer fills the issuer hashes of a CertID.
func certIDForIssuer(issuer *x509.Certificate, h crypto.Hash) (OCSPCertID, error) {
	if h != crypto.SHA1 && h != crypto.SHA256 {
		return OCSPCertID{}, fmt.Errorf("OCSP CertID: unsupported hash %v", h)
	}
	keyBits, err := subjectPublicKeyBits(issuer.RawSubjectPublicKeyInfo)
	if err != nil {
		return OCSPCertID{}, fmt.Errorf("OCSP CertID: %w", err)
	}
	return OCSPCertID{Hash: h, IssuerNameHash: hashBytes(h, issuer.RawSubject), IssuerKeyHash: hashBytes(h, keyBits)}, nil
}

// Matches reports whether id names a certificate with the given issuer
// (whatever hash id uses) and serial.
func (id OCSPCertID) Matches(issuer *x509.Certificate, serial *big.Int) bool {
	if id.SerialNumber == nil || serial == nil || id.SerialNumber.Cmp(serial) != 0 {
		return false
	}
	return id.IssuedBy(issuer)
}

// IssuedBy reports whether id's issuer hashes are those of issuer.
func (id OCSPCertID) IssuedBy(issuer *x509.Certificate) bool {
	want, err := certIDForIssuer(issuer, id.Hash)
	if err != nil {
		return false
	}
	return bytes.Equal(want.IssuerNameHash, id.IssuerNameHash) && bytes.Equal(want.IssuerKeyHash, id.IssuerKeyHash)
}

func hashBytes(h crypto.Hash, b []byte) []byte {
	if h == crypto.SHA1 {
		s := sha1.Sum(b)
		return s[:]
	}
	s := sha256.Sum256(b)
	return s[:]
}

// subjectPublicKeyBits returns the subjectPublicKey BIT STRING's bytes, what
// OCSP's issuerKeyHash and the usual key identifier hash.
func subjectPublicKeyBits(spki []byte) ([]byte, error) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("%w: subject public key info: %w", ErrMalformed, err)
	}
	return info.PublicKey.Bytes, nil
}

func (id OCSPCertID) asn1() (certID, error) {
	var oid asn1.ObjectIdentifier
	switch id.Hash {
	case crypto.SHA1:
		oid = oidSHA1
	case crypto.SHA256:
		oid = oidSHA256
	default:
		return certID{}, fmt.Errorf("OCSP CertID: unsupported hash %v", id.Hash)
	}
	if id.SerialNumber == nil {
		return certID{}, fmt.Errorf("OCSP CertID: %w: no serial number", ErrMalformed)
	}
	return certID{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
		IssuerNameHash: id.IssuerNameHash, IssuerKeyHash: id.IssuerKeyHash, SerialNumber: id.SerialNumber}, nil
}

func certIDFromASN1(c certID) (OCSPCertID, error) {
	id := OCSPCertID{IssuerNameHash: c.IssuerNameHash, IssuerKeyHash: c.IssuerKeyHash, SerialNumber: c.SerialNumber}
	switch {
	case c.HashAlgorithm.Algorithm.Equal(oidSHA1):
		id.Hash = crypto.SHA1
	case c.HashAlgorithm.Algorithm.Equal(oidSHA256):
		id.Hash = crypto.SHA256
	default:
		return id, fmt.Errorf("OCSP CertID: unsupported hash algorithm %s", c.HashAlgorithm.Algorithm)
	}
	if c.SerialNumber == nil {
		return id, fmt.Errorf("OCSP CertID: %w: no serial number", ErrMalformed)
	}
	return id, nil
}

// OCSPRequest is a parsed OCSP request: the certificates asked about and the
// nonce (nil if none).
type OCSPRequest struct {
	CertIDs []OCSPCertID
	Nonce   []byte
}

// NewOCSPNonce returns 32 random bytes, the size RFC 8954 recommends.
func NewOCSPNonce(rand io.Reader) ([]byte, error) {
	n := make([]byte, 32)
	if _, err := io.ReadFull(rand, n); err != nil {
		return nil, fmt.Errorf("OCSP nonce: %w", err)
	}
	return n, nil
}

// MarshalOCSPRequest encodes an unsigned request for ids, with the nonce
// extension when nonce is not nil.
func MarshalOCSPRequest(ids []OCSPCertID, nonce []byte) ([]byte, error) {
	var req ocspRequestASN1
	for _, id := range ids {
		c, err := id.asn1()
		if err != nil {
			return nil, err
		}
		req.TBSRequest.RequestList = append(req.TBSRequest.RequestList, singleRequest{CertID: c})
	}
	if nonce != nil {
		ext, err := nonceExtension(nonce)
		if err != nil {
			return nil, err
		}
		req.TBSRequest.Extensions = []pkix.Extension{ext}
	}
	der, err := asn1.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("marshal OCSP request: %w", err)
	}
	return der, nil
}

// nonceExtension is id-pkix-ocsp-nonce: extnValue is the DER of
// Nonce ::= OCTET STRING (RFC 8954).
func nonceExtension(nonce []byte) (pkix.Extension, error) {
	v, err := asn1.Marshal(nonce)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("marshal OCSP nonce: %w", err)
	}
	return pkix.Extension{Id: oidOCSPNonce, Value: v}, nil
}

// nonceFrom finds the nonce in exts. Besides RFC 8954's form it accepts a
// bare value (older responders put the nonce bytes directly in extnValue).
func nonceFrom(exts []pkix.Extension) []byte {
	for _, e := range exts {
		if !e.Id.Equal(oidOCSPNonce) {
			continue
		}
		var n []byte
		if rest, err := asn1.Unmarshal(e.Value, &n); err == nil && len(rest) == 0 {
			return n
		}
		return e.Value
	}
	return nil
}

// ParseOCSPRequest parses a DER OCSP request (signed requests are accepted
// and their signature ignored).
func ParseOCSPRequest(der []byte) (*OCSPRequest, error) {
	var req ocspRequestASN1
	rest, err := asn1.Unmarshal(der, &req)
	if err != nil {
		return nil, fmt.Errorf("parse OCSP request: %w: %w", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("parse OCSP request: %w: trailing data", ErrMalformed)
	}
	if len(req.TBSRequest.RequestList) == 0 {
		return nil, fmt.Errorf("parse OCSP request: %w: no certificates asked about", ErrMalformed)
	}
	out := &OCSPRequest{Nonce: nonceFrom(req.TBSRequest.Extensions)}
	for _, r := range req.TBSRequest.RequestList {
		id, err := certIDFromASN1(r.CertID)
		if err != nil {
			return nil, fmt.Errorf("parse OCSP request: %w", err)
		}
		out.CertIDs = append(out.CertIDs, id)
	}
	return out, nil
}

// CRL reason codes (RFC 5280 5.3.1) the report names.
var reasonNames = map[int]string{
	0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
	5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
}

// ReasonName names a CRL/OCSP revocation reason code ("" for none).
func ReasonName(code int) string {
	if code < 0 {
		return ""
	}
	if n, ok := reasonNames[code]; ok {
		return n
	}
	return fmt.Sprintf("reason %d", code)
}
