// Package gost implements the elliptic-curve signatures of Kazakhstan's EDS:
// GOST 34.10-2015 (the Russian GOST R 34.10-2012) on the 512-bit and 256-bit
// parameter sets A of RFC 7836, and GOST 34.310-2004 (GOST R 34.10-2001 on the
// CryptoPro-A curve of RFC 4357).
//
// Byte conventions follow NCA RK (see docs/kz-pki.md), not the RFCs:
//   - a private scalar is little-endian;
//   - a public key is x‖y, each coordinate little-endian;
//   - a digest is the hash function's output bytes read as a little-endian integer;
//   - a signature is r‖s, each little-endian (the RFC 4491 block s‖r reversed).
//
// Secret scalars never pass through math/big: field and scalar arithmetic is
// constant-time on fixed-size limbs, point arithmetic uses complete formulas,
// and a point is validated when it is decoded, so an invalid point cannot exist.
package gost

import (
	"crypto"
	"errors"
	"io"
	"math/big"
)

// Errors callers act on.
var (
	// ErrInvalidPublicKey reports bytes that are not a point of the curve.
	ErrInvalidPublicKey = errors.New("gost: invalid public key")
	// ErrInvalidPrivateKey reports a scalar that is zero or not below the group order.
	ErrInvalidPrivateKey = errors.New("gost: invalid private key")
	// ErrDigestSize reports a digest whose length does not match the curve.
	ErrDigestSize = errors.New("gost: digest size does not match the curve")
)

// CurveParams are a curve's public parameters, in math/big form for tests,
// reports and reference code. Nothing secret is ever computed with them.
type CurveParams struct {
	P, A, B, Q, X, Y *big.Int
}

// A Curve is one of the GOST parameter sets. Curves are compared by pointer.
type Curve struct {
	name string
	size int // bytes of a coordinate, of a scalar and of the matching digest
	impl curveImpl
}

// Name returns a short human name such as "GOST34.10-2015-512 paramSetA".
func (c *Curve) Name() string { return c.name }

// Size returns the length in bytes of a coordinate, a scalar and the digest
// that signatures on this curve use (64 for 512-bit curves, 32 otherwise).
func (c *Curve) Size() int { return c.size }

// Params returns the curve's public parameters.
func (c *Curve) Params() *CurveParams { return c.impl.params() }

// Curve512A returns GOST 34.10-2015 512-bit parameter set A
// (id-tc26-gost-3410-12-512-paramSetA, KZ OID 1.2.398.3.10.1.1.2.2.1).
func Curve512A() *Curve { return curve512A }

// Curve256A returns GOST 34.10-2015 256-bit parameter set A
// (id-tc26-gost-3410-2012-256-paramSetA).
func Curve256A() *Curve { return curve256A }

// CurveCryptoProA returns the GOST 34.310-2004 curve, which is
// id-GostR3410-2001-CryptoPro-A-ParamSet of RFC 4357.
func CurveCryptoProA() *Curve { return curveCryptoProA }

// PublicKey is a validated point of a GOST curve.
type PublicKey struct {
	curve *Curve
	xy    []byte // x‖y, little-endian, 2*Size bytes; validated
}

// NewPublicKey decodes x‖y (each coordinate little-endian, as in KZ
// certificates) and checks that the point lies on the curve and is not the
// point at infinity.
func NewPublicKey(c *Curve, xy []byte) (*PublicKey, error) { return newPublicKey(c, xy) }

// Curve returns the key's curve.
func (k *PublicKey) Curve() *Curve { return k.curve }

// Bytes returns x‖y, each coordinate little-endian.
func (k *PublicKey) Bytes() []byte { return append([]byte(nil), k.xy...) }

// Equal reports whether x is the same public key.
func (k *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	if !ok || o.curve != k.curve || len(o.xy) != len(k.xy) {
		return false
	}
	for i := range k.xy {
		if k.xy[i] != o.xy[i] {
			return false
		}
	}
	return true
}

// Verify reports whether sig (r‖s, each little-endian) is a valid signature
// of digest (the hash output bytes, read little-endian) by pub.
func Verify(pub *PublicKey, digest, sig []byte) bool { return verify(pub, digest, sig) }

// PrivateKey is a GOST signing key. It implements crypto.Signer.
type PrivateKey struct {
	pub *PublicKey
	d   []byte // little-endian scalar, Size bytes, 0 < d < q
}

// GenerateKey returns a new key on c, drawing randomness from rand.
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) { return generateKey(c, rand) }

// NewPrivateKey builds a key from its little-endian scalar (the KZ 2015
// PKCS#8 form) and computes the public key. A scalar shorter than Size is
// zero-extended; a scalar that is zero or not below the order is rejected.
func NewPrivateKey(c *Curve, d []byte) (*PrivateKey, error) { return newPrivateKey(c, d) }

// Bytes returns the little-endian scalar. Callers must zero the copy when done.
func (k *PrivateKey) Bytes() []byte { return append([]byte(nil), k.d...) }

// PublicKey returns the key's public half.
func (k *PrivateKey) PublicKey() *PublicKey { return k.pub }

// Public implements crypto.Signer; it returns a *PublicKey.
func (k *PrivateKey) Public() crypto.PublicKey { return k.pub }

// Equal reports whether x is the same private key.
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && k.pub.Equal(o.pub) && constantTimeEqual(k.d, o.d)
}

// Sign signs digest, the output bytes of the curve's hash (Streebog-512 for
// 512-bit keys, Streebog-256 or GOST 34.11-94 for 256-bit keys), and returns
// r‖s, each little-endian. opts is ignored: GOST hashes have no crypto.Hash
// value, so the digest length is checked against the curve instead.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return sign(k, rand, digest)
}

// Destroy zeroes the private scalar. The key must not be used afterwards.
func (k *PrivateKey) Destroy() {
	for i := range k.d {
		k.d[i] = 0
	}
}
