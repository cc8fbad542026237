package pki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"
)

// OCSPResponse is a parsed OCSP response. Parsing checks structure only;
// VerifyOCSPResponse checks who signed it, the nonce and the times.
type OCSPResponse struct {
	// Status is the outer responseStatus; the other fields are set only
	// when it is OCSPSuccessful.
	Status     OCSPResponseStatus
	ProducedAt time.Time
	// ResponderName is the DER Name of a byName ResponderID, ResponderKeyHash
	// the SHA-1 key hash of a byKey one.
	ResponderName    []byte
	ResponderKeyHash []byte
	Responses        []OCSPSingleResponse
	Nonce            []byte
	// Certificates are those the response carries (the delegated responder's).
	Certificates []*x509.Certificate
	// TBS, SignatureAlgorithm and Signature are what the signature covers.
	TBS                []byte
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
	// Raw is the whole response.
	Raw []byte
}

// OCSPSingleResponse is the status of one certificate.
type OCSPSingleResponse struct {
	CertID     OCSPCertID
	Status     CertStatusValue
	RevokedAt  time.Time
	Reason     int // -1 when the responder gave none
	ThisUpdate time.Time
	NextUpdate time.Time // zero when the responder gave none
}

// maxOCSPResponse bounds what the client reads and the parser accepts.
const maxOCSPResponse = 1 << 20

// ParseOCSPResponse parses a DER OCSP response of type id-pkix-ocsp-basic.
// A non-successful responseStatus is returned as a response with that
// Status and an error wrapping ErrOCSPStatus.
func ParseOCSPResponse(der []byte) (*OCSPResponse, error) {
	if len(der) > maxOCSPResponse {
		return nil, fmt.Errorf("parse OCSP response: %w: %d bytes", ErrMalformed, len(der))
	}
	var outer ocspResponseASN1
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil {
		return nil, fmt.Errorf("parse OCSP response: %w: %w", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("parse OCSP response: %w: trailing data", ErrMalformed)
	}
	r := &OCSPResponse{Status: OCSPResponseStatus(outer.Status), Raw: der}
	if r.Status != OCSPSuccessful {
		return r, fmt.Errorf("%w: %s", ErrOCSPStatus, r.Status)
	}
	if !outer.Response.ResponseType.Equal(oidOCSPBasic) {
		return nil, fmt.Errorf("parse OCSP response: %w: response type %s is not id-pkix-ocsp-basic", ErrMalformed, outer.Response.ResponseType)
	}
	var basic basicResponse
	if rest, err := asn1.Unmarshal(outer.Response.Response, &basic); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("parse OCSP basic response: %w: %v", ErrMalformed, err)
	}
	if basic.Signature.BitLength%8 != 0 {
		return nil, fmt.Errorf("parse OCSP basic response: %w: signature is not whole bytes", ErrMalformed)
	}
	var data responseData
	if rest, err := asn1.Unmarshal(basic.TBSResponseData.FullBytes, &data); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("parse OCSP response data: %w: %v", ErrMalformed, err)
	}
	if data.Version != 0 {
		return nil, fmt.Errorf("parse OCSP response data: %w: version %d", ErrMalformed, data.Version)
	}
	r.ProducedAt = data.ProducedAt
	r.TBS = basic.TBSResponseData.FullBytes
	r.SignatureAlgorithm = basic.SignatureAlgorithm.Algorithm
	r.Signature = basic.Signature.Bytes
	r.Nonce = nonceFrom(data.Extensions)
	if err := r.parseResponderID(data.ResponderID); err != nil {
		return nil, err
	}
	for _, raw := range basic.Certificates {
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("parse OCSP responder certificate: %w: %w", ErrMalformed, err)
		}
		r.Certificates = append(r.Certificates, c)
	}
	for _, sr := range data.Responses {
		single, err := parseSingleResponse(sr)
		if err != nil {
			return nil, err
		}
		r.Responses = append(r.Responses, single)
	}
	return r, nil
}

