package core_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/testfeatures"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// certWith makes a self-signed certificate with the given usage and dates.
func certWith(t *testing.T, usage x509.KeyUsage, eku []x509.ExtKeyUsage, ca bool, from, to time.Time) *x509.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "policy"},
		NotBefore: from, NotAfter: to, KeyUsage: usage, ExtKeyUsage: eku, IsCA: ca, BasicConstraintsValid: ca}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckCertificate(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	sign := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	tests := []struct {
		name string
		cert *x509.Certificate
		use  core.Use
		want error
	}{
		{"signing key", certWith(t, sign, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}, false, now.Add(-day), now.Add(day)), core.UseSign, nil},
		{"expired", certWith(t, sign, nil, false, now.Add(-2*day), now.Add(-day)), core.UseSign, core.ErrCertificateExpired},
		{"not yet valid", certWith(t, sign, nil, false, now.Add(day), now.Add(2*day)), core.UseSign, core.ErrCertificateNotYetValid},
		{"auth key for a document", certWith(t, x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, false, now.Add(-day), now.Add(day)), core.UseSign, core.ErrKeyUsage},
		{"auth key for a login", certWith(t, x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, false, now.Add(-day), now.Add(day)), core.UseAuthenticate, nil},
		{"encryption only", certWith(t, x509.KeyUsageKeyEncipherment, nil, false, now.Add(-day), now.Add(day)), core.UseSign, core.ErrKeyUsage},
		{"a CA", certWith(t, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature, nil, true, now.Add(-day), now.Add(day)), core.UseSign, core.ErrKeyUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := core.CheckCertificate(context.Background(), tt.cert, nil, tt.use, now, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var pe *core.PolicyError
			if tt.want == core.ErrCertificateExpired && (!errors.As(err, &pe) || !pe.Date.Equal(tt.cert.NotAfter)) {
				t.Errorf("the error does not carry the expiry date: %v", err)
			}
		})
	}
}

// TestRevokedFromCacheRefused: a certificate the revocation cache knows as
// revoked is refused, with the date, without going to the network.
func TestRevokedFromCacheRefused(t *testing.T) {
	p := gostPKI(t)
	e := p.Find("gost/individual_revoked")
	c := newCore(t)
	// The test PKI's CAs as TEST anchors (the key file has no chain: the
	// issuer comes from the trust store) and its CRLs in the cache.
	if err := testfeatures.Install(c.DataDir, p); err != nil {
		t.Fatal(err)
	}
	ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
	_, err := c.Sign(context.Background(), core.SignRequest{KeyURI: e.P12Path, Format: signer.FormatCMS, Items: []core.Item{{Data: []byte("x")}}}, ui)
	var pe *core.PolicyError
	if !errors.Is(err, core.ErrCertificateRevoked) || !errors.As(err, &pe) || pe.Date.IsZero() {
		t.Fatalf("err = %v, want revoked with a date", err)
	}
}
