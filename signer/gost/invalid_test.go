package gost

import (
	"bytes"
	"errors"
	"math/big"
	"testing"
)

// randomCurvePoint finds some point of the full group E(F_p) (not
// necessarily in <G>) by trying x = start, start+1, ...
func randomCurvePoint(ref *refCurve, start int64) refPoint {
	for x := big.NewInt(start); ; x.Add(x, big.NewInt(1)) {
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, ref.a)
		rhs.Mul(rhs, x)
		rhs.Add(rhs, ref.b)
		rhs.Mod(rhs, ref.p)
		if y := new(big.Int).ModSqrt(rhs, ref.p); y != nil {
			return refPoint{x: new(big.Int).Set(x), y: y}
		}
	}
}

func TestInvalidPublicKeys(t *testing.T) {
	for _, tc := range allCurves {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.curve
			n := c.Size()
			ref := newRefCurve(c.Params())
			good := refEncode(ref.mul(big.NewInt(12345), ref.g()), n)
			if _, err := NewPublicKey(c, good); err != nil {
				t.Fatalf("valid key rejected: %v", err)
			}
			offCurve := append([]byte(nil), good...)
			offCurve[0] ^= 1
			xTooBig := append(bigToLE(ref.p, n), good[n:]...)
			yPlusP := append(append([]byte(nil), good[:n]...), bigToLE(new(big.Int).Add(leToBig(good[n:]), ref.p), n+1)...)
			allOnes := bytes.Repeat([]byte{0xff}, 2*n)
			cases := []struct {
				name string
				xy   []byte
			}{
				{"empty", nil},
				{"short", good[:2*n-1]},
				{"long", append(append([]byte(nil), good...), 0)},
				{"x only", good[:n]},
				{"off curve", offCurve},
				{"all zero (infinity)", make([]byte, 2*n)},
				{"x = p", xTooBig},
				{"y + p (too long)", yPlusP},
				{"all ones", allOnes},
			}
			if leToBig(good[n:]).Cmp(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*n)), ref.p)) < 0 {
				// y + p still fits in n bytes: same point mod p, non-canonical.
				cases = append(cases, struct {
					name string
					xy   []byte
				}{"y + p (non-canonical)", append(append([]byte(nil), good[:n]...), bigToLE(new(big.Int).Add(leToBig(good[n:]), ref.p), n)...)})
			}
			for _, k := range cases {
				if _, err := NewPublicKey(c, k.xy); !errors.Is(err, ErrInvalidPublicKey) {
					t.Errorf("%s: err = %v, want ErrInvalidPublicKey", k.name, err)
				}
			}
		})
	}
}

// TestSmallSubgroup256A builds points of 256A outside the subgroup of order
// q (the curve has cofactor 4) and checks that they are rejected.
func TestSmallSubgroup256A(t *testing.T) {
	c := Curve256A()
	ref := newRefCurve(c.Params())
	found := 0
	for start := int64(1); found < 3 && start < 200; start++ {
		P := randomCurvePoint(ref, start)
		start = P.x.Int64()
		T := ref.mul(ref.q, P) // the small-order component of P
		if T.inf {
			continue // P happens to lie in <G>
		}
		found++
		for _, bad := range []refPoint{P, T, ref.add(ref.g(), T)} {
			if bad.inf {
				continue
			}
			if !ref.onCurve(bad) {
				t.Fatal("test point is not on the curve")
			}
			if _, err := NewPublicKey(c, refEncode(bad, 32)); !errors.Is(err, ErrInvalidPublicKey) {
				t.Errorf("point outside <G> accepted: x=%x", bad.x)
			}
		}
	}
	if found == 0 {
		t.Fatal("found no point outside <G>")
	}
	// A point of order 2 (y = 0) if one is reachable: 2·T for T of order 4.
	P := randomCurvePoint(ref, 1000)
	for i := 0; i < 50; i++ {
		T := ref.mul(ref.q, P)
		if !T.inf {
			T2 := ref.add(T, T)
			if !T2.inf {
				if _, err := NewPublicKey(c, refEncode(T2, 32)); !errors.Is(err, ErrInvalidPublicKey) {
					t.Error("point of order 2 accepted")
				}
				return
			}
		}
		P = randomCurvePoint(ref, P.x.Int64()+1)
	}
}

