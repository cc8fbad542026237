// Package verifytest runs the independent verifiers (xmlsec1) on what the
// tests sign, against a test PKI's chain. Tests only.
package verifytest

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/testpki"
)

// CAPEMs writes the family's root (to trust) and issuing CA (untrusted)
// certificates as PEM files in dir, for xmlsec1 and openssl.
func CAPEMs(t testing.TB, p *testpki.PKI, f testpki.Family, dir string) (root, issuing string) {
	t.Helper()
	root, issuing = filepath.Join(dir, "root.pem"), filepath.Join(dir, "ca.pem")
	for path, der := range map[string][]byte{root: p.Root(f).Cert.Raw, issuing: p.CA(f).Cert.Raw} {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root, issuing
}

// XMLSec checks a signed XML document with xmlsec1 --verify, trusting the
// PKI's RSA root only (xmlsec1 knows no KZ GOST algorithms); what is
// checked says which document it is. The test is skipped without xmlsec1
// (scripts/deps.sh test installs it).
func XMLSec(t testing.TB, p *testpki.PKI, what string, signed []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Skipf("xmlsec1 absent (%v): scripts/deps.sh test installs it", err)
	}
	dir := t.TempDir()
	root, ca := CAPEMs(t, p, testpki.FamilyRSA, dir)
	file := filepath.Join(dir, "signed.xml")
	if err := os.WriteFile(file, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmlsec1", "--verify", "--trusted-pem", root, "--untrusted-pem", ca,
		"--enabled-reference-uris", "empty,same-doc", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Errorf("%s: xmlsec1 --verify rejects the signature: %v\n%s", what, err, out)
		return
	}
	t.Logf("%s: xmlsec1 --verify: %s", what, strings.TrimSpace(string(out)))
}
