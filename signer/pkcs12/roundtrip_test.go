package pkcs12

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/internal/ber"
)

const testPassword = "Qoltanba-Тест1"

// testPKI is a three-level ECDSA hierarchy whose leaves certify test keys.
type testPKI struct {
	rootKey, caKey *ecdsa.PrivateKey
	root, ca       *x509.Certificate
}

var (
	pkiOnce sync.Once
	pki     testPKI
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func mustCert(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func template(serial int64, cn string, ca bool) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Country: []string{"KZ"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  ca,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
}

func getPKI(t testing.TB) *testPKI {
	pkiOnce.Do(func() {
		pki.rootKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		pki.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		rt := template(1, "Test Root", true)
		pki.root = mustCert(t, rt, rt, &pki.rootKey.PublicKey, pki.rootKey)
		pki.ca = mustCert(t, template(2, "Test CA", true), pki.root, &pki.caKey.PublicKey, pki.rootKey)
	})
	return &pki
}

func getRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return rsaKey
}

// leafFor issues a leaf certificate for key from the test CA.
func leafFor(t testing.TB, key crypto.Signer) *x509.Certificate {
	p := getPKI(t)
	return mustCert(t, template(100, "ТЕСТОВ ТЕСТ", false), p.ca, key.Public(), p.caKey)
}

// ncaGOSTEntry returns the key and certificate of a real NCA GOST file:
// x509.CreateCertificate cannot issue GOST certificates.
func ncaGOSTEntry(t testing.TB) *Entry {
	path := filepath.Join(sharedDir(t), "testdata", "nca", "gost2015", "legal", "valid", "head.p12")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	f, err := Decode(data, ncaPassword)
	if err != nil {
		t.Fatal(err)
	}
	return f.Entries[0]
}

type keyCase struct {
	name string
	key  crypto.Signer
	cert *x509.Certificate
}

func keyCases(t *testing.T) []keyCase {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := getRSAKey(t)
	cases := []keyCase{
		{"RSA", r, leafFor(t, r)},
		{"ECDSA-P256", ec, leafFor(t, ec)},
	}
	if e := ncaGOSTEntryOrNil(t); e != nil {
		cases = append(cases, keyCase{"GOST-512", e.PrivateKey, e.Certificate})
	}
	return cases
}

func ncaGOSTEntryOrNil(t *testing.T) (e *Entry) {
	ok := t.Run("load-nca-gost", func(t *testing.T) { e = ncaGOSTEntry(t) })
	if !ok {
		t.Fatal("loading the NCA GOST key failed")
	}
	return e
}

func TestRoundTrip(t *testing.T) {
	p := getPKI(t)
	for _, kc := range keyCases(t) {
		for _, layout := range []Layout{LegacyNCA, Modern} {
			name := kc.name + map[Layout]string{LegacyNCA: "/legacy", Modern: "/modern"}[layout]
			t.Run(name, func(t *testing.T) {
				// The chain goes in unordered; Decode must order it.
				data, err := Encode(kc.key, kc.cert, []*x509.Certificate{p.root, p.ca}, testPassword, &Options{Layout: layout})
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				f, err := Decode(data, testPassword)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if len(f.Entries) != 1 || len(f.Certificates) != 3 {
					t.Fatalf("%d entries, %d certificates", len(f.Entries), len(f.Certificates))
				}
				e := f.Entries[0]
				eq, ok := e.PrivateKey.(interface{ Equal(crypto.PrivateKey) bool })
				if !ok || !eq.Equal(kc.key) {
					t.Fatal("decoded key differs")
				}
				if !e.Certificate.Equal(kc.cert) {
					t.Fatal("decoded certificate differs")
				}
				if kc.name != "GOST-512" {
					if len(e.Chain) != 2 || !e.Chain[0].Equal(p.ca) || !e.Chain[1].Equal(p.root) {
						t.Fatalf("chain not ordered leaf→root: %d certificates", len(e.Chain))
					}
				}
				wantMAC := map[Layout]asn1.ObjectIdentifier{LegacyNCA: oidSHA1, Modern: oidSHA256}[layout]
				if !f.MACAlgorithm.Equal(wantMAC) {
					t.Errorf("MAC %s, want %s", f.MACAlgorithm, wantMAC)
				}
				if layout == LegacyNCA && (e.FriendlyName == "" || len(e.LocalKeyID) == 0) {
					t.Error("legacy layout without friendlyName/localKeyId")
				}
				if _, err := Decode(data, "wrong"); !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("wrong password: err = %v", err)
				}
			})
		}
	}
}

