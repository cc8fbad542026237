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

// wnafWidth is the window of the variable-time multiplications.
const wnafWidth = 5

// wnaf returns the width-w non-adjacent form (2 ≤ w ≤ 8) of the PUBLIC
// plain scalar k, least significant digit first: odd digits in
// [-2^(w-1)+1, 2^(w-1)-1] or 0, at most one nonzero digit in any w in a row.
// out needs room for 64·maxLimbs+1 digits. It skips runs of equal bits and
// takes a whole window at each nonzero digit (as libsecp256k1's ecmult_wnaf
// does), instead of shifting the scalar one bit at a time.
func wnaf(k *fe, w uint, out []int8) []int8 {
	var v [maxLimbs + 1]uint64 // one spare word: windows may read past the top
	copy(v[:], k[:])
	const nbits = 64*maxLimbs + 1 // the last digit may be the final carry
	out = out[:nbits]
	clear(out)
	last := -1
	var carry uint64
	for pos := 0; pos < nbits; {
		if v[pos/64]>>(uint(pos)%64)&1 == carry {
			pos++
			continue
		}
		now := int(w)
		if now > nbits-pos {
			now = nbits - pos
		}
		// bits pos .. pos+now-1 (the window may straddle two words)
		word := v[pos/64] >> (uint(pos) % 64)
		if sh := uint(pos) % 64; sh != 0 && pos/64+1 < len(v) {
			word |= v[pos/64+1] << (64 - sh)
		}
		word = (word & (1<<uint(now) - 1)) + carry
		carry = (word >> (w - 1)) & 1
		d := int64(word) - int64(carry<<w)
		out[pos] = int8(d)
		last = pos
		pos += now
	}
	return out[:last+1]
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
	digits := wnaf(k, wnafWidth, buf[:])
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
