package cms_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost"
)

// Independent decoding of the structure, with encoding/asn1 structs
// written from RFC 5652 rather than the package's own parser.
type tContentInfo struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue `asn1:"explicit,tag:0"`
}

type tSignedData struct {
	Version    int
	DigestAlgs []tAlg `asn1:"set"`
	Encap      struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,optional,tag:0"`
	}
	Certs   asn1.RawValue   `asn1:"optional,tag:0"`
	Signers []asn1.RawValue `asn1:"set"`
}

type tAlg struct {
	OID    asn1.ObjectIdentifier
	Params asn1.RawValue `asn1:"optional"`
}

type tSignerInfo struct {
	Version   int
	SID       asn1.RawValue
	DigestAlg tAlg
	Signed    asn1.RawValue `asn1:"optional,tag:0"`
	SigAlg    tAlg
	Signature []byte
	Unsigned  asn1.RawValue `asn1:"optional,tag:1"`
}

type tAttr struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

func decodeSignedData(t *testing.T, der []byte) tSignedData {
	t.Helper()
	var ci tContentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) > 0 {
		t.Fatalf("content info: %v", err)
	}
	var sd tSignedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatalf("signed data: %v", err)
	}
	return sd
}

func signerInfos(t *testing.T, der []byte) [][]byte {
	sd := decodeSignedData(t, der)
	var out [][]byte
	for _, s := range sd.Signers {
		out = append(out, s.FullBytes)
	}
	return out
}

func decodeSignerInfo(t *testing.T, der []byte) tSignerInfo {
	t.Helper()
	var si tSignerInfo
	if _, err := asn1.Unmarshal(der, &si); err != nil {
		t.Fatalf("signer info: %v", err)
	}
	return si
}

func signatureValue(t *testing.T, der []byte) []byte {
	return decodeSignerInfo(t, signerInfos(t, der)[0]).Signature
}

