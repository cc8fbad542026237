package gost

import "math/bits"

// Inversion by Fermat's little theorem, x⁻¹ = x^(m-2), with an addition
// chain when m is pseudo-Mersenne. For m = 2^(64n) - c the exponent is
// m - 2 = (2^k - 1)·2^s + low with s = bitlen(c+2), k = 64n - s and
// low = 2^s - (c+2): a long run of ones and a few low bits. The run is built
// as x^(2^a - 1) with a doubling (a → 2a: a squarings and one product) or
// incremented (a → a+1: one squaring, one product) along the bits of k, so
// the whole inversion costs 64n-1 squarings and about 2·log2(k) + s products
// instead of the 64n/4 + 14 products of the generic 4-bit window. The chain
// depends only on the modulus, so it is constant time in x.

// pmChain describes m - 2 for a pseudo-Mersenne m.
type pmChain struct {
	k, s int    // m - 2 = (2^k - 1)·2^s + low
	low  uint64 // < 2^s
}

// newPMChain returns the chain for m = 2^(64n) - c.
func newPMChain(n int, c uint64) pmChain {
	s := bits.Len64(c + 2)
	return pmChain{k: 64*n - s, s: s, low: (uint64(1) << s) - (c + 2)}
}

// invChain sets z = x^(m-2) = x⁻¹ (0 maps to 0) for a pseudo-Mersenne m.
func (f *field) invChain(z, x *fe) {
	ch := f.chain
	// t = x^(2^a - 1), starting with a = 1, walking the bits of k below its top.
	t := *x
	a := 1
	var u fe
	for i := bits.Len(uint(ch.k)) - 2; i >= 0; i-- {
		u = t
		for j := 0; j < a; j++ {
			f.sqr(&u, &u)
		}
		f.mul(&t, &u, &t)
		a *= 2
		if ch.k>>uint(i)&1 == 1 {
			f.sqr(&t, &t)
			f.mul(&t, &t, x)
			a++
		}
	}
	// Shift in the s low bits of the exponent.
	for i := ch.s - 1; i >= 0; i-- {
		f.sqr(&t, &t)
		if ch.low>>uint(i)&1 == 1 {
			f.mul(&t, &t, x)
		}
	}
	*z = t
	feZero(&u)
}
