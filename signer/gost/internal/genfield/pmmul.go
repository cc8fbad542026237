package main

import "fmt"

// genPMMul writes pmmul.go: z = x·y and z = x² modulo p = 2^(64N) - c.
func genPMMul(w *writer) {
	w.raw(`
// Unrolled pseudo-Mersenne arithmetic for 4 and 8 limbs. Every limb lives in
// its own variable and each row of partial products is added with two
// straight carry chains (low words, then high words), which the compiler
// turns into ADC sequences; Go does not unroll loops, so the generator does.

package gost

import "math/bits"

// Arithmetic modulo a pseudo-Mersenne prime p = 2^(64N) - c with a small c
// (c < 2^32): 512A (2^512 - 569) and the 256-bit production curves
// (2^256 - 617). Elements are kept as plain residues (the "Montgomery radix"
// of such a field is 1), a product is reduced by folding its high half
// times c into its low half. Constant time: carries are propagated
// unconditionally and the final subtraction is a masked selection.
`)
	for _, n := range []int{4, 8} {
		pmMul(w, n)
		pmSqr(w, n)
	}
}

// row writes t[i..i+n] += a·[b0..b{n-1}] for the name a and the limb names
// b, where t[i+n] is still unset (first is true for the first row, where
// t[i..i+n-1] are unset too). Products are taken first, then the low words
// are added in one carry chain and the high words in another.
func row(w *writer, a string, b []string, i int, first bool) {
	n := len(b)
	for j := range b {
		w.p("\th%d, l%d = bits.Mul64(%s, %s)", j, j, a, b[j])
	}
	if first {
		w.p("\tt%d = l0", i)
		w.p("\tt%d, c0 = bits.Add64(l1, h0, 0)", i+1)
		for j := 2; j < n; j++ {
			w.p("\tt%d, c0 = bits.Add64(l%d, h%d, c0)", i+j, j, j-1)
		}
		w.p("\tt%d = h%d + c0", i+n, n-1)
		return
	}
	w.p("\tt%d, c0 = bits.Add64(t%d, l0, 0)", i, i)
	for j := 1; j < n; j++ {
		w.p("\tt%d, c0 = bits.Add64(t%d, l%d, c0)", i+j, i+j, j)
	}
	w.p("\tt%d, c1 = bits.Add64(t%d, h0, 0)", i+1, i+1)
	for j := 1; j < n-1; j++ {
		w.p("\tt%d, c1 = bits.Add64(t%d, h%d, c1)", i+j+1, i+j+1, j)
	}
	w.p("\tt%d = h%d + c0 + c1", i+n, n-1)
}

// decls writes the variable declarations shared by products.
func decls(w *writer, n int) {
	w.raw("\tvar ")
	for j := 0; j < 2*n; j++ {
		if j > 0 {
			w.raw(", ")
		}
		fmt.Fprintf(&w.buf, "t%d", j)
	}
	w.raw(" uint64\n\tvar ")
	for j := 0; j < n; j++ {
		fmt.Fprintf(&w.buf, "h%d, l%d, ", j, j)
	}
	w.raw("c0, c1 uint64\n")
}

func names(prefix string, from, to int) []string {
	var s []string
	for j := from; j < to; j++ {
		s = append(s, fmt.Sprintf("%s%d", prefix, j))
	}
	return s
}

// pmMul writes the schoolbook product, one row per limb of y.
func pmMul(w *writer, n int) {
	w.p("")
	w.p("// pmMul%d sets z = x·y mod 2^%d-c for x, y < 2^%d.", n, 64*n, 64*n)
	w.p("func pmMul%d(z, x, y *fe, c uint64) {", n)
	decls(w, n)
	w.p("\t%s", limbVars("x", n))
	w.p("\t%s", limbVars("y", n))
	xs := names("x", 0, n)
	for i := 0; i < n; i++ {
		row(w, fmt.Sprintf("y%d", i), xs, i, i == 0)
	}
	pmReduce(w, n)
	w.p("}")
}

