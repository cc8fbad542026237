package gost

// point is a projective point (X:Y:Z) with coordinates in Montgomery form;
// x = X/Z, y = Y/Z, and the identity is (0:1:0).
//
// Addition and doubling use the complete formulas of Renes, Costello and
// Batina, "Complete addition formulas for prime order elliptic curves"
// (EUROCRYPT 2016): algorithms 1-3 for a generic a (256A and the RFC test
// curves) and 4-6 for a = -3 (512A and CryptoPro-A). They have no special
// cases, hence no secret-dependent branches. On an odd-order group they are
// complete; on 256A (cofactor 4) they fail only when P-Q has order 2, which
// cannot happen between points of the odd-order subgroup <G>, and decoding
// rejects every public key outside that subgroup.
type point struct {
	x, y, z fe
}

// affinePoint is (x, y) in Montgomery form; never the identity.
type affinePoint struct {
	x, y fe
}

// setIdentity sets p to (0:1:0).
func (c *ecCurve) setIdentity(p *point) {
	*p = point{}
	p.y = c.fp.one
}

// add sets r = p + q.
func (c *ecCurve) add(r, p, q *point) {
	if c.aMinus3 {
		c.addMinus3(r, p, q)
	} else {
		c.addGeneric(r, p, q)
	}
}

// addMixed sets r = p + q for an affine q (not the identity).
func (c *ecCurve) addMixed(r, p *point, q *affinePoint) {
	if c.aMinus3 {
		c.addMixedMinus3(r, p, q)
	} else {
		c.addMixedGeneric(r, p, q)
	}
}

// double sets r = 2p.
func (c *ecCurve) double(r, p *point) {
	if c.aMinus3 {
		c.doubleMinus3(r, p)
	} else {
		c.doubleGeneric(r, p)
	}
}

// addGeneric is RCB algorithm 1 (12M + 3m_a + 2m_3b + 23a).
func (c *ecCurve) addGeneric(r, p, q *point) {
	f := c.fp
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.mul(&t2, &p.z, &q.z)
	f.add(&t3, &p.x, &p.y)
	f.add(&t4, &q.x, &q.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.add(&t4, &p.x, &p.z)
	f.add(&t5, &q.x, &q.z)
	f.mul(&t4, &t4, &t5)
	f.add(&t5, &t0, &t2)
	f.sub(&t4, &t4, &t5)
	f.add(&t5, &p.y, &p.z)
	f.add(&x3, &q.y, &q.z)
	f.mul(&t5, &t5, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t5, &t5, &x3)
	f.mul(&z3, &c.a, &t4)
	f.mul(&x3, &c.b3, &t2)
	f.add(&z3, &x3, &z3)
	f.sub(&x3, &t1, &z3)
	f.add(&z3, &t1, &z3)
	f.mul(&y3, &x3, &z3)
	f.add(&t1, &t0, &t0)
	f.add(&t1, &t1, &t0)
	f.mul(&t2, &c.a, &t2)
	f.mul(&t4, &c.b3, &t4)
	f.add(&t1, &t1, &t2)
	f.sub(&t2, &t0, &t2)
	f.mul(&t2, &c.a, &t2)
	f.add(&t4, &t4, &t2)
	f.mul(&t0, &t1, &t4)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &t5, &t4)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t0)
	f.mul(&t0, &t3, &t1)
	f.mul(&z3, &t5, &z3)
	f.add(&z3, &z3, &t0)
	r.x, r.y, r.z = x3, y3, z3
}

