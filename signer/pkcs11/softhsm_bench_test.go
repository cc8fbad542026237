//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSoftHSMSignRSA: RSA-2048 signatures per second through this
// package (crypto.Signer → CKM_RSA_PKCS on SoftHSM), key opened once.
func BenchmarkSoftHSMSignRSA(b *testing.B) {
	h := softHSM(b)
	var uri string
	all, _ := h.store.TokenKeys(context.Background())
	for _, k := range all {
		if k.Token.Label == h.main && k.Label == "head-rsa" {
			uri = k.URI
		}
	}
	key, err := h.store.Open(context.Background(), uri, newUI(userPIN))
	if err != nil {
		b.Fatal(err)
	}
	defer key.Close()
	digest := sha256.Sum256([]byte("bench"))
	b.ResetTimer()
	for b.Loop() {
		if _, err := key.Signer.Sign(nil, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sign/s")
}

// BenchmarkSoftHSMListKeys: the time to list every token and its keys
// (certificates parsed) without a PIN.
func BenchmarkSoftHSMListKeys(b *testing.B) {
	h := softHSM(b)
	for b.Loop() {
		if _, err := h.store.TokenKeys(context.Background()); err != nil {
			b.Logf("TokenKeys: %v", err)
		}
	}
}

// TestPkcs11ToolSignLoopFigure times a loop of whole pkcs11-tool --sign
// processes on the same token and key, the figure BenchmarkSoftHSMSignRSA is
// compared with (each process loads SoftHSM, logs in and signs once).
func TestPkcs11ToolSignLoopFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("timing figure: skipped with -short")
	}
	h := softHSM(t)
	if _, err := exec.LookPath("pkcs11-tool"); err != nil {
		t.Skip("pkcs11-tool absent: install opensc")
	}
	in := filepath.Join(t.TempDir(), "in")
	os.WriteFile(in, []byte("bench"), 0o600)
	const n = 10
	start := time.Now()
	for i := 0; i < n; i++ {
		out, err := exec.Command("pkcs11-tool", "--module", softhsmModule, "--token-label", h.main, "--login", "--pin", userPIN,
			"--sign", "--mechanism", "SHA256-RSA-PKCS", "--id", "01", "--input-file", in, "--output-file", in+".sig").CombinedOutput()
		if err != nil {
			t.Fatalf("pkcs11-tool --sign: %v\n%s", err, out)
		}
	}
	per := time.Since(start) / n
	t.Logf("pkcs11-tool --sign loop: %v per process, %.1f sign/s", per.Round(time.Microsecond), float64(time.Second)/float64(per))
	start = time.Now()
	keys, _ := h.store.TokenKeys(context.Background())
	t.Logf("listing %d token keys in-process: %v", len(keys), time.Since(start).Round(time.Microsecond))
}
