package pki

import (
	"path/filepath"
	"testing"
)

// BenchmarkCheckSignatureFromGOST verifies the NCA GOST test issuing CA's
// signature on the legal head certificate (Streebog-512 over the TBS and a
// GOST 34.10-2015-512 verification).
func BenchmarkCheckSignatureFromGOST(b *testing.B) {
	nca := sharedDir(b)
	ca := readCert(b, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	cert := readP12Cert(b, filepath.Join(nca, "gost2015/legal/valid/head.p12"))
	for b.Loop() {
		if err := CheckSignatureFrom(cert, ca); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckCRLSignatureFromGOST verifies the 10 KB NCA GOST test CRL.
func BenchmarkCheckCRLSignatureFromGOST(b *testing.B) {
	nca := sharedDir(b)
	ca := readCert(b, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	crl := readCRL(b, filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	for b.Loop() {
		if err := CheckCRLSignatureFrom(crl, ca); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIdentityOf(b *testing.B) {
	cert := readP12Cert(b, filepath.Join(sharedDir(b), "gost2015/legal/valid/head.p12"))
	for b.Loop() {
		_ = IdentityOf(cert, now)
	}
}
