package ui

import (
	"fmt"
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

// testPKIDir is where the test PKI lives inside the data folder.
func testPKIDir(dataDir string) string { return filepath.Join(dataDir, "testpki") }

// createTestKey writes a GOST-only test PKI into the data folder (or reuses
// the one there) and returns the path of its company-head key. Its CRLs go
// into the revocation cache so that TEST signatures verify offline.
func createTestKey(dataDir string) (string, error) {
	dir := testPKIDir(dataDir)
	cache := &pki.Cache{Dir: filepath.Join(dataDir, "cache")}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		if p, err := testpki.Load(dir, ""); err == nil {
			if e := p.Find(testKeyName); e != nil && e.P12Path != "" {
				seedTestRevocation(cache, p)
				return e.P12Path, nil
			}
		}
	}
	p, err := testpki.Generate(testpki.Options{Dir: dir, Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		return "", fmt.Errorf("create test PKI in %s: %w", dir, err)
	}
	seedTestRevocation(cache, p)
	e := p.Find(testKeyName)
	if e == nil || e.P12Path == "" {
		return "", fmt.Errorf("test PKI in %s has no %s key", dir, testKeyName)
	}
	return e.P12Path, nil
}

// addTestTrust trusts the test PKI's CAs, if one was created in the data
// folder, so signatures made with TEST keys verify. Reports say TEST.
func addTestTrust(ts *pki.TrustStore, dataDir string) bool {
	dir := filepath.Join(testPKIDir(dataDir), "ca")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	any := false
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".cer" {
			continue
		}
		if n, err := ts.LoadFile(filepath.Join(dir, e.Name())); err == nil && n > 0 {
			any = true
		}
	}
	return any
}
