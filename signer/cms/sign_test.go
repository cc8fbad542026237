package cms_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// checkEvidence asserts the evidence of a good signature by want.
func checkEvidence(t *testing.T, ev pki.Evidence, want *x509.Certificate, sigAlg, digestAlg string) {
	t.Helper()
	if !ev.DigestValid || !ev.SignatureValid || ev.CryptoError != "" {
		t.Fatalf("signer %d: digest %v signature %v error %q", ev.Index, ev.DigestValid, ev.SignatureValid, ev.CryptoError)
	}
	if ev.Certificate == nil || !ev.Certificate.Equal(want) {
		t.Errorf("signer %d: certificate %v, want %q", ev.Index, ev.Certificate, want.Subject.CommonName)
	}
	if !ev.SigningCertificateBound {
		t.Errorf("signer %d: signingCertificateV2 not bound", ev.Index)
	}
	if ev.SignatureAlgorithm != sigAlg || ev.DigestAlgorithm != digestAlg {
		t.Errorf("signer %d: algorithms %s/%s, want %s/%s", ev.Index, ev.SignatureAlgorithm, ev.DigestAlgorithm, sigAlg, digestAlg)
	}
	if ev.Format != "cms" || ev.ClaimedTime.IsZero() {
		t.Errorf("signer %d: format %q claimed time %v", ev.Index, ev.Format, ev.ClaimedTime)
	}
}

func TestSignVerify(t *testing.T) {
	r := getRSA(t)
	g := getGOST(t)
	content := []byte("Келісім / Соглашение / agreement №1\n")
	when := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name      string
		p         party
		opts      cms.SignOptions
		sigAlg    string
		digestAlg string
	}{
		{"rsa attached", r.alice, cms.SignOptions{SigningTime: when}, "RSA-SHA256", "SHA-256"},
		{"rsa detached chain", r.alice, cms.SignOptions{Detached: true, IncludeChain: true}, "RSA-SHA256", "SHA-256"},
		{"rsa sha512", r.bob, cms.SignOptions{Digest: rawsig.SHA512}, "RSA-SHA512", "SHA-512"},
		{"ecdsa", r.ecdsa, cms.SignOptions{Detached: true}, "ECDSA-SHA256", "SHA-256"},
		{"gost 2015 attached", g.head, cms.SignOptions{SigningTime: when}, "GOST34.10-2015-512", "GOST34.11-2015-512"},
		{"gost 2015 detached", g.employee, cms.SignOptions{Detached: true, IncludeChain: true}, "GOST34.10-2015-512", "GOST34.11-2015-512"},
		{"gost 2004", g.old2004, cms.SignOptions{}, "GOST34.310-2004", "GOST34.311-95"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der, err := cms.Sign(bytes.NewReader(content), tc.p.key, tc.p.cert, tc.p.chain, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var detached *bytes.Reader
			if tc.opts.Detached {
				detached = bytes.NewReader(content)
			}
			evs, err := verify(der, detached)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d signers", len(evs))
			}
			checkEvidence(t, evs[0], tc.p.cert, tc.sigAlg, tc.digestAlg)
			if !tc.opts.SigningTime.IsZero() && !evs[0].ClaimedTime.Equal(tc.opts.SigningTime) {
				t.Errorf("claimed time %v, want %v", evs[0].ClaimedTime, tc.opts.SigningTime)
			}
			wantCerts := 1
			if tc.opts.IncludeChain {
				wantCerts += len(tc.p.chain)
			}
			if len(evs[0].Certificates) != wantCerts {
				t.Errorf("%d certificates, want %d", len(evs[0].Certificates), wantCerts)
			}
			d, _ := rawsig.DigestByOID(digestOID(tc.digestAlg))
			if !bytes.Equal(evs[0].ScopeDigest, d.Sum(content)) {
				t.Errorf("scope digest %x", evs[0].ScopeDigest)
			}
			got, err := cms.Content(der)
			if tc.opts.Detached {
				if err == nil {
					t.Error("Content of a detached CMS did not fail")
				}
			} else if !bytes.Equal(got, content) {
				t.Errorf("Content = %q, %v", got, err)
			}
		})
	}
}

