package gost

// Variable-time Jacobian arithmetic for verification, where every input is
// public: (X:Y:Z) stands for (X/Z², Y/Z³) and Z = 0 is the identity. These
// formulas are cheaper than the complete projective ones (a doubling is
// 3M+5S for a = -3 and 1M+8S otherwise, against about 11M) but have special
// cases, handled here with ordinary branches. Formulas: dbl-2001-b,
// dbl-2007-bl, madd-2007-bl and add-2007-bl of the Explicit-Formulas Database.
type jacPoint struct {
	x, y, z fe
}

func (c *ecCurve) jacIsIdentity(p *jacPoint) bool { return c.fp.isZero(&p.z) == 1 }

// jacDouble sets r = 2p.
func (c *ecCurve) jacDouble(r, p *jacPoint) {
	f := c.fp
	if c.jacIsIdentity(p) {
		*r = *p
		return
	}
	if c.aMinus3 {
		var delta, gamma, beta, alpha, t, u, x3, y3, z3 fe
		f.sqr(&delta, &p.z)
		f.sqr(&gamma, &p.y)
		f.mul(&beta, &p.x, &gamma)
		f.sub(&t, &p.x, &delta)
		f.add(&u, &p.x, &delta)
		f.mul(&alpha, &t, &u)
		f.add(&t, &alpha, &alpha)
		f.add(&alpha, &t, &alpha) // alpha = 3(X-δ)(X+δ)
		f.sqr(&x3, &alpha)
		f.add(&t, &beta, &beta) // 2β
		f.add(&t, &t, &t)       // 4β
		f.add(&u, &t, &t)       // 8β
		f.sub(&x3, &x3, &u)
		f.add(&z3, &p.y, &p.z)
		f.sqr(&z3, &z3)
		f.sub(&z3, &z3, &gamma)
		f.sub(&z3, &z3, &delta)
		f.sub(&t, &t, &x3)
		f.mul(&y3, &alpha, &t)
		f.sqr(&u, &gamma)
		f.add(&u, &u, &u)
		f.add(&u, &u, &u)
		f.add(&u, &u, &u) // 8γ²
		f.sub(&y3, &y3, &u)
		r.x, r.y, r.z = x3, y3, z3
		return
	}
	var xx, yy, yyyy, zz, s, m, t, x3, y3, z3 fe
	f.sqr(&xx, &p.x)
	f.sqr(&yy, &p.y)
	f.sqr(&yyyy, &yy)
	f.sqr(&zz, &p.z)
	f.add(&s, &p.x, &yy)
	f.sqr(&s, &s)
	f.sub(&s, &s, &xx)
	f.sub(&s, &s, &yyyy)
	f.add(&s, &s, &s)
	f.sqr(&t, &zz)
	f.mul(&t, &t, &c.a)
	f.add(&m, &xx, &xx)
	f.add(&m, &m, &xx)
	f.add(&m, &m, &t)
	f.sqr(&x3, &m)
	f.sub(&x3, &x3, &s)
	f.sub(&x3, &x3, &s)
	f.add(&z3, &p.y, &p.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &yy)
	f.sub(&z3, &z3, &zz)
	f.sub(&t, &s, &x3)
	f.mul(&y3, &m, &t)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.sub(&y3, &y3, &yyyy)
	r.x, r.y, r.z = x3, y3, z3
}

// jacAddMixed sets r = p + q for an affine q.
func (c *ecCurve) jacAddMixed(r, p *jacPoint, q *affinePoint) {
	f := c.fp
	if c.jacIsIdentity(p) {
		r.x, r.y, r.z = q.x, q.y, f.one
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, x3, y3, z3, t fe
	f.sqr(&z1z1, &p.z)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &p.x)
	f.sub(&rr, &s2, &p.y)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			c.jacDouble(r, p)
			return
		}
		*r = jacPoint{}
		return
	}
	f.add(&rr, &rr, &rr)
	f.sqr(&hh, &h)
	f.add(&i, &hh, &hh)
	f.add(&i, &i, &i)
	f.mul(&j, &h, &i)
	f.mul(&v, &p.x, &i)
	f.sqr(&x3, &rr)
	f.sub(&x3, &x3, &j)
	f.sub(&x3, &x3, &v)
	f.sub(&x3, &x3, &v)
	f.sub(&t, &v, &x3)
	f.mul(&y3, &rr, &t)
	f.mul(&t, &p.y, &j)
	f.add(&t, &t, &t)
	f.sub(&y3, &y3, &t)
	f.add(&z3, &p.z, &h)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &z1z1)
	f.sub(&z3, &z3, &hh)
	r.x, r.y, r.z = x3, y3, z3
}

// jacAdd sets r = p + q.
func (c *ecCurve) jacAdd(r, p, q *jacPoint) {
	f := c.fp
	if c.jacIsIdentity(p) {
		*r = *q
		return
	}
	if c.jacIsIdentity(q) {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, x3, y3, z3, t fe
	f.sqr(&z1z1, &p.z)
	f.sqr(&z2z2, &q.z)
	f.mul(&u1, &p.x, &z2z2)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s1, &p.y, &q.z)
	f.mul(&s1, &s1, &z2z2)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &u1)
	f.sub(&rr, &s2, &s1)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			c.jacDouble(r, p)
			return
		}
		*r = jacPoint{}
		return
	}
	f.add(&rr, &rr, &rr)
	f.add(&i, &h, &h)
	f.sqr(&i, &i)
	f.mul(&j, &h, &i)
	f.mul(&v, &u1, &i)
	f.sqr(&x3, &rr)
	f.sub(&x3, &x3, &j)
	f.sub(&x3, &x3, &v)
	f.sub(&x3, &x3, &v)
	f.sub(&t, &v, &x3)
	f.mul(&y3, &rr, &t)
	f.mul(&t, &s1, &j)
	f.add(&t, &t, &t)
	f.sub(&y3, &y3, &t)
	f.add(&z3, &p.z, &q.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &z1z1)
	f.sub(&z3, &z3, &z2z2)
	f.mul(&z3, &z3, &h)
	r.x, r.y, r.z = x3, y3, z3
}

// jacNegate sets r = -p.
func (c *ecCurve) jacNegate(r, p *jacPoint) {
	r.x = p.x
	c.fp.neg(&r.y, &p.y)
	r.z = p.z
}
