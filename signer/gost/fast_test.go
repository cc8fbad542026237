package gost

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Differential tests of the speed-oriented routines (pmmul.go, inv.go,
// basemult.go, lookup.go, verifymult.go) against math/big and ref_test.go.

// randLimbs returns a value below 2^(64n): random, or one with long runs of
// ones and zeros, which exercise the carry chains.
func randLimbs(rng *rand.Rand, n int, i int) fe {
	var x fe
	for j := 0; j < n; j++ {
		switch i % 4 {
		case 0:
			x[j] = rng.Uint64()
		case 1:
			x[j] = ^uint64(0)
		case 2:
			x[j] = ^uint64(0) << (rng.Uint64() % 64)
		default:
			if rng.Uint64()&1 == 0 {
				x[j] = ^uint64(0)
			}
		}
	}
	return x
}

// TestPMArithmetic checks the unrolled pseudo-Mersenne product and square
// against math/big on inputs up to 2^(64n)-1 (they need not be reduced).
func TestPMArithmetic(t *testing.T) {
	for ci, tc := range allCurves[:3] {
		f := tc.curve.impl.fp
		if !f.pm {
			t.Fatalf("%s: expected a pseudo-Mersenne field", tc.name)
		}
		rng := rand.New(rand.NewPCG(uint64(ci), 11))
		for i := 0; i < 400; i++ {
			x, y := randLimbs(rng, f.n, i), randLimbs(rng, f.n, i/4)
			var z fe
			f.mul(&z, &x, &y)
			want := new(big.Int).Mul(feToBig(&x), feToBig(&y))
			if want.Mod(want, f.big); feToBig(&z).Cmp(want) != 0 {
				t.Fatalf("%s: mul(%x, %x) = %x, want %x", tc.name, x, y, z, want)
			}
			f.sqr(&z, &x)
			want = new(big.Int).Mul(feToBig(&x), feToBig(&x))
			if want.Mod(want, f.big); feToBig(&z).Cmp(want) != 0 {
				t.Fatalf("%s: sqr(%x) = %x, want %x", tc.name, x, z, want)
			}
		}
	}
}

// TestInvChain checks that the addition chain spells m-2 and inverts.
func TestInvChain(t *testing.T) {
	for ci, tc := range allCurves[:3] {
		f := tc.curve.impl.fp
		ch := f.chain
		e := new(big.Int).Lsh(big.NewInt(1), uint(ch.k))
		e.Sub(e, big.NewInt(1)).Lsh(e, uint(ch.s)).Add(e, new(big.Int).SetUint64(ch.low))
		if want := new(big.Int).Sub(f.big, big.NewInt(2)); e.Cmp(want) != 0 {
			t.Fatalf("%s: chain exponent %x, want %x", tc.name, e, want)
		}
		rng := rand.New(rand.NewPCG(uint64(ci), 12))
		vals := []*big.Int{big.NewInt(1), big.NewInt(2), new(big.Int).Sub(f.big, big.NewInt(1))}
		for i := 0; i < 20; i++ {
			vals = append(vals, randScalar(rng, f.big, 5))
		}
		for _, v := range vals {
			x := feFromBig(v)
			var z fe
			f.invChain(&z, &x)
			if want := new(big.Int).ModInverse(v, f.big); feToBig(&z).Cmp(want) != 0 {
				t.Fatalf("%s: inv(%x) = %x, want %x", tc.name, v, feToBig(&z), want)
			}
		}
		var zero, z fe
		if f.invChain(&z, &zero); f.isZero(&z) != 1 {
			t.Fatalf("%s: inv(0) = %x, want 0", tc.name, z)
		}
	}
}

// TestBoothDigits checks that the signed digits rebuild the scalar and stay
// in [-2^(w-1), 2^(w-1)].
func TestBoothDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 13))
	for _, size := range []int{32, 64} {
		for w := 2; w <= 7; w++ {
			for i := 0; i < 50; i++ {
				k := randLimbs(rng, size/8, i)
				sum := new(big.Int)
				for j := boothWindows(size, w) - 1; j >= 0; j-- {
					mag, neg := boothDigit(&k, j, w)
					if mag > 1<<(w-1) || neg > 1 {
						t.Fatalf("w=%d: digit %d out of range: %d, %d", w, j, mag, neg)
					}
					d := new(big.Int).SetUint64(mag)
					if neg == 1 {
						d.Neg(d)
					}
					sum.Lsh(sum, uint(w)).Add(sum, d)
				}
				if sum.Cmp(feToBig(&k)) != 0 {
					t.Fatalf("size %d w=%d: digits of %x rebuild %x", size, w, k, sum)
				}
			}
		}
	}
}

// TestWNAF checks that wnaf rebuilds the scalar with odd bounded digits,
// for every width the code uses and the extremes.
func TestWNAF(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 14))
	var buf [64*maxLimbs + 2]int8
	for _, w := range []uint{2, qWNAF, 6, gWNAF} {
		for i := 0; i < 60; i++ {
			k := randLimbs(rng, 8, i)
			digits := wnaf(&k, w, buf[:])
			sum := new(big.Int)
			for j := len(digits) - 1; j >= 0; j-- {
				d := int(digits[j])
				if d != 0 && (d%2 == 0 || d >= 1<<(w-1) || d <= -(1<<(w-1))) {
					t.Fatalf("w=%d: bad digit %d", w, d)
				}
				sum.Lsh(sum, 1).Add(sum, big.NewInt(int64(d)))
			}
			if sum.Cmp(feToBig(&k)) != 0 {
				t.Fatalf("w=%d: digits of %x rebuild %x", w, k, sum)
			}
		}
	}
}

