package pkcs12

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/internal/ber"
)

func TestDecodeNCA(t *testing.T) {
	for _, path := range ncaFiles(t) {
		name, _ := filepath.Rel(filepath.Join(sharedDir(t), "testdata", "nca"), path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Decode(data, ncaPassword)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(f.Entries) != 1 {
				t.Fatalf("%d entries, want 1", len(f.Entries))
			}
			e := f.Entries[0]
			if e.Certificate == nil {
				t.Fatal("no certificate paired with the key")
			}
			if gk, ok := e.PrivateKey.(*gost.PrivateKey); ok {
				pub, err := gost.PublicKeyFromCertificate(e.Certificate)
				if err != nil {
					t.Fatalf("certificate key: %v", err)
				}
				if !gk.PublicKey().Equal(pub) {
					t.Fatal("d·G differs from the certificate's public key")
				}
			} else if !keyMatches(e.PrivateKey, e.Certificate) {
				t.Fatal("key differs from the certificate's public key")
			}
			// NCA sets localKeyId to the SubjectKeyId and friendlyName to its hex.
			if !bytes.Equal(e.LocalKeyID, e.Certificate.SubjectKeyId) {
				t.Errorf("localKeyId %x, SubjectKeyId %x", e.LocalKeyID, e.Certificate.SubjectKeyId)
			}
			if e.FriendlyName == "" {
				t.Error("no friendlyName")
			}
			if !f.MACAlgorithm.Equal(oidSHA1) || f.MACIterations != 1024 {
				t.Errorf("MAC %s/%d, want SHA-1/1024", f.MACAlgorithm, f.MACIterations)
			}
			for i, c := range e.Chain {
				prev := e.Certificate
				if i > 0 {
					prev = e.Chain[i-1]
				}
				if !bytes.Equal(prev.RawIssuer, c.RawSubject) {
					t.Errorf("chain[%d] is not the issuer of its predecessor", i)
				}
			}
			t.Logf("%T %q subject %q, chain %d, certs %d", e.PrivateKey, e.FriendlyName, e.Certificate.Subject.CommonName, len(e.Chain), len(f.Certificates))
		})
	}
}

func TestDecodeNCAWrongPassword(t *testing.T) {
	for _, path := range ncaFiles(t)[:2] {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"", "qwerty12", "Qwerty123", "Qwerty1"} {
			if _, err := Decode(data, pw); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("%s with %q: err = %v, want ErrWrongPassword", filepath.Base(path), pw, err)
			}
		}
	}
}

// TestDecodeNCADamaged truncates and flips bits of a real file: every
// result must be ErrMalformed or ErrWrongPassword, never a panic.
func TestDecodeNCADamaged(t *testing.T) {
	files := ncaFiles(t)
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	step := 1
	if testing.Short() {
		step = 7
	}
	check := func(what string, b []byte) {
		_, err := Decode(b, ncaPassword)
		if err == nil {
			return // a flip in a padding or unused byte may be harmless
		}
		// A flip inside an algorithm OID turns it into an OID we do not
		// know, which is indistinguishable from a genuinely unsupported
		// algorithm: UnsupportedAlgorithmError is the honest answer there.
		var ua *UnsupportedAlgorithmError
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrWrongPassword) && !errors.As(err, &ua) {
			t.Errorf("%s: err = %v, want ErrMalformed or ErrWrongPassword", what, err)
		}
	}
	for n := 0; n < len(data); n += step * 3 {
		check("truncated", data[:n])
	}
	for i := 0; i < len(data); i += step {
		b := bytes.Clone(data)
		b[i] ^= 1 << (i % 8)
		check("flipped", b)
	}
}

func BenchmarkDecodeNCA(b *testing.B) {
	path := filepath.Join(sharedDir(b), "testdata", "nca", "gost2015", "legal", "valid", "head.p12")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("../shared absent: %v", err)
	}
	for b.Loop() {
		if _, err := Decode(data, ncaPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNCAPKCS8Layout decrypts the key bag of every NCA GOST file and checks
// that gost.MarshalPKCS8PrivateKey reproduces NCA's PrivateKeyInfo byte for
// byte, so NCA's tools can read the keys we write.
func TestNCAPKCS8Layout(t *testing.T) {
	for _, path := range ncaFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Decode(data, ncaPassword)
		if err != nil {
			t.Fatal(err)
		}
		k, ok := f.Entries[0].PrivateKey.(*gost.PrivateKey)
		if !ok {
			continue
		}
		orig := ncaKeyBagPlaintext(t, data)
		ours, err := gost.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(orig, ours) {
			t.Errorf("%s: our PKCS#8 differs from NCA's (%d vs %d bytes)", filepath.Base(path), len(ours), len(orig))
		}
		clear(orig)
		clear(ours)
	}
}

// ncaKeyBagPlaintext returns the decrypted PKCS#8 of a file's first
// shrouded key bag, as stored (BER is not normalised).
func ncaKeyBagPlaintext(t *testing.T, data []byte) []byte {
	t.Helper()
	der, err := ber.ToDER(data)
	if err != nil {
		t.Fatal(err)
	}
	var pfx pfxPDU
	if err := unmarshalExact(der, &pfx); err != nil {
		t.Fatal(err)
	}
	as, _ := octetContent(pfx.AuthSafe, "test")
	asDER, err := ber.ToDER(as)
	if err != nil {
		t.Fatal(err)
	}
	var cis []contentInfo
	if err := unmarshalExact(asDER, &cis); err != nil {
		t.Fatal(err)
	}
	for _, ci := range cis {
		if !ci.ContentType.Equal(oidData) {
			continue
		}
		safe, _ := octetContent(ci, "test")
		safeDER, err := ber.ToDER(safe)
		if err != nil {
			t.Fatal(err)
		}
		var bags []safeBag
		if err := unmarshalExact(safeDER, &bags); err != nil {
			t.Fatal(err)
		}
		for _, b := range bags {
			if !b.ID.Equal(oidPKCS8ShroudedKeyBag) {
				continue
			}
			v, _ := explicit0(b.Value)
			var epki encryptedPrivateKeyInfo
			if err := unmarshalExact(v, &epki); err != nil {
				t.Fatal(err)
			}
			plain, err := decrypt(epki.Algorithm, []byte(ncaPassword), epki.EncryptedData, nil)
			if err != nil {
				t.Fatal(err)
			}
			return plain
		}
	}
	t.Fatal("no shrouded key bag")
	return nil
}
