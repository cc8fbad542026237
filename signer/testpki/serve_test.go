package testpki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

func TestLoadRoundTrip(t *testing.T) {
	p := onDisk(t)
	q, err := Load(dirPath, "")
	if err != nil {
		t.Fatal(err)
	}
	if q.Options.BaseURL != p.Options.BaseURL || !q.Options.Now.Equal(p.Options.Now) || len(q.Entities) != len(p.Entities) {
		t.Fatalf("loaded %q %v %d entities", q.Options.BaseURL, q.Options.Now, len(q.Entities))
	}
	for _, ca := range p.AllCAs() {
		var got *CA
		for _, c := range q.AllCAs() {
			if c.Name == ca.Name {
				got = c
			}
		}
		if got == nil || !got.Cert.Equal(ca.Cert) || !bytes.Equal(got.CRLDER, ca.CRLDER) || !got.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(ca.Key.Public()) {
			t.Errorf("CA %s differs after Load", ca.Name)
		}
	}
	for i, e := range p.Entities {
		g := q.Entities[i]
		if g.Name != e.Name || !g.Cert.Equal(e.Cert) || g.Revoked != e.Revoked || !g.RevokedAt.Equal(e.RevokedAt) || g.Issuer.Name != e.Issuer.Name {
			t.Errorf("entity %s differs after Load: revokedAt %v / %v", e.Name, g.RevokedAt, e.RevokedAt)
		}
	}
	for _, s := range p.Services() {
		var got *Service
		for _, x := range q.Services() {
			if x.Name == s.Name {
				got = x
			}
		}
		if got == nil || !got.Cert.Equal(s.Cert) {
			t.Errorf("service %s differs after Load", s.Name)
		}
	}
	if _, err := Load(t.TempDir(), ""); !errors.Is(err, ErrNoManifest) {
		t.Errorf("empty dir: %v", err)
	}
}

func TestServiceCertificates(t *testing.T) {
	p := inMemory(t)
	for _, f := range Families {
		o, ts := p.OCSPResponder(f), p.TSA(f)
		if err := pki.CheckSignatureFrom(o.Cert, p.CA(f).Cert); err != nil {
			t.Error(err)
		}
		if len(o.Cert.ExtKeyUsage) != 1 || o.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageOCSPSigning {
			t.Errorf("%s OCSP EKU %v", f, o.Cert.ExtKeyUsage)
		}
		nocheck := false
		for _, e := range o.Cert.Extensions {
			nocheck = nocheck || e.Id.Equal(oidOCSPNoCheck)
		}
		if !nocheck {
			t.Errorf("%s OCSP responder lacks id-pkix-ocsp-nocheck", f)
		}
		if err := pki.CheckSignatureFrom(ts.Cert, p.CA(f).Cert); err != nil {
			t.Error(err)
		}
		critical := false
		for _, e := range ts.Cert.Extensions {
			critical = critical || e.Id.Equal(oidExtKeyUsage) && e.Critical
		}
		if !critical || len(ts.Cert.ExtKeyUsage) != 1 || ts.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
			t.Errorf("%s TSA EKU %v critical %v", f, ts.Cert.ExtKeyUsage, critical)
		}
	}
}

func TestServerPublishes(t *testing.T) {
	p := inMemory(t)
	srv := httptest.NewServer(NewServer(p))
	defer srv.Close()
	get := func(path string) (int, []byte) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, ca := range p.AllCAs() {
		if code, b := get("/crl/" + ca.Name + ".crl"); code != 200 || !bytes.Equal(b, ca.CRLDER) {
			t.Errorf("%s CRL: %d", ca.Name, code)
		}
		if code, b := get("/ca/" + ca.Name + ".cer"); code != 200 || !bytes.Equal(b, ca.Cert.Raw) {
			t.Errorf("%s cert: %d", ca.Name, code)
		}
	}
	if code, _ := get("/crl/nothing.crl"); code != 404 {
		t.Errorf("unknown CRL: %d", code)
	}
	// Every certificate's addresses map onto the server's paths.
	for _, e := range p.Entities {
		for _, u := range append(append([]string(nil), e.Cert.CRLDistributionPoints...), e.Cert.IssuingCertificateURL...) {
			if code, _ := get(strings.TrimPrefix(u, p.Options.BaseURL)); code != 200 {
				t.Errorf("%s: %s answers %d", e.Name, u, code)
			}
		}
	}
}

