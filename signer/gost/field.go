package gost

// The unrolled arithmetic (pmmul.go, addsub.go, lookup.go) is written by
// internal/genfield; edit the generator, not the output.
//go:generate go run ./internal/genfield

import (
	"math/big"
	"math/bits"
)

// maxLimbs is the number of 64-bit limbs of the largest modulus (512 bits).
const maxLimbs = 8

// fe is an element of a prime field, or a scalar, as little-endian 64-bit limbs.
// One type serves every modulus so that point code is written once; only the
// first field.n limbs are used and the rest stay zero. Values are kept fully
// reduced (below the modulus) and, for the arithmetic below, in Montgomery form.
type fe [maxLimbs]uint64

// field is arithmetic modulo an odd prime m with n limbs, in Montgomery form
// (x is stored as x·R mod m, R = 2^(64n)). Every routine is constant time in
// the values: loops run over the public limb count and selections use masks.
// The same type serves the coordinate field (mod p) and the scalars (mod q).
type field struct {
	n    int    // limbs in use, 4 or 8
	m    fe     // the modulus
	minv uint64 // -m⁻¹ mod 2^64
	rr   fe     // R² mod m, to enter Montgomery form
	rrr  fe     // R³ mod m, to reduce the high half of a double-width value
	one  fe     // R mod m, the Montgomery form of 1
	mm2  fe     // m-2, the public exponent of inversion
	big  *big.Int

	// pm is set when m = 2^(64n) - c for a small c: products are then
	// reduced by folding (pmmul.go) and the radix R is 1, so rr = 1,
	// rrr = 2^(64n) mod m = c and one = 1; the rest of the code is the same.
	pm    bool
	c     uint64
	chain pmChain // the addition chain of inv when pm (inv.go)
}

// newField precomputes the Montgomery constants of the odd modulus m.
// It runs on public parameters only, so math/big is fine here.
func newField(m *big.Int) *field {
	n := (m.BitLen() + 63) / 64
	if n <= 4 {
		n = 4
	} else {
		n = 8
	}
	f := &field{n: n, big: new(big.Int).Set(m)}
	f.m = feFromBig(m)
	// -m⁻¹ mod 2^64 by Newton iteration: each step doubles the correct bits.
	inv := uint64(1)
	for i := 0; i < 6; i++ {
		inv *= 2 - f.m[0]*inv
	}
	f.minv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	f.one = feFromBig(new(big.Int).Mod(r, m))
	r2 := new(big.Int).Mul(r, r)
	f.rr = feFromBig(r2.Mod(r2, m))
	r3 := new(big.Int).Exp(r, big.NewInt(3), m)
	f.rrr = feFromBig(r3)
	f.mm2 = feFromBig(new(big.Int).Sub(m, big.NewInt(2)))
	c := new(big.Int).Sub(r, m)
	if c.Sign() > 0 && c.BitLen() <= 32 {
		f.pm, f.c = true, c.Uint64()
		f.one, f.rr, f.rrr = fe{1}, fe{1}, fe{f.c}
		f.chain = newPMChain(n, f.c)
	}
	return f
}

// feFromBig converts a public non-negative integer below 2^512.
func feFromBig(x *big.Int) fe {
	var z fe
	words := x.Bits()
	for i := 0; i < len(words) && i < maxLimbs; i++ {
		z[i] = uint64(words[i])
	}
	return z
}