// addMixedGeneric is RCB algorithm 2 (11M + 3m_a + 2m_3b + 17a).
func (c *ecCurve) addMixedGeneric(r, p *point, q *affinePoint) {
	f := c.fp
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.add(&t3, &q.x, &q.y)
	f.add(&t4, &p.x, &p.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.mul(&t4, &q.x, &p.z)
	f.add(&t4, &t4, &p.x)
	f.mul(&t5, &q.y, &p.z)
	f.add(&t5, &t5, &p.y)
	f.mul(&z3, &c.a, &t4)
	f.mul(&x3, &c.b3, &p.z)
	f.add(&z3, &x3, &z3)
	f.sub(&x3, &t1, &z3)
	f.add(&z3, &t1, &z3)
	f.mul(&y3, &x3, &z3)
	f.add(&t1, &t0, &t0)
	f.add(&t1, &t1, &t0)
	f.mul(&t2, &c.a, &p.z)
	f.mul(&t4, &c.b3, &t4)
	f.add(&t1, &t1, &t2)
	f.sub(&t2, &t0, &t2)
	f.mul(&t2, &c.a, &t2)
	f.add(&t4, &t4, &t2)
	f.mul(&t0, &t1, &t4)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &t5, &t4)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t0)
	f.mul(&t0, &t3, &t1)
	f.mul(&z3, &t5, &z3)
	f.add(&z3, &z3, &t0)
	r.x, r.y, r.z = x3, y3, z3
}

// doubleGeneric is RCB algorithm 3 (8M + 3S + 3m_a + 2m_3b + 15a).
func (c *ecCurve) doubleGeneric(r, p *point) {
	f := c.fp
	var t0, t1, t2, t3, x3, y3, z3 fe
	f.sqr(&t0, &p.x)
	f.sqr(&t1, &p.y)
	f.sqr(&t2, &p.z)
	f.mul(&t3, &p.x, &p.y)
	f.add(&t3, &t3, &t3)
	f.mul(&z3, &p.x, &p.z)
	f.add(&z3, &z3, &z3)
	f.mul(&x3, &c.a, &z3)
	f.mul(&y3, &c.b3, &t2)
	f.add(&y3, &x3, &y3)
	f.sub(&x3, &t1, &y3)
	f.add(&y3, &t1, &y3)
	f.mul(&y3, &x3, &y3)
	f.mul(&x3, &t3, &x3)
	f.mul(&z3, &c.b3, &z3)
	f.mul(&t2, &c.a, &t2)
	f.sub(&t3, &t0, &t2)
	f.mul(&t3, &c.a, &t3)
	f.add(&t3, &t3, &z3)
	f.add(&z3, &t0, &t0)
	f.add(&t0, &z3, &t0)
	f.add(&t0, &t0, &t2)
	f.mul(&t0, &t0, &t3)
	f.add(&y3, &y3, &t0)
	f.mul(&t2, &p.y, &p.z)
	f.add(&t2, &t2, &t2)
	f.mul(&t0, &t2, &t3)
	f.sub(&x3, &x3, &t0)
	f.mul(&z3, &t2, &t1)
	f.add(&z3, &z3, &z3)
	f.add(&z3, &z3, &z3)
	r.x, r.y, r.z = x3, y3, z3
}

// addMinus3 is RCB algorithm 4 (12M + 2m_b + 29a).
func (c *ecCurve) addMinus3(r, p, q *point) {
	f := c.fp
	var t0, t1, t2, t3, t4, x3, y3, z3 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.mul(&t2, &p.z, &q.z)
	f.add(&t3, &p.x, &p.y)
	f.add(&t4, &q.x, &q.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.add(&t4, &p.y, &p.z)
	f.add(&x3, &q.y, &q.z)
	f.mul(&t4, &t4, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t4, &t4, &x3)
	f.add(&x3, &p.x, &p.z)
	f.add(&y3, &q.x, &q.z)
	f.mul(&x3, &x3, &y3)
	f.add(&y3, &t0, &t2)
	f.sub(&y3, &x3, &y3)
	f.mul(&z3, &c.b, &t2)
	f.sub(&x3, &y3, &z3)
	f.add(&z3, &x3, &x3)
	f.add(&x3, &x3, &z3)
	f.sub(&z3, &t1, &x3)
	f.add(&x3, &t1, &x3)
	f.mul(&y3, &c.b, &y3)
	f.add(&t1, &t2, &t2)
	f.add(&t2, &t1, &t2)
	f.sub(&y3, &y3, &t2)
	f.sub(&y3, &y3, &t0)
	f.add(&t1, &y3, &y3)
	f.add(&y3, &t1, &y3)
	f.add(&t1, &t0, &t0)
	f.add(&t0, &t1, &t0)
	f.sub(&t0, &t0, &t2)
	f.mul(&t1, &t4, &y3)
	f.mul(&t2, &t0, &y3)
	f.mul(&y3, &x3, &z3)
	f.add(&y3, &y3, &t2)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t1)
	f.mul(&z3, &t4, &z3)
	f.mul(&t1, &t3, &t0)
	f.add(&z3, &z3, &t1)
	r.x, r.y, r.z = x3, y3, z3
}