// pmSqr writes a squaring: the cross products once, doubled by a shift,
// plus the squares of the limbs.
func pmSqr(w *writer, n int) {
	w.p("")
	w.p("// pmSqr%d sets z = x² mod 2^%d-c, computing each cross product once.", n, 64*n)
	w.p("func pmSqr%d(z, x *fe, c uint64) {", n)
	decls(w, n)
	w.p("\t%s", limbVars("x", n))
	// Cross products x_i·x_j, i < j: row i covers t[2i+1 .. i+n].
	for i := 0; i < n-1; i++ {
		b := names("x", i+1, n)
		if len(b) == 1 {
			w.p("\th0, l0 = bits.Mul64(x%d, x%d)", i, n-1)
			w.p("\tt%d, c0 = bits.Add64(t%d, l0, 0)", 2*i+1, 2*i+1)
			w.p("\tt%d = h0 + c0", 2*i+2)
			continue
		}
		row(w, fmt.Sprintf("x%d", i), b, 2*i+1, i == 0)
	}
	// Double: t = 2·t; the top word t[2n-1] is still 0 before the shift.
	w.p("\tt%d = t%d >> 63", 2*n-1, 2*n-2)
	for k := 2*n - 2; k > 1; k-- {
		w.p("\tt%d = t%d<<1 | t%d>>63", k, k, k-1)
	}
	w.p("\tt1 <<= 1")
	// Add the squares x_i² at t[2i], t[2i+1] in one carry chain.
	for i := 0; i < n; i++ {
		w.p("\th%d, l%d = bits.Mul64(x%d, x%d)", i, i, i, i)
	}
	w.p("\tt0 = l0")
	w.p("\tt1, c0 = bits.Add64(t1, h0, 0)")
	for i := 1; i < n; i++ {
		w.p("\tt%d, c0 = bits.Add64(t%d, l%d, c0)", 2*i, 2*i, i)
		if i == n-1 { // a square fits in 2n words: the last carry is zero
			w.p("\tt%d, _ = bits.Add64(t%d, h%d, c0)", 2*i+1, 2*i+1, i)
			continue
		}
		w.p("\tt%d, c0 = bits.Add64(t%d, h%d, c0)", 2*i+1, 2*i+1, i)
	}
	pmReduce(w, n)
	w.p("}")
}

// pmReduce writes the folding reduction of the double-width t0..t{2n-1}
// into z: r = low + high·c (the top word is then at most c+1), then
// r += top·c, then one conditional subtraction of p done as adding c.
func pmReduce(w *writer, n int) {
	b := 64 * n
	w.p("\t// r = low + high·c; the top word is at most c+1.")
	for j := 0; j < n; j++ {
		w.p("\th%d, l%d = bits.Mul64(t%d, c)", j, j, n+j)
	}
	w.p("\tt0, c0 = bits.Add64(t0, l0, 0)")
	for j := 1; j < n; j++ {
		w.p("\tt%d, c0 = bits.Add64(t%d, l%d, c0)", j, j, j)
	}
	w.p("\tt1, c1 = bits.Add64(t1, h0, 0)")
	for j := 2; j < n; j++ {
		w.p("\tt%d, c1 = bits.Add64(t%d, h%d, c1)", j, j, j-1)
	}
	w.p("\ttop := h%d + c0 + c1", n-1)
	w.p("\t// Fold the top word: r += top·c (< 2^64).")
	w.p("\tt0, c0 = bits.Add64(t0, top*c, 0)")
	for j := 1; j < n; j++ {
		w.p("\tt%d, c0 = bits.Add64(t%d, 0, c0)", j, j)
	}
	w.p("\t// If that overflowed (c0 = 1), the value is r + 2^%d ≡ r + c with r", b)
	w.p("\t// tiny; otherwise r < 2^%d may still be ≥ p, and r - p = r + c mod", b)
	w.p("\t// 2^%d exactly when r + c carries out. Either way s = r + c is the", b)
	w.p("\t// answer when c0 | carry-out, and r otherwise.")
	w.p("\tl0, c1 = bits.Add64(t0, c, 0)")
	for j := 1; j < n; j++ {
		w.p("\tl%d, c1 = bits.Add64(t%d, 0, c1)", j, j)
	}
	w.p("\tmask := -(c0 | c1)")
	for j := 0; j < n; j++ {
		w.p("\tz[%d] = (l%d & mask) | (t%d &^ mask)", j, j, j)
	}
}
