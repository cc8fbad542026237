package pki_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// BenchmarkOCSPCheckGOST is one OCSP round trip over loopback with a GOST
// responder: request, signing, response parsing and verification (the
// delegated responder's certificate and the response signature).
func BenchmarkOCSPCheckGOST(b *testing.B) {
	e := testEnv(b)
	ent := e.p.Find("gost/individual")
	c := &pki.OCSPClient{}
	for b.Loop() {
		if _, err := c.Check(context.Background(), ent.Cert, ent.Issuer.Cert); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGOST is a whole Verifier.Verify of one GOST signature
// (chain, OCSP over loopback).
func BenchmarkVerifyGOST(b *testing.B) {
	e := testEnv(b)
	v := &pki.Verifier{Trust: e.trust()}
	ev := []pki.Evidence{evidence(e.p.Find("gost/legal_head"))}
	for b.Loop() {
		if r := v.Verify(context.Background(), ev); r.Worst() != pki.TotalPassed {
			b.Fatal(r.Signatures[0].Errors)
		}
	}
}

// BenchmarkNCACRL parses and verifies NCA's real test CRL (10 KB, GOST).
func BenchmarkNCACRL(b *testing.B) {
	nca := ncaDir(b)
	ca := mustCert(b, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	der, err := os.ReadFile(filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := pki.ParseAndVerifyCRL(der, "u", ca); err != nil {
			b.Fatal(err)
		}
	}
}
