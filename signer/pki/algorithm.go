package pki

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// Key algorithm names as Identity.Algorithm reports them.
const (
	AlgorithmGOST2015_512 = "GOST34.10-2015-512"
	AlgorithmGOST2015_256 = "GOST34.10-2015-256"
	AlgorithmGOST2004     = "GOST34.310-2004"
	AlgorithmEd25519      = "Ed25519"
)

// KeyAlgorithm names the algorithm and size of cert's public key:
// "GOST34.10-2015-512", "GOST34.10-2015-256", "GOST34.310-2004",
// "RSA-<bits>", "ECDSA-<curve>" (e.g. "ECDSA-P-256") or "Ed25519". A key it
// cannot name is reported as "unknown <OID>".
func KeyAlgorithm(cert *x509.Certificate) string {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", pub.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA-" + pub.Curve.Params().Name
	}
	if cert.PublicKeyAlgorithm == x509.Ed25519 {
		return AlgorithmEd25519
	}
	oid, err := publicKeyAlgorithmOID(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return "unknown"
	}
	switch {
	case oid.Equal(gost.OIDPublicKey2015_512):
		return AlgorithmGOST2015_512
	case oid.Equal(gost.OIDPublicKey2015_256):
		return AlgorithmGOST2015_256
	case oid.Equal(gost.OIDPublicKey2004):
		return AlgorithmGOST2004
	}
	return "unknown " + oid.String()
}

// publicKeyAlgorithmOID reads the algorithm OID of a SubjectPublicKeyInfo.
func publicKeyAlgorithmOID(spki []byte) (asn1.ObjectIdentifier, error) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("parse subject public key info: %w", err)
	}
	return info.Algorithm.Algorithm, nil
}