// TestKalkanLayout checks the structure Kalkan writes, field by field.
func TestKalkanLayout(t *testing.T) {
	g := getGOST(t)
	when := time.Date(2026, 5, 17, 8, 0, 0, 0, time.UTC)
	der, err := cms.Sign(bytes.NewReader([]byte("x")), g.head.key, g.head.cert, g.head.chain, cms.SignOptions{SigningTime: when})
	if err != nil {
		t.Fatal(err)
	}
	sd := decodeSignedData(t, der)
	if sd.Version != 1 {
		t.Errorf("SignedData version %d", sd.Version)
	}
	if len(sd.DigestAlgs) != 1 || !sd.DigestAlgs[0].OID.Equal(gost.OIDDigest2015_512) || !bytes.Equal(sd.DigestAlgs[0].Params.FullBytes, []byte{5, 0}) {
		t.Errorf("digest algorithms %+v (want GOST 34.11-2015-512 with NULL)", sd.DigestAlgs)
	}
	if !sd.Encap.Type.Equal(cms.OIDData) {
		t.Errorf("content type %s", sd.Encap.Type)
	}
	certs := splitSet(t, sd.Certs.Bytes)
	if len(certs) != 1 || !bytes.Equal(certs[0], g.head.cert.Raw) {
		t.Errorf("certificates: %d, want the signer's only", len(certs))
	}
	si := decodeSignerInfo(t, sd.Signers[0].FullBytes)
	if si.Version != 1 {
		t.Errorf("SignerInfo version %d", si.Version)
	}
	var ias struct {
		Issuer asn1.RawValue
		Serial asn1.RawValue
	}
	if _, err := asn1.Unmarshal(si.SID.FullBytes, &ias); err != nil || !bytes.Equal(ias.Issuer.FullBytes, g.head.cert.RawIssuer) {
		t.Errorf("sid is not issuerAndSerialNumber of the signer: %v", err)
	}
	if !si.SigAlg.OID.Equal(gost.OIDSignature2015_512) || !bytes.Equal(si.SigAlg.Params.FullBytes, []byte{5, 0}) {
		t.Errorf("signature algorithm %+v", si.SigAlg)
	}
	if len(si.Signature) != 128 {
		t.Errorf("signature of %d bytes", len(si.Signature))
	}
	// Signed attributes: the four, in DER order.
	elems := splitSet(t, si.Signed.Bytes)
	for i := 1; i < len(elems); i++ {
		if bytes.Compare(elems[i-1], elems[i]) > 0 {
			t.Errorf("signed attributes not sorted at %d", i)
		}
	}
	want := map[string]bool{"1.2.840.113549.1.9.3": true, "1.2.840.113549.1.9.5": true, "1.2.840.113549.1.9.16.2.47": true, "1.2.840.113549.1.9.4": true}
	for _, e := range elems {
		var a tAttr
		if _, err := asn1.Unmarshal(e, &a); err != nil {
			t.Fatal(err)
		}
		if !want[a.Type.String()] {
			t.Errorf("unexpected or repeated attribute %s", a.Type)
		}
		delete(want, a.Type.String())
		switch a.Type.String() {
		case "1.2.840.113549.1.9.5":
			if a.Values[0].Tag != asn1.TagUTCTime || string(a.Values[0].Bytes) != "260517080000Z" {
				t.Errorf("signingTime %x", a.Values[0].FullBytes)
			}
		case "1.2.840.113549.1.9.16.2.47":
			// SigningCertificateV2 { SEQUENCE OF ESSCertIDv2 { certHash, issuerSerial } }.
			var sc struct{ Certs []asn1.RawValue }
			if _, err := asn1.Unmarshal(a.Values[0].FullBytes, &sc); err != nil || len(sc.Certs) != 1 {
				t.Fatalf("signingCertificateV2: %v", err)
			}
			var id struct {
				Hash         []byte
				IssuerSerial struct {
					Names  asn1.RawValue
					Serial asn1.RawValue
				}
			}
			if _, err := asn1.Unmarshal(sc.Certs[0].FullBytes, &id); err != nil {
				t.Fatalf("ESSCertIDv2 (hashAlgorithm must be omitted): %v", err)
			}
			sum := sha256.Sum256(g.head.cert.Raw)
			if !bytes.Equal(id.Hash, sum[:]) {
				t.Error("ESSCertIDv2 hash is not SHA-256 of the certificate")
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("missing attributes %v", want)
	}
}

func splitSet(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		var e asn1.RawValue
		rest, err := asn1.Unmarshal(b, &e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.FullBytes)
		b = rest
	}
	return out
}

func TestSigningTimeGeneralized(t *testing.T) {
	r := getRSA(t)
	when := time.Date(2051, 1, 2, 3, 4, 5, 0, time.UTC)
	der, err := cms.Sign(bytes.NewReader(nil), r.alice.key, r.alice.cert, nil, cms.SignOptions{SigningTime: when})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := cms.Verify(der, nil)
	if err != nil || !evs[0].ClaimedTime.Equal(when) || !evs[0].SignatureValid || !evs[0].DigestValid {
		t.Fatalf("%v %+v", err, evs)
	}
}

func asn1Unmarshal(b []byte, v any) ([]byte, error) { return asn1.Unmarshal(b, v) }

// replaceCert rebuilds a CMS with certificate old replaced by repl,
// re-encoding the lengths around it.
func replaceCert(t *testing.T, der, old, repl []byte) []byte {
	t.Helper()
	var ci tContentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	var sdSeq asn1.RawValue
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sdSeq); err != nil {
		t.Fatal(err)
	}
	fields := splitSet(t, sdSeq.Bytes)
	for i, f := range fields {
		if f[0] == 0xa0 {
			var certs asn1.RawValue
			asn1.Unmarshal(f, &certs)
			fields[i] = wrap(t, asn1.ClassContextSpecific, 0, bytes.Replace(certs.Bytes, old, repl, 1))
		}
	}
	sd := wrap(t, asn1.ClassUniversal, asn1.TagSequence, bytes.Join(fields, nil))
	oid, _ := asn1.Marshal(ci.Type)
	return wrap(t, asn1.ClassUniversal, asn1.TagSequence, append(oid, wrap(t, asn1.ClassContextSpecific, 0, sd)...))
}

func wrap(t *testing.T, class, tag int, body []byte) []byte {
	b, err := asn1.Marshal(asn1.RawValue{Class: class, Tag: tag, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
