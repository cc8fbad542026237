package gost

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var pkixCurves = []struct {
	name  string
	curve *Curve
	key   asn1.ObjectIdentifier
}{
	{"2015-512", Curve512A(), OIDPublicKey2015_512},
	{"2015-256", Curve256A(), OIDPublicKey2015_256},
	{"2004", CurveCryptoProA(), OIDPublicKey2004},
}

func TestPKCS8RoundTrip(t *testing.T) {
	for _, tc := range pkixCurves {
		t.Run(tc.name, func(t *testing.T) {
			k, err := GenerateKey(tc.curve, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			der, err := MarshalPKCS8PrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			var pki privateKeyInfo
			if _, err := asn1.Unmarshal(der, &pki); err != nil {
				t.Fatal(err)
			}
			if !pki.Algorithm.Algorithm.Equal(tc.key) {
				t.Fatalf("algorithm %s, want %s", pki.Algorithm.Algorithm, tc.key)
			}
			// The NCA layouts: 2015 an OCTET STRING of 64/32 bytes, 2004 an INTEGER.
			wantTag := byte(asn1.TagOctetString)
			if tc.curve == CurveCryptoProA() {
				wantTag = asn1.TagInteger
			}
			if pki.PrivateKey[0] != wantTag {
				t.Fatalf("privateKey holds tag %d, want %d", pki.PrivateKey[0], wantTag)
			}
			got, err := ParsePKCS8PrivateKey(der)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(k) {
				t.Fatal("PKCS#8 round trip changed the key")
			}
			if !IsPublicKeyOID(tc.key) {
				t.Fatal("IsPublicKeyOID false")
			}
		})
	}
}

func TestPKCS8ScalarForms(t *testing.T) {
	k, err := GenerateKey(Curve256A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ai, _ := keyAlgorithm(Curve256A())
	d := k.Bytes()
	defer clear(d)
	be := make([]byte, len(d))
	for i := range d {
		be[len(d)-1-i] = d[i]
	}
	intDER, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagInteger, Bytes: append([]byte{0}, be...)})
	octDER, _ := asn1.Marshal(d)
	for name, body := range map[string][]byte{"integer": intDER, "octet string": octDER} {
		der, err := asn1.Marshal(privateKeyInfo{Algorithm: ai, PrivateKey: body})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePKCS8PrivateKey(der)
		if err != nil || !got.Equal(k) {
			t.Errorf("%s form: %v", name, err)
		}
	}
}

