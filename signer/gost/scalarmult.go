package gost

// ctEq returns 1 if a = b and 0 otherwise, without branching.
func ctEq(a, b uint64) uint64 {
	x := a ^ b
	return 1 ^ ((x | -x) >> 63)
}

// nibble returns the i-th 4-bit digit of the plain scalar k.
func nibble(k *fe, i int) uint64 {
	return (k[i/16] >> (4 * (uint(i) % 16))) & 15
}

// affineSelect sets r = a if cond = 1, else leaves r unchanged, in constant time.
func affineSelect(r, a *affinePoint, cond uint64) {
	feSelect(&r.x, &a.x, &r.x, cond)
	feSelect(&r.y, &a.y, &r.y, cond)
}

// scalarMult sets r = k·p in constant time for a secret plain scalar k
// (limbs, below 2^(8·size)) with a fixed 4-bit window: a table of 0..15·p,
// four doublings and one complete addition per digit, and a table lookup
// that reads every entry and keeps one by masking.
func (c *ecCurve) scalarMult(r, p *point, k *fe) {
	var table [16]point
	c.setIdentity(&table[0])
	table[1] = *p
	for i := 2; i < 16; i++ {
		if i%2 == 0 {
			c.double(&table[i], &table[i/2])
		} else {
			c.add(&table[i], &table[i-1], p)
		}
	}
	var acc, sel point
	c.setIdentity(&acc)
	for i := 2*c.size - 1; i >= 0; i-- {
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		d := nibble(k, i)
		sel = table[0]
		for j := 1; j < 16; j++ {
			pointSelect(&sel, &table[j], &sel, ctEq(uint64(j), d))
		}
		c.add(&acc, &acc, &sel)
	}
	*r = acc
}

// baseTableInit builds baseTable[i][j-1] = j·16^i·G in affine form, once.
// The table lets k·G be computed with one mixed addition per 4-bit digit and
// no doubling. It depends only on public parameters.
func (c *ecCurve) baseTableInit() {
	c.baseOnce.Do(func() {
		windows := 2 * c.size
		proj := make([]point, windows*15)
		base := c.gen
		for i := 0; i < windows; i++ {
			row := proj[i*15 : i*15+15]
			row[0] = base
			for j := 1; j < 15; j++ {
				if j%2 == 1 { // row[j] = (j+1)·base
					c.double(&row[j], &row[j/2])
				} else {
					c.add(&row[j], &row[j-1], &base)
				}
			}
			c.double(&base, &row[7]) // 16·base
		}
		aff := make([]affinePoint, len(proj))
		c.batchToAffine(aff, proj)
		c.baseTable = make([][15]affinePoint, windows)
		for i := range c.baseTable {
			copy(c.baseTable[i][:], aff[i*15:])
		}
	})
}

// batchToAffine normalises points (none the identity) to affine Montgomery
// form with one inversion (Montgomery's trick). Public data only.
func (c *ecCurve) batchToAffine(out []affinePoint, in []point) {
	f := c.fp
	prefix := make([]fe, len(in))
	acc := f.one
	for i := range in {
		prefix[i] = acc
		f.mul(&acc, &acc, &in[i].z)
	}
	var inv fe
	f.inv(&inv, &acc)
	for i := len(in) - 1; i >= 0; i-- {
		var zinv fe
		f.mul(&zinv, &inv, &prefix[i])
		f.mul(&inv, &inv, &in[i].z)
		f.mul(&out[i].x, &in[i].x, &zinv)
		f.mul(&out[i].y, &in[i].y, &zinv)
	}
}

