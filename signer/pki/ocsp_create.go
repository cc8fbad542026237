package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"time"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// OCSPResponseTemplate is what a responder answers; CreateOCSPResponse
// encodes and signs it. It lives here, beside the parser, so that the test
// PKI's responder and the client share one encoding.
type OCSPResponseTemplate struct {
	ProducedAt time.Time
	Responses  []OCSPSingleResponse
	// Nonce is echoed in the response extensions when not nil.
	Nonce []byte
	// ByKey names the responder by key hash instead of by name.
	ByKey bool
	// Certificates are included in the response (a delegated responder's
	// certificate, so clients can check it).
	Certificates []*x509.Certificate
}

// CreateOCSPResponse encodes a successful basic OCSP response signed by key,
// the private key of responder: GOST keys sign with their curve's algorithm
// (r‖s little-endian, as NCA), RSA keys with SHA-256 PKCS#1 v1.5, ECDSA keys
// with ECDSA-SHA256.
func CreateOCSPResponse(rand io.Reader, responder *x509.Certificate, key crypto.Signer, tmpl *OCSPResponseTemplate) ([]byte, error) {
	if responder == nil || key == nil || tmpl == nil {
		return nil, fmt.Errorf("create OCSP response: %w: nil argument", ErrMalformed)
	}
	data := responseData{ProducedAt: tmpl.ProducedAt.UTC().Truncate(time.Second)}
	if tmpl.ByKey {
		bits, err := subjectPublicKeyBits(responder.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, err
		}
		h, err := asn1.Marshal(hashBytes(crypto.SHA1, bits))
		if err != nil {
			return nil, fmt.Errorf("marshal responder key hash: %w", err)
		}
		data.ResponderID = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, IsCompound: true, Bytes: h}
	} else {
		data.ResponderID = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: responder.RawSubject}
	}
	for _, r := range tmpl.Responses {
		sr, err := r.asn1()
		if err != nil {
			return nil, err
		}
		data.Responses = append(data.Responses, sr)
	}
	if tmpl.Nonce != nil {
		ext, err := nonceExtension(tmpl.Nonce)
		if err != nil {
			return nil, err
		}
		data.Extensions = []pkix.Extension{ext}
	}
	tbs, err := asn1.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("marshal OCSP response data: %w", err)
	}
	alg, sig, err := SignData(rand, key, tbs)
	if err != nil {
		return nil, fmt.Errorf("sign OCSP response: %w", err)
	}
	basic := basicResponse{
		TBSResponseData:    asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: alg,
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	}
	for _, c := range tmpl.Certificates {
		basic.Certificates = append(basic.Certificates, asn1.RawValue{FullBytes: c.Raw})
	}
	basicDER, err := asn1.Marshal(basic)
	if err != nil {
		return nil, fmt.Errorf("marshal OCSP basic response: %w", err)
	}
	der, err := asn1.Marshal(ocspResponseASN1{Response: responseBytes{ResponseType: oidOCSPBasic, Response: basicDER}})
	if err != nil {
		return nil, fmt.Errorf("marshal OCSP response: %w", err)
	}
	return der, nil
}

// OCSPErrorResponse encodes an unsuccessful response (no signature, no body).
func OCSPErrorResponse(status OCSPResponseStatus) []byte {
	// SEQUENCE { ENUMERATED status }
	return []byte{0x30, 0x03, 0x0a, 0x01, byte(status)}
}

func (r OCSPSingleResponse) asn1() (singleResponse, error) {
	id, err := r.CertID.asn1()
	if err != nil {
		return singleResponse{}, err
	}
	sr := singleResponse{CertID: id, ThisUpdate: r.ThisUpdate.UTC().Truncate(time.Second)}
	if !r.NextUpdate.IsZero() {
		sr.NextUpdate = r.NextUpdate.UTC().Truncate(time.Second)
	}
	switch r.Status {
	case StatusGood:
		sr.Status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0}
	case StatusRevoked:
		ri := revokedInfo{RevocationTime: r.RevokedAt.UTC().Truncate(time.Second), Reason: asn1.Enumerated(r.Reason)}
		if r.Reason < 0 {
			ri.Reason = -1
		}
		der, err := asn1.Marshal(ri)
		if err != nil {
			return sr, fmt.Errorf("marshal revoked info: %w", err)
		}
		var seq asn1.RawValue
		if _, err := asn1.Unmarshal(der, &seq); err != nil {
			return sr, fmt.Errorf("marshal revoked info: %w", err)
		}
		sr.Status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: seq.Bytes}
	default:
		sr.Status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2}
	}
	return sr, nil
}

// SignData signs data with key the way this project signs X.509 structures:
// GOST keys with their curve's algorithm (hash of data, r‖s little-endian,
// NULL parameters), RSA with sha256WithRSAEncryption, ECDSA with
// ecdsa-with-SHA256. It returns the AlgorithmIdentifier and the signature.
func SignData(rand io.Reader, key crypto.Signer, data []byte) (pkix.AlgorithmIdentifier, []byte, error) {
	switch k := key.(type) {
	case *gost.PrivateKey:
		alg := gost.SignatureAlgorithmForCurve(k.PublicKey().Curve())
		if alg == nil {
			return pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("%w: no signature algorithm for curve %s", ErrUnsupportedSignatureAlgorithm, k.PublicKey().Curve().Name())
		}
		h := alg.NewHash()
		h.Write(data)
		sig, err := k.Sign(rand, h.Sum(nil), nil)
		return pkix.AlgorithmIdentifier{Algorithm: alg.OID, Parameters: asn1.NullRawValue}, sig, err
	}
	digest := sha256.Sum256(data)
	switch key.Public().(type) {
	case *rsa.PublicKey:
		sig, err := key.Sign(rand, digest[:], crypto.SHA256)
		return pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, sig, err
	case *ecdsa.PublicKey:
		sig, err := key.Sign(rand, digest[:], crypto.SHA256)
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, sig, err
	}
	return pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("%w: %T key", ErrUnsupportedSignatureAlgorithm, key.Public())
}
