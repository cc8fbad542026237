package xmldsig

import (
	"fmt"
	"strings"
	"testing"
)

// document100K is an agreement-like document of about 100 KB.
func document100K() []byte {
	var sb strings.Builder
	sb.WriteString(`<agreement xmlns="urn:qoltanba:agreement" xmlns:x="urn:x"><body Id="b">`)
	for i := 0; sb.Len() < 100<<10; i++ {
		fmt.Fprintf(&sb, `<clause n="%d" x:kind="term">Пункт %d: стороны соглашаются &amp; подтверждают условия.</clause>`, i, i)
	}
	sb.WriteString(`</body></agreement>`)
	return []byte(sb.String())
}

func benchmarkSign(b *testing.B, name string) {
	f := fixtureByName(b, name)
	doc := document100K()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(doc, f.key, f.cert, SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignGOST512(b *testing.B) { benchmarkSign(b, "GOST512") }

// BenchmarkSignGOST512Agreement is signatures per second on a typical
// portal agreement acceptance: a 1 KB XML document signed by Id.
func BenchmarkSignGOST512Agreement(b *testing.B) {
	f := fixtureByName(b, "GOST512")
	doc := []byte(`<acceptance><agreement Id="a1" version="3">` + strings.Repeat("Келісемін. Согласен. I agree. ", 30) + `</agreement></acceptance>`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(doc, f.key, f.cert, SignOptions{ID: "a1"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
}
func BenchmarkSignRSA(b *testing.B) { benchmarkSign(b, "RSA") }

func BenchmarkVerify(b *testing.B) {
	for _, name := range []string{"GOST512", "RSA"} {
		b.Run(name, func(b *testing.B) {
			f := fixtureByName(b, name)
			doc := document100K()
			signed, err := Sign(doc, f.key, f.cert, SignOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(signed)))
			b.ReportAllocs()
			for b.Loop() {
				evs, err := Verify(signed)
				if err != nil || !evs[0].SignatureValid {
					b.Fatal(err)
				}
			}
		})
	}
}
