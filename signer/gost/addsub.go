// Unrolled modular addition and subtraction for 4 and 8 limbs, written out
// mechanically: straight-line carry chains are faster than loops in Go.

package gost

import "math/bits"

// add4 sets z = x + y mod m for x, y < m, in constant time.
func add4(z, x, y, m *fe) {
	var c, b uint64
	var s0, t0 uint64
	var s1, t1 uint64
	var s2, t2 uint64
	var s3, t3 uint64
	s0, c = bits.Add64(x[0], y[0], c)
	s1, c = bits.Add64(x[1], y[1], c)
	s2, c = bits.Add64(x[2], y[2], c)
	s3, c = bits.Add64(x[3], y[3], c)
	t0, b = bits.Sub64(s0, m[0], b)
	t1, b = bits.Sub64(s1, m[1], b)
	t2, b = bits.Sub64(s2, m[2], b)
	t3, b = bits.Sub64(s3, m[3], b)
	mask := -(b &^ c) // keep the sum only if it did not overflow and is below m
	z[0] = (s0 & mask) | (t0 &^ mask)
	z[1] = (s1 & mask) | (t1 &^ mask)
	z[2] = (s2 & mask) | (t2 &^ mask)
	z[3] = (s3 & mask) | (t3 &^ mask)
}

// sub4 sets z = x - y mod m for x, y < m, in constant time.
func sub4(z, x, y, m *fe) {
	var b, c uint64
	var d0 uint64
	var d1 uint64
	var d2 uint64
	var d3 uint64
	d0, b = bits.Sub64(x[0], y[0], b)
	d1, b = bits.Sub64(x[1], y[1], b)
	d2, b = bits.Sub64(x[2], y[2], b)
	d3, b = bits.Sub64(x[3], y[3], b)
	mask := -b
	z[0], c = bits.Add64(d0, m[0]&mask, c)
	z[1], c = bits.Add64(d1, m[1]&mask, c)
	z[2], c = bits.Add64(d2, m[2]&mask, c)
	z[3], c = bits.Add64(d3, m[3]&mask, c)
	_ = c
}

// add8 sets z = x + y mod m for x, y < m, in constant time.
func add8(z, x, y, m *fe) {
	var c, b uint64
	var s0, t0 uint64
	var s1, t1 uint64
	var s2, t2 uint64
	var s3, t3 uint64
	var s4, t4 uint64
	var s5, t5 uint64
	var s6, t6 uint64
	var s7, t7 uint64
	s0, c = bits.Add64(x[0], y[0], c)
	s1, c = bits.Add64(x[1], y[1], c)
	s2, c = bits.Add64(x[2], y[2], c)
	s3, c = bits.Add64(x[3], y[3], c)
	s4, c = bits.Add64(x[4], y[4], c)
	s5, c = bits.Add64(x[5], y[5], c)
	s6, c = bits.Add64(x[6], y[6], c)
	s7, c = bits.Add64(x[7], y[7], c)
	t0, b = bits.Sub64(s0, m[0], b)
	t1, b = bits.Sub64(s1, m[1], b)
	t2, b = bits.Sub64(s2, m[2], b)
	t3, b = bits.Sub64(s3, m[3], b)
	t4, b = bits.Sub64(s4, m[4], b)
	t5, b = bits.Sub64(s5, m[5], b)
	t6, b = bits.Sub64(s6, m[6], b)
	t7, b = bits.Sub64(s7, m[7], b)
	mask := -(b &^ c) // keep the sum only if it did not overflow and is below m
	z[0] = (s0 & mask) | (t0 &^ mask)
	z[1] = (s1 & mask) | (t1 &^ mask)
	z[2] = (s2 & mask) | (t2 &^ mask)
	z[3] = (s3 & mask) | (t3 &^ mask)
	z[4] = (s4 & mask) | (t4 &^ mask)
	z[5] = (s5 & mask) | (t5 &^ mask)
	z[6] = (s6 & mask) | (t6 &^ mask)
	z[7] = (s7 & mask) | (t7 &^ mask)
}

// sub8 sets z = x - y mod m for x, y < m, in constant time.
func sub8(z, x, y, m *fe) {
	var b, c uint64
	var d0 uint64
	var d1 uint64
	var d2 uint64
	var d3 uint64
	var d4 uint64
	var d5 uint64
	var d6 uint64
	var d7 uint64
	d0, b = bits.Sub64(x[0], y[0], b)
	d1, b = bits.Sub64(x[1], y[1], b)
	d2, b = bits.Sub64(x[2], y[2], b)
	d3, b = bits.Sub64(x[3], y[3], b)
	d4, b = bits.Sub64(x[4], y[4], b)
	d5, b = bits.Sub64(x[5], y[5], b)
	d6, b = bits.Sub64(x[6], y[6], b)
	d7, b = bits.Sub64(x[7], y[7], b)
	mask := -b
	z[0], c = bits.Add64(d0, m[0]&mask, c)
	z[1], c = bits.Add64(d1, m[1]&mask, c)
	z[2], c = bits.Add64(d2, m[2]&mask, c)
	z[3], c = bits.Add64(d3, m[3]&mask, c)
	z[4], c = bits.Add64(d4, m[4]&mask, c)
	z[5], c = bits.Add64(d5, m[5]&mask, c)
	z[6], c = bits.Add64(d6, m[6]&mask, c)
	z[7], c = bits.Add64(d7, m[7]&mask, c)
	_ = c
}
