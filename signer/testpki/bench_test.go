package testpki

import (
	"testing"

	"github.com/qoltanba/qoltanba/signer/pki"
)

func TestGOSTOnly(t *testing.T) {
	p, err := Generate(Options{Families: []Family{FamilyGOST}, Now: memNow})
	if err != nil {
		t.Fatal(err)
	}
	if p.Root(FamilyRSA) != nil || p.Find("rsa/individual") != nil || p.Find("gost/legal_hr") == nil || len(p.AllCAs()) != 2 {
		t.Errorf("GOST-only PKI has %d CAs, %d entities", len(p.AllCAs()), len(p.Entities))
	}
	if p.Paths() != nil {
		t.Errorf("Paths without Dir: %v", p.Paths())
	}
	if _, err := Generate(Options{Families: []Family{"dsa"}}); err == nil {
		t.Error("unknown family accepted")
	}
	for _, e := range p.Entities {
		if err := pki.CheckSignatureFrom(e.Cert, e.Issuer.Cert); err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkGenerateGOST measures a GOST-only PKI (2 CAs, 10 keys, 2 CRLs)
// in memory.
func BenchmarkGenerateGOST(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{Families: []Family{FamilyGOST}, Now: memNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateAll measures both families written to a directory.
func BenchmarkGenerateAll(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{Dir: b.TempDir(), Now: memNow}); err != nil {
			b.Fatal(err)
		}
	}
}