// verify is cms.Verify with a typed-nil-safe reader.
func verify(der []byte, detached *bytes.Reader) ([]pki.Evidence, error) {
	if detached == nil {
		return cms.Verify(der, nil)
	}
	return cms.Verify(der, detached)
}

func digestOID(name string) []int {
	for _, d := range []*rawsig.Digest{rawsig.SHA1, rawsig.SHA256, rawsig.SHA384, rawsig.SHA512, rawsig.GOST2015_512, rawsig.GOST2015_256, rawsig.GOST34311} {
		if d.Name == name {
			return d.OID
		}
	}
	return nil
}

func TestSignDigest(t *testing.T) {
	g := getGOST(t)
	content := []byte("digest signed elsewhere")
	digest := rawsig.GOST2015_512.Sum(content)
	der, err := cms.SignDigest(digest, rawsig.GOST2015_512.OID, g.head.key, g.head.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := cms.VerifyDigest(der, rawsig.GOST2015_512.OID, digest)
	if err != nil {
		t.Fatal(err)
	}
	checkEvidence(t, evs[0], g.head.cert, "GOST34.10-2015-512", "GOST34.11-2015-512")
	if evs[0].Scope != cms.ScopeDigest {
		t.Errorf("scope %q", evs[0].Scope)
	}
	// The same CMS verifies against the data it is the digest of.
	evs, err = cms.Verify(der, bytes.NewReader(content))
	if err != nil || !evs[0].DigestValid || !evs[0].SignatureValid {
		t.Fatalf("Verify with content: %v %+v", err, evs)
	}
	// A GOST key cannot sign a SHA-256 digest.
	if _, err := cms.SignDigest(rawsig.SHA256.Sum(content), rawsig.SHA256.OID, g.head.key, g.head.cert, nil, cms.SignOptions{}); err == nil {
		t.Error("GOST key signed a SHA-256 digest")
	}
	// A digest of the wrong length is refused.
	if _, err := cms.SignDigest(digest[:10], rawsig.GOST2015_512.OID, g.head.key, g.head.cert, nil, cms.SignOptions{}); err == nil {
		t.Error("short digest accepted")
	}
}

func TestCoSign(t *testing.T) {
	r := getRSA(t)
	g := getGOST(t)
	content := []byte("signed by two")
	for _, detached := range []bool{false, true} {
		name := map[bool]string{false: "attached", true: "detached"}[detached]
		t.Run(name, func(t *testing.T) {
			first, err := cms.Sign(bytes.NewReader(content), g.head.key, g.head.cert, g.head.chain, cms.SignOptions{Detached: detached})
			if err != nil {
				t.Fatal(err)
			}
			var src *bytes.Reader
			if detached {
				src = bytes.NewReader(content)
			}
			var second []byte
			if src == nil {
				second, err = cms.CoSign(first, nil, r.alice.key, r.alice.cert, r.alice.chain, cms.SignOptions{})
			} else {
				second, err = cms.CoSign(first, src, r.alice.key, r.alice.cert, r.alice.chain, cms.SignOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if src != nil {
				src = bytes.NewReader(content)
			}
			evs, err := verify(second, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 {
				t.Fatalf("%d signers", len(evs))
			}
			checkEvidence(t, evs[0], g.head.cert, "GOST34.10-2015-512", "GOST34.11-2015-512")
			checkEvidence(t, evs[1], r.alice.cert, "RSA-SHA256", "SHA-256")
			// The first SignerInfo is copied byte for byte.
			a, b := signerInfos(t, first), signerInfos(t, second)
			if !bytes.Equal(a[0], b[0]) {
				t.Error("co-signing changed the first SignerInfo")
			}
			if detached {
				if _, err := cms.CoSign(first, nil, r.bob.key, r.bob.cert, nil, cms.SignOptions{}); err == nil {
					t.Error("co-signing a detached CMS without content succeeded")
				}
			}
		})
	}
}

func TestTimestamp(t *testing.T) {
	r := getRSA(t)
	g := getGOST(t)
	rsaTSA := startTSA(t, r.tsa, testpki.TSAPolicyRSA)
	gostTSA := startTSA(t, g.tsa, testpki.TSAPolicyGOST)
	content := []byte("stamped")

	t.Run("sign with TSA", func(t *testing.T) {
		der, err := cms.Sign(bytes.NewReader(content), g.head.key, g.head.cert, g.head.chain, cms.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if der, err = cms.AddTimestamp(context.Background(), der, gostTSA); err != nil {
			t.Fatal(err)
		}
		evs, err := cms.Verify(der, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkTimestamp(t, evs[0], g.tsa.cert, testpki.TSAPolicyGOST.String())
	})
	t.Run("add to co-signed", func(t *testing.T) {
		der, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, nil, cms.SignOptions{Detached: true})
		if err != nil {
			t.Fatal(err)
		}
		if der, err = cms.AddTimestamp(context.Background(), der, rsaTSA); err != nil {
			t.Fatal(err)
		}
		der, err = cms.CoSign(der, bytes.NewReader(content), g.employee.key, g.employee.cert, nil, cms.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		before := signerInfos(t, der)
		stamped, err := cms.AddTimestamp(context.Background(), der, gostTSA)
		if err != nil {
			t.Fatal(err)
		}
		after := signerInfos(t, stamped)
		if !bytes.Equal(before[0], after[0]) {
			t.Error("AddTimestamp changed a SignerInfo that already had a token")
		}
		evs, err := cms.Verify(stamped, bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		checkEvidence(t, evs[0], r.alice.cert, "RSA-SHA256", "SHA-256")
		checkEvidence(t, evs[1], g.employee.cert, "GOST34.10-2015-512", "GOST34.11-2015-512")
		checkTimestamp(t, evs[0], r.tsa.cert, testpki.TSAPolicyRSA.String())
		checkTimestamp(t, evs[1], g.tsa.cert, testpki.TSAPolicyGOST.String())
	})
	t.Run("token over another signature", func(t *testing.T) {
		// Move signer 0's token onto signer 1: the imprint no longer matches.
		one, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, nil, cms.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if one, err = cms.AddTimestamp(context.Background(), one, rsaTSA); err != nil {
			t.Fatal(err)
		}
		two, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, nil, cms.SignOptions{SigningTime: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		sig1, sig2 := signatureValue(t, one), signatureValue(t, two)
		forged := bytes.Replace(one, sig1, sig2, 1)
		evs, err := cms.Verify(forged, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs[0].Timestamps) != 1 || evs[0].Timestamps[0].Valid || !strings.Contains(evs[0].Timestamps[0].Error, "imprint") {
			t.Errorf("moved token: %+v", evs[0].Timestamps)
		}
	})
	t.Run("policy refused", func(t *testing.T) {
		c := *rsaTSA
		c.Policy = testpki.TSAPolicyGOST2004
		_, err := c.Timestamp(context.Background(), rawsig.SHA256.OID, make([]byte, 32))
		if err == nil || !strings.Contains(err.Error(), "unacceptedPolicy") {
			t.Errorf("err = %v", err)
		}
	})
}

func checkTimestamp(t *testing.T, ev pki.Evidence, tsaCert *x509.Certificate, policy string) {
	t.Helper()
	if len(ev.Timestamps) != 1 {
		t.Fatalf("signer %d: %d timestamps", ev.Index, len(ev.Timestamps))
	}
	ts := ev.Timestamps[0]
	if !ts.Valid || ts.Error != "" {
		t.Fatalf("signer %d: timestamp invalid: %s", ev.Index, ts.Error)
	}
	if ts.Certificate == nil || !ts.Certificate.Equal(tsaCert) || ts.Policy != policy {
		t.Errorf("signer %d: TSA %v policy %s", ev.Index, ts.Certificate, ts.Policy)
	}
	if d := time.Since(ts.Time); d < -time.Minute || d > time.Minute {
		t.Errorf("genTime %v", ts.Time)
	}
}