func TestOCSPResponder(t *testing.T) {
	p := inMemory(t)
	srv := httptest.NewServer(NewServer(p))
	defer srv.Close()
	ctx := context.Background()
	for _, e := range p.Entities {
		t.Run(e.Name, func(t *testing.T) {
			c := &pki.OCSPClient{URL: srv.URL + "/ocsp"}
			res, err := c.Check(ctx, e.Cert, e.Issuer.Cert)
			if err != nil {
				t.Fatal(err)
			}
			want := pki.StatusGood
			if e.Revoked {
				want = pki.StatusRevoked
			}
			if res.Status != want || e.Revoked && (!res.RevokedAt.Equal(e.RevokedAt) || res.Reason != 1) {
				t.Errorf("status %s at %v reason %d, want %s at %v", res.Status, res.RevokedAt, res.Reason, want, e.RevokedAt)
			}
			if res.Responder == nil || !res.Responder.Equal(p.OCSPResponder(e.Family).Cert) {
				t.Error("response not signed by the family's delegated responder")
			}
		})
	}
	t.Run("issuing CA by the root", func(t *testing.T) {
		c := &pki.OCSPClient{URL: srv.URL + "/ocsp"}
		for _, f := range Families {
			res, err := c.Check(ctx, p.CA(f).Cert, p.Root(f).Cert)
			if err != nil || res.Status != pki.StatusGood || !res.Responder.Equal(p.Root(f).Cert) {
				t.Errorf("%s: %v %+v", f, err, res)
			}
		}
	})
	t.Run("unknown serial", func(t *testing.T) {
		e := p.Find("gost/individual")
		fake := *e.Cert
		fake.SerialNumber = big.NewInt(12345)
		res, err := (&pki.OCSPClient{URL: srv.URL + "/ocsp"}).Check(ctx, &fake, e.Issuer.Cert)
		if err != nil || res.Status != pki.StatusUnknown {
			t.Errorf("%v %+v", err, res)
		}
	})
	t.Run("GET", func(t *testing.T) {
		e := p.Find("gost/individual_revoked")
		id, _ := pki.NewOCSPCertID(e.Cert, e.Issuer.Cert, 0x3) // crypto.SHA1
		req, err := pki.MarshalOCSPRequest([]pki.OCSPCertID{id}, []byte("nonce-1234"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(srv.URL + "/ocsp/" + url.PathEscape(base64.StdEncoding.EncodeToString(req)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		r, err := pki.ParseOCSPResponse(body)
		if err != nil {
			t.Fatal(err)
		}
		single, err := pki.VerifyOCSPResponse(r, e.Cert, e.Issuer.Cert, pki.OCSPVerifyOptions{Nonce: []byte("nonce-1234")})
		if err != nil || single.Status != pki.StatusRevoked {
			t.Errorf("%v %+v", err, single)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"/ocsp", "application/ocsp-request", strings.NewReader("not DER"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if r, err := pki.ParseOCSPResponse(body); !errors.Is(err, pki.ErrOCSPStatus) || r.Status != pki.OCSPMalformedRequest {
			t.Errorf("%v", err)
		}
	})
}

// TestOpenSSLOCSP has OpenSSL's OCSP client ask our RSA responder.
func TestOpenSSLOCSP(t *testing.T) {
	openssl := opensslPath(t)
	p := inMemory(t)
	srv := httptest.NewServer(NewServer(p))
	defer srv.Close()
	dir := t.TempDir()
	root := writePEM(t, dir, "root.pem", "CERTIFICATE", p.Root(FamilyRSA).Cert.Raw)
	ca := writePEM(t, dir, "ca.pem", "CERTIFICATE", p.CA(FamilyRSA).Cert.Raw)
	for _, tt := range []struct{ entity, want string }{
		{"rsa/individual", ": good"},
		{"rsa/individual_revoked", ": revoked"},
	} {
		ee := writePEM(t, dir, "ee.pem", "CERTIFICATE", p.Find(tt.entity).Cert.Raw)
		out, err := exec.Command(openssl, "ocsp", "-issuer", ca, "-cert", ee, "-url", srv.URL+"/ocsp", "-CAfile", root).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: openssl ocsp: %v\n%s", tt.entity, err, out)
		}
		if !strings.Contains(string(out), "Response verify OK") || !strings.Contains(string(out), tt.want) {
			t.Errorf("%s: openssl says:\n%s", tt.entity, out)
		}
	}
}

func TestServe(t *testing.T) {
	onDisk(t)
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(dirPath, "")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ServePKI(ctx, p, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/ca/" + p.CA(FamilyGOST).Name + ".cer")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServePKI did not stop")
	}
	if addr, err := p.Addr(); err != nil || addr != "127.0.0.1:9999" {
		t.Errorf("Addr %q %v", addr, err)
	}
}
