package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

// TestVerifiedMemo: a signature checked once is remembered for exactly
// those bytes and that issuer key; a changed certificate or another issuer
// is checked again and fails.
func TestVerifiedMemo(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "memo CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, _ := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	caCert, _ := x509.ParseCertificate(caDER)
	impostorDER, _ := x509.CreateCertificate(rand.Reader, ca, ca, &other.PublicKey, other)
	impostor, _ := x509.ParseCertificate(impostorDER)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "memo leaf"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leaf, caCert, &other.PublicKey, key)
	leafCert, _ := x509.ParseCertificate(leafDER)
	for range 2 { // the second time from the memo
		if err := CheckSignatureFrom(leafCert, caCert); err != nil {
			t.Fatal(err)
		}
	}
	if !verified.has(verifiedKey(leafCert.Raw, leafCert.SignatureAlgorithm, leafCert.RawTBSCertificate, leafCert.Signature, caCert)) {
		t.Fatal("a verified signature was not remembered")
	}
	if err := CheckSignatureFrom(leafCert, impostor); !errors.Is(err, ErrSignatureInvalid) {
		t.Fatalf("another issuer key with the same name: %v", err)
	}
	tampered := bytes.Clone(leafDER)
	tampered[len(tampered)-3] ^= 1 // inside the signature value
	if c, err := x509.ParseCertificate(tampered); err == nil {
		if err := CheckSignatureFrom(c, caCert); err == nil {
			t.Fatal("a changed signature passed")
		}
	}
}
