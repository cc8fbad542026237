package enginetest

import (
	"bytes"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// Digest hashes data with `openssl dgst -engine gost -<md>` (md_gost94,
// md_gost12_256, md_gost12_512) and returns the digest bytes as OpenSSL
// prints them, or skips the test when openssl or its GOST engine is
// missing. It serves the hash packages' tests, which cross-check against
// the engine; nothing in the product calls it.
func Digest(t testing.TB, md string, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: cannot cross-check with the GOST engine")
	}
	cmd := exec.Command("openssl", "dgst", "-engine", "gost", "-"+md, "-hex")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("openssl GOST engine unavailable (install libengine-gost-openssl): %v: %s", err, stderr.String())
	}
	s := strings.TrimSpace(string(out))
	i := strings.LastIndex(s, "= ")
	if i < 0 {
		t.Fatalf("unexpected openssl output %q", s)
	}
	d, err := hex.DecodeString(s[i+2:])
	if err != nil {
		t.Fatalf("openssl output %q: %v", s, err)
	}
	return d
}
