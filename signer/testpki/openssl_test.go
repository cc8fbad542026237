package testpki

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writePEM writes DER as a PEM file in dir and returns its path.
func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func opensslPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: the independent check of RSA certificates and CRLs is skipped")
	}
	return path
}

// TestOpenSSLAcceptsRSA has OpenSSL, an independent implementation, check the
// RSA family: every chain, the CRL's signature, and revocation and expiry.
func TestOpenSSLAcceptsRSA(t *testing.T) {
	openssl := opensslPath(t)
	p := inMemory(t)
	dir := t.TempDir()
	root := writePEM(t, dir, "root.pem", "CERTIFICATE", p.Root(FamilyRSA).Cert.Raw)
	ca := writePEM(t, dir, "ca.pem", "CERTIFICATE", p.CA(FamilyRSA).Cert.Raw)
	crl := writePEM(t, dir, "ca.crl.pem", "X509 CRL", p.CA(FamilyRSA).CRLDER)
	rootCRL := writePEM(t, dir, "root.crl.pem", "X509 CRL", p.Root(FamilyRSA).CRLDER)
	at := strconv.FormatInt(memNow.Unix(), 10)

	run := func(args ...string) (string, error) {
		out, err := exec.Command(openssl, args...).CombinedOutput()
		return string(out), err
	}
	for _, e := range p.Entities {
		if e.Family != FamilyRSA {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			ee := writePEM(t, dir, strings.ReplaceAll(e.Name, "/", "_")+".pem", "CERTIFICATE", e.Cert.Raw)
			out, err := run("verify", "-attime", at, "-CAfile", root, "-untrusted", ca, ee)
			if e.Expired {
				if err == nil || !strings.Contains(out, "expired") {
					t.Errorf("expired certificate accepted: %s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("openssl verify: %v\n%s", err, out)
			}
			out, err = run("verify", "-attime", at, "-crl_check_all", "-CRLfile", crl, "-CRLfile", rootCRL,
				"-CAfile", root, "-untrusted", ca, ee)
			if e.Revoked {
				if err == nil || !strings.Contains(out, "revoked") {
					t.Errorf("revoked certificate accepted with the CRL: %s", out)
				}
			} else if err != nil {
				t.Errorf("openssl verify with CRLs: %v\n%s", err, out)
			}
		})
	}
	for name, c := range map[string][2]string{"issuing CA CRL": {crl, ca}, "root CRL": {rootCRL, root}} {
		out, err := run("crl", "-in", c[0], "-CAfile", c[1], "-noout")
		if err != nil || !strings.Contains(out, "verify OK") {
			t.Errorf("openssl crl %s: %v\n%s", name, err, out)
		}
	}
	// And OpenSSL must refuse the GOST-signed CRL against the RSA CA.
	gostCRL := writePEM(t, dir, "gost.crl.pem", "X509 CRL", p.CA(FamilyGOST).CRLDER)
	if out, err := run("crl", "-in", gostCRL, "-CAfile", ca, "-noout"); err == nil && strings.Contains(out, "verify OK") {
		t.Errorf("openssl accepted a foreign CRL: %s", out)
	}
}
