package gost

import (
	"math/big"
)

// refCurve is a deliberately plain math/big implementation of the curve and
// of textbook GOST signing, used only as a second opinion in tests: affine
// coordinates, explicit special cases, double-and-add.
type refCurve struct {
	p, a, b, q, gx, gy *big.Int
}

// refPoint is an affine point; inf marks the identity.
type refPoint struct {
	x, y *big.Int
	inf  bool
}

func newRefCurve(cp *CurveParams) *refCurve {
	return &refCurve{p: cp.P, a: cp.A, b: cp.B, q: cp.Q, gx: cp.X, gy: cp.Y}
}

func (c *refCurve) g() refPoint { return refPoint{x: c.gx, y: c.gy} }

func (c *refCurve) onCurve(pt refPoint) bool {
	if pt.inf {
		return true
	}
	lhs := new(big.Int).Mul(pt.y, pt.y)
	lhs.Mod(lhs, c.p)
	rhs := new(big.Int).Mul(pt.x, pt.x)
	rhs.Add(rhs, c.a)
	rhs.Mul(rhs, pt.x)
	rhs.Add(rhs, c.b)
	rhs.Mod(rhs, c.p)
	return lhs.Cmp(rhs) == 0
}

func (c *refCurve) add(p1, p2 refPoint) refPoint {
	if p1.inf {
		return p2
	}
	if p2.inf {
		return p1
	}
	var lambda *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		sum := new(big.Int).Add(p1.y, p2.y)
		if sum.Mod(sum, c.p).Sign() == 0 {
			return refPoint{inf: true}
		}
		// tangent: (3x² + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3))
		num.Add(num, c.a)
		den := new(big.Int).Lsh(p1.y, 1)
		den.ModInverse(den.Mod(den, c.p), c.p)
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.ModInverse(den.Mod(den, c.p), c.p)
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, c.p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, p1.x)
	x3.Sub(x3, p2.x)
	x3.Mod(x3, c.p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, lambda)
	y3.Sub(y3, p1.y)
	y3.Mod(y3, c.p)
	return refPoint{x: x3, y: y3}
}

func (c *refCurve) mul(k *big.Int, pt refPoint) refPoint {
	acc := refPoint{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = c.add(acc, acc)
		if k.Bit(i) == 1 {
			acc = c.add(acc, pt)
		}
	}
	return acc
}

// sign is GOST R 34.10 step by step (RFC 7091 section 6.1) with a given k.
func (c *refCurve) sign(d, e, k *big.Int) (r, s *big.Int) {
	e = new(big.Int).Mod(e, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	C := c.mul(k, c.g())
	r = new(big.Int).Mod(C.x, c.q)
	s = new(big.Int).Mul(r, d)
	s.Add(s, new(big.Int).Mul(k, e))
	s.Mod(s, c.q)
	return r, s
}

// verify is RFC 7091 section 6.2.
func (c *refCurve) verify(pub refPoint, e, r, s *big.Int) bool {
	if r.Sign() <= 0 || r.Cmp(c.q) >= 0 || s.Sign() <= 0 || s.Cmp(c.q) >= 0 {
		return false
	}
	e = new(big.Int).Mod(e, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	v := new(big.Int).ModInverse(e, c.q)
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.q)
	z2 := new(big.Int).Mul(r, v)
	z2.Neg(z2).Mod(z2, c.q)
	C := c.add(c.mul(z1, c.g()), c.mul(z2, pub))
	if C.inf {
		return false
	}
	return new(big.Int).Mod(C.x, c.q).Cmp(r) == 0
}

// leToBig reads little-endian bytes.
func leToBig(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

// bigToLE writes x little-endian in exactly n bytes.
func bigToLE(x *big.Int, n int) []byte {
	be := x.FillBytes(make([]byte, n))
	out := make([]byte, n)
	for i := range be {
		out[n-1-i] = be[i]
	}
	return out
}

// refEncode writes x‖y little-endian.
func refEncode(pt refPoint, size int) []byte {
	return append(bigToLE(pt.x, size), bigToLE(pt.y, size)...)
}
