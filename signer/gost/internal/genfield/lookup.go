package main

// genLookup writes lookup.go: constant-time table scans for affine points
// of 4 and 8 limbs, the inner loop of the fixed-base multiplication.
func genLookup(w *writer) {
	w.raw(`
// Constant-time table scans, unrolled so that the selected coordinates stay
// in local variables (registers) for the whole scan instead of being
// read-modified-written in memory for every entry. A table is packed as
// x‖y of n limbs each (2n words a point), so a 256-bit point is one
// 64-byte cache line and the scan touches half the memory of []affinePoint.

package gost
`)
	for _, n := range []int{4, 8} {
		w.p("")
		w.p("// lookup%d sets r = point mag-1 of the packed row (%d words a point), or", n, 2*n)
		w.p("// (0, 0) when mag = 0 or is past the row, reading every entry and keeping")
		w.p("// one by masking.")
		w.p("func lookup%d(r *affinePoint, row []uint64, mag uint64) {", n)
		w.raw("\tvar ")
		for l := 0; l < n; l++ {
			if l > 0 {
				w.raw(", ")
			}
			w.raw(sprintf("x%d, y%d", l, l))
		}
		w.raw(" uint64\n")
		w.p("\tfor j := 0; j < len(row)/%d; j++ {", 2*n)
		w.p("\t\td := uint64(j+1) ^ mag")
		w.p("\t\tmask := ((d | -d) >> 63) - 1 // all ones when j+1 = mag")
		w.p("\t\te := (*[%d]uint64)(row[%d*j:])", 2*n, 2*n)
		for l := 0; l < n; l++ {
			w.p("\t\tx%d |= e[%d] & mask", l, l)
		}
		for l := 0; l < n; l++ {
			w.p("\t\ty%d |= e[%d] & mask", l, n+l)
		}
		w.p("\t}")
		w.p("\t*r = affinePoint{}")
		for l := 0; l < n; l++ {
			w.p("\tr.x[%d], r.y[%d] = x%d, y%d", l, l, l, l)
		}
		w.p("}")
	}
}