func TestPKCS8Errors(t *testing.T) {
	ai, _ := keyAlgorithm(Curve256A())
	unknown := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 398, 9, 9}}
	badSet := ai
	badSet.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, []asn1.ObjectIdentifier{OIDParamSet2015_512A, OIDDigest2015_256})}
	zero32, _ := asn1.Marshal(make([]byte, 32))
	short, _ := asn1.Marshal(make([]byte, 31))
	negInt, _ := asn1.Marshal(-5)
	tests := []struct {
		name string
		pki  privateKeyInfo
		want error
	}{
		{"unknown algorithm", privateKeyInfo{Algorithm: unknown, PrivateKey: zero32}, ErrUnsupportedAlgorithm},
		{"wrong parameter set", privateKeyInfo{Algorithm: badSet, PrivateKey: zero32}, ErrUnsupportedAlgorithm},
		{"zero scalar", privateKeyInfo{Algorithm: ai, PrivateKey: zero32}, ErrInvalidPrivateKey},
		{"short scalar", privateKeyInfo{Algorithm: ai, PrivateKey: short}, ErrInvalidPrivateKey},
		{"negative integer", privateKeyInfo{Algorithm: ai, PrivateKey: negInt}, ErrInvalidPrivateKey},
		{"empty", privateKeyInfo{Algorithm: ai}, ErrInvalidPrivateKey},
		{"bare scalar", privateKeyInfo{Algorithm: ai, PrivateKey: bytes.Repeat([]byte{0x11}, 32)}, ErrInvalidPrivateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePKCS8PrivateKey(mustMarshal(t, tt.pki))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	_, err := ParsePKCS8PrivateKey(mustMarshal(t, privateKeyInfo{Algorithm: unknown, PrivateKey: zero32}))
	var ua *UnsupportedAlgorithmError
	if !errors.As(err, &ua) || !ua.OID.Equal(unknown.Algorithm) {
		t.Fatalf("err = %v, want UnsupportedAlgorithmError naming %s", err, unknown.Algorithm)
	}
	if _, err := ParsePKCS8PrivateKey([]byte{0x30, 0x80}); err == nil {
		t.Fatal("garbage accepted")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPKIXRoundTrip(t *testing.T) {
	for _, tc := range pkixCurves {
		k, err := GenerateKey(tc.curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := MarshalPKIXPublicKey(k.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !pub.Equal(k.PublicKey()) {
			t.Fatalf("%s: round trip changed the key", tc.name)
		}
	}
}

func TestPKIXErrors(t *testing.T) {
	k, err := GenerateKey(Curve256A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ai, _ := keyAlgorithm(Curve256A())
	xy := k.PublicKey().Bytes()
	bad := bytes.Clone(xy)
	bad[0] ^= 1
	spki := func(ai pkix.AlgorithmIdentifier, key []byte) []byte {
		inner := mustMarshal(t, key)
		return mustMarshal(t, subjectPublicKeyInfo{Algorithm: ai, PublicKey: asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)}})
	}
	unknown := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}}
	tests := []struct {
		name string
		der  []byte
		want error
	}{
		{"not on curve", spki(ai, bad), ErrInvalidPublicKey},
		{"wrong length", spki(ai, xy[:63]), ErrInvalidPublicKey},
		{"ECDSA key", spki(unknown, xy), ErrUnsupportedAlgorithm},
	}
	for _, tt := range tests {
		if _, err := ParsePKIXPublicKey(tt.der); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := ParsePKIXPublicKey(append(spki(ai, xy), 0)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestSignatureAlgorithms(t *testing.T) {
	tests := []struct {
		oid   asn1.ObjectIdentifier
		name  string
		curve *Curve
	}{
		{OIDSignature2015_512, "GOST34.10-2015-512", Curve512A()},
		{OIDSignature2015_256, "GOST34.10-2015-256", Curve256A()},
		{OIDSignature2004, "GOST34.310-2004", CurveCryptoProA()},
	}
	for _, tt := range tests {
		a, ok := SignatureAlgorithmByOID(tt.oid)
		if !ok || a.Name != tt.name || a.Curve != tt.curve {
			t.Fatalf("SignatureAlgorithmByOID(%s) = %+v, %v", tt.oid, a, ok)
		}
		if SignatureAlgorithmForCurve(tt.curve) != a {
			t.Fatalf("SignatureAlgorithmForCurve(%s) differs", tt.curve.Name())
		}
		if n := a.NewHash().Size(); n != tt.curve.Size() {
			t.Fatalf("%s: hash of %d bytes for a %d-byte curve", tt.name, n, tt.curve.Size())
		}
	}
	if _, ok := SignatureAlgorithmByOID(OIDPublicKey2015_512); ok {
		t.Fatal("a key OID resolved as a signature algorithm")
	}
}

// TestNCACertificates parses the NCA GOST test CA certificates, checks that
// MarshalPKIXPublicKey reproduces their SubjectPublicKeyInfo byte for byte,
// and verifies their signatures through SignatureAlgorithmByOID.
func TestNCACertificates(t *testing.T) {
	dir := sharedDir(t)
	load := func(name string) *x509.Certificate {
		der, err := os.ReadFile(filepath.Join(dir, "testdata", "nca", "gost2015", name))
		if err != nil {
			t.Skipf("../shared absent: %v", err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	root, ca := load("root_test_gost_2022.cer"), load("nca_gost2022_test.cer")
	for _, pair := range []struct{ cert, issuer *x509.Certificate }{{root, root}, {ca, root}} {
		pub, err := PublicKeyFromCertificate(pair.cert)
		if err != nil {
			t.Fatal(err)
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil || !bytes.Equal(again, pair.cert.RawSubjectPublicKeyInfo) {
			t.Fatalf("%s: SubjectPublicKeyInfo not reproduced (%v)", pair.cert.Subject.CommonName, err)
		}
		var outer struct {
			TBS       asn1.RawValue
			Algorithm pkix.AlgorithmIdentifier
			Signature asn1.BitString
		}
		if _, err := asn1.Unmarshal(pair.cert.Raw, &outer); err != nil {
			t.Fatal(err)
		}
		alg, ok := SignatureAlgorithmByOID(outer.Algorithm.Algorithm)
		if !ok {
			t.Fatalf("unknown signature algorithm %s", outer.Algorithm.Algorithm)
		}
		issuerPub, err := PublicKeyFromCertificate(pair.issuer)
		if err != nil {
			t.Fatal(err)
		}
		h := alg.NewHash()
		h.Write(pair.cert.RawTBSCertificate)
		if !Verify(issuerPub, h.Sum(nil), outer.Signature.Bytes) {
			t.Fatalf("%s: signature does not verify with %s", pair.cert.Subject.CommonName, alg.Name)
		}
	}
}

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	for _, c := range []*Curve{Curve512A(), Curve256A(), CurveCryptoProA()} {
		k, err := GenerateKey(c, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		der, err := MarshalPKCS8PrivateKey(k)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	// Regression: a 2004 key whose INTEGER encoding is exactly 32 bytes was
	// once mistaken for a bare little-endian scalar.
	f.Add([]byte("0O\x02\x01\x000%\x06\t*\x83\x0e\x03\n\x01\x01\x01\x010\x18\x06\n*\x83\x0e\x03\n\x01\x01\x01\x01\x01\x06\n0000000000\x04#\x02!\x00\x00\x00\x7f00000000000000000000000000000"))
	f.Fuzz(func(t *testing.T, der []byte) {
		k, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := ParsePKCS8PrivateKey(again)
		if err != nil || !k2.Equal(k) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, c := range []*Curve{Curve512A(), Curve256A(), CurveCryptoProA()} {
		k, err := GenerateKey(c, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		der, err := MarshalPKIXPublicKey(k.PublicKey())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		if _, err := MarshalPKIXPublicKey(pub); err != nil {
			t.Fatal(err)
		}
	})
}
