package pki_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// evidence is what a format verifier would report for a good signature by e.
func evidence(e *testpki.Entity) pki.Evidence {
	return pki.Evidence{
		Format: "cms", Scope: "attached content", DigestAlgorithm: "GOST34.11-2015-512", ScopeDigest: []byte{1, 2, 3},
		SignatureAlgorithm: "GOST34.10-2015-512", DigestValid: true, SignatureValid: true,
		Certificate: e.Cert, Certificates: []*x509.Certificate{e.Cert, e.Issuer.Cert}, SigningCertificateBound: true,
	}
}

// stamped adds a valid timestamp by the family's TSA at t.
func stamped(e *env, ev pki.Evidence, f testpki.Family, t time.Time) pki.Evidence {
	tsa := e.p.TSA(f)
	ev.Timestamps = append(ev.Timestamps, pki.TimestampEvidence{Time: t, Valid: true, Certificate: tsa.Cert, Certificates: tsa.Chain()})
	return ev
}

func claimed(ev pki.Evidence, t time.Time) pki.Evidence {
	ev.ClaimedTime = t
	return ev
}

func TestVerifierTestPKI(t *testing.T) {
	e := testEnv(t)
	good := e.p.Find("gost/legal_head")
	revoked := e.p.Find("gost/individual_revoked")
	expired := e.p.Find("gost/individual_expired")
	now := time.Now()
	hashBad := evidence(good)
	hashBad.DigestValid, hashBad.CryptoError = false, "messageDigest mismatch"
	sigBad := evidence(good)
	sigBad.SignatureValid = false
	noCert := evidence(good)
	noCert.Certificate = nil
	tests := []struct {
		name     string
		ev       pki.Evidence
		want     pki.Indication
		sub      pki.SubIndication
		atSign   pki.CertStatusValue
		nowSt    pki.CertStatusValue
		noteCode string
	}{
		{"good, claimed time", claimed(evidence(good), now.Add(-time.Minute)), pki.TotalPassed, "", pki.StatusGood, pki.StatusGood, ""},
		{"good RSA, timestamp", stamped(e, evidence(e.p.Find("rsa/legal_head")), testpki.FamilyRSA, now.Add(-time.Minute)), pki.TotalPassed, "", pki.StatusGood, pki.StatusGood, ""},
		{"good, no time", evidence(good), pki.TotalPassed, "", pki.StatusGood, pki.StatusGood, ""},
		{"revoked before the claimed time", claimed(evidence(revoked), revoked.RevokedAt.Add(10*time.Minute)), pki.TotalFailed, pki.Revoked, pki.StatusRevoked, pki.StatusRevoked, ""},
		{"revoked before the timestamp", stamped(e, evidence(revoked), testpki.FamilyGOST, revoked.RevokedAt.Add(time.Minute)), pki.TotalFailed, pki.Revoked, pki.StatusRevoked, pki.StatusRevoked, ""},
		{"revoked after the claimed time", claimed(evidence(revoked), revoked.RevokedAt.Add(-10*time.Minute)), pki.Indeterminate, pki.RevokedNoPOE, pki.StatusGood, pki.StatusRevoked, ""},
		{"revoked after the timestamp", stamped(e, evidence(revoked), testpki.FamilyGOST, revoked.RevokedAt.Add(-10*time.Minute)), pki.TotalPassed, "", pki.StatusGood, pki.StatusRevoked, pki.MsgRevokedAfterSigning},
		{"revoked, no time", evidence(revoked), pki.Indeterminate, pki.RevokedNoPOE, pki.StatusRevoked, pki.StatusRevoked, ""},
		{"expired, no time", evidence(expired), pki.Indeterminate, pki.OutOfBoundsNoPOE, "", "", ""},
		{"expired, claimed inside validity", claimed(evidence(expired), expired.Cert.NotAfter.Add(-24*time.Hour)), pki.Indeterminate, pki.OutOfBoundsNoPOE, pki.StatusGood, pki.StatusGood, ""},
		{"expired, timestamp inside validity", stamped(e, evidence(expired), testpki.FamilyGOST, expired.Cert.NotAfter.Add(-24*time.Hour)), pki.TotalPassed, "", pki.StatusGood, pki.StatusGood, pki.MsgExpiredAfterSigning},
		{"expired, claimed after expiry", claimed(evidence(expired), expired.Cert.NotAfter.Add(time.Hour)), pki.TotalFailed, pki.Expired, "", "", ""},
		{"claimed before the certificate", claimed(evidence(good), good.Cert.NotBefore.Add(-time.Hour)), pki.TotalFailed, pki.NotYetValid, "", "", ""},
		{"digest mismatch", hashBad, pki.TotalFailed, pki.HashFailure, "", "", ""},
		{"signature value", sigBad, pki.TotalFailed, pki.SigCryptoFailure, "", "", ""},
		{"no certificate", noCert, pki.Indeterminate, pki.NoSigningCertificateFound, "", "", ""},
	}
	v := &pki.Verifier{Trust: e.trust(), Cache: &pki.Cache{Dir: t.TempDir()}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v.Verify(context.Background(), []pki.Evidence{tt.ev})
			s := r.Signatures[0]
			if s.Indication != tt.want || s.SubIndication != tt.sub {
				var buf bytes.Buffer
				r.Text(&buf)
				t.Fatalf("%s/%s, want %s/%s\n%s", s.Indication, s.SubIndication, tt.want, tt.sub, buf.String())
			}
			if tt.atSign != "" && (s.StatusAtSigning.Status != tt.atSign || s.StatusNow.Status != tt.nowSt || s.StatusNow.Source != "OCSP") {
				t.Errorf("status at signing %+v, now %+v", s.StatusAtSigning, s.StatusNow)
			}
			if tt.noteCode != "" && (len(s.Notes) == 0 || s.Notes[0].Code != tt.noteCode) {
				t.Errorf("notes %v, want %s", s.Notes, tt.noteCode)
			}
			if tt.want == pki.TotalPassed && (len(s.Chain) != 3 || s.Anchor == "" || s.Signer.CommonName == "") {
				t.Errorf("chain %v anchor %q signer %q", s.Chain, s.Anchor, s.Signer.CommonName)
			}
		})
	}

	t.Run("untrusted root", func(t *testing.T) {
		r := (&pki.Verifier{Trust: pki.NewTrustStore("")}).Verify(context.Background(), []pki.Evidence{evidence(good)})
		if s := r.Signatures[0]; s.Indication != pki.Indeterminate || s.SubIndication != pki.NoCertificateChainFound {
			t.Errorf("%s/%s", s.Indication, s.SubIndication)
		}
	})
	t.Run("timestamp by an untrusted TSA is ignored", func(t *testing.T) {
		ev := stamped(e, evidence(revoked), testpki.FamilyGOST, revoked.RevokedAt.Add(-10*time.Minute))
		ev.Timestamps[0].Certificate = good.Cert // not a TSA
		r := v.Verify(context.Background(), []pki.Evidence{ev})
		if s := r.Signatures[0]; s.Indication != pki.Indeterminate || s.SubIndication != pki.RevokedNoPOE || len(s.Warnings) == 0 {
			t.Errorf("%s/%s %v", s.Indication, s.SubIndication, s.Warnings)
		}
	})
}

