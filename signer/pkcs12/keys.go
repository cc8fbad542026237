package pkcs12

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
)

var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSA   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// pkcs8Header is just enough of PrivateKeyInfo to dispatch on the algorithm.
type pkcs8Header struct {
	Version   int
	Algorithm pkix.AlgorithmIdentifier
	Rest      asn1.RawValue
}

// parsePrivateKey parses a DER PKCS#8 PrivateKeyInfo: GOST keys with the
// gost package, RSA, ECDSA and Ed25519 with crypto/x509.
func parsePrivateKey(der []byte) (crypto.Signer, error) {
	var h pkcs8Header
	if _, err := asn1.Unmarshal(der, &h); err != nil {
		return nil, malformedErr("private key", err)
	}
	oid := h.Algorithm.Algorithm
	if gost.IsPublicKeyOID(oid) {
		k, err := gost.ParsePKCS8PrivateKey(der)
		if err != nil {
			var ua *UnsupportedAlgorithmError
			if errors.As(err, &ua) {
				return nil, err
			}
			return nil, malformedErr("GOST private key", err)
		}
		return k, nil
	}
	if !oid.Equal(oidRSA) && !oid.Equal(oidECDSA) && !oid.Equal(oidEd25519) {
		return nil, &UnsupportedAlgorithmError{OID: oid, Use: "private key algorithm"}
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, malformedErr("private key", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, &UnsupportedAlgorithmError{OID: oid, Use: "private key algorithm"}
	}
	return s, nil
}

// marshalPrivateKey encodes key as PKCS#8; GOST keys in the NCA layout.
// The caller zeroes the result.
func marshalPrivateKey(key crypto.Signer) ([]byte, error) {
	if k, ok := key.(*gost.PrivateKey); ok {
		return gost.MarshalPKCS8PrivateKey(k)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: marshal private key: %w", err)
	}
	return der, nil
}

// certPublicKey returns cert's public key, parsing GOST keys that
// crypto/x509 leaves as unknown.
func certPublicKey(cert *x509.Certificate) (crypto.PublicKey, error) {
	if cert.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm || cert.PublicKey == nil {
		return gost.PublicKeyFromCertificate(cert)
	}
	return cert.PublicKey, nil
}

// keyMatches reports whether key's public half is cert's public key.
func keyMatches(key crypto.Signer, cert *x509.Certificate) bool {
	pub, err := certPublicKey(cert)
	if err != nil {
		return false
	}
	eq, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(pub)
}