// parseResponderID decodes ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }.
func (r *OCSPResponse) parseResponderID(v asn1.RawValue) error {
	if v.Class != asn1.ClassContextSpecific || !v.IsCompound {
		return fmt.Errorf("parse OCSP responder ID: %w: tag %d class %d", ErrMalformed, v.Tag, v.Class)
	}
	var inner asn1.RawValue
	if rest, err := asn1.Unmarshal(v.Bytes, &inner); err != nil || len(rest) > 0 {
		return fmt.Errorf("parse OCSP responder ID: %w: %v", ErrMalformed, err)
	}
	switch v.Tag {
	case 1:
		if inner.Tag != asn1.TagSequence {
			return fmt.Errorf("parse OCSP responder ID: %w: byName is not a Name", ErrMalformed)
		}
		r.ResponderName = inner.FullBytes
	case 2:
		if inner.Tag != asn1.TagOctetString {
			return fmt.Errorf("parse OCSP responder ID: %w: byKey is not an OCTET STRING", ErrMalformed)
		}
		r.ResponderKeyHash = inner.Bytes
	default:
		return fmt.Errorf("parse OCSP responder ID: %w: tag %d", ErrMalformed, v.Tag)
	}
	return nil
}

// parseSingleResponse decodes one SingleResponse and its CertStatus CHOICE.
func parseSingleResponse(sr singleResponse) (OCSPSingleResponse, error) {
	id, err := certIDFromASN1(sr.CertID)
	if err != nil {
		return OCSPSingleResponse{}, fmt.Errorf("parse OCSP single response: %w", err)
	}
	out := OCSPSingleResponse{CertID: id, ThisUpdate: sr.ThisUpdate, NextUpdate: sr.NextUpdate, Reason: -1}
	if sr.Status.Class != asn1.ClassContextSpecific {
		return out, fmt.Errorf("parse OCSP cert status: %w: class %d", ErrMalformed, sr.Status.Class)
	}
	switch sr.Status.Tag {
	case 0:
		out.Status = StatusGood
	case 1:
		out.Status = StatusRevoked
		var ri revokedInfo
		// [1] IMPLICIT RevokedInfo: re-tag the content as a SEQUENCE.
		seq := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: sr.Status.Bytes}
		der, err := asn1.Marshal(seq)
		if err != nil {
			return out, fmt.Errorf("parse OCSP revoked info: %w", err)
		}
		if rest, err := asn1.Unmarshal(der, &ri); err != nil || len(rest) > 0 {
			return out, fmt.Errorf("parse OCSP revoked info: %w: %v", ErrMalformed, err)
		}
		out.RevokedAt, out.Reason = ri.RevocationTime, int(ri.Reason)
	case 2:
		out.Status = StatusUnknown
	default:
		return out, fmt.Errorf("parse OCSP cert status: %w: tag %d", ErrMalformed, sr.Status.Tag)
	}
	return out, nil
}

// OCSPVerifyOptions say how to judge a response.
type OCSPVerifyOptions struct {
	// Nonce is the nonce sent; nil skips the check (a cached response).
	Nonce []byte
	// Now is the time of the check; MaxAge bounds how old thisUpdate may
	// be when the response has no nextUpdate (default 24 hours); Skew is
	// the clock tolerance (default 5 minutes). IgnoreTimes accepts a
	// response whatever its times (reading the offline cache).
	Now         time.Time
	MaxAge      time.Duration
	Skew        time.Duration
	IgnoreTimes bool
	// TrustedResponders are responder certificates accepted for any CA,
	// configured locally (RFC 6960 4.2.2.2, first case).
	TrustedResponders []*x509.Certificate
}

// VerifyOCSPResponse checks that r is a current, properly signed answer
// about cert (issued by issuer) and returns that answer. The signer must be
// the issuer itself, a delegated responder the issuer certified with EKU
// id-kp-OCSPSigning (valid at producedAt), or a locally trusted responder.
func VerifyOCSPResponse(r *OCSPResponse, cert, issuer *x509.Certificate, opts OCSPVerifyOptions) (*OCSPSingleResponse, error) {
	single, _, err := verifyOCSP(r, cert, issuer, opts)
	return single, err
}

