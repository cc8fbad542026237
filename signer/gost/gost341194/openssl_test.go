package gost341194

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// opensslGost94 hashes data with `openssl dgst -engine gost -md_gost94`
// (CryptoPro S-box) or skips the test when the engine is missing.
func opensslGost94(t *testing.T, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: cannot cross-check with the GOST engine")
	}
	cmd := exec.Command("openssl", "dgst", "-engine", "gost", "-md_gost94", "-hex")
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

func TestOpenSSLEngineCryptoPro(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	lengths := []int{1, 31, 32, 33, 63, 64, 65, 1000, 100000}
	if testing.Short() {
		lengths = lengths[:7]
	}
	for _, n := range lengths {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := opensslGost94(t, data)
		if got := Sum(&CryptoProParamSet, data); !bytes.Equal(got[:], want) {
			t.Errorf("len %d: Sum %x\nopenssl %x", n, got, want)
		}
	}
}

// TestOpenSSLEmptyMessage documents the one known difference: for the empty
// message OpenSSL's engine hashes an all-zero final block (the letter of the
// standard) while this package, like BouncyCastle and Kalkan's lineage, does
// not. If OpenSSL ever agrees, this test says so.
func TestOpenSSLEmptyMessage(t *testing.T) {
	want := opensslGost94(t, nil)
	got := Sum(&CryptoProParamSet, nil)
	if bytes.Equal(got[:], want) {
		t.Logf("openssl now agrees on the empty message: %x", got)
		return
	}
	// Reproduce OpenSSL's value: one step over a zero block, L = 0, Σ = 0.
	e := expand(&CryptoProParamSet)
	var h, zero [32]byte
	step(e, &h, &zero)
	step(e, &h, &zero)
	step(e, &h, &zero)
	if !bytes.Equal(h[:], want) {
		t.Fatalf("openssl empty-message hash %x is neither ours %x nor the padded-block reading %x", want, got, h)
	}
}
