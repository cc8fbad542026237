package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/softhsmtest"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// softhsmModule is the SoftHSM2 library, which TestMain configures.
const softhsmModule = softhsmtest.Module

// TestKeysTokensSoftHSM writes a certificate onto a fresh SoftHSM token with
// pkcs11-tool and lists it. (This process initialises SoftHSM once, so the
// token directory is set before the first PKCS#11 call.)
func TestKeysTokensSoftHSM(t *testing.T) {
	softhsmtest.Require(t, "pkcs11-tool")
	dir := t.TempDir()
	// SoftHSM2_CONF is set for the whole binary by TestMain.
	softhsmtest.TestToken(t, "CLI TOKEN")
	p, err := testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		t.Fatal(err)
	}
	head := p.Find("gost/legal_head")
	certFile := filepath.Join(dir, "head.der")
	os.WriteFile(certFile, head.Cert.Raw, 0o600)
	if out, err := exec.Command("pkcs11-tool", "--module", softhsmModule, "--token-label", "CLI TOKEN", "--login", "--pin", softhsmtest.UserPIN,
		"--write-object", certFile, "--type", "cert", "--id", "0a0b", "--label", "head").CombinedOutput(); err != nil {
		t.Fatalf("pkcs11-tool --write-object: %v\n%s", err, out)
	}
	code, stdout, stderr := runCLI(t, "", "keys", "tokens", "--pkcs11", softhsmModule, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var all, rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &all); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	for _, r := range all { // other tests' tokens share the SoftHSM directory
		if r["token"] == "CLI TOKEN" {
			rows = append(rows, r)
		}
	}
	if len(rows) != 1 {
		t.Fatalf("rows: %s", stdout)
	}
	r := rows[0]
	if r["token"] != "CLI TOKEN" || r["kind"] != "pkcs11" || r["label"] != "head" || r["bin"] != head.BIN || r["iin"] != head.IIN ||
		!strings.HasPrefix(r["uri"].(string), "pkcs11:") || !strings.Contains(r["uri"].(string), "id=%0A%0B") {
		t.Errorf("row: %v", r)
	}
	code, stdout, _ = runCLI(t, "", "keys", "tokens", "--pkcs11", softhsmModule)
	if code != 0 || !strings.Contains(stdout, "CLI TOKEN") || !strings.Contains(stdout, head.IIN) {
		t.Errorf("text output (exit %d):\n%s", code, stdout)
	}
}

func TestKeysTokensBadModule(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "fake.so")
	os.WriteFile(bad, []byte("text"), 0o600)
	code, _, stderr := runCLI(t, "", "keys", "tokens", "--pkcs11", bad)
	if code != 1 || !strings.Contains(stderr, "qoltanba: error:") || !strings.Contains(stderr, "hint:") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
