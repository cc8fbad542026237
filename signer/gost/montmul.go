package gost

import "math/bits"

// Montgomery multiplication, CIOS method (Koç, Acar, Kaliski 1996), written
// out for 4 and 8 limbs so that loop bounds are constants the compiler can
// check once. Both are constant time: no branch depends on the operands.

// montMul4 sets z = x·y·2^(-256) mod m for an odd m < 2^256, given
// x·y < m·2^256. minv = -m⁻¹ mod 2^64.
func montMul4(z, x, y, m *fe, minv uint64) {
	var t [4 + 2]uint64
	for i := 0; i < 4; i++ {
		// t += x·y[i]
		yi := y[i]
		var c uint64
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		var cc uint64
		t[4], cc = bits.Add64(t[4], c, 0)
		t[4+1] = cc
		// t = (t + u·m) / 2^64 with u chosen so that the low limb vanishes.
		u := t[0] * minv
		hi, lo := bits.Mul64(u, m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < 4; j++ {
			hi, lo := bits.Mul64(u, m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[4-1], cc = bits.Add64(t[4], c, 0)
		t[4] = t[4+1] + cc
	}
	// t < 2m: subtract m once unless that borrows.
	var r [4]uint64
	var b uint64
	for j := 0; j < 4; j++ {
		r[j], b = bits.Sub64(t[j], m[j], b)
	}
	_, b = bits.Sub64(t[4], 0, b)
	mask := -b // all ones when t < m: keep t
	for j := 0; j < 4; j++ {
		z[j] = (t[j] & mask) | (r[j] &^ mask)
	}
}

// montMul8 sets z = x·y·2^(-512) mod m for an odd m < 2^512, given
// x·y < m·2^512. minv = -m⁻¹ mod 2^64.
func montMul8(z, x, y, m *fe, minv uint64) {
	var t [8 + 2]uint64
	for i := 0; i < 8; i++ {
		// t += x·y[i]
		yi := y[i]
		var c uint64
		for j := 0; j < 8; j++ {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		var cc uint64
		t[8], cc = bits.Add64(t[8], c, 0)
		t[8+1] = cc
		// t = (t + u·m) / 2^64 with u chosen so that the low limb vanishes.
		u := t[0] * minv
		hi, lo := bits.Mul64(u, m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < 8; j++ {
			hi, lo := bits.Mul64(u, m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[8-1], cc = bits.Add64(t[8], c, 0)
		t[8] = t[8+1] + cc
	}
	// t < 2m: subtract m once unless that borrows.
	var r [8]uint64
	var b uint64
	for j := 0; j < 8; j++ {
		r[j], b = bits.Sub64(t[j], m[j], b)
	}
	_, b = bits.Sub64(t[8], 0, b)
	mask := -b // all ones when t < m: keep t
	for j := 0; j < 8; j++ {
		z[j] = (t[j] & mask) | (r[j] &^ mask)
	}
}
