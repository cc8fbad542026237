package enginetest

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer/gost"
)

// sharedDir returns the sibling ../shared of the module root, or skips.
func sharedDir(t *testing.T) string { return sharedtest.Dir(t) }

// TestKalkanSignatureInEngine gives the engine the signature that Kalkan
// made (../shared/testdata/kalkan/gost512.vectors), reversed, with Kalkan's
// public key re-labelled with the Russian OIDs. The engine accepting it
// confirms, independently of our code, that a KZ signature is the RFC 4491
// block reversed and that the KZ public key bytes are the RFC 4491 ones.
func TestKalkanSignatureInEngine(t *testing.T) {
	requireEngine(t)
	data, err := os.ReadFile(filepath.Join(sharedDir(t), "testdata", "kalkan", "gost512.vectors"))
	if err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	v := map[string][]byte{}
	for _, line := range strings.Split(string(data), "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || key == "msg" || key == "sigalg_oid" {
			continue
		}
		b, err := hex.DecodeString(val)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		v[key] = b
	}
	for _, k := range []string{"digest", "sig", "spki"} {
		if len(v[k]) == 0 {
			t.Fatalf("vector file lacks %s", k)
		}
	}
	// Take x‖y out of Kalkan's SPKI (KZ OIDs) and re-wrap it.
	var kz spkiRaw
	if _, err := asn1.Unmarshal(v["spki"], &kz); err != nil {
		t.Fatalf("parse kalkan spki: %v", err)
	}
	var xy []byte
	if _, err := asn1.Unmarshal(kz.PublicKey.Bytes, &xy); err != nil {
		t.Fatalf("parse kalkan public key octets: %v", err)
	}
	s := suites[0]
	pub, err := gost.NewPublicKey(s.curve(), xy)
	if err != nil {
		t.Fatalf("kalkan public key: %v", err)
	}
	pubPEM, err := s.publicPEM(pub.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pubPath := writeFile(t, dir, "pub.pem", pubPEM)
	dPath := writeFile(t, dir, "dgst.bin", v["digest"])
	sigPath := writeFile(t, dir, "sig.bin", reversed(v["sig"]))
	out := openssl(t, "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", pubPath, "-sigfile", sigPath, "-in", dPath)
	if !bytes.Contains(out, []byte("Verified Successfully")) {
		t.Fatalf("engine rejects Kalkan's reversed signature: %s", out)
	}
	if !gost.Verify(pub, v["digest"], v["sig"]) {
		t.Fatalf("gost.Verify rejects Kalkan's signature")
	}
}

// spkiRaw is a SubjectPublicKeyInfo with any algorithm parameters.
type spkiRaw struct {
	Algorithm asn1.RawValue
	PublicKey asn1.BitString
}
