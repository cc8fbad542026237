package pki

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
)

// sharedDir returns the project's ../shared/testdata/nca directory, found by
// walking up to the directory holding go.mod, or skips the test.
func sharedDir(t testing.TB) string { return sharedtest.Dir(t, "testdata", "nca") }

// readCert reads a DER or PEM certificate file.
func readCert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return c
}

// readCRL reads a DER CRL with ParseRevocationList.
func readCRL(t testing.TB, path string) *x509.RevocationList {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseRevocationList(b)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return crl
}
