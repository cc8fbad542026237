package testpki

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// tsaEKU is the critical id-kp-timeStamping extension RFC 3161 requires
// (crypto/x509 would write ExtKeyUsage non-critical).
func tsaEKU(t *testing.T) pkix.Extension {
	v, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: v}
}

func tsaTemplate(t *testing.T, cn string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:    big.NewInt(time.Now().UnixNano()),
		Subject:         pkix.Name{CommonName: cn, Country: []string{"KZ"}},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().Add(time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions: []pkix.Extension{tsaEKU(t)},
	}
}

// rsaTSA makes a self-contained RSA TSA: a root and a TSA certificate.
func rsaTSA(t *testing.T) (crypto.Signer, *x509.Certificate, []*x509.Certificate) {
	t.Helper()
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TSA TEST ROOT"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tsaTemplate(t, "TSA TEST RSA"), root, &key.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, []*x509.Certificate{root}
}

// gostTSA issues a GOST-512 TSA certificate under a GOST-only test PKI's
// issuing CA, with this package's GOST certificate code.
func gostTSA(t *testing.T) (crypto.Signer, *x509.Certificate, []*x509.Certificate) {
	t.Helper()
	p, err := Generate(Options{Families: []Family{FamilyGOST}})
	if err != nil {
		t.Fatal(err)
	}
	ca := p.CA(FamilyGOST)
	key, err := gost.GenerateKey(gost.Curve512A(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	throw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := createGOSTCertificate(rand.Reader, tsaTemplate(t, "TSA TEST GOST"), ca.Cert, key.PublicKey(),
		gostSigner{key: ca.Key.(*gost.PrivateKey), throw: throw})
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, []*x509.Certificate{ca.Cert, ca.Issuer.Cert}
}

func TestTSAOverHTTP(t *testing.T) {
	for _, tc := range []struct {
		name   string
		make   func(*testing.T) (crypto.Signer, *x509.Certificate, []*x509.Certificate)
		policy asn1.ObjectIdentifier
		digest *rawsig.Digest
	}{
		{"rsa", rsaTSA, TSAPolicyRSA, rawsig.SHA256},
		{"gost", gostTSA, TSAPolicyGOST, rawsig.GOST2015_512},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, cert, chain := tc.make(t)
			tsa := NewTSA(key, cert, chain, tc.policy)
			fixed := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
			tsa.Now = func() time.Time { return fixed }
			srv := httptest.NewServer(tsa)
			defer srv.Close()
			client := &cms.TSAClient{URL: srv.URL, HTTP: srv.Client(), Policy: tc.policy}
			digest := tc.digest.Sum([]byte("stamped"))
			token, err := client.Timestamp(context.Background(), tc.digest.OID, digest)
			if err != nil {
				t.Fatal(err)
			}
			info, err := cms.ParseToken(token)
			if err != nil {
				t.Fatal(err)
			}
			if !info.GenTime.Equal(fixed) || !info.Policy.Equal(tc.policy) || info.Accuracy.Seconds != 1 {
				t.Errorf("TSTInfo %+v", info)
			}
			// Serials are unique.
			token2, err := client.Timestamp(context.Background(), tc.digest.OID, digest)
			if err != nil {
				t.Fatal(err)
			}
			info2, _ := cms.ParseToken(token2)
			if info2.SerialNumber.Cmp(info.SerialNumber) == 0 {
				t.Error("two tokens with one serial number")
			}
		})
	}
}

func TestTSARequests(t *testing.T) {
	key, cert, chain := rsaTSA(t)
	tsa := NewTSA(key, cert, chain, TSAPolicyRSA)
	imprint := func(d *rawsig.Digest, n int) cms.MessageImprint {
		return cms.MessageImprint{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: d.OID}, HashedMessage: make([]byte, n)}
	}
	tests := []struct {
		name    string
		req     *cms.TimeStampReq
		raw     []byte
		status  int
		failBit int
		certs   int
	}{
		{"certReq", &cms.TimeStampReq{Version: 1, MessageImprint: imprint(rawsig.SHA256, 32), CertReq: true, Nonce: big.NewInt(7)}, nil, cms.StatusGranted, -1, 2},
		{"no certReq", &cms.TimeStampReq{Version: 1, MessageImprint: imprint(rawsig.SHA512, 64)}, nil, cms.StatusGranted, -1, 0},
		{"other policy", &cms.TimeStampReq{Version: 1, MessageImprint: imprint(rawsig.SHA256, 32), ReqPolicy: TSAPolicyGOST}, nil, cms.StatusRejection, cms.FailUnacceptedPolicy, 0},
		{"sha1", &cms.TimeStampReq{Version: 1, MessageImprint: imprint(rawsig.SHA1, 20)}, nil, cms.StatusRejection, cms.FailBadAlg, 0},
		{"short imprint", &cms.TimeStampReq{Version: 1, MessageImprint: imprint(rawsig.SHA256, 31)}, nil, cms.StatusRejection, cms.FailBadDataFormat, 0},
		{"garbage", nil, []byte("garbage"), cms.StatusRejection, cms.FailBadRequest, 0},
		{"version 2", &cms.TimeStampReq{Version: 2, MessageImprint: imprint(rawsig.SHA256, 32)}, nil, cms.StatusRejection, cms.FailBadRequest, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.raw
			if tc.req != nil {
				var err error
				if body, err = tc.req.Marshal(); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := cms.ParseTimeStampResp(tsa.Respond(body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status.Status != tc.status {
				t.Fatalf("status %d (%v)", resp.Status.Status, resp.Status.StatusString)
			}
			if tc.failBit >= 0 && resp.Status.FailInfo.At(tc.failBit) != 1 {
				t.Errorf("fail info %x, want bit %d", resp.Status.FailInfo.Bytes, tc.failBit)
			}
			if tc.status != cms.StatusGranted {
				return
			}
			evs, err := cms.Verify(resp.Token.FullBytes, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(evs[0].Certificates); n != tc.certs {
				t.Errorf("%d certificates in the token, want %d", n, tc.certs)
			}
			info, err := cms.ParseToken(resp.Token.FullBytes)
			if err != nil {
				t.Fatal(err)
			}
			if (tc.req.Nonce == nil) != (info.Nonce == nil) || tc.req.Nonce != nil && tc.req.Nonce.Cmp(info.Nonce) != 0 {
				t.Errorf("nonce %v, sent %v", info.Nonce, tc.req.Nonce)
			}
		})
	}
}

func TestTSAHTTPErrors(t *testing.T) {
	key, cert, chain := rsaTSA(t)
	srv := httptest.NewServer(NewTSA(key, cert, chain, TSAPolicyRSA))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %s", resp.Status)
	}
	resp, err = srv.Client().Post(srv.URL, "application/timestamp-query", strings.NewReader(strings.Repeat("x", maxTSARequest+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("huge body: %s", resp.Status)
	}
}
