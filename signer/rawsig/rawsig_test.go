package rawsig_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

func keys(t *testing.T) map[string]crypto.Signer {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]crypto.Signer{"rsa": rk, "ecdsa": ek}
	for name, c := range map[string]*gost.Curve{"gost512": gost.Curve512A(), "gost256": gost.Curve256A(), "gost2004": gost.CurveCryptoProA()} {
		k, err := gost.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = k
	}
	return out
}

func TestSignVerify(t *testing.T) {
	data := []byte("raw data")
	want := map[string]struct {
		digest *rawsig.Digest
		name   string
		sigLen int
	}{
		"rsa":      {rawsig.SHA256, "RSA-SHA256", 256},
		"ecdsa":    {rawsig.SHA256, "ECDSA-SHA256", 0},
		"gost512":  {rawsig.GOST2015_512, "GOST34.10-2015-512", 128},
		"gost256":  {rawsig.GOST2015_256, "GOST34.10-2015-256", 64},
		"gost2004": {rawsig.GOST34311, "GOST34.310-2004", 64},
	}
	for name, key := range keys(t) {
		t.Run(name, func(t *testing.T) {
			w := want[name]
			d, err := rawsig.NaturalDigest(key.Public())
			if err != nil || d != w.digest {
				t.Fatalf("natural digest %v %v", d, err)
			}
			if got := rawsig.SignatureName(key.Public(), d); got != w.name {
				t.Errorf("name %q", got)
			}
			sig, err := rawsig.Sign(key, data)
			if err != nil {
				t.Fatal(err)
			}
			if w.sigLen != 0 && len(sig) != w.sigLen {
				t.Errorf("signature of %d bytes", len(sig))
			}
			if err := rawsig.Verify(key.Public(), data, sig); err != nil {
				t.Fatal(err)
			}
			if s2, err := rawsig.SignReader(key, bytes.NewReader(data)); err != nil || rawsig.Verify(key.Public(), data, s2) != nil {
				t.Fatalf("SignReader: %v", err)
			}
			if err := rawsig.Verify(key.Public(), append(data, '!'), sig); !errors.Is(err, rawsig.ErrVerification) {
				t.Errorf("changed data: %v", err)
			}
			bad := append([]byte{}, sig...)
			bad[len(bad)/2] ^= 0x40
			if err := rawsig.Verify(key.Public(), data, bad); !errors.Is(err, rawsig.ErrVerification) {
				t.Errorf("changed signature: %v", err)
			}
			if err := rawsig.Verify(key.Public(), data, nil); !errors.Is(err, rawsig.ErrVerification) {
				t.Errorf("empty signature: %v", err)
			}
		})
	}
}

func TestDigestRules(t *testing.T) {
	ks := keys(t)
	d := rawsig.SHA256.Sum([]byte("x"))
	if _, err := rawsig.SignDigest(ks["gost512"], rawsig.SHA256, d); !errors.Is(err, rawsig.ErrUnsupportedKey) {
		t.Errorf("GOST key with SHA-256: %v", err)
	}
	if _, err := rawsig.SignDigest(ks["gost256"], rawsig.GOST34311, d); !errors.Is(err, rawsig.ErrUnsupportedKey) {
		t.Errorf("2015-256 key with 34.311-95: %v", err)
	}
	if _, err := rawsig.SignDigest(ks["rsa"], rawsig.GOST2015_256, d); !errors.Is(err, rawsig.ErrUnsupportedKey) {
		t.Errorf("RSA key with Streebog: %v", err)
	}
	if _, err := rawsig.SignDigest(ks["rsa"], rawsig.SHA1, d[:20]); !errors.Is(err, rawsig.ErrUnsupportedKey) {
		t.Errorf("signing SHA-1: %v", err)
	}
	if _, err := rawsig.SignDigest(ks["rsa"], rawsig.SHA384, d); !errors.Is(err, rawsig.ErrUnsupportedKey) {
		t.Errorf("32-byte digest as SHA-384: %v", err)
	}
	sig, err := rawsig.SignDigest(ks["ecdsa"], rawsig.SHA512, rawsig.SHA512.Sum([]byte("x")))
	if err != nil || rawsig.VerifyDigest(ks["ecdsa"].Public(), rawsig.SHA512, rawsig.SHA512.Sum([]byte("x")), sig) != nil {
		t.Errorf("ECDSA-SHA512: %v", err)
	}
	if _, err := rawsig.NaturalDigest("not a key"); !errors.Is(err, rawsig.ErrUnsupportedKey) {
		t.Errorf("unknown key: %v", err)
	}
}

// TestDigestVectors pins the digests to known answers: SHA-256 of "abc"
// (FIPS 180-2) and Streebog-512 of M1 (RFC 6986 10.1, output bytes).
func TestDigestVectors(t *testing.T) {
	m1 := []byte("012345678901234567890123456789012345678901234567890123456789012")
	for _, tc := range []struct {
		d    *rawsig.Digest
		in   []byte
		want string
	}{
		{rawsig.SHA256, []byte("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{rawsig.GOST2015_512, m1, "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"},
	} {
		if got := hex.EncodeToString(tc.d.Sum(tc.in)); got != tc.want {
			t.Errorf("%s = %s", tc.d.Name, got)
		}
		if d, ok := rawsig.DigestByOID(tc.d.OID); !ok || d != tc.d {
			t.Errorf("DigestByOID(%s)", tc.d.OID)
		}
	}
}

func BenchmarkSignGOST512(b *testing.B) {
	k, _ := gost.GenerateKey(gost.Curve512A(), rand.Reader)
	data := make([]byte, 1024)
	for b.Loop() {
		if _, err := rawsig.Sign(k, data); err != nil {
			b.Fatal(err)
		}
	}
}
