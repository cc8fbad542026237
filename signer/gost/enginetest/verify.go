package enginetest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// VerifyMessage checks a KZ GOST signature (r‖s little-endian, as NCA RK
// and Qoltanba write it) of data under pub with OpenSSL's GOST engine:
// `openssl dgst -engine gost -verify` with the key in the engine's form and
// the signature reversed. It skips when the engine is missing and fails t
// when the engine refuses the signature. Other packages' tests (the
// bridge's) use it to check what they signed independently.
func VerifyMessage(t testing.TB, pub *gost.PublicKey, data, sig []byte) {
	t.Helper()
	var s *suite
	for i := range suites {
		if suites[i].curve == pub.Curve() {
			s = &suites[i]
		}
	}
	if s == nil {
		t.Fatalf("no engine suite for the key's curve")
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: cannot cross-check with the GOST engine")
	}
	if out, err := exec.Command("openssl", "engine", "gost", "-t").CombinedOutput(); err != nil || !bytes.Contains(out, []byte("available")) {
		t.Skipf("openssl engine gost unavailable (install libengine-gost-openssl): %v: %s", err, out)
	}
	pubPEM, err := s.publicPEM(pub)
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