func TestInvalidSignatures(t *testing.T) {
	for _, tc := range allCurves[:3] {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.curve
			n := c.Size()
			q := c.Params().Q
			priv, err := GenerateKey(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			digest := bytes.Repeat([]byte{0x5a}, n)
			sig, err := priv.Sign(nil, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(priv.PublicKey(), digest, sig) {
				t.Fatal("valid signature rejected")
			}
			r, s := sig[:n], sig[n:]
			cat := func(a, b []byte) []byte { return append(append([]byte(nil), a...), b...) }
			zero := make([]byte, n)
			qb := bigToLE(q, n)
			ones := bytes.Repeat([]byte{0xff}, n)
			rPlusQ := bigToLE(new(big.Int).Add(leToBig(r), q), n+1)[:n] // may wrap; still invalid or different
			cases := map[string][]byte{
				"empty":     nil,
				"short":     sig[:2*n-1],
				"long":      cat(sig, []byte{0}),
				"r = 0":     cat(zero, s),
				"s = 0":     cat(r, zero),
				"r = q":     cat(qb, s),
				"s = q":     cat(r, qb),
				"r = 2^n-1": cat(ones, s),
				"s = 2^n-1": cat(r, ones),
				"r + q":     cat(rPlusQ, s),
				"swapped":   cat(s, r),
			}
			for name, bad := range cases {
				if Verify(priv.PublicKey(), digest, bad) {
					t.Errorf("%s: accepted", name)
				}
			}
			if Verify(priv.PublicKey(), digest[:n-1], sig) || Verify(priv.PublicKey(), append(digest, 0), sig) {
				t.Error("wrong digest length accepted")
			}
			if _, err := priv.Sign(nil, digest[:n-1], nil); !errors.Is(err, ErrDigestSize) {
				t.Errorf("short digest: err = %v, want ErrDigestSize", err)
			}
			if Verify(nil, digest, sig) || Verify(&PublicKey{}, digest, sig) || Verify(&PublicKey{curve: c}, digest, sig) {
				t.Error("nil or empty key accepted")
			}
		})
	}
}

func TestInvalidPrivateKeys(t *testing.T) {
	for _, tc := range allCurves[:3] {
		c := tc.curve
		n := c.Size()
		q := c.Params().Q
		for name, d := range map[string][]byte{
			"zero":     make([]byte, n),
			"empty":    nil,
			"q":        bigToLE(q, n),
			"q+1":      bigToLE(new(big.Int).Add(q, big.NewInt(1)), n),
			"too long": make([]byte, n+1),
			"ones":     bytes.Repeat([]byte{0xff}, n),
		} {
			if _, err := NewPrivateKey(c, d); !errors.Is(err, ErrInvalidPrivateKey) {
				t.Errorf("%s/%s: err = %v, want ErrInvalidPrivateKey", tc.name, name, err)
			}
		}
		// Short scalars are zero-extended.
		k, err := NewPrivateKey(c, []byte{7})
		if err != nil {
			t.Fatalf("%s: short scalar: %v", tc.name, err)
		}
		if len(k.Bytes()) != n || k.Bytes()[0] != 7 {
			t.Errorf("%s: short scalar not zero-extended", tc.name)
		}
		k2, _ := NewPrivateKey(c, append([]byte{7}, make([]byte, n-1)...))
		if !k.Equal(k2) || !k.PublicKey().Equal(k2.PublicKey()) {
			t.Errorf("%s: zero-extended key differs", tc.name)
		}
	}
}

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestRandFailures(t *testing.T) {
	c := Curve256A()
	if _, err := GenerateKey(c, errReader{}); err == nil {
		t.Error("GenerateKey with a failing reader succeeded")
	}
	priv, err := GenerateKey(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := priv.Sign(errReader{}, make([]byte, 32), nil); err == nil {
		t.Error("Sign with a failing reader succeeded")
	}
	// A constant rand still yields valid, digest-dependent signatures
	// thanks to hedging.
	zero := bytes.NewReader(make([]byte, 1<<12))
	d1, d2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	s1, err := priv.Sign(zero, d1, nil)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := priv.Sign(zero, d2, nil)
	if bytes.Equal(s1[:32], s2[:32]) {
		t.Error("same r for different digests under a constant rand")
	}
	if !Verify(priv.PublicKey(), d1, s1) || !Verify(priv.PublicKey(), d2, s2) {
		t.Error("hedged signatures do not verify")
	}
	priv.Destroy()
	for _, b := range priv.Bytes() {
		if b != 0 {
			t.Fatal("Destroy left key bytes")
		}
	}
}
