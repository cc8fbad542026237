package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// isGOSTSignature reports whether oid is one of the KZ GOST signature
// algorithms.
func isGOSTSignature(oid asn1.ObjectIdentifier) bool {
	_, ok := gost.SignatureAlgorithmByOID(oid)
	return ok
}

// verifyGOST checks a GOST signature: sig is r‖s, each little-endian, over
// the algorithm's hash of signed. NCA certificates, CRLs, CMS and XMLDSig all
// hold the signature in this form directly (the certificate BIT STRING is
// the 128 bytes, no inner OCTET STRING), checked on the NCA test CAs.
func verifyGOST(pub crypto.PublicKey, oid asn1.ObjectIdentifier, signed, sig []byte) error {
	alg, ok := gost.SignatureAlgorithmByOID(oid)
	if !ok {
		return fmt.Errorf("%w %s", ErrUnsupportedSignatureAlgorithm, oid)
	}
	key, ok := pub.(*gost.PublicKey)
	if !ok {
		return fmt.Errorf("%w: %T key for %s signature", ErrSignatureInvalid, pub, alg.Name)
	}
	if key.Curve() != alg.Curve {
		return fmt.Errorf("%w: %s key for %s signature", ErrSignatureInvalid, key.Curve().Name(), alg.Name)
	}
	h := alg.NewHash()
	h.Write(signed)
	if !gost.Verify(key, h.Sum(nil), sig) {
		return fmt.Errorf("%w: %s verification failed", ErrSignatureInvalid, alg.Name)
	}
	return nil
}

// issuerPublicKey returns the issuer's public key: crypto/x509's for RSA,
// ECDSA and Ed25519, the parsed GOST key otherwise.
func issuerPublicKey(c *x509.Certificate) (crypto.PublicKey, error) {
	if c.PublicKey != nil {
		return c.PublicKey, nil
	}
	pub, err := gost.PublicKeyFromCertificate(c)
	if err != nil {
		return nil, fmt.Errorf("%w: issuer key of %q: %w", ErrSignatureInvalid, c.Subject.CommonName, err)
	}
	return pub, nil
}
