package pkcs12

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds encodes small files (P-256 key, one iteration so the fuzzer
// spends its time on parsing, not on the KDF) in both layouts.
func fuzzSeeds(t testing.TB) [][]byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := leafFor(t, k)
	var seeds [][]byte
	for _, opts := range []*Options{
		{Layout: LegacyNCA, Iterations: 1},
		{Layout: Modern, Iterations: 1},
	} {
		data, err := Encode(k, cert, []*x509.Certificate{getPKI(t).ca}, testPassword, opts)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	// Without a MAC, mutations reach the decryption and bag parsing.
	seeds = append(seeds, withoutMAC(t, seeds[0]))
	// Unencrypted key and certificate bags, no MAC: mutations reach the
	// PKCS#8 and certificate parsers directly.
	p8, err := marshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := asn1.Marshal(certBag{ID: oidX509Certificate, Data: cert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := bagAttributes([]byte{1, 2, 3}, "seed")
	if err != nil {
		t.Fatal(err)
	}
	safe, err := asn1.Marshal([]safeBag{
		{ID: oidKeyBag, Value: wrap0(p8), Attributes: attrs},
		{ID: oidCertBag, Value: wrap0(cb), Attributes: attrs},
	})
	if err != nil {
		t.Fatal(err)
	}
	ci, err := dataContentInfo(safe)
	if err != nil {
		t.Fatal(err)
	}
	return append(seeds, rebuild(t, []contentInfo{ci}, testPassword, false))
}

// withoutMAC re-encodes a file without its MacData.
func withoutMAC(t testing.TB, data []byte) []byte {
	var pfx pfxPDU
	if err := unmarshalExact(data, &pfx); err != nil {
		t.Fatal(err)
	}
	as, err := octetContent(pfx.AuthSafe, "seed")
	if err != nil {
		t.Fatal(err)
	}
	var cis []contentInfo
	if err := unmarshalExact(as, &cis); err != nil {
		t.Fatal(err)
	}
	return rebuild(t, cis, testPassword, false)
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzDecode when
// QOLTANBA_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("QOLTANBA_WRITE_SEEDS") != "1" {
		t.Skip("set QOLTANBA_WRITE_SEEDS=1 to regenerate the FuzzDecode seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("encode-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	// Mutated iteration counts would otherwise cost seconds per run.
	maxIterations = 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data, testPassword)
		if err != nil {
			var ua *UnsupportedAlgorithmError
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrWrongPassword) &&
				!errors.Is(err, ErrKeyMismatch) && !errors.Is(err, ErrNoKey) && !errors.As(err, &ua) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if len(file.Entries) == 0 {
			t.Fatal("success without a key")
		}
	})
}