// addMixedMinus3 is RCB algorithm 5 (11M + 2m_b + 23a).
func (c *ecCurve) addMixedMinus3(r, p *point, q *affinePoint) {
	f := c.fp
	var t0, t1, t2, t3, t4, x3, y3, z3 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.add(&t3, &q.x, &q.y)
	f.add(&t4, &p.x, &p.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.mul(&t4, &q.y, &p.z)
	f.add(&t4, &t4, &p.y)
	f.mul(&y3, &q.x, &p.z)
	f.add(&y3, &y3, &p.x)
	f.mul(&z3, &c.b, &p.z)
	f.sub(&x3, &y3, &z3)
	f.add(&z3, &x3, &x3)
	f.add(&x3, &x3, &z3)
	f.sub(&z3, &t1, &x3)
	f.add(&x3, &t1, &x3)
	f.mul(&y3, &c.b, &y3)
	f.add(&t1, &p.z, &p.z)
	f.add(&t2, &t1, &p.z)
	f.sub(&y3, &y3, &t2)
	f.sub(&y3, &y3, &t0)
	f.add(&t1, &y3, &y3)
	f.add(&y3, &t1, &y3)
	f.add(&t1, &t0, &t0)
	f.add(&t0, &t1, &t0)
	f.sub(&t0, &t0, &t2)
	f.mul(&t1, &t4, &y3)
	f.mul(&t2, &t0, &y3)
	f.mul(&y3, &x3, &z3)
	f.add(&y3, &y3, &t2)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t1)
	f.mul(&z3, &t4, &z3)
	f.mul(&t1, &t3, &t0)
	f.add(&z3, &z3, &t1)
	r.x, r.y, r.z = x3, y3, z3
}

// doubleMinus3 is RCB algorithm 6 (8M + 3S + 2m_b + 21a).
func (c *ecCurve) doubleMinus3(r, p *point) {
	f := c.fp
	var t0, t1, t2, t3, x3, y3, z3 fe
	f.sqr(&t0, &p.x)
	f.sqr(&t1, &p.y)
	f.sqr(&t2, &p.z)
	f.mul(&t3, &p.x, &p.y)
	f.add(&t3, &t3, &t3)
	f.mul(&z3, &p.x, &p.z)
	f.add(&z3, &z3, &z3)
	f.mul(&y3, &c.b, &t2)
	f.sub(&y3, &y3, &z3)
	f.add(&x3, &y3, &y3)
	f.add(&y3, &x3, &y3)
	f.sub(&x3, &t1, &y3)
	f.add(&y3, &t1, &y3)
	f.mul(&y3, &x3, &y3)
	f.mul(&x3, &x3, &t3)
	f.add(&t3, &t2, &t2)
	f.add(&t2, &t2, &t3)
	f.mul(&z3, &c.b, &z3)
	f.sub(&z3, &z3, &t2)
	f.sub(&z3, &z3, &t0)
	f.add(&t3, &z3, &z3)
	f.add(&z3, &z3, &t3)
	f.add(&t3, &t0, &t0)
	f.add(&t0, &t3, &t0)
	f.sub(&t0, &t0, &t2)
	f.mul(&t0, &t0, &z3)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &p.y, &p.z)
	f.add(&t0, &t0, &t0)
	f.mul(&z3, &t0, &z3)
	f.sub(&x3, &x3, &z3)
	f.mul(&z3, &t0, &t1)
	f.add(&z3, &z3, &z3)
	f.add(&z3, &z3, &z3)
	r.x, r.y, r.z = x3, y3, z3
}

