package pki_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// ncaKeys returns the GOST NCA test key files and whether NCA's test CRL
// (number 166) lists them. The six files under revoked/ are listed with
// reason certificateHold; two files under valid/ (employee.p12 and
// infosystem.p12) are listed too, with reason superseded (NCA revoked them
// on 2026-06-02, after the set was published): the CRL, not the folder
// name, is the truth.
func ncaKeys(t *testing.T, nca string) map[string]bool {
	files, _ := filepath.Glob(filepath.Join(nca, "gost2015/*/*/*.p12"))
	if len(files) == 0 {
		t.Skip("../shared absent: no NCA GOST keys")
	}
	out := map[string]bool{}
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), filepath.ToSlash(nca)+"/")
		out[f] = filepath.Base(filepath.Dir(f)) == "revoked" ||
			rel == "gost2015/legal/valid/employee.p12" || rel == "gost2015/legal/valid/infosystem.p12"
	}
	return out
}

// TestNCARevocationRealCRL checks the NCA test keys against NCA's real test
// CRL, served from a loopback server at the address the certificates name
// (test.pki.gov.kz is unreachable from here): the CRL's GOST signature must
// verify against the real issuing CA, the revoked keys must be listed and
// the valid ones not.
func TestNCARevocationRealCRL(t *testing.T) {
	nca := ncaDir(t)
	ca := mustCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	crlDER, err := os.ReadFile(filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Write(crlDER)
	}))
	defer srv.Close()
	client := &http.Client{Transport: redirect{srv.Listener.Addr().String()}}
	c := &pki.CRLClient{HTTP: client, Cache: &pki.Cache{Dir: t.TempDir()}}
	revoked := 0
	for file, wantRevoked := range ncaKeys(t, nca) {
		leaf := mustP12Cert(t, file)
		name := strings.TrimPrefix(file, nca+"/")
		st, err := c.Status(context.Background(), leaf, ca, false)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (st.Status == pki.StatusRevoked) != wantRevoked {
			t.Errorf("%s: status %s", name, st.Status)
		}
		if st.Status == pki.StatusRevoked {
			revoked++
			t.Logf("%s: revoked %s (%s) per CRL %s number %s", name, st.RevokedAt.Format(time.RFC3339), pki.ReasonName(st.Reason), st.Base.URL, st.Base.CRL.Number)
		}
	}
	if revoked != 8 {
		t.Errorf("%d NCA test keys reported revoked, want 8", revoked)
	}
	if len(paths) == 0 {
		t.Error("the CRL was never downloaded")
	}
}

// TestNCAStatusViaLocalOCSPResponderRealCRL asks a local OCSP responder about
// the NCA test keys. The responder cannot hold NCA's key: it signs with the
// test PKI's GOST responder certificate, which the client trusts locally,
// and takes its revocations from NCA's real test CRL.
func TestNCAStatusViaLocalOCSPResponderRealCRL(t *testing.T) {
	nca := ncaDir(t)
	e := testEnv(t)
	ca := mustCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	crlDER, err := os.ReadFile(filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.ParseRevocationList(crlDER)
	if err != nil {
		t.Fatal(err)
	}
	if err := pki.CheckCRLSignatureFrom(crl, ca); err != nil {
		t.Fatalf("real CRL does not verify against the real issuing CA: %v", err)
	}
	svc := e.p.OCSPResponder(testpki.FamilyGOST)
	responder := &testpki.OCSPResponder{Authorities: []*testpki.OCSPAuthority{{Issuer: ca, CRL: crl, Signer: svc.Cert, Key: svc.Key}}}
	srv := httptest.NewServer(responder)
	defer srv.Close()
	trusted := &pki.OCSPClient{URL: srv.URL, TrustedResponders: []*x509.Certificate{svc.Cert}}
	untrusted := &pki.OCSPClient{URL: srv.URL}
	for file, wantRevoked := range ncaKeys(t, nca) {
		leaf := mustP12Cert(t, file)
		name := strings.TrimPrefix(file, nca+"/")
		res, err := trusted.Check(context.Background(), leaf, ca)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (res.Status == pki.StatusRevoked) != wantRevoked || !res.Responder.Equal(svc.Cert) {
			t.Errorf("%s: status %s", name, res.Status)
		}
		if _, err := untrusted.Check(context.Background(), leaf, ca); err == nil {
			t.Errorf("%s: a responder NCA did not certify was accepted without local trust", name)
		}
	}
}

// TestVerifierNCARealCRL runs the whole verifier over the NCA test keys
// (evidence as a format verifier would give it), with revocation from NCA's
// real test CRL: keys on the CRL fail when the claimed signing time is
// after their revocation, the others pass.
func TestVerifierNCARealCRL(t *testing.T) {
	nca := ncaDir(t)
	crlDER, err := os.ReadFile(filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(crlDER) }))
	defer srv.Close()
	client := &http.Client{Transport: redirect{srv.Listener.Addr().String()}}
	trust := pki.NewTrustStore("")
	if _, err := trust.LoadFile(filepath.Join(nca, "gost2015/root_test_gost_2022.cer")); err != nil {
		t.Fatal(err)
	}
	ca := mustCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	v := &pki.Verifier{Trust: trust, HTTP: client, Revocation: &pki.Revocation{CRL: &pki.CRLClient{HTTP: client}}}
	for file, revoked := range ncaKeys(t, nca) {
		leaf := mustP12Cert(t, file)
		ev := pki.Evidence{Format: "xmldsig", DigestValid: true, SignatureValid: true, Certificate: leaf,
			Certificates: []*x509.Certificate{ca}, ClaimedTime: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
		s := v.Verify(context.Background(), []pki.Evidence{ev}).Signatures[0]
		want, sub := pki.TotalPassed, pki.SubIndication("")
		if revoked {
			want, sub = pki.TotalFailed, pki.Revoked
		}
		if s.Indication != want || s.SubIndication != sub || s.StatusNow.Source != "CRL" {
			t.Errorf("%s: %s/%s source %s %v", filepath.Base(file), s.Indication, s.SubIndication, s.StatusNow.Source, s.Errors)
		}
	}
}
