package gost

import (
	"bytes"
	"math/big"
	"testing"
)

// fuzzCurves are the production curves, indexed by the fuzzer's selector byte.
var fuzzCurves = []*Curve{Curve512A(), Curve256A(), CurveCryptoProA()}

// FuzzNewPublicKey: arbitrary bytes never panic, and an accepted point
// re-encodes identically and lies on the curve.
func FuzzNewPublicKey(f *testing.F) {
	for i, c := range fuzzCurves {
		ref := newRefCurve(c.Params())
		f.Add(byte(i), refEncode(ref.mul(big.NewInt(99), ref.g()), c.Size()))
		f.Add(byte(i), make([]byte, 2*c.Size()))
		f.Add(byte(i), bytes.Repeat([]byte{0xff}, 2*c.Size()))
	}
	f.Add(byte(0), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, sel byte, xy []byte) {
		c := fuzzCurves[int(sel)%len(fuzzCurves)]
		pub, err := NewPublicKey(c, xy)
		if err != nil {
			return
		}
		if !bytes.Equal(pub.Bytes(), xy) {
			t.Fatal("accepted key re-encodes differently")
		}
		ref := newRefCurve(c.Params())
		n := c.Size()
		if !ref.onCurve(refPoint{x: leToBig(xy[:n]), y: leToBig(xy[n:])}) {
			t.Fatal("accepted key is not on the curve")
		}
	})
}

// FuzzVerify: arbitrary keys, digests and signatures never panic.
func FuzzVerify(f *testing.F) {
	for i, c := range fuzzCurves {
		n := c.Size()
		priv, err := NewPrivateKey(c, []byte{byte(i + 5)})
		if err != nil {
			f.Fatal(err)
		}
		digest := bytes.Repeat([]byte{0x11}, n)
		sig, err := signWithNonce(priv, []byte{42}, digest)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(i), priv.PublicKey().Bytes(), digest, sig)
		f.Add(byte(i), priv.PublicKey().Bytes(), digest, make([]byte, 2*n))
	}
	f.Fuzz(func(t *testing.T, sel byte, key, digest, sig []byte) {
		c := fuzzCurves[int(sel)%len(fuzzCurves)]
		pub, err := NewPublicKey(c, key)
		if err != nil {
			// Still exercise verify on an unvalidated struct: must not panic.
			Verify(&PublicKey{curve: c, xy: key}, digest, sig)
			return
		}
		Verify(pub, digest, sig)
	})
}