// pointSelect sets r = a if cond = 1 and r = b if cond = 0, in constant time.
func pointSelect(r, a, b *point, cond uint64) {
	feSelect(&r.x, &a.x, &b.x, cond)
	feSelect(&r.y, &a.y, &b.y, cond)
	feSelect(&r.z, &a.z, &b.z, cond)
}

// negate sets r = -p.
func (c *ecCurve) negate(r, p *point) {
	r.x = p.x
	c.fp.neg(&r.y, &p.y)
	r.z = p.z
}

// isIdentity returns 1 if p is the identity (0:Y:0) with Y ≠ 0. The
// all-zero triple, which complete formulas output only on their exceptional
// inputs, is deliberately not the identity.
func (c *ecCurve) isIdentity(p *point) uint64 {
	f := c.fp
	return f.isZero(&p.x) & f.isZero(&p.z) & (1 ^ f.isZero(&p.y))
}

// toAffine returns the plain (non-Montgomery) affine coordinates of p, in
// constant time; the identity maps to (0, 0).
func (c *ecCurve) toAffine(x, y *fe, p *point) {
	f := c.fp
	var zinv, t fe
	f.inv(&zinv, &p.z)
	f.mul(&t, &p.x, &zinv)
	f.fromMont(x, &t)
	f.mul(&t, &p.y, &zinv)
	f.fromMont(y, &t)
}

// isOnCurve reports whether the affine Montgomery-form (x, y) satisfies
// y² = x³ + a·x + b; public inputs only.
func (c *ecCurve) isOnCurve(x, y *fe) bool {
	f := c.fp
	var lhs, rhs, t fe
	f.sqr(&lhs, y)
	f.sqr(&rhs, x)
	f.mul(&rhs, &rhs, x)
	f.mul(&t, &c.a, x)
	f.add(&rhs, &rhs, &t)
	f.add(&rhs, &rhs, &c.b)
	return f.equal(&lhs, &rhs) == 1
}

// encode writes x‖y, each little-endian, for a point that is not the identity.
func (c *ecCurve) encode(out []byte, p *point) {
	var x, y fe
	c.toAffine(&x, &y, p)
	feBytesLE(out[:c.size], &x)
	feBytesLE(out[c.size:2*c.size], &y)
}

// decode parses x‖y (little-endian) and validates it: right length,
// coordinates below p, on the curve, not the identity, and in the subgroup
// of order q. Inputs are public; the subgroup check runs only when the
// cofactor is not 1.
func (c *ecCurve) decode(p *point, xy []byte) bool {
	if len(xy) != 2*c.size {
		return false
	}
	f := c.fp
	var x, y fe
	feSetBytesLE(&x, xy[:c.size])
	feSetBytesLE(&y, xy[c.size:])
	if f.lessThanModulus(&x) != 1 || f.lessThanModulus(&y) != 1 {
		return false
	}
	var a affinePoint
	f.toMont(&a.x, &x)
	f.toMont(&a.y, &y)
	if !c.isOnCurve(&a.x, &a.y) {
		return false
	}
	p.x, p.y, p.z = a.x, a.y, f.one
	if c.cofactor != 1 {
		// q·P must be the identity. An exceptional (all-zero) result of the
		// formulas on a point outside <G> is not the identity, so it fails.
		var qP point
		qs := c.fq.m
		c.scalarMultVartime(&qP, p, &qs)
		if c.isIdentity(&qP) != 1 {
			return false
		}
	}
	return true
}
