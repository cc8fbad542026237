package main

// genAddSub writes addsub.go: z = x ± y modulo any m of N limbs.
func genAddSub(w *writer) {
	w.raw(`
// Unrolled modular addition and subtraction for 4 and 8 limbs, written out
// mechanically: straight-line carry chains are faster than loops in Go.

package gost

import "math/bits"
`)
	for _, n := range []int{4, 8} {
		w.p("")
		w.p("// add%d sets z = x + y mod m for x, y < m, in constant time.", n)
		w.p("func add%d(z, x, y, m *fe) {", n)
		w.p("\tvar c, b uint64")
		for j := 0; j < n; j++ {
			w.p("\tvar s%d, t%d uint64", j, j)
		}
		for j := 0; j < n; j++ {
			w.p("\ts%d, c = bits.Add64(x[%d], y[%d], c)", j, j, j)
		}
		for j := 0; j < n; j++ {
			w.p("\tt%d, b = bits.Sub64(s%d, m[%d], b)", j, j, j)
		}
		w.p("\tmask := -(b &^ c) // keep the sum only if it did not overflow and is below m")
		for j := 0; j < n; j++ {
			w.p("\tz[%d] = (s%d & mask) | (t%d &^ mask)", j, j, j)
		}
		w.p("}")
		w.p("")
		w.p("// sub%d sets z = x - y mod m for x, y < m, in constant time.", n)
		w.p("func sub%d(z, x, y, m *fe) {", n)
		w.p("\tvar b, c uint64")
		for j := 0; j < n; j++ {
			w.p("\tvar d%d uint64", j)
		}
		for j := 0; j < n; j++ {
			w.p("\td%d, b = bits.Sub64(x[%d], y[%d], b)", j, j, j)
		}
		w.p("\tmask := -b")
		for j := 0; j < n; j++ {
			w.p("\tz[%d], c = bits.Add64(d%d, m[%d]&mask, c)", j, j, j)
		}
		w.p("\t_ = c")
		w.p("}")
	}
}