func TestEncodeKeyMismatch(t *testing.T) {
	a, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := Encode(a, leafFor(t, b), nil, testPassword, nil); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("err = %v, want ErrKeyMismatch", err)
	}
}

// TestDecodeKeyMismatch pairs a key with a foreign certificate through
// localKeyId: Decode must refuse.
func TestDecodeKeyMismatch(t *testing.T) {
	a, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good, err := Encode(a, leafFor(t, a), nil, testPassword, &Options{LocalKeyID: []byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Encode(b, leafFor(t, b), nil, testPassword, &Options{LocalKeyID: []byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	// Splice: key SafeContents from good, certificate SafeContents from other.
	mixed := splice(t, good, other, testPassword)
	if _, err := Decode(mixed, testPassword); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("err = %v, want ErrKeyMismatch", err)
	}
}

// splice builds a LegacyNCA-layout file from a's key part and b's
// certificate part, with a fresh MAC.
func splice(t testing.TB, a, b []byte, password string) []byte {
	t.Helper()
	parts := func(data []byte) []contentInfo {
		var pfx pfxPDU
		if err := unmarshalExact(data, &pfx); err != nil {
			t.Fatal(err)
		}
		as, err := octetContent(pfx.AuthSafe, "test")
		if err != nil {
			t.Fatal(err)
		}
		var cis []contentInfo
		if err := unmarshalExact(as, &cis); err != nil {
			t.Fatal(err)
		}
		return cis
	}
	return rebuild(t, []contentInfo{parts(a)[0], parts(b)[1]}, password, true)
}

// rebuild writes a PFX around cis, with an HMAC-SHA1 MAC when withMAC.
func rebuild(t testing.TB, cis []contentInfo, password string, withMAC bool) []byte {
	t.Helper()
	authSafe, err := asn1.Marshal(cis)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := dataContentInfo(authSafe)
	if err != nil {
		t.Fatal(err)
	}
	pfx := pfxPDU{Version: 3, AuthSafe: ci}
	if withMAC {
		salt := []byte("12345678")
		pfx.MacData = macData{
			Mac:     digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1}, Digest: computeMAC(sha1New, []byte(password), salt, 1, authSafe)},
			MacSalt: salt, Iterations: 1,
		}
	}
	out, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNoMACWrongPassword: without a MAC, a wrong password shows up as a
// padding or structure failure and must still read as ErrWrongPassword.
func TestNoMACWrongPassword(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, layout := range []Layout{LegacyNCA, Modern} {
		data, err := Encode(k, leafFor(t, k), nil, testPassword, &Options{Layout: layout, Iterations: 1})
		if err != nil {
			t.Fatal(err)
		}
		der, err := ber.ToDER(data)
		if err != nil {
			t.Fatal(err)
		}
		var pfx pfxPDU
		if err := unmarshalExact(der, &pfx); err != nil {
			t.Fatal(err)
		}
		as, _ := octetContent(pfx.AuthSafe, "test")
		var cis []contentInfo
		if err := unmarshalExact(as, &cis); err != nil {
			t.Fatal(err)
		}
		noMAC := rebuild(t, cis, testPassword, false)
		f, err := Decode(noMAC, testPassword)
		if err != nil || f.MACAlgorithm != nil {
			t.Fatalf("layout %d without MAC: %v", layout, err)
		}
		for i := range 20 {
			pw := string(rune('a'+i)) + "wrong"
			if _, err := Decode(noMAC, pw); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("layout %d, password %q: err = %v, want ErrWrongPassword", layout, pw, err)
			}
		}
	}
}

func TestUnsupportedAlgorithm(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	data, err := Encode(k, leafFor(t, k), nil, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pfx pfxPDU
	if err := unmarshalExact(data, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Mac.Algorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 3, 4}
	bad, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(bad, testPassword)
	var ua *UnsupportedAlgorithmError
	if !errors.As(err, &ua) || !ua.OID.Equal(asn1.ObjectIdentifier{1, 2, 3, 4}) || !errors.Is(err, gost.ErrUnsupportedAlgorithm) {
		t.Fatalf("err = %v, want UnsupportedAlgorithmError naming 1.2.3.4", err)
	}
}

func TestIterationLimit(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	data, err := Encode(k, leafFor(t, k), nil, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pfx pfxPDU
	if err := unmarshalExact(data, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = MaxIterations + 1
	bad, _ := asn1.Marshal(pfx)
	if _, err := Decode(bad, testPassword); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	if _, err := Encode(k, leafFor(t, k), nil, testPassword, &Options{Iterations: -1}); err == nil {
		t.Fatal("Encode accepted a negative iteration count")
	}
}

// TestKDFBudget: a file may not multiply the per-derivation iteration limit
// by carrying many encrypted bags.
func TestKDFBudget(t *testing.T) {
	defer func(old int) { maxIterations = old }(maxIterations)
	maxIterations = 1000
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p8, err := marshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	build := func(nbags int) []byte {
		var bags []safeBag
		for range nbags {
			alg, ct, err := encrypt(schemeTripleDES, []byte(testPassword), p8, 1000, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			epki := mustMarshalT(t, encryptedPrivateKeyInfo{Algorithm: alg, EncryptedData: ct})
			bags = append(bags, safeBag{ID: oidPKCS8ShroudedKeyBag, Value: wrap0(epki)})
		}
		ci, err := dataContentInfo(mustMarshalT(t, bags))
		if err != nil {
			t.Fatal(err)
		}
		return rebuild(t, []contentInfo{ci}, testPassword, false)
	}
	if f, err := Decode(build(2), testPassword); err != nil || len(f.Entries) != 2 {
		t.Fatalf("two bags within budget: %v", err)
	}
	if _, err := Decode(build(3), testPassword); !errors.Is(err, ErrMalformed) {
		t.Fatalf("three bags over budget: err = %v, want ErrMalformed", err)
	}
}

func mustMarshalT(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPairByPublicKey: with no localKeyId, keys find their certificates by
// public key, whatever the order of the bags.
func TestPairByPublicKey(t *testing.T) {
	a, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b := getRSAKey(t)
	ca, cb := leafFor(t, a), leafFor(t, b)
	p := getPKI(t)
	var bags []safeBag
	for _, c := range []*x509.Certificate{p.root, cb, p.ca, ca} {
		bags = append(bags, safeBag{ID: oidCertBag, Value: wrap0(mustMarshalT(t, certBag{ID: oidX509Certificate, Data: c.Raw}))})
	}
	for _, k := range []crypto.Signer{a, b} {
		p8, err := marshalPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		bags = append(bags, safeBag{ID: oidKeyBag, Value: wrap0(p8)})
	}
	ci, err := dataContentInfo(mustMarshalT(t, bags))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(rebuild(t, []contentInfo{ci}, testPassword, true), testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 || len(f.Certificates) != 4 {
		t.Fatalf("%d entries, %d certificates", len(f.Entries), len(f.Certificates))
	}
	for i, want := range []*x509.Certificate{ca, cb} {
		e := f.Entries[i]
		if !e.Certificate.Equal(want) {
			t.Fatalf("entry %d paired with the wrong certificate", i)
		}
		if len(e.Chain) != 2 || !e.Chain[0].Equal(p.ca) || !e.Chain[1].Equal(p.root) {
			t.Fatalf("entry %d: chain of %d", i, len(e.Chain))
		}
	}
}

// TestCertificatesOnly: a file without keys reports ErrNoKey.
func TestCertificatesOnly(t *testing.T) {
	p := getPKI(t)
	bags := []safeBag{{ID: oidCertBag, Value: wrap0(mustMarshalT(t, certBag{ID: oidX509Certificate, Data: p.root.Raw}))}}
	ci, err := dataContentInfo(mustMarshalT(t, bags))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(rebuild(t, []contentInfo{ci}, testPassword, true), testPassword); !errors.Is(err, ErrNoKey) {
		t.Fatalf("err = %v, want ErrNoKey", err)
	}
}
