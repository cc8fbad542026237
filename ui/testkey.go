package ui

import (
	"strings"

	"fmt"
	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"os"
	"path/filepath"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// testKeyName is the test PKI entity the welcome offers: a company head's
// signing key, the most common key an accountant's office holds.
const testKeyName = "gost/legal_head"

// TestKeyPassword is the test PKI's password (NCA's test one), shown to the
// user with the TEST key: it protects nothing real.
const TestKeyPassword = testpki.DefaultPassword

// testKeysDir is where the welcome's TEST key is kept in the data folder:
// the key file and its certificate, never the test CAs' private keys.
func testKeysDir(dataDir string) string { return filepath.Join(dataDir, "testkeys") }

// createTestKey makes a GOST-only test PKI in a temporary folder and keeps
// in the data folder only what a user needs: the company head's key file and
// certificate (testkeys/), the test CAs' certificates as TEST anchors
// (trust/test/, so signatures made with it verify and say TEST) and their
// CRLs in the revocation cache (so they verify offline). The CAs' private
// keys go with the temporary folder. An existing TEST key is reused.
func createTestKey(dataDir string) (string, error) {
	dir := testKeysDir(dataDir)
	keyPath := filepath.Join(dir, "legal_head.p12")
	if _, err := os.Stat(keyPath); err == nil {
		return keyPath, nil
	}
	tmp, err := os.MkdirTemp("", "qoltanba-testpki-")
	if err != nil {
		return "", fmt.Errorf("create test PKI: %w", err)
	}
	defer os.RemoveAll(tmp)
	p, err := testpki.Generate(testpki.Options{Dir: tmp, Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		return "", fmt.Errorf("create test PKI: %w", err)
	}
	e := p.Find(testKeyName)
	if e == nil || e.P12Path == "" {
		return "", fmt.Errorf("test PKI has no %s key", testKeyName)
	}
	if err := keepTestPKI(dataDir, p); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("keep the test key: %w", err)
	}
	for src, dst := range map[string]string{e.P12Path: keyPath, e.CertPath: strings.TrimSuffix(keyPath, ".p12") + ".cer"} {
		data, err := os.ReadFile(src)
		if err == nil {
			err = atomicfile.Write(dst, data, 0o600)
		}
		if err != nil {
			return "", fmt.Errorf("keep the test key: %w", err)
		}
	}
	return keyPath, nil
}

// keepTestPKI writes the test CAs' certificates as TEST anchors and their
// CRLs into the revocation cache of the data folder.
func keepTestPKI(dataDir string, p *testpki.PKI) error {
	trustDir := filepath.Join(dataDir, "trust", "test")
	if err := os.MkdirAll(trustDir, 0o700); err != nil {
		return fmt.Errorf("keep the test CAs: %w", err)
	}
	for i, ca := range p.AllCAs() {
		name := filepath.Join(trustDir, fmt.Sprintf("test-ca-%d-%s.cer", i, pki.Fingerprint(ca.Cert)[:16]))
		if err := atomicfile.Write(name, ca.Cert.Raw, 0o600); err != nil {
			return fmt.Errorf("keep the test CAs: %w", err)
		}
	}
	seedTestRevocation(&pki.Cache{Dir: filepath.Join(dataDir, "cache")}, p)
	return nil
}
