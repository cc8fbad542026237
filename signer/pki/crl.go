package pki

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// ParseRevocationList parses a DER CRL like x509.ParseRevocationList, but
// also accepts the CRLs NCA RK publishes: their TBS names the GOST signature
// algorithm without parameters while the outer AlgorithmIdentifier carries
// NULL, and crypto/x509 rejects that as "inner and outer signature algorithm
// identifiers don't match". The outer identifier is not signed, so it is
// replaced by the inner one before parsing; the signed bytes
// (RawTBSRevocationList) and the signature are untouched, and Raw is the
// original der.
func ParseRevocationList(der []byte) (*x509.RevocationList, error) {
	crl, err := x509.ParseRevocationList(der)
	if err == nil {
		return crl, nil
	}
	patched, perr := alignOuterAlgorithm(der)
	if perr != nil || patched == nil {
		return nil, fmt.Errorf("parse CRL: %w", err)
	}
	crl, err2 := x509.ParseRevocationList(patched)
	if err2 != nil {
		return nil, fmt.Errorf("parse CRL: %w", err)
	}
	crl.Raw = der
	return crl, nil
}

// alignOuterAlgorithm returns der with its outer signature AlgorithmIdentifier
// replaced by the TBS's one when the two differ only by absent versus NULL
// parameters; nil when there is nothing to align.
func alignOuterAlgorithm(der []byte) ([]byte, error) {
	s, err := parseSigned(der)
	if err != nil {
		return nil, err
	}
	var tbs struct {
		Raw       asn1.RawContent
		Version   int `asn1:"optional"`
		Algorithm asn1.RawValue
		Rest      []asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(s.TBS.FullBytes, &tbs); err != nil {
		return nil, fmt.Errorf("parse CRL TBS: %w", err)
	}
	var inner pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(tbs.Algorithm.FullBytes, &inner); err != nil {
		return nil, fmt.Errorf("parse CRL TBS algorithm: %w", err)
	}
	if !inner.Algorithm.Equal(s.Algorithm.Algorithm) || !nullOrAbsent(inner.Parameters) || !nullOrAbsent(s.Algorithm.Parameters) {
		return nil, nil
	}
	sig, err := asn1.Marshal(s.Signature)
	if err != nil {
		return nil, fmt.Errorf("marshal CRL signature: %w", err)
	}
	body := bytes.Join([][]byte{s.TBS.FullBytes, tbs.Algorithm.FullBytes, sig}, nil)
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
}

// nullOrAbsent reports whether AlgorithmIdentifier parameters are missing or NULL.
func nullOrAbsent(p asn1.RawValue) bool {
	return len(p.FullBytes) == 0 || bytes.Equal(p.FullBytes, asn1.NullBytes)
}
