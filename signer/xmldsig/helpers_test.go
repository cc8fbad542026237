package xmldsig

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer/gost"
)

// kalkanDir returns ../shared/testdata/kalkan above the module root, or skips.
func kalkanDir(t testing.TB) string { return sharedtest.Dir(t, "testdata", "kalkan") }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// kalkanVectors reads gost512.vectors (key=value lines).
func kalkanVectors(t testing.TB) map[string]string {
	t.Helper()
	v := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, filepath.Join(kalkanDir(t), "gost512.vectors"))))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if k, val, ok := strings.Cut(sc.Text(), "="); ok {
			v[k] = val
		}
	}
	return v
}

// kalkanKey returns the private key of the self-signed certificate the
// Kalkan samples carry, and that certificate (read from a sample).
func kalkanKey(t testing.TB) (*gost.PrivateKey, *x509.Certificate) {
	t.Helper()
	be, err := hex.DecodeString(kalkanVectors(t)["d"])
	if err != nil {
		t.Fatal(err)
	}
	le := make([]byte, len(be))
	for i := range be {
		le[i] = be[len(be)-1-i]
	}
	key, err := gost.NewPrivateKey(gost.Curve512A(), le)
	clear(le)
	clear(be)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parse(readFile(t, filepath.Join(kalkanDir(t), "xml_simple.signed.xml")))
	if err != nil {
		t.Fatal(err)
	}
	info, err := readSignature(findSignatures(doc.Root())[0])
	if err != nil || len(info.certs) != 1 {
		t.Fatalf("read sample certificate: %v", err)
	}
	return key, info.certs[0]
}
