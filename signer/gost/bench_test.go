package gost

import (
	"bytes"
	"testing"
	"time"
)

var benchCurves = []struct {
	name  string
	curve *Curve
}{
	{"512A", Curve512A()},
	{"256A", Curve256A()},
	{"CryptoProA", CurveCryptoProA()},
}

// reportOps adds ops/s and, where available, CPU nanoseconds per operation
// (cpu0 is processCPU() taken when the timer was reset).
func reportOps(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if cpu := processCPU() - cpu0; cpu > 0 && cpu0 > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// go test -run X -bench 'Sign|Verify' ./signer/gost/
func BenchmarkSign(b *testing.B) {
	for _, bc := range benchCurves {
		b.Run(bc.name, func(b *testing.B) {
			priv, err := GenerateKey(bc.curve, nil)
			if err != nil {
				b.Fatal(err)
			}
			digest := bytes.Repeat([]byte{0x33}, bc.curve.Size())
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := priv.Sign(nil, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
			reportOps(b, cpu0)
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, bc := range benchCurves {
		b.Run(bc.name, func(b *testing.B) {
			priv, err := GenerateKey(bc.curve, nil)
			if err != nil {
				b.Fatal(err)
			}
			digest := bytes.Repeat([]byte{0x33}, bc.curve.Size())
			sig, err := priv.Sign(nil, digest, nil)
			if err != nil {
				b.Fatal(err)
			}
			pub := priv.PublicKey()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if !Verify(pub, digest, sig) {
					b.Fatal("verify failed")
				}
			}
			reportOps(b, cpu0)
		})
	}
}

func BenchmarkNewPublicKey(b *testing.B) {
	for _, bc := range benchCurves {
		b.Run(bc.name, func(b *testing.B) {
			priv, _ := GenerateKey(bc.curve, nil)
			xy := priv.PublicKey().Bytes()
			for i := 0; i < b.N; i++ {
				if _, err := NewPublicKey(bc.curve, xy); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFieldMul(b *testing.B) {
	for _, bc := range benchCurves {
		b.Run(bc.name, func(b *testing.B) {
			ec := bc.curve.impl
			x, y := ec.gen.x, ec.gen.y
			for i := 0; i < b.N; i++ {
				ec.fp.mul(&x, &x, &y)
			}
		})
	}
}