// feToBig converts limbs to math/big (public values and tests only).
func feToBig(x *fe) *big.Int {
	var buf [8 * maxLimbs]byte
	for i := 0; i < maxLimbs; i++ {
		for j := 0; j < 8; j++ {
			buf[8*maxLimbs-1-(8*i+j)] = byte(x[i] >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(buf[:])
}

// add sets z = x + y mod m (unrolled in addsub.go).
func (f *field) add(z, x, y *fe) {
	if f.n == 4 {
		add4(z, x, y, &f.m)
	} else {
		add8(z, x, y, &f.m)
	}
}

// sub sets z = x - y mod m (unrolled in addsub.go).
func (f *field) sub(z, x, y *fe) {
	if f.n == 4 {
		sub4(z, x, y, &f.m)
	} else {
		sub8(z, x, y, &f.m)
	}
}

// neg sets z = -x mod m.
func (f *field) neg(z, x *fe) {
	var zero fe
	f.sub(z, &zero, x)
}

// mul sets z = x·y·R⁻¹ mod m (the Montgomery product). It needs x·y < m·R,
// which holds whenever one input is below m and the other below R. For a
// pseudo-Mersenne m, R = 1 and any inputs below 2^(64n) work.
func (f *field) mul(z, x, y *fe) {
	if f.pm {
		if f.n == 4 {
			pmMul4(z, x, y, f.c)
		} else {
			pmMul8(z, x, y, f.c)
		}
		return
	}
	if f.n == 4 {
		montMul4(z, x, y, &f.m, f.minv)
	} else {
		montMul8(z, x, y, &f.m, f.minv)
	}
}

// sqr sets z = x²·R⁻¹ mod m.
func (f *field) sqr(z, x *fe) {
	if f.pm {
		if f.n == 4 {
			pmSqr4(z, x, f.c)
		} else {
			pmSqr8(z, x, f.c)
		}
		return
	}
	f.mul(z, x, x)
}

// toMont sets z to the Montgomery form of x (any value below R).
func (f *field) toMont(z, x *fe) { f.mul(z, x, &f.rr) }

// fromMont sets z to the plain value of the Montgomery element x.
func (f *field) fromMont(z, x *fe) {
	one := fe{1}
	f.mul(z, x, &one)
}

// reduceWide sets z to the Montgomery form of (hi·R + lo) mod m, for any
// lo, hi below R: lo·R² ·R⁻¹ + hi·R³·R⁻¹ = (lo + hi·R)·R.
func (f *field) reduceWide(z, lo, hi *fe) {
	var a, b fe
	f.mul(&a, lo, &f.rr)
	f.mul(&b, hi, &f.rrr)
	f.add(z, &a, &b)
}

// exp sets z = x^e for a PUBLIC exponent e (plain integer limbs), with a
// fixed 4-bit window. The exponent's digits index the table, which is fine
// because exponents here are public constants (m-2).
func (f *field) exp(z, x, e *fe) {
	var table [16]fe
	table[0] = f.one
	table[1] = *x
	for i := 2; i < 16; i++ {
		f.mul(&table[i], &table[i-1], x)
	}
	acc := f.one
	for i := 64*f.n - 4; i >= 0; i -= 4 {
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		d := (e[i/64] >> (uint(i) % 64)) & 15
		f.mul(&acc, &acc, &table[d])
	}
	*z = acc
}

// inv sets z = x⁻¹ (0 maps to 0) by Fermat's little theorem, in constant
// time: an addition chain for a pseudo-Mersenne m (inv.go), a fixed window
// otherwise.
func (f *field) inv(z, x *fe) {
	if f.pm {
		f.invChain(z, x)
		return
	}
	f.exp(z, x, &f.mm2)
}

// isZero returns 1 if x = 0 and 0 otherwise, in constant time.
func (f *field) isZero(x *fe) uint64 {
	var acc uint64
	for i := 0; i < f.n; i++ {
		acc |= x[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// equal returns 1 if x = y and 0 otherwise, in constant time.
func (f *field) equal(x, y *fe) uint64 {
	var acc uint64
	for i := 0; i < f.n; i++ {
		acc |= x[i] ^ y[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// lessThanModulus returns 1 if the plain value x is below m, in constant time.
func (f *field) lessThanModulus(x *fe) uint64 {
	var b uint64
	for i := 0; i < f.n; i++ {
		_, b = bits.Sub64(x[i], f.m[i], b)
	}
	return b
}

// feSelect sets z = a if cond = 1 and z = b if cond = 0, in constant time.
func feSelect(z, a, b *fe, cond uint64) {
	mask := -cond
	for i := range z {
		z[i] = (a[i] & mask) | (b[i] &^ mask)
	}
}

// feSetBytesLE loads a little-endian byte string of at most 64 bytes.
// Length is public; the contents may be secret (no branches on them).
func feSetBytesLE(z *fe, b []byte) {
	*z = fe{}
	for i := 0; i < len(b) && i < 8*maxLimbs; i++ {
		z[i/8] |= uint64(b[i]) << (8 * (uint(i) % 8))
	}
}

// feBytesLE writes the low len(out) bytes of x, little-endian.
func feBytesLE(out []byte, x *fe) {
	for i := range out {
		out[i] = byte(x[i/8] >> (8 * (uint(i) % 8)))
	}
}

// feZero overwrites limbs that held a secret.
func feZero(z *fe) {
	for i := range z {
		z[i] = 0
	}
}