func TestVerifierOfflineCache(t *testing.T) {
	e := testEnv(t)
	good := e.p.Find("rsa/individual")
	revoked := e.p.Find("gost/individual_revoked")
	evs := []pki.Evidence{evidence(good), evidence(revoked)}
	cache := &pki.Cache{Dir: t.TempDir()}
	ctx := context.Background()

	// Server down, nothing cached: the status cannot be had now.
	e.down.Store(true)
	r := (&pki.Verifier{Trust: e.trust(), Cache: cache}).Verify(ctx, evs[:1])
	e.down.Store(false)
	if s := r.Signatures[0]; s.Indication != pki.Indeterminate || s.SubIndication != pki.TryLater || s.StatusNow.Source != "unknown" {
		t.Errorf("server down: %s/%s %v", s.Indication, s.SubIndication, s.Errors)
	}
	r = (&pki.Verifier{Trust: e.trust(), Cache: &pki.Cache{Dir: t.TempDir()}, Offline: true}).Verify(ctx, evs[:1])
	if s := r.Signatures[0]; s.Indication != pki.Indeterminate || s.SubIndication != pki.TryLater || len(s.Errors) == 0 || !strings.Contains(s.Errors[0].Text, "offline") {
		t.Errorf("offline, empty cache: %s/%s %v", s.Indication, s.SubIndication, s.Errors)
	}

	// Online once: OCSP answers and the cache fills.
	online := &pki.Verifier{Trust: e.trust(), Cache: cache}
	r = online.Verify(ctx, evs)
	if r.Signatures[0].Indication != pki.TotalPassed || r.Signatures[0].StatusNow.Source != "OCSP" {
		t.Fatalf("online: %+v", r.Signatures[0])
	}
	if r.ExitCode() != 2 {
		t.Errorf("exit code %d with one revoked-no-POE signature", r.ExitCode())
	}

	// Offline: the same statuses from the cache, with their date, and the
	// server is not asked.
	e.down.Store(true)
	defer e.down.Store(false)
	offline := &pki.Verifier{Trust: e.trust(), Cache: cache, Offline: true}
	r = offline.Verify(ctx, evs)
	for i, s := range r.Signatures {
		if s.StatusNow.Source != "cache" || s.StatusNow.Via != "OCSP" || s.StatusNow.FetchedAt.IsZero() || s.StatusNow.Date.IsZero() {
			t.Errorf("signature %d offline: status %+v", i, s.StatusNow)
		}
		found := false
		for _, w := range s.Warnings {
			found = found || w.Code == pki.MsgStatusFromCache
		}
		if !found {
			t.Errorf("signature %d: no warning that the status came from the cache: %v", i, s.Warnings)
		}
	}
	if r.Signatures[0].Indication != pki.TotalPassed || r.Signatures[1].StatusNow.Status != pki.StatusRevoked {
		t.Errorf("offline verdicts %s, %s", r.Signatures[0].Indication, r.Signatures[1].StatusNow.Status)
	}
	var buf bytes.Buffer
	if err := r.Text(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "cache OCSP") || !strings.Contains(buf.String(), "offline") {
		t.Errorf("text:\n%s", buf.String())
	}

	// Offline with a CRL-only cache: the CRL's status, from the cache.
	crlCache := &pki.Cache{Dir: t.TempDir()}
	e.down.Store(false)
	crlOnly := func(offline bool) *pki.Verifier {
		return &pki.Verifier{Trust: e.trust(), Offline: offline, Cache: crlCache,
			Revocation: &pki.Revocation{CRL: &pki.CRLClient{Cache: crlCache}}}
	}
	if s := crlOnly(false).Verify(ctx, evs[1:]).Signatures[0]; s.StatusNow.Source != "CRL" || s.StatusNow.Status != pki.StatusRevoked {
		t.Errorf("CRL online: %+v", s.StatusNow)
	}
	e.down.Store(true)
	if s := crlOnly(true).Verify(ctx, evs[1:]).Signatures[0]; s.StatusNow.Source != "cache" || s.StatusNow.Via != "CRL" || s.StatusNow.Status != pki.StatusRevoked {
		t.Errorf("CRL offline: %+v", s.StatusNow)
	}
}

