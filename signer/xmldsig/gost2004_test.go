package xmldsig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// gost2004Certificate makes a certificate for a GOST 34.310-2004 key:
// crypto/x509 cannot create one, so an ECDSA-signed certificate is made and
// its SubjectPublicKeyInfo swapped for the GOST one before signing again.
// Only the subject key matters to XMLDSig.
func gost2004Certificate(t *testing.T) (*gost.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := gost.GenerateKey(gost.CurveCryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := gost.MarshalPKIXPublicKey(key.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	ecKey, ecCert, err := selfSignedECDSA()
	if err != nil {
		t.Fatal(err)
	}
	var outer struct {
		TBS asn1.RawValue
		Alg asn1.RawValue
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(ecCert.Raw, &outer); err != nil {
		t.Fatal(err)
	}
	var fields []byte
	rest := outer.TBS.Bytes
	for i := 0; len(rest) > 0; i++ {
		var f asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			t.Fatal(err)
		}
		if i == 6 { // version, serial, signature, issuer, validity, subject, SPKI
			fields = append(fields, spki...)
		} else {
			fields = append(fields, f.FullBytes...)
		}
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: fields})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(tbs)
	sig, err := ecdsa.SignASN1(rand.Reader, ecKey, h[:])
	if err != nil {
		t.Fatal(err)
	}
	outer.TBS = asn1.RawValue{FullBytes: tbs}
	outer.Sig = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	der, err := asn1.Marshal(outer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// TestGOST2004 signs and verifies with a GOST 34.310-2004 key (digest
// GOST 34.311-95 with the test S-box). No NCALayer sample of this kind was
// available, so this checks self-consistency and the algorithm URIs only.
func TestGOST2004(t *testing.T) {
	key, cert := gost2004Certificate(t)
	for _, id := range []string{"", "p1"} {
		signed, err := Sign([]byte(agreementXML), key, cert, SignOptions{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := Verify(signed)
		if err != nil {
			t.Fatal(err)
		}
		ev := evs[0]
		if !ev.DigestValid || !ev.SignatureValid || ev.SignatureAlgorithm != "GOST34.310-2004" || ev.DigestAlgorithm != "GOST34.311-95" {
			t.Fatalf("%+v", ev)
		}
		for _, uri := range []string{AlgGOST2004, AlgGOST2004Digest} {
			if !bytes.Contains(signed, []byte(`Algorithm="`+uri+`"`)) {
				t.Errorf("%s not in the signature", uri)
			}
		}
	}
}
