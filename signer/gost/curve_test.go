package gost

import (
	"math/big"
	"testing"
)

// TestCurveParams checks each parameter set as the RFCs print it: G lies on
// the curve, q·G is the identity (with our arithmetic and with the
// reference), q is prime, and h·q lies within the Hasse bound of p+1.
func TestCurveParams(t *testing.T) {
	for _, tc := range allCurves {
		t.Run(tc.name, func(t *testing.T) {
			ec := tc.curve.impl
			cp := tc.curve.Params()
			ref := newRefCurve(cp)
			if !ref.onCurve(ref.g()) {
				t.Fatal("G is not on the curve (reference)")
			}
			if !ec.isOnCurve(&ec.gen.x, &ec.gen.y) {
				t.Fatal("G is not on the curve")
			}
			if !cp.P.ProbablyPrime(20) || !cp.Q.ProbablyPrime(20) {
				t.Fatal("p or q is not prime")
			}
			if r := ref.mul(cp.Q, ref.g()); !r.inf {
				t.Fatal("q·G is not the identity (reference)")
			}
			var qG point
			q := ec.fq.m
			ec.scalarMultVartime(&qG, &ec.gen, &q)
			if ec.isIdentity(&qG) != 1 {
				t.Fatal("q·G is not the identity (vartime)")
			}
			ec.scalarMult(&qG, &ec.gen, &q)
			if ec.isIdentity(&qG) != 1 {
				t.Fatal("q·G is not the identity (constant time)")
			}
			// |h·q - (p+1)| <= 2·sqrt(p)
			n := new(big.Int).Mul(big.NewInt(int64(ec.cofactor)), cp.Q)
			diff := new(big.Int).Sub(n, new(big.Int).Add(cp.P, big.NewInt(1)))
			diff.Mul(diff, diff)
			if diff.Cmp(new(big.Int).Mul(big.NewInt(4), cp.P)) > 0 {
				t.Fatalf("h·q is outside the Hasse interval: wrong q or cofactor")
			}
			wantMinus3 := tc.name == "512A" || tc.name == "CryptoProA"
			if ec.aMinus3 != wantMinus3 {
				t.Fatalf("aMinus3 = %v, want %v", ec.aMinus3, wantMinus3)
			}
		})
	}
}