func TestReportJSON(t *testing.T) {
	e := testEnv(t)
	r := (&pki.Verifier{Trust: e.trust()}).Verify(context.Background(), []pki.Evidence{claimed(evidence(e.p.Find("gost/legal_head")), time.Now())})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Signatures []map[string]any `json:"signatures"`
	}
	if err := json.Unmarshal(b, &m); err != nil || len(m.Signatures) != 1 {
		t.Fatalf("%v %s", err, b)
	}
	s := m.Signatures[0]
	for _, k := range []string{"indication", "signer", "claimedTime", "signingTime", "signingTimeSource", "statusAtSigning", "statusNow", "chain", "anchor", "scopeDigest"} {
		if _, ok := s[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if s["indication"] != "TOTAL_PASSED" || s["statusNow"].(map[string]any)["source"] != "OCSP" {
		t.Errorf("%s", b)
	}
}

// TestVerifyCertificate: a certificate judged by itself, now: good,
// revoked, expired, and without a chain.
func TestVerifyCertificate(t *testing.T) {
	e := testEnv(t)
	v := &pki.Verifier{Trust: e.trust(), Cache: &pki.Cache{Dir: t.TempDir()}}
	tests := []struct {
		entity string
		trust  bool
		want   pki.Indication
		sub    pki.SubIndication
	}{
		{"gost/legal_head", true, pki.TotalPassed, ""},
		{"rsa/legal_head", true, pki.TotalPassed, ""},
		{"gost/individual_revoked", true, pki.TotalFailed, pki.Revoked},
		{"gost/individual_expired", true, pki.TotalFailed, pki.Expired},
		{"gost/legal_head", false, pki.Indeterminate, pki.NoCertificateChainFound},
	}
	for _, tt := range tests {
		t.Run(tt.entity, func(t *testing.T) {
			c := e.p.Find(tt.entity)
			vv := v
			if !tt.trust {
				vv = &pki.Verifier{Trust: pki.NewTrustStore("")}
			}
			r := vv.VerifyCertificate(context.Background(), c.Cert, []*x509.Certificate{c.Issuer.Cert})
			s := r.Signatures[0]
			if s.Indication != tt.want || s.SubIndication != tt.sub || s.Format != pki.FormatCertificate {
				var buf bytes.Buffer
				r.Text(&buf)
				t.Fatalf("%s/%s, want %s/%s\n%s", s.Indication, s.SubIndication, tt.want, tt.sub, buf.String())
			}
		})
	}
}
