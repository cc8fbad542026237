package gost

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"github.com/qoltanba/qoltanba/signer/gost/gost341194"
	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// SignatureAlgorithm ties a KZ signature OID to its curve and hash, so that
// CMS, XMLDSig and certificate code can go from an OID to the functions.
type SignatureAlgorithm struct {
	Name      string                // "GOST34.10-2015-512", "GOST34.10-2015-256" or "GOST34.310-2004"
	OID       asn1.ObjectIdentifier // signature algorithm
	Curve     *Curve
	DigestOID asn1.ObjectIdentifier
	NewHash   func() hash.Hash
}

var signatureAlgorithms = []*SignatureAlgorithm{
	{Name: "GOST34.10-2015-512", OID: OIDSignature2015_512, Curve: Curve512A(), DigestOID: OIDDigest2015_512, NewHash: streebog.New512},
	{Name: "GOST34.10-2015-256", OID: OIDSignature2015_256, Curve: Curve256A(), DigestOID: OIDDigest2015_256, NewHash: streebog.New256},
	{Name: "GOST34.310-2004", OID: OIDSignature2004, Curve: CurveCryptoProA(), DigestOID: OIDDigest2004,
		NewHash: func() hash.Hash { return gost341194.New(&gost341194.TestParamSet) }},
}

// SignatureAlgorithmByOID returns the algorithm a signature OID names.
func SignatureAlgorithmByOID(oid asn1.ObjectIdentifier) (*SignatureAlgorithm, bool) {
	for _, a := range signatureAlgorithms {
		if a.OID.Equal(oid) {
			return a, true
		}
	}
	return nil, false
}

// SignatureAlgorithmForCurve returns the algorithm that signs with keys on c,
// or nil for an unknown curve.
func SignatureAlgorithmForCurve(c *Curve) *SignatureAlgorithm {
	for _, a := range signatureAlgorithms {
		if a.Curve == c {
			return a
		}
	}
	return nil
}

// ErrUnsupportedAlgorithm is matched (errors.Is) by every
// UnsupportedAlgorithmError.
var ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")

// UnsupportedAlgorithmError reports an algorithm OID this code does not
// implement, naming the OID so that a user's report says what was found.
// signer/pkcs12 uses it too, for encryption and MAC algorithms.
type UnsupportedAlgorithmError struct {
	OID asn1.ObjectIdentifier
	Use string // what the OID was for, e.g. "public key", "key encryption"
}

func (e *UnsupportedAlgorithmError) Error() string {
	use := e.Use
	if use == "" {
		use = "algorithm"
	}
	return fmt.Sprintf("unsupported %s %s", use, e.OID)
}

// Is makes errors.Is(err, ErrUnsupportedAlgorithm) true.
func (e *UnsupportedAlgorithmError) Is(target error) bool { return target == ErrUnsupportedAlgorithm }
