package gost

import (
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// maxNonceTries bounds the retries of sign; each retry happens with
// probability about 2^-250, so hitting the bound means a broken rand.
const maxNonceTries = 16

var errNonceRetries = errors.New("gost: could not find a valid nonce (broken random source?)")

func constantTimeEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

func newPublicKey(c *Curve, xy []byte) (*PublicKey, error) {
	if c == nil || c.impl == nil {
		return nil, fmt.Errorf("%w: no curve", ErrInvalidPublicKey)
	}
	var p point
	if !c.impl.decode(&p, xy) {
		return nil, ErrInvalidPublicKey
	}
	return &PublicKey{curve: c, xy: append([]byte(nil), xy...)}, nil
}

// scalarFromBytes loads a little-endian scalar of at most Size bytes and
// reports (in constant time, as 1/0) whether 0 < d < q.
func (c *ecCurve) scalarFromBytes(d *fe, b []byte) uint64 {
	feSetBytesLE(d, b)
	return c.fq.lessThanModulus(d) & (1 ^ c.fq.isZero(d))
}

func newPrivateKey(c *Curve, d []byte) (*PrivateKey, error) {
	if c == nil || c.impl == nil {
		return nil, fmt.Errorf("%w: no curve", ErrInvalidPrivateKey)
	}
	if len(d) > c.size {
		return nil, fmt.Errorf("%w: %d bytes, want at most %d", ErrInvalidPrivateKey, len(d), c.size)
	}
	ec := c.impl
	var k fe
	defer feZero(&k)
	if ec.scalarFromBytes(&k, d) != 1 {
		return nil, ErrInvalidPrivateKey
	}
	var p point
	ec.baseMult(&p, &k)
	xy := make([]byte, 2*c.size)
	ec.encode(xy, &p)
	priv := &PrivateKey{pub: &PublicKey{curve: c, xy: xy}, d: make([]byte, c.size)}
	copy(priv.d, d)
	return priv, nil
}

func generateKey(c *Curve, rnd io.Reader) (*PrivateKey, error) {
	if c == nil || c.impl == nil {
		return nil, fmt.Errorf("%w: no curve", ErrInvalidPrivateKey)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	ec := c.impl
	buf := make([]byte, c.size+16)
	defer clear(buf)
	var d, lo, hi fe
	defer feZero(&d)
	defer feZero(&lo)
	defer feZero(&hi)
	out := make([]byte, c.size)
	defer clear(out)
	for range maxNonceTries {
		if _, err := io.ReadFull(rnd, buf); err != nil {
			return nil, fmt.Errorf("gost: read random key: %w", err)
		}
		ec.reduceBytes(&d, buf, &lo, &hi)
		if ec.fq.isZero(&d) == 1 {
			continue
		}
		ec.fq.fromMont(&d, &d)
		feBytesLE(out, &d)
		return newPrivateKey(c, out)
	}
	return nil, errNonceRetries
}

// reduceBytes sets z to the Montgomery form (mod q) of the little-endian
// integer b (at most 2·Size bytes) in constant time; lo and hi are scratch
// the caller zeroes.
func (c *ecCurve) reduceBytes(z *fe, b []byte, lo, hi *fe) {
	n := 8 * c.fq.n
	if len(b) > n {
		feSetBytesLE(lo, b[:n])
		feSetBytesLE(hi, b[n:])
	} else {
		feSetBytesLE(lo, b)
		*hi = fe{}
	}
	c.fq.reduceWide(z, lo, hi)
}

// digestScalar returns e = LE(digest) mod q in Montgomery form, with e = 0
// replaced by 1 as GOST prescribes.
func (c *ecCurve) digestScalar(e *fe, digest []byte) {
	var lo, hi fe
	c.reduceBytes(e, digest, &lo, &hi)
	feSelect(e, &c.fq.one, e, c.fq.isZero(e))
}

func sign(k *PrivateKey, rnd io.Reader, digest []byte) ([]byte, error) {
	if k == nil || k.pub == nil || k.pub.curve == nil {
		return nil, ErrInvalidPrivateKey
	}
	c := k.pub.curve
	if len(digest) != c.size {
		return nil, fmt.Errorf("%w: got %d bytes, want %d", ErrDigestSize, len(digest), c.size)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	ec := c.impl
	// The nonce is hedged: SHA-512 over fresh randomness, the key and the
	// digest, so a weak rand alone does not expose d.
	seed := make([]byte, c.size+16)
	defer clear(seed)
	material := make([]byte, 0, 128)
	defer func() { clear(material[:cap(material)]) }()
	var nonce fe
	defer feZero(&nonce)
	var lo, hi fe
	defer feZero(&lo)
	defer feZero(&hi)
	for try := range maxNonceTries {
		if _, err := io.ReadFull(rnd, seed); err != nil {
			return nil, fmt.Errorf("gost: read random nonce: %w", err)
		}
		var wide [128]byte
		for blk := 0; blk < 2; blk++ {
			h := sha512.New()
			h.Write([]byte{byte(blk), byte(try)})
			h.Write(seed)
			h.Write(k.d)
			h.Write(digest)
			material = h.Sum(material[:0])
			copy(wide[64*blk:], material)
		}
		ec.reduceBytes(&nonce, wide[:c.size+16], &lo, &hi)
		clear(wide[:])
		if ec.fq.isZero(&nonce) == 1 {
			continue
		}
		ec.fq.fromMont(&nonce, &nonce)
		sig, ok := signWithNonceScalar(k, &nonce, digest)
		if ok {
			return sig, nil
		}
	}
	return nil, errNonceRetries
}

// signWithNonce signs with a caller-chosen little-endian nonce (tests and
// the RFC examples only: a repeated nonce reveals the key).
func signWithNonce(k *PrivateKey, nonce, digest []byte) ([]byte, error) {
	c := k.pub.curve
	if len(digest) != c.size {
		return nil, ErrDigestSize
	}
	if len(nonce) > c.size {
		return nil, errors.New("gost: nonce too long")
	}
	var kk fe
	defer feZero(&kk)
	if c.impl.scalarFromBytes(&kk, nonce) != 1 {
		return nil, errors.New("gost: nonce out of range")
	}
	sig, ok := signWithNonceScalar(k, &kk, digest)
	if !ok {
		return nil, errors.New("gost: nonce gives r = 0 or s = 0")
	}
	return sig, nil
}

// signWithNonceScalar computes r = x(k·G) mod q and s = r·d + k·e mod q for a
// plain nonce 0 < k < q, in constant time. ok is false if r or s is zero.
func signWithNonceScalar(priv *PrivateKey, k *fe, digest []byte) (sig []byte, ok bool) {
	c := priv.pub.curve
	ec := c.impl
	fq := ec.fq
	var C point
	ec.baseMult(&C, k)
	var x, y fe
	ec.toAffine(&x, &y, &C)
	var r, d, km, e, s, t, zero fe
	defer feZero(&d)
	defer feZero(&km)
	defer feZero(&s)
	defer feZero(&t)
	defer feZero(&y)
	fq.reduceWide(&r, &x, &zero) // r = x mod q, Montgomery form
	feSetBytesLE(&d, priv.d)
	fq.toMont(&d, &d)
	fq.toMont(&km, k)
	ec.digestScalar(&e, digest)
	fq.mul(&s, &r, &d)
	fq.mul(&t, &km, &e)
	fq.add(&s, &s, &t)
	bad := fq.isZero(&r) | fq.isZero(&s)
	fq.fromMont(&r, &r)
	fq.fromMont(&s, &s)
	sig = make([]byte, 2*c.size)
	feBytesLE(sig[:c.size], &r)
	feBytesLE(sig[c.size:], &s)
	return sig, bad == 0
}

func verify(pub *PublicKey, digest, sig []byte) bool {
	if pub == nil || pub.curve == nil || pub.curve.impl == nil {
		return false
	}
	c := pub.curve
	ec := c.impl
	fq := ec.fq
	if len(digest) != c.size || len(sig) != 2*c.size {
		return false
	}
	var r, s fe
	if ec.scalarFromBytes(&r, sig[:c.size]) != 1 || ec.scalarFromBytes(&s, sig[c.size:]) != 1 {
		return false
	}
	var Q point
	// The key was validated when it was built; decode again because the
	// struct holds bytes, and skip nothing: a zero-value PublicKey fails here.
	if len(pub.xy) != 2*c.size || !ec.decodeTrusted(&Q, pub.xy) {
		return false
	}
	var e, v, z1, z2, rm, sm fe
	ec.digestScalar(&e, digest)
	// e, r and s are public: the inverse may use math/big (faster than Fermat).
	var ep fe
	fq.fromMont(&ep, &e)
	vb := new(big.Int).ModInverse(feToBig(&ep), fq.big)
	if vb == nil {
		return false
	}
	v = feFromBig(vb)
	fq.toMont(&v, &v)
	fq.toMont(&rm, &r)
	fq.toMont(&sm, &s)
	fq.mul(&z1, &sm, &v)
	fq.mul(&z2, &rm, &v)
	fq.neg(&z2, &z2)
	fq.fromMont(&z1, &z1)
	fq.fromMont(&z2, &z2)
	var C jacPoint
	ec.verifyMult(&C, &z1, &z2, &affinePoint{x: Q.x, y: Q.y})
	if ec.jacIsIdentity(&C) {
		return false
	}
	return ec.xMatches(&C, &r)
}

// decodeTrusted decodes a public key that newPublicKey already validated,
// skipping the costly subgroup check but still checking the curve equation.
func (c *ecCurve) decodeTrusted(p *point, xy []byte) bool {
	f := c.fp
	var x, y fe
	feSetBytesLE(&x, xy[:c.size])
	feSetBytesLE(&y, xy[c.size:])
	if f.lessThanModulus(&x) != 1 || f.lessThanModulus(&y) != 1 {
		return false
	}
	f.toMont(&p.x, &x)
	f.toMont(&p.y, &y)
	p.z = f.one
	return c.isOnCurve(&p.x, &p.y)
}
