package streebog

import "math/bits"

// lpsX computes dst = L(P(S(a ⊕ b))) with the combined tables. dst may alias
// a or b. It is written out in full (locals, no loops) because this function
// is the whole cost of the hash.
func lpsX(dst, a, b *[8]uint64) {
	x0, x1, x2, x3 := a[0]^b[0], a[1]^b[1], a[2]^b[2], a[3]^b[3]
	x4, x5, x6, x7 := a[4]^b[4], a[5]^b[5], a[6]^b[6], a[7]^b[7]
	t0, t1, t2, t3 := &lpsTable[0], &lpsTable[1], &lpsTable[2], &lpsTable[3]
	t4, t5, t6, t7 := &lpsTable[4], &lpsTable[5], &lpsTable[6], &lpsTable[7]
	dst[0] = t0[byte(x0)] ^
		t1[byte(x1)] ^
		t2[byte(x2)] ^
		t3[byte(x3)] ^
		t4[byte(x4)] ^
		t5[byte(x5)] ^
		t6[byte(x6)] ^
		t7[byte(x7)]
	dst[1] = t0[byte(x0>>8)] ^
		t1[byte(x1>>8)] ^
		t2[byte(x2>>8)] ^
		t3[byte(x3>>8)] ^
		t4[byte(x4>>8)] ^
		t5[byte(x5>>8)] ^
		t6[byte(x6>>8)] ^
		t7[byte(x7>>8)]
	dst[2] = t0[byte(x0>>16)] ^
		t1[byte(x1>>16)] ^
		t2[byte(x2>>16)] ^
		t3[byte(x3>>16)] ^
		t4[byte(x4>>16)] ^
		t5[byte(x5>>16)] ^
		t6[byte(x6>>16)] ^
		t7[byte(x7>>16)]
	dst[3] = t0[byte(x0>>24)] ^
		t1[byte(x1>>24)] ^
		t2[byte(x2>>24)] ^
		t3[byte(x3>>24)] ^
		t4[byte(x4>>24)] ^
		t5[byte(x5>>24)] ^
		t6[byte(x6>>24)] ^
		t7[byte(x7>>24)]
	dst[4] = t0[byte(x0>>32)] ^
		t1[byte(x1>>32)] ^
		t2[byte(x2>>32)] ^
		t3[byte(x3>>32)] ^
		t4[byte(x4>>32)] ^
		t5[byte(x5>>32)] ^
		t6[byte(x6>>32)] ^
		t7[byte(x7>>32)]
	dst[5] = t0[byte(x0>>40)] ^
		t1[byte(x1>>40)] ^
		t2[byte(x2>>40)] ^
		t3[byte(x3>>40)] ^
		t4[byte(x4>>40)] ^
		t5[byte(x5>>40)] ^
		t6[byte(x6>>40)] ^
		t7[byte(x7>>40)]
	dst[6] = t0[byte(x0>>48)] ^
		t1[byte(x1>>48)] ^
		t2[byte(x2>>48)] ^
		t3[byte(x3>>48)] ^
		t4[byte(x4>>48)] ^
		t5[byte(x5>>48)] ^
		t6[byte(x6>>48)] ^
		t7[byte(x7>>48)]
	dst[7] = t0[byte(x0>>56)] ^
		t1[byte(x1>>56)] ^
		t2[byte(x2>>56)] ^
		t3[byte(x3>>56)] ^
		t4[byte(x4>>56)] ^
		t5[byte(x5>>56)] ^
		t6[byte(x6>>56)] ^
		t7[byte(x7>>56)]
}

// compress is g_N(h, m) of RFC 6986 section 7:
// h ← E(LPS(h ⊕ N), m) ⊕ h ⊕ m, where E is twelve rounds of X[K]LPS with
// round keys K(i+1) = LPS(K(i) ⊕ C(i)) and a final X[K13].
func compress(h, n, m *[8]uint64) {
	var k, s [8]uint64
	lpsX(&k, h, n)
	lpsX(&s, &k, m)
	for i := 0; i < 11; i++ {
		lpsX(&k, &k, &roundConst[i])
		lpsX(&s, &s, &k)
	}
	lpsX(&k, &k, &roundConst[11])
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// add512 sets a = a + b mod 2^512 (the ring addition of RFC 6986 section 4).
func add512(a, b *[8]uint64) {
	var carry uint64
	for i := range a {
		a[i], carry = bits.Add64(a[i], b[i], carry)
	}
}

// addLen sets n = n + nbits mod 2^512.
func addLen(n *[8]uint64, nbits uint64) {
	var b [8]uint64
	b[0] = nbits
	add512(n, &b)
}