// verifyOCSP is VerifyOCSPResponse that also returns the signer's certificate.
func verifyOCSP(r *OCSPResponse, cert, issuer *x509.Certificate, opts OCSPVerifyOptions) (*OCSPSingleResponse, *x509.Certificate, error) {
	if r == nil || cert == nil || issuer == nil {
		return nil, nil, fmt.Errorf("verify OCSP response: %w: nil argument", ErrMalformed)
	}
	if r.Status != OCSPSuccessful {
		return nil, nil, fmt.Errorf("%w: %s", ErrOCSPStatus, r.Status)
	}
	if opts.Nonce != nil && !bytes.Equal(opts.Nonce, r.Nonce) {
		if r.Nonce == nil {
			return nil, nil, fmt.Errorf("%w: the response carries no nonce", ErrOCSPNonce)
		}
		return nil, nil, ErrOCSPNonce
	}
	signer, err := r.checkSigner(issuer, opts.TrustedResponders)
	if err != nil {
		return nil, nil, err
	}
	var single *OCSPSingleResponse
	for i := range r.Responses {
		if r.Responses[i].CertID.Matches(issuer, cert.SerialNumber) {
			single = &r.Responses[i]
			break
		}
	}
	if single == nil {
		return nil, nil, fmt.Errorf("%w: serial %x", ErrOCSPNoStatus, cert.SerialNumber)
	}
	if opts.IgnoreTimes {
		return single, signer, nil
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	skew := opts.Skew
	if skew == 0 {
		skew = 5 * time.Minute
	}
	maxAge := opts.MaxAge
	if maxAge == 0 {
		maxAge = 24 * time.Hour
	}
	switch {
	case single.ThisUpdate.After(now.Add(skew)):
		return nil, nil, fmt.Errorf("%w: thisUpdate %s is in the future", ErrOCSPStale, single.ThisUpdate.UTC().Format(time.RFC3339))
	case !single.NextUpdate.IsZero() && now.After(single.NextUpdate.Add(skew)):
		return nil, nil, fmt.Errorf("%w: nextUpdate %s has passed", ErrOCSPStale, single.NextUpdate.UTC().Format(time.RFC3339))
	case single.NextUpdate.IsZero() && now.Sub(single.ThisUpdate) > maxAge:
		return nil, nil, fmt.Errorf("%w: thisUpdate %s is older than %s", ErrOCSPStale, single.ThisUpdate.UTC().Format(time.RFC3339), maxAge)
	}
	return single, signer, nil
}

// checkSigner finds the certificate that signed r and checks it may.
func (r *OCSPResponse) checkSigner(issuer *x509.Certificate, trusted []*x509.Certificate) (*x509.Certificate, error) {
	candidates := append([]*x509.Certificate{issuer}, trusted...)
	candidates = append(candidates, r.Certificates...)
	var lastErr error
	for _, c := range candidates {
		if !r.namesResponder(c) {
			continue
		}
		if err := r.verifySignature(c); err != nil {
			lastErr = err
			continue
		}
		if c.Equal(issuer) || containsCert(trusted, c) {
			return c, nil
		}
		if err := delegatedBy(c, issuer, r.ProducedAt); err != nil {
			lastErr = err
			continue
		}
		return c, nil
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, fmt.Errorf("%w: no known certificate matches the responder ID", ErrOCSPResponder)
}

// namesResponder reports whether the ResponderID designates c.
func (r *OCSPResponse) namesResponder(c *x509.Certificate) bool {
	if r.ResponderName != nil {
		return bytes.Equal(r.ResponderName, c.RawSubject)
	}
	bits, err := subjectPublicKeyBits(c.RawSubjectPublicKeyInfo)
	if err != nil {
		return false
	}
	return bytes.Equal(hashBytes(crypto.SHA1, bits), r.ResponderKeyHash)
}

func (r *OCSPResponse) verifySignature(c *x509.Certificate) error {
	pub, err := issuerPublicKey(c)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrOCSPResponder, err)
	}
	if err := VerifySignature(pub, r.SignatureAlgorithm, r.TBS, r.Signature); err != nil {
		return fmt.Errorf("%w: signature by %q: %w", ErrOCSPResponder, c.Subject.CommonName, err)
	}
	return nil
}

// delegatedBy checks that responder is a delegated OCSP responder of issuer:
// directly certified by it, with id-kp-OCSPSigning, valid at t.
func delegatedBy(responder, issuer *x509.Certificate, t time.Time) error {
	if !bytes.Equal(responder.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("%w: %q is not certified by %q", ErrOCSPResponder, responder.Subject.CommonName, issuer.Subject.CommonName)
	}
	ok := false
	for _, u := range responder.ExtKeyUsage {
		ok = ok || u == x509.ExtKeyUsageOCSPSigning
	}
	if !ok {
		return fmt.Errorf("%w: %q lacks id-kp-OCSPSigning", ErrOCSPResponder, responder.Subject.CommonName)
	}
	if err := CheckSignatureFrom(responder, issuer); err != nil {
		return fmt.Errorf("%w: %w", ErrOCSPResponder, err)
	}
	if t.Before(responder.NotBefore) || t.After(responder.NotAfter) {
		return fmt.Errorf("%w: %q is not valid at %s", ErrOCSPResponder, responder.Subject.CommonName, t.UTC().Format(time.RFC3339))
	}
	return nil
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range list {
		if x.Equal(c) {
			return true
		}
	}
	return false
}
