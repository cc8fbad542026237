package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

// ecPKI is a tiny ECDSA CA with a leaf, for tests that need no GOST.
type ecPKI struct {
	caKey, leafKey *ecdsa.PrivateKey
	ca, leaf       *x509.Certificate
}

var ecNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func newECPKI(t testing.TB, leafTmpl *x509.Certificate) *ecPKI {
	t.Helper()
	p := &ecPKI{}
	var err error
	if p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if p.leafKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "EC Test CA"},
		NotBefore: ecNow.Add(-24 * time.Hour), NotAfter: ecNow.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	if leafTmpl == nil {
		leafTmpl = &x509.Certificate{}
	}
	leafTmpl.SerialNumber = big.NewInt(1000)
	leafTmpl.Subject = pkix.Name{CommonName: "EC Leaf"}
	leafTmpl.NotBefore, leafTmpl.NotAfter = ecNow.Add(-time.Hour), ecNow.Add(30*24*time.Hour)
	leafTmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if der, err = x509.CreateCertificate(rand.Reader, leafTmpl, p.ca, &p.leafKey.PublicKey, p.caKey); err != nil {
		t.Fatal(err)
	}
	if p.leaf, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	return p
}

// respond makes a response about p.leaf signed by the CA.
func (p *ecPKI) respond(t testing.TB, status CertStatusValue, nonce []byte, this, next time.Time) []byte {
	t.Helper()
	id, err := NewOCSPCertID(p.leaf, p.ca, crypto.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	der, err := CreateOCSPResponse(rand.Reader, p.ca, p.caKey, &OCSPResponseTemplate{
		ProducedAt: this, Nonce: nonce,
		Responses: []OCSPSingleResponse{{CertID: id, Status: status, RevokedAt: this.Add(-time.Hour), Reason: 1, ThisUpdate: this, NextUpdate: next}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// respondAs makes a good response about p.leaf signed by another key.
func (p *ecPKI) respondAs(t testing.TB, cert *x509.Certificate, key crypto.Signer) []byte {
	t.Helper()
	id, _ := NewOCSPCertID(p.leaf, p.ca, crypto.SHA256)
	der, err := CreateOCSPResponse(rand.Reader, cert, key, &OCSPResponseTemplate{ProducedAt: ecNow, Certificates: []*x509.Certificate{cert},
		Responses: []OCSPSingleResponse{{CertID: id, Status: StatusGood, Reason: -1, ThisUpdate: ecNow, NextUpdate: ecNow.Add(time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestOCSPRequestRoundTrip(t *testing.T) {
	p := newECPKI(t, nil)
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		id, err := NewOCSPCertID(p.leaf, p.ca, h)
		if err != nil {
			t.Fatal(err)
		}
		for _, nonce := range [][]byte{nil, bytes.Repeat([]byte{7}, 32)} {
			der, err := MarshalOCSPRequest([]OCSPCertID{id}, nonce)
			if err != nil {
				t.Fatal(err)
			}
			req, err := ParseOCSPRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			if len(req.CertIDs) != 1 || !req.CertIDs[0].Matches(p.ca, p.leaf.SerialNumber) || !bytes.Equal(req.Nonce, nonce) || req.CertIDs[0].Hash != h {
				t.Errorf("hash %v nonce %x: got %+v", h, nonce, req)
			}
		}
	}
	if _, err := ParseOCSPRequest([]byte{0x30, 0}); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty request: %v", err)
	}
}

func TestVerifyOCSPResponse(t *testing.T) {
	p := newECPKI(t, nil)
	other := newECPKI(t, nil)
	nonce := []byte("0123456789abcdef")
	good := p.respond(t, StatusGood, nonce, ecNow, ecNow.Add(time.Hour))
	tests := []struct {
		name    string
		der     []byte
		opts    OCSPVerifyOptions
		issuer  *x509.Certificate
		want    CertStatusValue
		wantErr error
	}{
		{"good", good, OCSPVerifyOptions{Nonce: nonce, Now: ecNow}, p.ca, StatusGood, nil},
		{"revoked", p.respond(t, StatusRevoked, nonce, ecNow, ecNow.Add(time.Hour)), OCSPVerifyOptions{Nonce: nonce, Now: ecNow}, p.ca, StatusRevoked, nil},
		{"unknown", p.respond(t, StatusUnknown, nil, ecNow, time.Time{}), OCSPVerifyOptions{Now: ecNow}, p.ca, StatusUnknown, nil},
		{"nonce mismatch", good, OCSPVerifyOptions{Nonce: []byte("another nonce"), Now: ecNow}, p.ca, "", ErrOCSPNonce},
		{"nonce missing", p.respond(t, StatusGood, nil, ecNow, ecNow.Add(time.Hour)), OCSPVerifyOptions{Nonce: nonce, Now: ecNow}, p.ca, "", ErrOCSPNonce},
		{"stale", good, OCSPVerifyOptions{Nonce: nonce, Now: ecNow.Add(2 * time.Hour)}, p.ca, "", ErrOCSPStale},
		{"future", good, OCSPVerifyOptions{Nonce: nonce, Now: ecNow.Add(-time.Hour)}, p.ca, "", ErrOCSPStale},
		{"no nextUpdate, too old", p.respond(t, StatusGood, nil, ecNow, time.Time{}), OCSPVerifyOptions{Now: ecNow.Add(48 * time.Hour)}, p.ca, "", ErrOCSPStale},
		{"stale but from cache", good, OCSPVerifyOptions{IgnoreTimes: true}, p.ca, StatusGood, nil},
		{"wrong responder", other.respond(t, StatusGood, nil, ecNow, ecNow.Add(time.Hour)), OCSPVerifyOptions{Now: ecNow}, p.ca, "", ErrOCSPResponder},
		{"trusted responder, other certificate", other.respond(t, StatusGood, nil, ecNow, ecNow.Add(time.Hour)), OCSPVerifyOptions{Now: ecNow, TrustedResponders: []*x509.Certificate{other.ca}}, p.ca, "", ErrOCSPNoStatus},
		{"locally trusted responder", p.respondAs(t, other.ca, other.caKey), OCSPVerifyOptions{Now: ecNow, TrustedResponders: []*x509.Certificate{other.ca}}, p.ca, StatusGood, nil},
		{"untrusted responder", p.respondAs(t, other.ca, other.caKey), OCSPVerifyOptions{Now: ecNow}, p.ca, "", ErrOCSPResponder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseOCSPResponse(tt.der)
			if err != nil {
				t.Fatal(err)
			}
			single, err := VerifyOCSPResponse(r, p.leaf, tt.issuer, tt.opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if single.Status != tt.want {
				t.Errorf("status %s, want %s", single.Status, tt.want)
			}
		})
	}
	t.Run("tampered", func(t *testing.T) {
		r, err := ParseOCSPResponse(good)
		if err != nil {
			t.Fatal(err)
		}
		r.TBS = flipped(r.TBS, len(r.TBS)-3)
		if _, err := VerifyOCSPResponse(r, p.leaf, p.ca, OCSPVerifyOptions{Nonce: nonce, Now: ecNow}); !errors.Is(err, ErrOCSPResponder) {
			t.Errorf("tampered response: %v", err)
		}
	})
	t.Run("error status", func(t *testing.T) {
		r, err := ParseOCSPResponse(OCSPErrorResponse(OCSPTryLater))
		if !errors.Is(err, ErrOCSPStatus) || r == nil || r.Status != OCSPTryLater {
			t.Errorf("%v %+v", err, r)
		}
	})
}

func TestDelegatedResponderNeedsEKU(t *testing.T) {
	p := newECPKI(t, &x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	// The leaf, with EKU OCSPSigning, answers for its CA about itself.
	id, _ := NewOCSPCertID(p.leaf, p.ca, crypto.SHA1)
	sign := func(key crypto.Signer, cert *x509.Certificate) *OCSPResponse {
		der, err := CreateOCSPResponse(rand.Reader, cert, key, &OCSPResponseTemplate{ProducedAt: ecNow, ByKey: true, Certificates: []*x509.Certificate{cert},
			Responses: []OCSPSingleResponse{{CertID: id, Status: StatusGood, Reason: -1, ThisUpdate: ecNow}}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseOCSPResponse(der)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if _, err := VerifyOCSPResponse(sign(p.leafKey, p.leaf), p.leaf, p.ca, OCSPVerifyOptions{Now: ecNow}); err != nil {
		t.Errorf("delegated responder with OCSPSigning: %v", err)
	}
	q := newECPKI(t, nil) // a leaf without the EKU
	id2, _ := NewOCSPCertID(q.leaf, q.ca, crypto.SHA1)
	der, _ := CreateOCSPResponse(rand.Reader, q.leaf, q.leafKey, &OCSPResponseTemplate{ProducedAt: ecNow, Certificates: []*x509.Certificate{q.leaf},
		Responses: []OCSPSingleResponse{{CertID: id2, Status: StatusGood, Reason: -1, ThisUpdate: ecNow}}})
	r, _ := ParseOCSPResponse(der)
	if _, err := VerifyOCSPResponse(r, q.leaf, q.ca, OCSPVerifyOptions{Now: ecNow}); !errors.Is(err, ErrOCSPResponder) {
		t.Errorf("responder without OCSPSigning: %v", err)
	}
}

func FuzzParseOCSPResponse(f *testing.F) {
	p := newECPKI(f, nil)
	f.Add(p.respond(f, StatusGood, []byte("nonce"), ecNow, ecNow.Add(time.Hour)))
	f.Add(p.respond(f, StatusRevoked, nil, ecNow, time.Time{}))
	f.Add(OCSPErrorResponse(OCSPTryLater))
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := ParseOCSPResponse(der)
		if err != nil {
			return
		}
		_, _ = VerifyOCSPResponse(r, p.leaf, p.ca, OCSPVerifyOptions{Now: ecNow, Nonce: []byte("nonce")})
	})
}

func FuzzParseOCSPRequest(f *testing.F) {
	p := newECPKI(f, nil)
	id, _ := NewOCSPCertID(p.leaf, p.ca, crypto.SHA1)
	der, _ := MarshalOCSPRequest([]OCSPCertID{id}, []byte("nonce"))
	f.Add(der)
	f.Fuzz(func(t *testing.T, der []byte) {
		req, err := ParseOCSPRequest(der)
		if err != nil {
			return
		}
		for _, id := range req.CertIDs {
			id.Matches(p.ca, p.leaf.SerialNumber)
		}
	})
}
