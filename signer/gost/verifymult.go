package gost

import "math/bits"

// Variable-time double multiplication u1·G + u2·Q for verification, where
// every input is public. Both scalars are written in width-w NAF and
// processed together from the top, so they share one run of doublings: G's
// digits use a precomputed affine table of odd multiples (a wide window,
// since it is built once), Q's a small Jacobian table built per call.

const (
	// gWNAF is the window for G: 64 affine odd multiples, about 256/9
	// additions for a 256-bit scalar instead of 256/6 for Q.
	gWNAF = 8
	// qWNAF is the window for Q: 8 odd multiples, cheap to build per call.
	qWNAF = 5
)

// gOddInit builds gOdd[i] = (2i+1)·G in affine form, once.
func (c *ecCurve) gOddInit() {
	c.gOddOnce.Do(func() {
		proj := make([]point, 1<<(gWNAF-2))
		var g2 point
		c.double(&g2, &c.gen)
		proj[0] = c.gen
		for i := 1; i < len(proj); i++ {
			c.add(&proj[i], &proj[i-1], &g2)
		}
		c.gOdd = make([]affinePoint, len(proj))
		c.batchToAffine(c.gOdd, proj)
	})
}

// jacDoubleMod sets r = 2p in modified Jacobian coordinates for a generic
// a: *t holds a·Z⁴ of p when *valid, and is recomputed (2S + 1M) otherwise.
// A doubling is then 3M + 5S instead of 2M + 8S, and a run of doublings
// keeps t up to date for 1M each (Cohen, Miyaji, Ono 1998).
func (c *ecCurve) jacDoubleMod(r, p *jacPoint, t *fe, valid *bool) {
	f := c.fp
	if c.jacIsIdentity(p) {
		*r = *p
		return
	}
	if !*valid {
		f.sqr(t, &p.z)
		f.sqr(t, t)
		f.mul(t, t, &c.a)
	}
	var xx, yy, yyyy, s, m, u, x3, y3, z3 fe
	f.sqr(&xx, &p.x)
	f.sqr(&yy, &p.y)
	f.sqr(&yyyy, &yy)
	f.add(&s, &p.x, &yy)
	f.sqr(&s, &s)
	f.sub(&s, &s, &xx)
	f.sub(&s, &s, &yyyy)
	f.add(&s, &s, &s) // S = 4·X·Y²
	f.add(&m, &xx, &xx)
	f.add(&m, &m, &xx)
	f.add(&m, &m, t) // M = 3X² + a·Z⁴
	f.sqr(&x3, &m)
	f.sub(&x3, &x3, &s)
	f.sub(&x3, &x3, &s)
	f.mul(&z3, &p.y, &p.z)
	f.add(&z3, &z3, &z3)
	f.add(&u, &yyyy, &yyyy)
	f.add(&u, &u, &u)
	f.add(&u, &u, &u) // 8Y⁴
	f.sub(&s, &s, &x3)
	f.mul(&y3, &m, &s)
	f.sub(&y3, &y3, &u)
	f.mul(t, t, &u)
	f.add(t, t, t) // a·Z3⁴ = 16·Y⁴·a·Z⁴
	r.x, r.y, r.z = x3, y3, z3
	*valid = true
}

// verifyMult sets r = u1·G + u2·q for PUBLIC plain scalars.
func (c *ecCurve) verifyMult(r *jacPoint, u1, u2 *fe, q *affinePoint) {
	c.gOddInit()
	f := c.fp
	// Odd multiples q, 3q, ..., 15q.
	var table [1 << (qWNAF - 2)]jacPoint
	table[0] = jacPoint{x: q.x, y: q.y, z: f.one}
	var q2 jacPoint
	c.jacDouble(&q2, &table[0])
	for i := 1; i < len(table); i++ {
		c.jacAdd(&table[i], &table[i-1], &q2)
	}
	var bufG, bufQ [64*maxLimbs + 2]int8
	dg := wnaf(u1, gWNAF, bufG[:])
	dq := wnaf(u2, qWNAF, bufQ[:])
	var acc, neg jacPoint
	var sel affinePoint
	var t fe
	valid := false
	for i := max(len(dg), len(dq)) - 1; i >= 0; i-- {
		if c.aMinus3 {
			c.jacDouble(&acc, &acc)
		} else {
			c.jacDoubleMod(&acc, &acc, &t, &valid)
		}
		if i < len(dg) && dg[i] != 0 {
			d := dg[i]
			if d > 0 {
				sel = c.gOdd[d/2]
			} else {
				sel.x = c.gOdd[(-d)/2].x
				f.neg(&sel.y, &c.gOdd[(-d)/2].y)
			}
			c.jacAddMixed(&acc, &acc, &sel)
			valid = false
		}
		if i < len(dq) && dq[i] != 0 {
			d := dq[i]
			if d > 0 {
				c.jacAdd(&acc, &acc, &table[d/2])
			} else {
				c.jacNegate(&neg, &table[(-d)/2])
				c.jacAdd(&acc, &acc, &neg)
			}
			valid = false
		}
	}
	*r = acc
}

// xMatches reports whether the affine x of the Jacobian point C (not the
// identity), reduced mod q, equals the plain r < q: whether x = r + j·q for
// some j with r + j·q < p, checked as X = (r + j·q)·Z² without inverting Z.
func (c *ecCurve) xMatches(C *jacPoint, r *fe) bool {
	fp, fq := c.fp, c.fq
	var zz, cand, candM, t fe
	fp.sqr(&zz, &C.z)
	cand = *r
	for fp.lessThanModulus(&cand) == 1 {
		fp.toMont(&candM, &cand)
		fp.mul(&t, &candM, &zz)
		if fp.equal(&t, &C.x) == 1 {
			return true
		}
		var carry uint64
		for i := 0; i < fq.n; i++ {
			cand[i], carry = bits.Add64(cand[i], fq.m[i], carry)
		}
		if carry != 0 {
			return false
		}
	}
	return false
}
