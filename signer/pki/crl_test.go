package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseRevocationListNCAGOST(t *testing.T) {
	der, err := os.ReadFile(filepath.Join(sharedDir(t), "gost2015/nca_gost2022_test.crl"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseRevocationList(der); err == nil {
		t.Log("crypto/x509 now parses NCA's GOST CRL; ParseRevocationList's workaround may go")
	}
	crl, err := ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(crl.Raw, der) {
		t.Error("Raw is not the original DER")
	}
	if !bytes.Contains(der, crl.RawTBSRevocationList) {
		t.Error("RawTBSRevocationList is not part of the original DER")
	}
	if crl.Number == nil || crl.Number.Int64() != 166 || crl.Issuer.CommonName != "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022" {
		t.Errorf("number %v issuer %q", crl.Number, crl.Issuer.CommonName)
	}
}

// ecdsaCRL makes a small CRL for fuzz seeds.
func ecdsaCRL(t testing.TB) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SubjectKeyId: []byte{1, 2, 3}, KeyUsage: x509.KeyUsageCRLSign, Subject: pkix.Name{CommonName: "CA"}}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: time.Unix(1e9, 0), NextUpdate: time.Unix(2e9, 0),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(7), RevocationTime: time.Unix(1e9, 0)}},
	}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func FuzzParseRevocationList(f *testing.F) {
	f.Add(ecdsaCRL(f))
	if der, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "nca", "gost2015", "nca_gost2022_test.crl")); err == nil {
		f.Add(der[:2000]) // truncated: the whole CRL is large
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		crl, err := ParseRevocationList(der)
		if err != nil {
			return
		}
		_ = CheckCRLSignatureFrom(crl, &x509.Certificate{})
	})
}
