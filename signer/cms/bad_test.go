package cms_test

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// TestMalformed: input that is not a CMS gives ErrMalformed, never a panic.
func TestMalformed(t *testing.T) {
	r := getRSA(t)
	good, err := cms.Sign(bytes.NewReader([]byte("x")), r.alice.key, r.alice.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	certOnly := r.alice.cert.Raw
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"garbage", []byte("this is not a signature at all")},
		{"truncated", good[:len(good)/2]},
		{"one byte short", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte{}, good...), 0, 0)},
		{"certificate", certOnly},
		{"bad base64", []byte("MIIB!!!!")},
		{"pem of another type", []byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")},
		{"sequence of nothing", []byte{0x30, 0x00}},
		{"indefinite never closed", []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cms.Verify(tc.in, nil)
			if !errors.Is(err, cms.ErrMalformed) {
				t.Errorf("Verify: %v, want ErrMalformed", err)
			}
			if _, err := cms.CoSign(tc.in, nil, r.bob.key, r.bob.cert, nil, cms.SignOptions{}); !errors.Is(err, cms.ErrMalformed) {
				t.Errorf("CoSign: %v, want ErrMalformed", err)
			}
		})
	}
}

// TestTampered: parseable CMS whose signatures fail are reported in the
// evidence, with the reason.
func TestTampered(t *testing.T) {
	r := getRSA(t)
	g := getGOST(t)
	content := []byte("the agreement text")
	attached, err := cms.Sign(bytes.NewReader(content), g.head.key, g.head.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	detached, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, nil, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	// Swap the signer's certificate for another one (same position).
	swapped := replaceCert(t, detached, r.alice.cert.Raw, r.bob.cert.Raw)
	// A content changed inside the attached CMS (same length).
	modified := bytes.Replace(attached, []byte("agreement"), []byte("AGREEMENT"), 1)
	// A flipped bit in the signature value.
	sig := signatureValue(t, attached)
	flipped := append([]byte{}, sig...)
	flipped[10] ^= 1
	badSig := bytes.Replace(attached, sig, flipped, 1)

	tests := []struct {
		name        string
		der         []byte
		detached    []byte
		digestValid bool
		sigValid    bool
		errPart     string
		noCert      bool
	}{
		{"wrong detached data", detached, []byte("another text"), false, true, "messageDigest does not match", false},
		{"no detached data", detached, nil, false, true, "not given", false},
		{"modified content", modified, nil, false, true, "messageDigest does not match", false},
		{"bad signature", badSig, nil, true, false, "signature over the signed attributes", false},
		{"swapped certificate", swapped, content, true, false, "certificate is not in the CMS", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var evsErr error
			var src *bytes.Reader
			if tc.detached != nil {
				src = bytes.NewReader(tc.detached)
			}
			evs, evsErr := verify(tc.der, src)
			if evsErr != nil {
				t.Fatal(evsErr)
			}
			ev := evs[0]
			if ev.DigestValid != tc.digestValid || ev.SignatureValid != tc.sigValid || !strings.Contains(ev.CryptoError, tc.errPart) {
				t.Errorf("digest %v signature %v error %q; want %v %v %q", ev.DigestValid, ev.SignatureValid, ev.CryptoError, tc.digestValid, tc.sigValid, tc.errPart)
			}
			if (ev.Certificate == nil) != tc.noCert {
				t.Errorf("certificate %v", ev.Certificate)
			}
		})
	}
}

// TestForgedBinding: a certificate with the signer's issuer, serial and
// key but other content (a re-issued certificate) is caught by the
// signingCertificateV2 binding.
func TestForgedBinding(t *testing.T) {
	g := getGOST(t)
	content := []byte("bound")
	der, err := cms.Sign(bytes.NewReader(content), g.head.key, g.head.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ca := g.pki.CA("gost")
	pub, err := rawsig.CertificateKey(g.head.cert)
	if err != nil {
		t.Fatal(err)
	}
	forged := gostCert(t, &x509.Certificate{
		SerialNumber: g.head.cert.SerialNumber, Subject: pkix.Name{CommonName: "SOMEONE ELSE"},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}, pub.(*gost.PublicKey), ca.Cert, ca.Key.(*gost.PrivateKey))
	if !bytes.Equal(forged.RawIssuer, g.head.cert.RawIssuer) {
		t.Fatal("forged certificate has another issuer")
	}
	evs, err := cms.Verify(replaceCert(t, der, g.head.cert.Raw, forged.Raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := evs[0]
	if ev.SignatureValid || ev.SigningCertificateBound || !strings.Contains(ev.CryptoError, "signingCertificateV2 names another certificate") {
		t.Errorf("forged certificate: valid %v bound %v %q", ev.SignatureValid, ev.SigningCertificateBound, ev.CryptoError)
	}
}

func TestDecode(t *testing.T) {
	r := getRSA(t)
	der, err := cms.Sign(bytes.NewReader([]byte("x")), r.alice.key, r.alice.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(der)
	var wrapped strings.Builder
	for i := 0; i < len(b64); i += 76 {
		wrapped.WriteString(b64[i:min(i+76, len(b64))] + "\r\n")
	}
	pkcs7 := strings.ReplaceAll(string(cms.EncodePEM(der)), "CMS", "PKCS7")
	for name, in := range map[string][]byte{
		"der":        der,
		"pem":        cms.EncodePEM(der),
		"pkcs7 pem":  []byte(pkcs7),
		"base64":     []byte(b64),
		"base64 76":  []byte(wrapped.String()),
		"url base64": []byte(base64.RawURLEncoding.EncodeToString(der)),
		"bom base64": append([]byte("\xef\xbb\xbf "), b64...),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := cms.Decode(in)
			if err != nil || !bytes.Equal(got, der) {
				t.Fatalf("Decode: %v", err)
			}
			if evs, err := cms.Verify(in, nil); err != nil || !evs[0].SignatureValid {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}