// baseMult sets r = k·G in constant time for a secret plain scalar k: for
// each 4-bit digit, every entry of its table row is read and one kept by
// masking, the mixed sum is always computed, and it is kept only if the digit
// is nonzero (again by masking).
func (c *ecCurve) baseMult(r *point, k *fe) {
	c.baseTableInit()
	var acc, t point
	var sel affinePoint
	c.setIdentity(&acc)
	for i := 0; i < 2*c.size; i++ {
		d := nibble(k, i)
		sel = affinePoint{}
		row := &c.baseTable[i]
		for j := 1; j < 16; j++ {
			affineSelect(&sel, &row[j-1], ctEq(uint64(j), d))
		}
		c.addMixed(&t, &acc, &sel)
		pointSelect(&acc, &t, &acc, 1^ctEq(d, 0))
	}
	*r = acc
}

// wnafWidth is the window of the variable-time multiplications.
const wnafWidth = 5

// wnaf returns the width-5 non-adjacent form of the PUBLIC plain scalar k,
// least significant digit first: odd digits in [-15, 15] or 0.
func wnaf(k *fe, out []int8) []int8 {
	var v [maxLimbs + 1]uint64
	copy(v[:], k[:])
	out = out[:0]
	nonzero := func() bool {
		for _, w := range v {
			if w != 0 {
				return true
			}
		}
		return false
	}
	for nonzero() {
		var d int8
		if v[0]&1 == 1 {
			m := int64(v[0] & (1<<wnafWidth - 1))
			if m >= 1<<(wnafWidth-1) {
				m -= 1 << wnafWidth
			}
			d = int8(m)
			// v -= m
			if m > 0 {
				sub := uint64(m)
				for i := range v {
					var b uint64
					if v[i] < sub {
						b = 1
					}
					v[i] -= sub
					sub = b
					if sub == 0 {
						break
					}
				}
			} else {
				add := uint64(-m)
				for i := range v {
					v[i] += add
					if v[i] >= add {
						break
					}
					add = 1
				}
			}
		}
		out = append(out, d)
		// v >>= 1
		for i := 0; i < len(v)-1; i++ {
			v[i] = v[i]>>1 | v[i+1]<<63
		}
		v[len(v)-1] >>= 1
	}
	return out
}

// oddMultiples fills t[i] = (2i+1)·p.
func (c *ecCurve) oddMultiples(t *[1 << (wnafWidth - 2)]point, p *point) {
	var p2 point
	c.double(&p2, p)
	t[0] = *p
	for i := 1; i < len(t); i++ {
		c.add(&t[i], &t[i-1], &p2)
	}
}

// scalarMultVartime sets r = k·p for a PUBLIC scalar k (verification and
// subgroup checks only): it branches on k's digits.
func (c *ecCurve) scalarMultVartime(r, p *point, k *fe) {
	var table [1 << (wnafWidth - 2)]point
	c.oddMultiples(&table, p)
	var buf [8*64*maxLimbs/8 + 2]int8
	digits := wnaf(k, buf[:])
	var acc, neg point
	c.setIdentity(&acc)
	for i := len(digits) - 1; i >= 0; i-- {
		c.double(&acc, &acc)
		switch d := digits[i]; {
		case d > 0:
			c.add(&acc, &acc, &table[d/2])
		case d < 0:
			c.negate(&neg, &table[(-d)/2])
			c.add(&acc, &acc, &neg)
		}
	}
	*r = acc
}

// baseMultVartime sets r = k·G for a PUBLIC scalar k, skipping zero digits.
func (c *ecCurve) baseMultVartime(r *point, k *fe) {
	c.baseTableInit()
	var acc point
	c.setIdentity(&acc)
	for i := 0; i < 2*c.size; i++ {
		if d := nibble(k, i); d != 0 {
			c.addMixed(&acc, &acc, &c.baseTable[i][d-1])
		}
	}
	*r = acc
}

// doubleMultVartime sets r = u1·G + u2·q for PUBLIC scalars (verification).
func (c *ecCurve) doubleMultVartime(r *point, u1, u2 *fe, q *point) {
	var a, b point
	c.baseMultVartime(&a, u1)
	c.scalarMultVartime(&b, q, u2)
	c.add(r, &a, &b)
}
