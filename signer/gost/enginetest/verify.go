package enginetest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Suites VerifyMessage knows, by the KZ key they check.
const (
	Suite512  = "GOST34.10-2015-512-paramSetA" // NCA's GOST 34.10-2015 512-bit keys
	Suite256  = "GOST34.10-2015-256-paramSetA"
	Suite2004 = "GOST34.310-2004-CryptoPro-A"
)

// VerifyMessage checks a KZ GOST signature (r‖s little-endian, as NCA RK
// and Qoltanba write it) of data under the public key xy (x‖y
// little-endian, gost.PublicKey's Bytes) of suite with OpenSSL's GOST
// engine: `openssl dgst -engine gost -verify` with the key in the
// engine's form and the signature reversed. It skips when the engine is
// missing and fails t when the engine refuses the signature. Other
// packages' tests (the bridge's) use it to check what they signed.
func VerifyMessage(t testing.TB, suiteName string, xy, data, sig []byte) {
	t.Helper()
	var s *suite
	for i := range suites {
		if suites[i].name == suiteName {
			s = &suites[i]
		}
	}
	if s == nil {
		t.Fatalf("no engine suite %q", suiteName)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: cannot cross-check with the GOST engine")
	}
	if out, err := exec.Command("openssl", "engine", "gost", "-t").CombinedOutput(); err != nil || !bytes.Contains(out, []byte("available")) {
		t.Skipf("openssl engine gost unavailable (install libengine-gost-openssl): %v: %s", err, out)
	}
	pubPEM, err := s.publicPEM(xy)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, err := exec.Command("openssl", "dgst", "-engine", "gost", "-"+s.md, "-verify", write("pub.pem", pubPEM),
		"-signature", write("sig", reversed(sig)), write("data", data)).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("Verified OK")) {
		t.Errorf("OpenSSL's GOST engine refuses the signature (%s): %v\n%s", s.name, err, out)
	}
}

// reversed returns b reversed: r‖s little-endian ↔ s‖r big-endian.
func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}
