package ui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// The RSA family of the test PKI, for what GOST keys cannot do here:
// SoftHSM has no GOST mechanisms and xmlsec1 knows no KZ GOST URIs. RSA key
// generation takes a second or more, so the tests of this binary share one
// PKI, generated in memory on first use.
var rsaPKI struct {
	once sync.Once
	p    *testpki.PKI
	err  error
}

func rsaTestPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	rsaPKI.once.Do(func() {
		rsaPKI.p, rsaPKI.err = testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyRSA}})
	})
	if rsaPKI.err != nil {
		t.Fatalf("generate the RSA test PKI: %v", rsaPKI.err)
	}
	return rsaPKI.p
}

// installTestPKI makes the GUI with data folder dataDir trust p as it
// trusts a test PKI created from the welcome: the CA certificates as TEST
// anchors in trust/test, the CRLs in the revocation cache.
func installTestPKI(t *testing.T, dataDir string, p *testpki.PKI) {
	t.Helper()
	if err := keepTestPKI(dataDir, p); err != nil {
		t.Fatal(err)
	}
}

// writeP12 writes an entity's key as an NCA-style PKCS#12 file under dir,
// with its certificate next to it (name.cer, as the test PKI writes them) so
// that the GUI knows the holder before the password.
func writeP12(t *testing.T, e *testpki.Entity, dir string) string {
	t.Helper()
	der, err := pkcs12.Encode(e.Key, e.Cert, nil, testpki.DefaultPassword, &pkcs12.Options{Layout: pkcs12.LegacyNCA})
	if err != nil {
		t.Fatalf("encode %s: %v", e.Name, err)
	}
	path := filepath.Join(dir, filepath.Base(e.Name)+".p12")
	if err := os.WriteFile(path, der, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(strings.TrimSuffix(path, ".p12")+".cer", e.Cert.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
