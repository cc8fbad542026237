// Package testfeatures makes what Qoltanba offers for trying it without a
// real key: the welcome's TEST key (a test PKI's company head, with its CAs
// as TEST anchors) and About's self-test. It is the one production-side
// user of signer/testpki, and only cmd imports it: the window receives
// these features as functions (ui.Options.Test), so no face or core
// package depends on test material.
package testfeatures

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// testKeyName is the test PKI entity the welcome offers: a company head's
// signing key, the most common key an accountant's office holds.
const testKeyName = "gost/legal_head"

// Password is the test PKI's password (NCA's test one), shown to the user
// with the TEST key: it protects nothing real.
const Password = testpki.DefaultPassword

// testKeysDir is where the welcome's TEST key is kept in the data folder:
// the key file and its certificate, never the test CAs' private keys.
func testKeysDir(dataDir string) string { return filepath.Join(dataDir, "testkeys") }

// CreateKey makes a GOST-only test PKI in a temporary folder and keeps
// in the data folder only what a user needs: the company head's key file and
// certificate (testkeys/), the test CAs' certificates as TEST anchors
// (trust/test/, so signatures made with it verify and say TEST) and their
// CRLs in the revocation cache (so they verify offline). The CAs' private
// keys go with the temporary folder. An existing TEST key is reused.
func CreateKey(dataDir string) (string, error) {
	dir := testKeysDir(dataDir)
	keyPath := filepath.Join(dir, "legal_head.p12")
	if _, err := os.Stat(keyPath); err == nil {
		return keyPath, nil
	}
	tmp, err := os.MkdirTemp("", "qoltanba-testpki-")
	if err != nil {
		return "", fmt.Errorf("create test PKI: %w", err)
	}
	defer os.RemoveAll(tmp)
	p, err := testpki.Generate(testpki.Options{Dir: tmp, Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		return "", fmt.Errorf("create test PKI: %w", err)
	}
	e := p.Find(testKeyName)
	if e == nil || e.P12Path == "" {
		return "", fmt.Errorf("test PKI has no %s key", testKeyName)
	}
	if err := Install(dataDir, p); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("keep the test key: %w", err)
	}
	for src, dst := range map[string]string{e.P12Path: keyPath, e.CertPath: strings.TrimSuffix(keyPath, ".p12") + ".cer"} {
		data, err := os.ReadFile(src)
		if err == nil {
			err = atomicfile.Write(dst, data, 0o600)
		}
		if err != nil {
			return "", fmt.Errorf("keep the test key: %w", err)
		}
	}
	return keyPath, nil
}

// Install writes the test CAs' certificates as TEST anchors and their
// CRLs into the revocation cache of the data folder.
func Install(dataDir string, p *testpki.PKI) error {
	trustDir := filepath.Join(dataDir, "trust", "test")
	if err := os.MkdirAll(trustDir, 0o700); err != nil {
		return fmt.Errorf("keep the test CAs: %w", err)
	}
	for i, ca := range p.AllCAs() {
		name := filepath.Join(trustDir, fmt.Sprintf("test-ca-%d-%s.cer", i, pki.Fingerprint(ca.Cert)[:16]))
		if err := atomicfile.Write(name, ca.Cert.Raw, 0o600); err != nil {
			return fmt.Errorf("keep the test CAs: %w", err)
		}
	}
	SeedRevocation(&pki.Cache{Dir: filepath.Join(dataDir, "cache")}, p)
	return nil
}

// SeedRevocation puts the test PKI's CRLs in the revocation cache under
// the addresses its certificates name, so TEST signatures verify offline
// (the test PKI's services run only under "qoltanba testpki serve").
func SeedRevocation(cache *pki.Cache, p *testpki.PKI) {
	at := time.Now()
	put := func(urls []string, issuer *testpki.CA) {
		if issuer == nil || len(issuer.CRLDER) == 0 {
			return
		}
		for _, u := range urls {
			_ = cache.Put(pki.KindCRL, u, issuer.Cert, "", issuer.CRLDER, at)
		}
	}
	for _, ca := range p.AllCAs() {
		put(ca.Cert.CRLDistributionPoints, ca.Issuer)
	}
	for _, e := range p.Entities {
		put(e.Cert.CRLDistributionPoints, e.Issuer)
	}
}

// SelfTestResult is what the self-test found.
type SelfTestResult struct {
	CMS, XML   pki.Indication
	Elapsed    time.Duration
	Err        error
	Algorithms string
}

// SelfTest signs a short text as CMS and as XML with a test key generated
// on the fly, and verifies both with the full verification (chain and
// revocation, offline from the test PKI's CRLs). Nothing touches the
// user's keys or data folder.
func SelfTest(ctx context.Context) *SelfTestResult {
	start := time.Now()
	r := &SelfTestResult{}
	cacheDir, err := os.MkdirTemp("", "qoltanba-selftest-")
	if err != nil {
		r.Err = fmt.Errorf("self-test: %w", err)
		return r
	}
	defer os.RemoveAll(cacheDir)
	p, err := testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		r.Err = fmt.Errorf("self-test: test PKI: %w", err)
		return r
	}
	e := p.Find(testKeyName)
	if e == nil {
		r.Err = fmt.Errorf("self-test: no %s key", testKeyName)
		return r
	}
	r.Algorithms = pki.KeyAlgorithm(e.Cert)
	cache := &pki.Cache{Dir: cacheDir}
	SeedRevocation(cache, p)
	ts := pki.NewTrustStore("")
	ts.AddAnchor(p.Root(testpki.FamilyGOST).Cert)
	ts.AddIntermediate(p.CA(testpki.FamilyGOST).Cert) // XML signatures carry only the signer's certificate
	v := &pki.Verifier{Trust: ts, Offline: true, Cache: cache}

	content := []byte("Qoltanba self-test " + time.Now().Format(time.RFC3339))
	signed, err := cms.Sign(bytes.NewReader(content), e.Key, e.Cert, e.Chain()[1:], cms.SignOptions{IncludeChain: true})
	if err != nil {
		r.Err = fmt.Errorf("self-test: CMS sign: %w", err)
		return r
	}
	ev, err := cms.Verify(signed, nil)
	if err != nil {
		r.Err = fmt.Errorf("self-test: CMS verify: %w", err)
		return r
	}
	r.CMS = v.Verify(ctx, ev).Worst()

	doc := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?><selftest>" + string(content) + "</selftest>")
	xml, err := xmldsig.Sign(doc, e.Key, e.Cert, xmldsig.SignOptions{})
	if err != nil {
		r.Err = fmt.Errorf("self-test: XML sign: %w", err)
		return r
	}
	ev, err = xmldsig.Verify(xml)
	if err != nil {
		r.Err = fmt.Errorf("self-test: XML verify: %w", err)
		return r
	}
	r.XML = v.Verify(ctx, ev).Worst()
	r.Elapsed = time.Since(start)
	return r
}