// TestLookup checks the packed constant-time scans against direct indexing.
func TestLookup(t *testing.T) {
	for _, n := range []int{4, 8} {
		const per = 32
		row := make([]uint64, 2*n*per)
		for i := range row {
			row[i] = uint64(i)*0x9e3779b97f4a7c15 + 1
		}
		for mag := uint64(0); mag <= per+1; mag++ {
			var r affinePoint
			if n == 4 {
				lookup4(&r, row, mag)
			} else {
				lookup8(&r, row, mag)
			}
			var want affinePoint
			if mag >= 1 && mag <= per {
				e := row[2*n*int(mag-1):]
				copy(want.x[:n], e[:n])
				copy(want.y[:n], e[n:2*n])
			}
			if r != want {
				t.Fatalf("n=%d: lookup(%d) = %x, want %x", n, mag, r, want)
			}
		}
	}
}

// edgeScalars returns scalars that hit window and carry boundaries.
func edgeScalars(q *big.Int) []*big.Int {
	out := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(31), big.NewInt(32), big.NewInt(33), big.NewInt(63), big.NewInt(64)}
	for _, sh := range []uint{6, 12, 100, 240, 250} {
		v := new(big.Int).Lsh(big.NewInt(1), sh)
		out = append(out, v, new(big.Int).Sub(v, big.NewInt(1)))
	}
	out = append(out, new(big.Int).Sub(q, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(32)), new(big.Int).Rsh(q, 1))
	return out
}

// TestBaseMultEdges compares both fixed-base multiplications with the
// reference on boundary scalars.
func TestBaseMultEdges(t *testing.T) {
	for _, tc := range allCurves {
		c := tc.curve
		ec := c.impl
		n := c.Size()
		ref := newRefCurve(c.Params())
		for _, k := range edgeScalars(ref.q) {
			kf := feFromBig(k)
			want := refEncode(ref.mul(k, ref.g()), n)
			out := make([]byte, 2*n)
			var r point
			ec.baseMult(&r, &kf)
			if ec.encode(out, &r); !bytes.Equal(out, want) {
				t.Fatalf("%s: baseMult(%x) differs from the reference", tc.name, k)
			}
			ec.baseMultVartime(&r, &kf)
			if ec.encode(out, &r); !bytes.Equal(out, want) {
				t.Fatalf("%s: baseMultVartime(%x) differs from the reference", tc.name, k)
			}
		}
	}
}

// TestVerifyMult compares u1·G + u2·Q (interleaved wNAF, modified Jacobian
// doublings) and the x check with the reference, including zero scalars,
// boundary scalars and sums that are the identity.
func TestVerifyMult(t *testing.T) {
	for ci, tc := range allCurves {
		c := tc.curve
		ec := c.impl
		n := c.Size()
		ref := newRefCurve(c.Params())
		rng := rand.New(rand.NewPCG(uint64(ci), 15))
		dq := randScalar(rng, ref.q, 9)
		Q := ref.mul(dq, ref.g())
		var qp point
		if !ec.decode(&qp, refEncode(Q, n)) {
			t.Fatal("decode failed")
		}
		qa := affinePoint{x: qp.x, y: qp.y}
		edges := edgeScalars(ref.q)
		for i := 0; i < 24; i++ {
			u1, u2 := randScalar(rng, ref.q, 5), randScalar(rng, ref.q, 5)
			switch {
			case i < len(edges):
				u1, u2 = edges[i], edges[(i*5+3)%len(edges)]
			case i == len(edges):
				u1 = big.NewInt(0)
			case i == len(edges)+1:
				u2 = big.NewInt(0)
			case i == len(edges)+2:
				// u1 + u2·dq = 0 mod q: the sum is the identity.
				u1 = new(big.Int).Mul(u2, dq)
				u1.Neg(u1).Mod(u1, ref.q)
			}
			f1, f2 := feFromBig(u1), feFromBig(u2)
			var C jacPoint
			ec.verifyMult(&C, &f1, &f2, &qa)
			want := ref.add(ref.mul(u1, ref.g()), ref.mul(u2, Q))
			if want.inf {
				if !ec.jacIsIdentity(&C) {
					t.Fatalf("%s: u1=%x u2=%x: want the identity", tc.name, u1, u2)
				}
				continue
			}
			var zi, zz, x, y fe
			ec.fp.inv(&zi, &C.z)
			ec.fp.sqr(&zz, &zi)
			ec.fp.mul(&x, &C.x, &zz)
			ec.fp.mul(&zz, &zz, &zi)
			ec.fp.mul(&y, &C.y, &zz)
			ec.fp.fromMont(&x, &x)
			ec.fp.fromMont(&y, &y)
			if feToBig(&x).Cmp(want.x) != 0 || feToBig(&y).Cmp(want.y) != 0 {
				t.Fatalf("%s: u1=%x u2=%x: got (%x, %x), want (%x, %x)", tc.name, u1, u2, feToBig(&x), feToBig(&y), want.x, want.y)
			}
			r := feFromBig(new(big.Int).Mod(want.x, ref.q))
			if !ec.xMatches(&C, &r) {
				t.Fatalf("%s: xMatches rejects the right r", tc.name)
			}
			r[0] ^= 1
			if ec.xMatches(&C, &r) {
				t.Fatalf("%s: xMatches accepts a wrong r", tc.name)
			}
		}
	}
}
