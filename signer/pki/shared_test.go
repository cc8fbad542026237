package pki

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the project's ../shared/testdata/nca directory, found by
// walking up to the directory holding go.mod, or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared absent: no go.mod above the test directory")
		}
		dir = parent
	}
	nca := filepath.Join(dir, "..", "shared", "testdata", "nca")
	if _, err := os.Stat(nca); err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	return nca
}

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
