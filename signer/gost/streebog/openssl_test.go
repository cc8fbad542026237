package streebog

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// opensslDigest hashes data with `openssl dgst -engine gost -md_gost12_*` and
// returns the digest bytes as OpenSSL prints them, or skips the test when
// openssl or its GOST engine is missing.
func opensslDigest(t *testing.T, md string, data []byte) []byte {
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

func TestOpenSSLEngine(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	lengths := []int{0, 1, 31, 32, 63, 64, 65, 127, 128, 1000, 100000}
	if testing.Short() {
		lengths = []int{0, 1, 63, 64, 65, 1000}
	}
	for _, n := range lengths {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		w512 := opensslDigest(t, "md_gost12_512", data)
		w256 := opensslDigest(t, "md_gost12_256", data)
		if g := Sum512(data); !bytes.Equal(g[:], w512) {
			t.Errorf("len %d: Sum512 %x\nopenssl %x", n, g, w512)
		}
		if g := Sum256(data); !bytes.Equal(g[:], w256) {
			t.Errorf("len %d: Sum256 %x\nopenssl %x", n, g, w256)
		}
	}
}
