package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// flipped returns a copy of b with one bit changed at position i.
func flipped(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i%len(c)] ^= 0x10
	return c
}

func TestCheckSignatureTampered(t *testing.T) {
	nca := sharedDir(t)
	root := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	for _, pos := range []int{0, 7, 100, 333, len(ca.RawTBSCertificate) - 1} {
		c := *ca
		c.RawTBSCertificate = flipped(ca.RawTBSCertificate, pos)
		if err := CheckSignatureFrom(&c, root); !errors.Is(err, ErrSignatureInvalid) {
			t.Errorf("TBS bit %d flipped: %v", pos, err)
		}
	}
	for _, pos := range []int{0, 31, 64, 127} {
		c := *ca
		c.Signature = flipped(ca.Signature, pos)
		if err := CheckSignatureFrom(&c, root); !errors.Is(err, ErrSignatureInvalid) {
			t.Errorf("signature byte %d flipped: %v", pos, err)
		}
	}
	for _, n := range []int{0, 1, 127, 129, 256} {
		c := *ca
		c.Signature = make([]byte, n)
		if err := CheckSignatureFrom(&c, root); !errors.Is(err, ErrSignatureInvalid) {
			t.Errorf("signature of %d bytes: %v", n, err)
		}
	}

	rsaCA := readCert(t, filepath.Join(nca, "rsa2018/nca_rsa_test.crt"))
	rsaCRL := readCRL(t, filepath.Join(nca, "rsa2018/nca_rsa_test.crl"))
	gostCRL := readCRL(t, filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	for _, tt := range []struct {
		crl    *x509.RevocationList
		issuer *x509.Certificate
	}{{rsaCRL, rsaCA}, {gostCRL, ca}} {
		c := *tt.crl
		c.RawTBSRevocationList = flipped(tt.crl.RawTBSRevocationList, 200)
		if err := CheckCRLSignatureFrom(&c, tt.issuer); !errors.Is(err, ErrSignatureInvalid) {
			t.Errorf("CRL TBS flipped: %v", err)
		}
	}
}

func TestCheckSignatureIssuerNotCA(t *testing.T) {
	nca := sharedDir(t)
	root := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	crl := readCRL(t, filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))

	notCA := *root
	notCA.IsCA = false
	noConstraints := *root
	noConstraints.BasicConstraintsValid = false
	noCertSign := *root
	noCertSign.KeyUsage = x509.KeyUsageDigitalSignature
	for name, parent := range map[string]*x509.Certificate{"not CA": &notCA, "no basic constraints": &noConstraints, "no keyCertSign": &noCertSign} {
		if err := CheckSignatureFrom(ca, parent); !errors.Is(err, ErrIssuerNotCA) {
			t.Errorf("%s: CheckSignatureFrom = %v", name, err)
		}
	}
	noCRLSign := *ca
	noCRLSign.KeyUsage = x509.KeyUsageCertSign
	if err := CheckCRLSignatureFrom(crl, &noCRLSign); !errors.Is(err, ErrIssuerNotCA) {
		t.Errorf("no cRLSign: %v", err)
	}
	if err := CheckSignatureFrom(nil, root); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil child: %v", err)
	}
	if err := CheckCRLSignatureFrom(nil, root); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil CRL: %v", err)
	}
}

func TestVerifySignature(t *testing.T) {
	msg := []byte("Қолтаңба: signed bytes")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h256 := sha256.Sum256(msg)
	h512 := sha512.Sum512(msg)
	rsa256, _ := rsaKey.Sign(rand.Reader, h256[:], crypto.SHA256)
	rsa512, _ := rsaKey.Sign(rand.Reader, h512[:], crypto.SHA512)
	ec256, _ := ecKey.Sign(rand.Reader, h256[:], crypto.SHA256)
	ed := ed25519.Sign(edKey, msg)
	sha1RSA := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	pss := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}

	tests := []struct {
		name string
		pub  crypto.PublicKey
		alg  asn1.ObjectIdentifier
		msg  []byte
		sig  []byte
		want error
	}{
		{"RSA SHA-256", &rsaKey.PublicKey, oidSHA256WithRSA, msg, rsa256, nil},
		{"RSA SHA-512", &rsaKey.PublicKey, oidSHA512WithRSA, msg, rsa512, nil},
		{"RSA wrong hash", &rsaKey.PublicKey, oidSHA384WithRSA, msg, rsa256, ErrSignatureInvalid},
		{"RSA tampered", &rsaKey.PublicKey, oidSHA256WithRSA, flipped(msg, 3), rsa256, ErrSignatureInvalid},
		{"ECDSA P-256", &ecKey.PublicKey, oidECDSAWithSHA256, msg, ec256, nil},
		{"ECDSA tampered", &ecKey.PublicKey, oidECDSAWithSHA256, flipped(msg, 0), ec256, ErrSignatureInvalid},
		{"ECDSA key, RSA algorithm", &ecKey.PublicKey, oidSHA256WithRSA, msg, ec256, ErrSignatureInvalid},
		{"RSA key, ECDSA algorithm", &rsaKey.PublicKey, oidECDSAWithSHA256, msg, rsa256, ErrSignatureInvalid},
		{"Ed25519", edPub, oidEd25519, msg, ed, nil},
		{"Ed25519 tampered", edPub, oidEd25519, flipped(msg, 5), ed, ErrSignatureInvalid},
		{"Ed25519 algorithm, RSA key", &rsaKey.PublicKey, oidEd25519, msg, ed, ErrSignatureInvalid},
		{"GOST algorithm, RSA key", &rsaKey.PublicKey, gost.OIDSignature2015_512, msg, rsa256, ErrSignatureInvalid},
		{"SHA-1 refused", &rsaKey.PublicKey, sha1RSA, msg, rsa256, ErrUnsupportedSignatureAlgorithm},
		{"PSS refused", &rsaKey.PublicKey, pss, msg, rsa256, ErrUnsupportedSignatureAlgorithm},
		{"nil key", nil, oidSHA256WithRSA, msg, rsa256, ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.pub, tt.alg, tt.msg, tt.sig)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("VerifySignature = %v, want %v", err, tt.want)
			}
		})
	}
	err = VerifySignature(&rsaKey.PublicKey, sha1RSA, msg, rsa256)
	if err == nil || !strings.Contains(err.Error(), sha1RSA.String()) {
		t.Errorf("unsupported error does not name the OID: %v", err)
	}
}

func TestParseRevocationListMalformed(t *testing.T) {
	for _, b := range [][]byte{nil, {0x30}, {0x30, 0x00}, {0x30, 0x03, 0x02, 0x01, 0x01}, []byte("not a CRL")} {
		if _, err := ParseRevocationList(b); err == nil {
			t.Errorf("ParseRevocationList(%x) succeeded", b)
		}
	}
}
