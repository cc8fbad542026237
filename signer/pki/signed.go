package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// signedData is the outer shape shared by certificates and CRLs:
// SEQUENCE { tbs, signatureAlgorithm, signatureValue }.
type signedData struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

// parseSigned splits DER signed data into its parts.
func parseSigned(der []byte) (*signedData, error) {
	var s signedData
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(rest))
	}
	if s.Signature.BitLength%8 != 0 {
		return nil, fmt.Errorf("%w: signature is not a whole number of bytes", ErrMalformed)
	}
	return &s, nil
}

// outerSignatureAlgorithm returns the signature algorithm OID of DER signed
// data (a certificate or CRL). crypto/x509 reports GOST algorithms only as
// "unknown", so the OID is read again from the raw bytes.
func outerSignatureAlgorithm(der []byte) (asn1.ObjectIdentifier, error) {
	s, err := parseSigned(der)
	if err != nil {
		return nil, err
	}
	return s.Algorithm.Algorithm, nil
}
